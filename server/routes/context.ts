/**
 * What every route handler shares: the injected dependencies, the base URL of a request's links, the
 * cached-document answer (build on a miss, then ETag/304/gzip), the API key check, and the plain-text
 * 404. Made once per app by `createRouteContext`; handlers in the sibling files take it.
 */
import type { Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FeedUrls } from '../../feed/urls.ts';
import { DocumentCache, StoredVersionCache, makeJsonDocument } from '../cache.ts';
import type { Config } from '../config.ts';
import type { DownloadCounts, PackageFiles, PackageReads, PackageWrites } from '../ports.ts';
import { requireApiKey } from '../http/auth.ts';
import { requestFeedUrls } from '../http/base-url.ts';
import { REVALIDATE, documentCacheKey, requestTarget, sendDocument } from '../http/documents.ts';
import { agentVariant } from '../http/variant.ts';

/** The Hono environment: @hono/node-server passes Node's request and response objects as bindings. */
export type Env = { Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse } };

/** A route handler of the app. */
export type Handler = (c: Context<Env>) => Response | Promise<Response>;

/** The logger the app writes to (pino's shape). */
export interface AppLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Everything the app needs, injected (serve.ts wires the real ones; tests pass object literals). */
export interface AppDeps {
  config: Config;
  /** the read queries (db/packages.ts `PackageRepository`) */
  repo: PackageReads;
  /** stored package files (storage/: any BlobStore) */
  blobs: PackageFiles;
  /** where a push body that outgrows memory is written while it arrives (upload/staging.ts) */
  staging: { tempPath(): string };
  cache: DocumentCache;
  downloads: DownloadCounts;
  /** the package writes (services/packages.ts `PackageService`) */
  packages: PackageWrites;
  /** where each stored version's files are (shared with the raw download fast path in serve.ts) */
  stored?: StoredVersionCache;
  log: AppLog;
}

/** Options of {@link RouteContext.document}. */
export interface DocumentOptions {
  /** the message of the 404 when the builder returns null ('' → "Not found.") */
  notFound: string;
  /** default {@link REVALIDATE} */
  cacheControl?: string;
}

export interface RouteContext extends AppDeps {
  stored: StoredVersionCache;
  /** the FeedUrls of this request's links (http/base-url.ts) */
  urlsFor(c: Context<Env>): FeedUrls;
  /**
   * Answers a JSON document from the cache, building it on a miss. The key is the request's base URL,
   * target and agent variant; a document of an agent-varied URL (http/variant.ts) gets `Vary: User-Agent`.
   *
   * @param tag the cache tag whose invalidation drops it (lower id, or GLOBAL_CACHE_TAG for cross-id documents)
   * @param build makes the document from this request's FeedUrls; null → 404 with `opts.notFound`
   */
  document(c: Context<Env>, tag: string, build: (urls: FeedUrls) => Promise<unknown | null>, opts: DocumentOptions): Promise<Response>;
  /** @throws HttpError 401/403 unless the request carries the server's API key (http/auth.ts) */
  requireKey(c: Context<Env>): void;
}

/** Makes the shared context of the route handlers. */
export function createRouteContext(deps: AppDeps): RouteContext {
  const { config, repo, cache } = deps;
  const fixedUrls = new FeedUrls(config.baseUrl);
  const stored = deps.stored ?? new StoredVersionCache((id, key) => repo.getStoredVersion(id, key), cache);
  const urlsFor = (c: Context<Env>) => requestFeedUrls(config, fixedUrls, (name) => c.req.header(name), c.req.url);
  return {
    ...deps,
    stored,
    urlsFor,
    async document(c, tag, build, opts) {
      const urls = urlsFor(c);
      const target = requestTarget(c.req.url);
      const variant = agentVariant(target, c.req.header('user-agent'));
      const key = documentCacheKey(urls.base, target, variant);
      let doc = cache.get(key);
      if (!doc) {
        const generation = cache.generation(tag);
        const value = await build(urls);
        if (value === null) return notFound(c, opts.notFound);
        doc = makeJsonDocument(value, { cacheControl: opts.cacheControl ?? REVALIDATE, headers: variant ? { Vary: 'User-Agent' } : undefined });
        cache.set(key, tag, generation, doc);
      }
      return sendDocument(c.req.raw.headers, doc);
    },
    requireKey(c) {
      requireApiKey(config.apiKey, (name) => c.req.header(name));
    },
  };
}

/** A plain-text 404 (`message` or "Not found."). */
export function notFound(c: Context<Env>, message: string): Response {
  return c.text(message || 'Not found.', 404);
}

/**
 * Sets the HTTP/1.1 reason phrase to `message` (NuGet shows it after the status code): one line of
 * printable ASCII, at most 200 characters; nothing on HTTP/2 or outside Node.
 */
export function setReason(c: Context<Env>, message: string): void {
  const out = c.env?.outgoing;
  if (!out || (out as { httpVersionMajor?: number }).httpVersionMajor === 2) return;
  const reason = message.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200).trim();
  if (reason) out.statusMessage = reason;
}
