/**
 * The raw `node:http` fast path: hot documents already in the read cache are answered without
 * building a Fetch Request/Response or entering Hono, so a cached registration index costs little
 * more than a bare `res.end(buffer)` (issue 4's ceiling comparison; `npm run bench -- hot-reads`).
 * Header sets are built once per cached document (cache.ts `wireHeaders`) and the usual
 * Accept-Encoding values are recognised without allocating. Small package files (nupkg, nuspec,
 * readme) whose location and bytes are already in memory are answered the same way
 * (`serveStoredFile`, `npm run bench -- downloads`). Everything else returns false and goes to the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NuGetVersion } from '../feed/version.ts';
import { acceptsGzip, documentCacheKey, matchesEtag, serviceIndexVariant } from './app.ts';
import type { BlobName } from './blob-store.ts';
import { wireHeaders, type DocumentCache, type StoredVersionCache } from './cache.ts';

/** `gzip` or `*` as a whole coding of a header without parameters, e.g. "gzip, deflate, br" */
const GZIP_CODING = /(?:^|,)[ \t]*(?:gzip|\*)[ \t]*(?:,|$)/i;

/**
 * True when Accept-Encoding allows gzip; same answer as app.ts `acceptsGzip`, which is only consulted
 * for headers with parameters (`;q=`).
 */
export function fastAcceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  if (header.indexOf(';') >= 0) return acceptsGzip(header);
  return GZIP_CODING.test(header);
}

/**
 * Answers GET/HEAD for a document already in the cache without building a Request object.
 * @returns false when the request must go to the app (not cached, other method, ...)
 */
export function serveCached(req: IncomingMessage, res: ServerResponse, cache: DocumentCache, base: string): boolean {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const target = req.url ?? '/';
  const lower = target.length < 20 ? target.toLowerCase() : '';
  const suffix = lower.startsWith('/index.json') || lower.startsWith('/v3/index.json') ? serviceIndexVariant(req.headers['user-agent']) : '';
  const doc = cache.get(documentCacheKey(base, target, suffix));
  if (!doc) return false;
  const wire = wireHeaders(doc);
  const inm = req.headers['if-none-match'];
  // a client revalidating sends back exactly the ETag it got: compare that before parsing a list
  if (inm !== undefined && (inm === doc.etag || matchesEtag(inm, doc.etag))) {
    res.writeHead(304, wire.notModified);
    res.end();
    return true;
  }
  const gzip = wire.gzip !== null && fastAcceptsGzip(req.headers['accept-encoding']);
  res.writeHead(200, gzip ? wire.gzip! : wire.plain);
  if (method === 'HEAD') res.end();
  else res.end(gzip ? doc.gzip : doc.body);
  return true;
}

/** What the download fast path reads; every member answers from memory only. */
export interface StoredFileSource {
  stored: StoredVersionCache;
  /** bytes of a small stored file already in memory (blob-store.ts `FsBlobStore.cached`), else undefined */
  cachedBlob(blobKey: string, name: BlobName): Buffer | undefined;
  /** counts one nupkg download (downloads.ts `DownloadCounter.count`) */
  countDownload(lowerId: string, versionKey: string): void;
  /**
   * opens a stored file that is not in memory (blob-store.ts `FsBlobStore.open`); without it such
   * files go to the app. With it, large files are streamed from disk straight into the response.
   */
  openBlob?(blobKey: string, name: BlobName): Promise<{ stream: Readable; size: number } | null>;
  /** reports a stored file that a row names but the blob store lacks (answered 500, as the app does) */
  onMissing?(blobKey: string, name: BlobName): void;
}

const FLAT_PREFIX = '/v3/flatcontainer/';

