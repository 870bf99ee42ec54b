/**
 * Content negotiation and conditional requests, shared by the app and the raw fast path: whether a
 * client accepts gzip (RFC 9110 §12.5.3 `Accept-Encoding`) and whether its `If-None-Match` matches an
 * ETag (RFC 9110 §13.1.2). NuGet clients revalidate every registration and flat-container document
 * with the ETag they were given, and all of them send `Accept-Encoding: gzip, deflate`.
 */

/** True when `Accept-Encoding` allows gzip (`gzip` or `*`; `q=0` refuses it). */
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

/** `gzip` or `*` as a whole coding of a header without parameters, e.g. "gzip, deflate, br" */
const GZIP_CODING = /(?:^|,)[ \t]*(?:gzip|\*)[ \t]*(?:,|$)/i;

/**
 * The same answer as {@link acceptsGzip} without allocating for the usual headers (no `;q=`
 * parameters): what the raw fast path asks on every request.
 */
export function fastAcceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  if (header.indexOf(';') >= 0) return acceptsGzip(header);
  return GZIP_CODING.test(header);
}

/**
 * If-None-Match comparison: true when the header is `*` or lists `etag` (a strong ETag with its
 * quotes, e.g. `"abc"`); a weak `W/` prefix on a listed tag is ignored (weak comparison, §13.1.2).
 */
export function matchesEtag(header: string | undefined | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
