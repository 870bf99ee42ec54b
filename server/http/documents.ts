/**
 * Cached JSON documents on the wire: the document cache key (shared with the raw fast path, so both
 * find one entry) and the answer of a cached document with ETag/304 and gzip negotiation. The bytes,
 * ETag and header sets of a document are made in cache.ts.
 */
import { GZIP_MIN_BYTES, gzipOf, type CachedDocument } from '../cache.ts';
import { acceptsGzip, matchesEtag } from './negotiation.ts';

/** Cache-Control of documents that change on push/unlist (registration, flat container, search): clients revalidate with ETags. */
export const REVALIDATE = 'public, max-age=0, must-revalidate';

/**
 * The cache key of a document: base URL, lower-cased path, query as sent, and the agent variant
 * (variant.ts `agentVariant`: the service index differs for ModuleFast, '' elsewhere).
 *
 * @param base the base URL the document's links were built with, e.g. "http://127.0.0.1:5555"
 * @param target request target, path and query, e.g. "/v3/registration/foo/index.json?x=1"
 */
export function documentCacheKey(base: string, target: string, variant: string): string {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  return `${base}|${path.toLowerCase()}${query}|${variant}`;
}

/** The request target (path and query) of an absolute URL, e.g. "http://h/v3/x?y" → "/v3/x?y". */
export function requestTarget(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  return start < 0 ? '/' : url.slice(start);
}

/**
 * The answer of a cached document: 304 (with ETag, Cache-Control, Vary) when `If-None-Match` matches,
 * else 200 with the body, gzip-encoded when the client accepts it and the body is at least
 * `GZIP_MIN_BYTES`. `Vary` always lists Accept-Encoding after the document's own Vary.
 */
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
