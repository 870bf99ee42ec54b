/**
 * The User-Agent variant rule, decided here only: which URLs answer differently by client, and the
 * variant each client gets. Today one document varies: the service index (`/index.json`,
 * `/v3/index.json`, any letter case, any query) is the dependency-only index for ModuleFast
 * (protocol reference §5.3) and the full one for every other client. The app keys its document
 * cache and sets `Vary: User-Agent` from {@link agentVariant}; the raw fast path keys its lookups
 * from the same function, so both find the same entry.
 */

/** User agents that get the dependency-only service index (§5.3, ModuleFast sends `ModuleFast/<version>`). */
export function wantsDependencyFeed(userAgent: string | undefined | null): boolean {
  return !!userAgent && userAgent.startsWith('ModuleFast');
}

/** The variant suffix of the service index for a user agent: `modulefast` or `full`. */
export function serviceIndexVariant(userAgent: string | undefined | null): string {
  return wantsDependencyFeed(userAgent) ? 'modulefast' : 'full';
}

/** the paths of the service index, any case, followed by the end, a query or a fragment */
const AGENT_VARIED_PATH = /^\/(?:v3\/)?index\.json(?:[?#]|$)/i;

/**
 * The variant of the document at `target` for `userAgent`: '' for every URL that does not vary by
 * agent, else the {@link serviceIndexVariant}. Allocates nothing for URLs that do not vary.
 *
 * @param target request target, path and query as received, e.g. "/v3/index.json" or "/v3/search?q=x"
 */
export function agentVariant(target: string, userAgent: string | undefined | null): string {
  // the fast path asks on every request: rule out every other URL by one or two characters first
  // ("/i…" or "/v3/i…", any case; `| 32` lower-cases an ASCII letter)
  const first = target.charCodeAt(1) | 32;
  if (first !== 105 /* i */ && (first !== 118 /* v */ || (target.charCodeAt(4) | 32) !== 105)) return '';
  return AGENT_VARIED_PATH.test(target) ? serviceIndexVariant(userAgent) : '';
}
