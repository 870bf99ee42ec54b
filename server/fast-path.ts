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
import type { BlobName } from './storage/blob-store.ts';
import { wireHeaders, type DocumentCache, type StoredVersionCache } from './cache.ts';
import { documentCacheKey } from './http/documents.ts';
import { fileEtag, fileHeaders, hasFile, resolveFlatFile } from './http/files.ts';
import { fastAcceptsGzip, matchesEtag } from './http/negotiation.ts';
import { versionKeyParam } from './http/params.ts';
import { agentVariant } from './http/variant.ts';

/**
 * Answers GET/HEAD for a document already in the cache without building a Request object.
 * @returns false when the request must go to the app (not cached, other method, ...)
 */
export function serveCached(req: IncomingMessage, res: ServerResponse, cache: DocumentCache, base: string): boolean {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const target = req.url ?? '/';
  const doc = cache.get(documentCacheKey(base, target, agentVariant(target, req.headers['user-agent'])));
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
  /** bytes of a small stored file already in memory (storage/blob-store.ts `BlobStore.cached`), else undefined */
  cachedBlob(blobKey: string, name: BlobName): Buffer | undefined;
  /** counts one nupkg download (downloads.ts `DownloadCounter.count`) */
  countDownload(lowerId: string, versionKey: string): void;
  /**
   * opens a stored file that is not in memory (storage/blob-store.ts `BlobStore.open`); without it such
   * files go to the app. With it, large files are streamed from disk straight into the response.
   */
  openBlob?(blobKey: string, name: BlobName): Promise<{ stream: Readable; size: number } | null>;
  /** reports a stored file that a row names but the blob store lacks (answered 500, as the app does) */
  onMissing?(blobKey: string, name: BlobName): void;
}

const FLAT_PREFIX = '/v3/flatcontainer/';

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
  const key = versionKeyParam(versionText);
  if (key === null) return false;
  const name = resolveFlatFile(lowerId, versionText, key, file);
  // icons go to the app, which sets their Content-Type from their bytes
  if (name === null || name === 'icon') return false;
  const stored = src.stored.peek(lowerId, key);
  if (!stored || !hasFile(stored, name)) return false;
  const etag = fileEtag(stored.blobKey, name);
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && (inm === etag || matchesEtag(inm, etag))) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return true;
  }
  const bytes = src.cachedBlob(stored.blobKey, name);
  if (!bytes) {
    if (!src.openBlob) return false;
    void streamFromDisk(req, res, src, stored.blobKey, name, { lowerId, key, etag });
    return true;
  }
  res.writeHead(200, fileHeaders(name, bytes.length, etag));
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
  meta: { lowerId: string; key: string; etag: string },
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
  res.writeHead(200, fileHeaders(name, opened.size, meta.etag));
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
