/**
 * The raw `node:http` fast path: hot documents already in the read cache are answered without
 * building a Fetch Request/Response or entering Hono, so a cached registration index costs little
 * more than a bare `res.end(buffer)` (issue 4's ceiling comparison). Everything else returns false
 * and goes to the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsGzip, documentCacheKey, matchesEtag, serviceIndexVariant } from './app.ts';
import { GZIP_MIN_BYTES, gzipOf, type DocumentCache } from './cache.ts';

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
  const headers: Record<string, string> = { ...doc.headers, ETag: doc.etag, 'Cache-Control': doc.cacheControl };
  headers.Vary = headers.Vary ? `${headers.Vary}, Accept-Encoding` : 'Accept-Encoding';
  if (matchesEtag(req.headers['if-none-match'], doc.etag)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['Content-Type'] = doc.contentType;
  let body = doc.body;
  if (body.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
    body = gzipOf(doc);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  if (method === 'HEAD') res.end();
  else res.end(body);
  return true;
}

