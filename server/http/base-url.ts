/**
 * The base URL of the links of one request's documents (protocol reference §10 rule 1: never build
 * links from the raw Host header): the configured `GALLEON_BASE_URL`, or, behind a trusted proxy
 * (`GALLEON_TRUST_PROXY`) and without a configured base URL, `X-Forwarded-Proto`, `X-Forwarded-Host`
 * and `X-Forwarded-Prefix` (first values), each checked; unusable forwarded values fall back to the
 * configured one.
 */
import { FeedUrls } from '../../feed/urls.ts';
import type { Config } from '../config.ts';
import { firstHeader } from './params.ts';

/**
 * @param fixed the FeedUrls of `config.baseUrl` (made once)
 * @param header reads a request header by lower-case name
 * @param url the request's absolute URL (its scheme is the fallback of X-Forwarded-Proto)
 */
export function requestFeedUrls(
  config: Pick<Config, 'baseUrlConfigured' | 'trustProxy'>,
  fixed: FeedUrls,
  header: (name: string) => string | undefined,
  url: string,
): FeedUrls {
  if (config.baseUrlConfigured || !config.trustProxy) return fixed;
  const proto = firstHeader(header('x-forwarded-proto')) ?? new URL(url).protocol.replace(':', '');
  const host = firstHeader(header('x-forwarded-host')) ?? header('host');
  const prefix = (firstHeader(header('x-forwarded-prefix')) ?? '').replace(/\/+$/, '');
  if (!host || !/^https?$/.test(proto) || /[\s/\\@]/.test(host) || !/^(\/[\w.~-]+)*$/.test(prefix)) return fixed;
  return new FeedUrls(`${proto}://${host}${prefix}`);
}
