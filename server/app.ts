/**
 * The Hono app factory: one route table, read top to bottom, with thin handlers. Dependencies are
 * injected (database repository, blob store, cache, clock, config) so tests drive the app with
 * `app.request()` and a temp folder. URL space: protocol reference Appendix A and ARCHITECTURE.md.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { FeedUrls } from '../feed/urls.ts';
import { NuGetVersion } from '../feed/version.ts';
import { isValidPackageId } from '../feed/package-id.ts';
import { buildServiceIndex, buildDependenciesServiceIndex } from '../feed/v3/service-index.ts';
import {
  buildLinkedRegistrationIndex,
  buildRegistrationIndex,
  buildRegistrationLeaf,
  buildRegistrationPage,
} from '../feed/v3/registration.ts';
import { findRegistrationPage } from '../feed/v3/paging.ts';
import { buildDependenciesIndex, buildDependenciesPage } from '../feed/v3/dependencies.ts';
import { buildVersionsList } from '../feed/v3/flat-container.ts';
import {
  buildAutocompleteResponse,
  buildAutocompleteVersions,
  buildSearchResponse,
  parseSearchQuery,
} from '../feed/v3/search-result.ts';
import { buildCatalogLeaf } from '../feed/v3/catalog.ts';
import type { PackageRecord } from '../feed/types.ts';
import type { PackageRepository, SearchFilter } from '../db/packages.ts';
import type { BlobName, BlobStore } from './blob-store.ts';
import { DocumentCache, GZIP_MIN_BYTES, StoredVersionCache, gzipOf, makeJsonDocument, type CachedDocument } from './cache.ts';
import type { Config } from './config.ts';
import type { DownloadCounter } from './downloads.ts';
import { HttpError, mapError } from './errors.ts';
import { GLOBAL_CACHE_TAG, PackageService, pushProfile } from './ingest.ts';
import { receiveUpload } from './upload.ts';
import { renderPackagePage } from './package-page.ts';

export interface AppDeps {
  config: Config;
  repo: PackageRepository;
  blobs: BlobStore;
  cache: DocumentCache;
  downloads: DownloadCounter;
  packages: PackageService;
  /** where each stored version's files are (shared with the raw download fast path in serve.ts) */
  stored?: StoredVersionCache;
  log: {
    error(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
  };
}