/** True when `file` is `<lowerId>.<any spelling of the version with key versionKey>.nupkg` (as app.ts accepts). */
function nupkgSpellsVersion(file: string, lowerId: string, versionKey: string): boolean {
  if (!file.startsWith(`${lowerId}.`) || !file.endsWith('.nupkg')) return false;
  const v = NuGetVersion.tryParse(file.slice(lowerId.length + 1, -'.nupkg'.length));
  return v !== null && v.toNormalizedString().toLowerCase() === versionKey;
}
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Answers GET/HEAD of `/v3/flatcontainer/{id}/{version}/{id}.{version}.nupkg`, `{id}.nuspec` and
 * `readme` (protocol reference §3) when the version's location and the file's bytes are both in
 * memory; the answer is the app's byte for byte (same Content-Type, immutable Cache-Control, ETag
 * `"<upload id>-<file>"`, 304 on If-None-Match, nupkg GETs counted as downloads).
 * @returns false when the app must answer (other URL, icon, not yet in memory, percent-encoded path)
 */
export function serveStoredFile(req: IncomingMessage, res: ServerResponse, src: StoredFileSource): boolean {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const target = req.url ?? '/';
  if (target.length <= FLAT_PREFIX.length || target.charCodeAt(1) !== 118 /* v */) return false;
  const q = target.indexOf('?');
  const path = (q < 0 ? target : target.slice(0, q)).toLowerCase();
  if (!path.startsWith(FLAT_PREFIX) || path.includes('%')) return false;
  const parts = path.slice(FLAT_PREFIX.length).split('/');
  if (parts.length !== 3) return false;
  const [lowerId, versionText, file] = parts as [string, string, string];
  const version = NuGetVersion.tryParse(versionText);
  if (!version) return false;
  const key = version.toNormalizedString().toLowerCase();
  let name: BlobName;
  let contentType: string;
  if (file === 'readme') {
    name = 'readme';
    contentType = 'text/markdown; charset=utf-8';
  } else if (file === `${lowerId}.nuspec`) {
    name = 'package.nuspec';
    contentType = 'application/xml; charset=utf-8';
  } else if (file === `${lowerId}.${versionText}.nupkg` || file === `${lowerId}.${key}.nupkg` || nupkgSpellsVersion(file, lowerId, key)) {
    // the file name may spell the version differently from the folder (module manifest spelling, §4.7)
    name = 'package.nupkg';
    contentType = 'application/octet-stream';
  } else return false;
  const stored = src.stored.peek(lowerId, key);
  if (!stored || (name === 'readme' && !stored.hasReadme)) return false;
  const etag = `"${stored.blobKey.slice(stored.blobKey.lastIndexOf('/') + 1)}-${name}"`;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && (inm === etag || matchesEtag(inm, etag))) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return true;
  }
  const bytes = src.cachedBlob(stored.blobKey, name);
  if (!bytes) {
    if (!src.openBlob) return false;
    void streamFromDisk(req, res, src, stored.blobKey, name, { lowerId, key, contentType, etag });
    return true;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(bytes.length), 'Cache-Control': IMMUTABLE, ETag: etag });
  if (method === 'HEAD') {
    res.end();
    return true;
  }
  if (name === 'package.nupkg') src.countDownload(lowerId, key);
  res.end(bytes);
  return true;
}

/**
 * Streams a stored file from the blob store into the response without Hono or web streams (a 1 MB
 * nupkg otherwise crosses Readable → ReadableStream → Readable). Same headers as the in-memory answer;
 * a file the row names but the store lacks gets the app's 500; a client that goes away mid-download
 * closes the file.
 */
async function streamFromDisk(
  req: IncomingMessage,
  res: ServerResponse,
  src: StoredFileSource,
  blobKey: string,
  name: BlobName,
  meta: { lowerId: string; key: string; contentType: string; etag: string },
): Promise<void> {
  let opened: { stream: Readable; size: number } | null;
  try {
    opened = await src.openBlob!(blobKey, name);
  } catch {
    opened = null;
  }
  if (!opened) {
    src.onMissing?.(blobKey, name);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal server error.');
    return;
  }
  res.writeHead(200, { 'Content-Type': meta.contentType, 'Content-Length': String(opened.size), 'Cache-Control': IMMUTABLE, ETag: meta.etag });
  if (req.method === 'HEAD') {
    opened.stream.destroy();
    res.end();
    return;
  }
  if (name === 'package.nupkg') src.countDownload(meta.lowerId, meta.key);
  try {
    await pipeline(opened.stream, res);
  } catch {
    // the client went away (or the disk failed mid-file): pipeline destroyed both ends
  }
}