/** User agents that get the dependency-only service index (§5.3, issue: ModuleFast feed). */
export function wantsDependencyFeed(userAgent: string | undefined | null): boolean {
  return !!userAgent && userAgent.startsWith('ModuleFast');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** registration and flat-container documents change on push/unlist: clients revalidate with ETags */
const REVALIDATE = 'public, max-age=0, must-revalidate';

type Env = { Bindings: { incoming?: import('node:http').IncomingMessage; outgoing?: import('node:http').ServerResponse } };

/** Builds the Galleon HTTP application. */
export function createApp(deps: AppDeps): Hono<Env> {
  const { config, repo, blobs, cache, downloads, packages, log } = deps;
  const staticUrls = new FeedUrls(config.baseUrl);
  const stored = deps.stored ?? new StoredVersionCache((id, key) => repo.getStoredVersion(id, key), cache);

  // Paths are matched case-insensitively (§10 rule 3); ids and versions are lower-cased anyway.
  const app = new Hono<Env>({ getPath: (req) => lowerPath(req.url) });

  /** FeedUrls for this request: the configured base URL, or forwarded headers when trusted. */
  const urlsFor = (c: Context<Env>): FeedUrls => {
    if (config.baseUrlConfigured || !config.trustProxy) return staticUrls;
    const proto = firstHeader(c.req.header('x-forwarded-proto')) ?? new URL(c.req.url).protocol.replace(':', '');
    const host = firstHeader(c.req.header('x-forwarded-host')) ?? c.req.header('host');
    const prefix = (firstHeader(c.req.header('x-forwarded-prefix')) ?? '').replace(/\/+$/, '');
    if (!host || !/^https?$/.test(proto) || /[\s/\\@]/.test(host) || !/^(\/[\w.~-]+)*$/.test(prefix)) return staticUrls;
    return new FeedUrls(`${proto}://${host}${prefix}`);
  };

  /** Serves a JSON document from the cache, building it on a miss; `build` returning null → 404. */
  const document = async (
    c: Context<Env>,
    tag: string,
    build: (urls: FeedUrls) => Promise<unknown | null>,
    opts: { notFound: string; cacheControl?: string; headers?: Record<string, string>; keySuffix?: string },
  ): Promise<Response> => {
    const urls = urlsFor(c);
    const key = cacheKey(urls, c.req.url, opts.keySuffix);
    let doc = cache.get(key);
    if (!doc) {
      const generation = cache.generation(tag);
      const value = await build(urls);
      if (value === null) return notFound(c, opts.notFound);
      doc = makeJsonDocument(value, { cacheControl: opts.cacheControl ?? REVALIDATE, headers: opts.headers });
      cache.set(key, tag, generation, doc);
    }
    return sendDocument(c.req.raw.headers, doc);
  };

  const requireKey = (c: Context<Env>): void => {
    if (!config.apiKey)
      throw new HttpError(
        403,
        'Writes are disabled: this Galleon has no API key. Restart it with GALLEON_API_KEY=<secret> (or --api-key <secret>) and pass that key to your client (dotnet nuget push --api-key <secret>).',
      );
    const key = c.req.header('x-nuget-apikey') ?? basicPassword(c.req.header('authorization'));
    if (!key)
      throw new HttpError(401, 'An API key is required: pass --api-key (X-NuGet-ApiKey header) or Basic credentials.', {
        'WWW-Authenticate': 'Basic realm="Galleon", charset="UTF-8"',
      });
    if (!safeEqual(key, config.apiKey)) throw new HttpError(403, 'The API key is not valid for this server.');
  };

  app.onError((err, c) => {
    const mapped = mapError(err);
    if (mapped.internal) log.error({ err, url: c.req.url, method: c.req.method }, 'request failed');
    setReason(c, mapped.message);
    return c.text(mapped.message, mapped.status as 400, mapped.headers);
  });
  app.notFound((c) => c.text('Not found. The service index is at /v3/index.json.', 404));

  // ---- service index (§1) -------------------------------------------------------------------
  const serviceIndex = (c: Context<Env>) => {
    const slim = wantsDependencyFeed(c.req.header('user-agent'));
    return document(c, GLOBAL_CACHE_TAG + 'index', async (urls) => (slim ? buildDependenciesServiceIndex(urls) : buildServiceIndex(urls)), {
      notFound: '',
      keySuffix: serviceIndexVariant(c.req.header('user-agent')),
      headers: { Vary: 'User-Agent' },
    });
  };
  app.get('/index.json', serviceIndex);
  app.get('/v3/index.json', serviceIndex);
  app.get('/v3/dependencies/index.json', (c) =>
    document(c, GLOBAL_CACHE_TAG + 'index', async (urls) => buildDependenciesServiceIndex(urls), { notFound: '' }),
  );
  app.get('/health', (c) => c.json({ status: 'ok' }));

  // ---- push, unlist, relist (§2) --------------------------------------------------------------
  const push = async (c: Context<Env>) => {
    const started = pushProfile.enabled ? performance.now() : 0;
    const lap = pushProfile.laps();
    requireKey(c);
    const incoming = c.env?.incoming;
    const body: Readable | null = incoming ?? (c.req.raw.body ? Readable.fromWeb(c.req.raw.body as any) : null);
    if (!body) throw new HttpError(400, 'The request body is empty: no package was sent.');
    const headers: IncomingHttpHeaders = incoming?.headers ?? Object.fromEntries(c.req.raw.headers);
    const upload = await receiveUpload(body, headers, blobs.tempPath(), config.maxPackageBytes);
    lap('receive');
    const result = await packages.push(upload);
    setReason(c, 'Created');
    if (started) pushProfile.add('route (total)', performance.now() - started);
    return c.text(`Package ${result.id} ${result.version} was pushed.`, 201);
  };
  app.put('/api/v2/package', push);
  app.put('/api/v2/package/', push);
  app.delete('/api/v2/package/:id/:version', async (c) => {
    requireKey(c);
    await packages.setListed(c.req.param('id'), c.req.param('version'), false);
    return c.body(null, 204);
  });
  app.post('/api/v2/package/:id/:version', async (c) => {
    requireKey(c);
    await packages.setListed(c.req.param('id'), c.req.param('version'), true);
    return c.text('Listed.', 200);
  });

  // ---- flat container (§3) --------------------------------------------------------------------
  app.get('/v3/flatcontainer/:id/index.json', (c) => {
    const lowerId = idParam(c);
    return document(c, lowerId, async () => {
      // only ids and versions: a 5,000-version id must not cost 5,000 whole rows
      return buildVersionsList(await repo.getVersionSummaries(lowerId));
    }, { notFound: `Package ${lowerId} was not found.` });
  });
  app.get('/v3/flatcontainer/:id/:version/:file', async (c) => {
    const lowerId = idParam(c);
    const versionText = c.req.param('version');
    const key = versionKeyParam(versionText);
    const file = c.req.param('file');
    let name: BlobName;
    if (file === 'readme') name = 'readme';
    else if (file === 'icon') name = 'icon';
    else if (file === `${lowerId}.nuspec`) name = 'package.nuspec';
    // the file name may spell the version differently from the folder (module manifest spelling, §4.7)
    else if (key && file.startsWith(`${lowerId}.`) && file.endsWith('.nupkg') && versionKeyParam(file.slice(lowerId.length + 1, -6)) === key)
      name = 'package.nupkg';
    else return notFound(c, 'Not found.');
    const version = key ? await stored.get(lowerId, key) : null;
    if (!version) return notFound(c, `Package ${lowerId} ${versionText} was not found.`);
    if (name === 'readme' && !version.hasReadme) return notFound(c, 'This package has no readme.');
    if (name === 'icon' && !version.hasIcon) return notFound(c, 'This package has no embedded icon.');
    const etag = `"${version.blobKey.slice(version.blobKey.lastIndexOf('/') + 1)}-${name}"`;
    if (matchesEtag(c.req.header('if-none-match'), etag)) return new Response(null, { status: 304, headers: { ETag: etag } });
    const opened = await blobs.open(version.blobKey, name);
    if (!opened) {
      log.error({ blobKey: version.blobKey, name }, 'stored package file is missing');
      throw new Error(`blob ${version.blobKey}/${name} missing`);
    }
    const headers: Record<string, string> = {
      'Content-Type': contentTypeOf(name),
      'Content-Length': String(opened.size),
      'Cache-Control': IMMUTABLE,
      ETag: etag,
    };
    if (c.req.method === 'HEAD') {
      opened.stream.destroy();
      return new Response(null, { status: 200, headers });
    }
    if (name === 'package.nupkg') downloads.count(lowerId, key!);
    if (name === 'icon') {
      return new Response(await sniffIcon(opened.stream, headers), { status: 200, headers });
    }
    return new Response(Readable.toWeb(opened.stream) as ReadableStream, { status: 200, headers });
  });

  // ---- registration hive (§4) -----------------------------------------------------------------
  app.get('/v3/registration/:id/index.json', (c) => {
    const lowerId = idParam(c);
    return document(c, lowerId, async (urls) => {
      // ids with many versions get linked pages: their index needs only version summaries
      const summaries = await repo.getVersionSummaries(lowerId);
      if (!summaries.length) return null;
      const linked = buildLinkedRegistrationIndex(summaries[0].id, summaries, urls);
      if (linked) return linked;
      const records = await repo.getRecords(lowerId);
      return records.length ? buildRegistrationIndex(records[0].id, records, urls) : null;
    }, { notFound: `Package ${lowerId} was not found.` });
  });
  app.get('/v3/registration/:id/page/:lower/:upper{.+\\.json}', (c) => {
    const lowerId = idParam(c);
    const upper = c.req.param('upper').slice(0, -'.json'.length);
    return document(c, lowerId, async (urls) => {
      const summaries = await repo.getVersionSummaries(lowerId);
      const page = summaries.length ? findRegistrationPage(summaries, c.req.param('lower'), upper) : null;
      if (!page) return null;
      const records = await repo.getRecordsByKeys(lowerId, page.map((v) => v.version.toLowerCase()));
      return records.length ? buildRegistrationPage(records[0].id, records, urls) : null;
    }, { notFound: `Registration page ${c.req.param('lower')}/${upper} of ${lowerId} was not found.` });
  });
  app.get('/v3/registration/:id/:leaf{.+\\.json}', (c) => {
    const lowerId = idParam(c);
    const key = versionKeyParam(c.req.param('leaf').slice(0, -'.json'.length));
    return document(c, lowerId, async (urls) => {
      const record = key ? await repo.getRecord(lowerId, key) : null;
      return record ? buildRegistrationLeaf(record, urls) : null;
    }, { notFound: `Package ${lowerId} ${c.req.param('leaf')} was not found.` });
  });
  app.get('/v3/catalog/data/:id/:leaf{.+\\.json}', (c) => {
    const lowerId = idParam(c);
    const key = versionKeyParam(c.req.param('leaf').slice(0, -'.json'.length));
    return document(c, lowerId, async (urls) => {
      const record = key ? await repo.getRecord(lowerId, key) : null;
      return record ? buildCatalogLeaf(record, urls) : null;
    }, { notFound: `Package ${lowerId} ${c.req.param('leaf')} was not found.` });
  });

  // ---- dependency-only hive (§5, ModuleFast) ---------------------------------------------------
  app.get('/v3/dependencies/:id/index.json', (c) => {
    const lowerId = idParam(c);
    return document(c, lowerId, async (urls) => {
      const records = await repo.getDependencyRecords(lowerId);
      return records.length ? buildDependenciesIndex(records[0].id, records, urls) : null;
    }, { notFound: `Package ${lowerId} was not found.` });
  });
  app.get('/v3/dependencies/:id/page/:lower/:upper{.+\\.json}', (c) => {
    const lowerId = idParam(c);
    const upper = c.req.param('upper').slice(0, -'.json'.length);
    return document(c, lowerId, async (urls) => {
      const records = await repo.getDependencyRecords(lowerId);
      return records.length ? buildDependenciesPage(records[0].id, records, c.req.param('lower'), upper, urls) : null;
    }, { notFound: `Page ${c.req.param('lower')}/${upper} of ${lowerId} was not found.` });
  });

  // ---- search and autocomplete (§6) -----------------------------------------------------------
  app.get('/v3/search', (c) => {
    const q = c.req.query();
    const skip = intParam(q.skip, 'skip', 0, 0, 100_000);
    const take = intParam(q.take, 'take', 20, 0, 1000);
    const prerelease = boolParam(q.prerelease);
    const semVer2 = semVer2Param(q.semverlevel ?? q.semVerLevel);
    const packageType = q.packagetype ?? q.packageType ?? null;
    return document(c, GLOBAL_CACHE_TAG, async (urls) => {
      const parsed = parseSearchQuery(q.q ?? '');
      // each term and field value is one condition of the statement: repeated ones count once
      const lower = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.toLowerCase()).filter(Boolean))];
      const conditions = lower(parsed.terms).length + Object.values(parsed.fields).reduce((n, xs) => n + lower(xs).length, 0);
      if (conditions > MAX_SEARCH_CONDITIONS) {
        throw new HttpError(400, `The search query has ${conditions} terms and field filters; Galleon accepts at most ${MAX_SEARCH_CONDITIONS}.`);
      }
      const filter: SearchFilter = {
        terms: lower(parsed.terms),
        id: lower(parsed.fields.id),
        packageId: lower(parsed.fields.packageid),
        tags: lower(parsed.fields.tags),
        author: lower(parsed.fields.author),
        title: lower(parsed.fields.title),
        description: lower(parsed.fields.description),
        summary: lower(parsed.fields.summary),
        owner: lower(parsed.fields.owner),
        version: lower(parsed.fields.version).map((v) => versionKeyParam(v) ?? v),
        prerelease,
        semVer2,
        packageType: packageType || null,
        skip,
        take,
      };
      const { lowerIds, totalHits } = take === 0 ? { lowerIds: [], totalHits: 0 } : await repo.search(filter);
      const records = await repo.getSearchRecordsFor(lowerIds, prerelease, semVer2);
      const byId = groupBy(records as (PackageRecord & { lowerId: string })[], (r) => r.lowerId);
      const hits = lowerIds.filter((id) => byId.has(id)).map((id) => ({ records: byId.get(id)! }));
      return buildSearchResponse(hits, totalHits, urls, { prerelease, semVerLevel2: semVer2 });
    }, { notFound: '' });
  });
  app.get('/v3/autocomplete', (c) => {
    const q = c.req.query();
    const prerelease = boolParam(q.prerelease);
    const semVer2 = semVer2Param(q.semverlevel ?? q.semVerLevel);
    if (q.id !== undefined) {
      const lowerId = q.id.toLowerCase();
      return document(c, lowerId, async () => {
        const records = isValidPackageId(q.id!) ? await repo.getListedRecords(lowerId) : [];
        return buildAutocompleteVersions(
          records.filter((r) => (prerelease || !r.isPrerelease) && (semVer2 || !r.isSemVer2)),
        );
      }, { notFound: '' });
    }
    const skip = intParam(q.skip, 'skip', 0, 0, 100_000);
    const take = intParam(q.take, 'take', 20, 0, 1000);
    const packageType = q.packagetype ?? q.packageType ?? null;
    return document(c, GLOBAL_CACHE_TAG, async () => {
      const { ids, totalHits } = await repo.autocompleteIds(q.q ?? '', { prerelease, semVer2, packageType: packageType || null, skip, take });
      return buildAutocompleteResponse(ids, totalHits);
    }, { notFound: '' });
  });

  // ---- package details page (PackageDetailsUriTemplate/5.1.0) ---------------------------------
  app.get('/packages/:id/:version?', async (c) => {
    const lowerId = idParam(c);
    const records = await repo.getRecords(lowerId);
    if (!records.length) return notFound(c, `Package ${lowerId} was not found.`);
    const key = c.req.param('version') ? versionKeyParam(c.req.param('version')!) : null;
    if (c.req.param('version') && key === null) return notFound(c, `Package ${lowerId} ${c.req.param('version')} was not found.`);
    const html = renderPackagePage(records, key, urlsFor(c));
    if (html === null) return notFound(c, `Package ${lowerId} ${c.req.param('version')} was not found.`);
    return c.html(html);
  });

  return app;
}

/** Sends a cached document with ETag/304 and gzip negotiation. */
export function sendDocument(requestHeaders: Headers, doc: CachedDocument): Response {
  const headers: Record<string, string> = {
    ...doc.headers,
    ETag: doc.etag,
    'Cache-Control': doc.cacheControl,
  };
  headers.Vary = headers.Vary ? `${headers.Vary}, Accept-Encoding` : 'Accept-Encoding';
  if (matchesEtag(requestHeaders.get('if-none-match') ?? undefined, doc.etag)) return new Response(null, { status: 304, headers });
  headers['Content-Type'] = doc.contentType;
  if (doc.body.length >= GZIP_MIN_BYTES && acceptsGzip(requestHeaders.get('accept-encoding'))) {
    const gz = gzipOf(doc);
    headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = String(gz.length);
    return new Response(gz, { status: 200, headers });
  }
  headers['Content-Length'] = String(doc.body.length);
  return new Response(doc.body, { status: 200, headers });
}

/** True when `Accept-Encoding` allows gzip (q=0 refuses it). */
export function acceptsGzip(header: string | null | undefined): boolean {
  if (!header) return false;
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

/** If-None-Match comparison (strong ETags; `*` matches). */
export function matchesEtag(header: string | undefined | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function cacheKey(urls: FeedUrls, url: string, suffix?: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  return documentCacheKey(urls.base, start < 0 ? '/' : url.slice(start), suffix ?? '');
}

/**
 * The cache key of a document: base URL, lower-cased path, query as sent, and a variant suffix
 * (the service index differs for ModuleFast). Shared with the raw fast path in serve.ts.
 *
 * @param target request target, path and query, e.g. "/v3/registration/foo/index.json?x=1"
 */
export function documentCacheKey(base: string, target: string, suffix: string): string {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  return `${base}|${path.toLowerCase()}${query}|${suffix}`;
}

/** The variant suffix of the service index for a user agent ('' for every other document). */
export function serviceIndexVariant(userAgent: string | undefined | null): string {
  return wantsDependencyFeed(userAgent) ? 'modulefast' : 'full';
}

function lowerPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  const path = q < 0 ? url.slice(start) : url.slice(start, q);
  return path.toLowerCase();
}

function notFound(c: Context<Env>, message: string): Response {
  return c.text(message || 'Not found.', 404);
}

/** The id path parameter, lower-cased; an invalid id can match nothing → 404. */
function idParam(c: Context<Env>): string {
  const id = c.req.param('id') ?? '';
  if (!isValidPackageId(id)) throw new HttpError(404, `No package has the id "${truncate(id)}".`);
  return id.toLowerCase();
}

/** A version from a path, as its lower-cased normalized key; null when it is not a version. */
function versionKeyParam(text: string): string | null {
  const v = NuGetVersion.tryParse(text);
  return v ? v.toNormalizedString().toLowerCase() : null;
}

/** most distinct free-text terms plus field filters one search may have (each is a condition in SQL) */
const MAX_SEARCH_CONDITIONS = 100;

function intParam(value: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (value === undefined || value === '') return dflt;
  if (!/^\d{1,9}$/.test(value.trim())) throw new HttpError(400, `The ${name} parameter must be a whole number from ${min} to ${max}.`);
  return Math.min(Math.max(Number(value), min), max);
}

/** NuGet sends `true`, PSResourceGet `True` (§6.1): booleans are case-insensitive. */
function boolParam(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

function semVer2Param(value: string | undefined): boolean {
  if (!value) return false;
  const v = NuGetVersion.tryParse(value);
  return !!v && v.major >= 2;
}

function basicPassword(header: string | undefined): string | null {
  if (!header || !/^basic /i.test(header)) return null;
  try {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : decoded;
    return password || null;
  } catch {
    return null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function firstHeader(value: string | undefined): string | undefined {
  return value?.split(',')[0]?.trim() || undefined;
}

function setReason(c: Context<Env>, message: string): void {
  const out = c.env?.outgoing;
  if (!out || (out as any).httpVersionMajor === 2) return;
  // a reason phrase is one line of printable Latin-1 (NuGet shows it after the status code)
  const reason = message.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200).trim();
  if (reason) out.statusMessage = reason;
}

function contentTypeOf(name: BlobName): string {
  switch (name) {
    case 'package.nupkg':
      return 'application/octet-stream';
    case 'package.nuspec':
      return 'application/xml; charset=utf-8';
    case 'readme':
      return 'text/markdown; charset=utf-8';
    case 'icon':
      return 'application/octet-stream';
  }
}

/** Reads an icon (≤1 MB, §8.4) and sets its Content-Type from its magic bytes. */
async function sniffIcon(stream: NodeJS.ReadableStream, headers: Record<string, string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) headers['Content-Type'] = 'image/png';
  else if (bytes[0] === 0xff && bytes[1] === 0xd8) headers['Content-Type'] = 'image/jpeg';
  return bytes;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function truncate(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

