/**
 * The reference client's HTTP side: everything it reads from a NuGet v3 feed, the way ModuleFast reads it
 * (MODULEFAST.md §3, protocol reference §1.2, §4.3, §5.2). One client per run: the service index is read
 * once, the registration base is chosen as ModuleFast chooses it, registration indexes and pages are
 * memoized by URL with requests already in flight shared, and packages are opened as streams.
 *
 * Transport: one undici `Agent` (keep-alive; HTTP/2 negotiated by ALPN over TLS via `allowH2`), JSON
 * requested with `Accept-Encoding: gzip, deflate, br` and decoded here, retries on connection errors,
 * timeouts and 408/429/500/502/503/504 (exponential backoff with jitter, `Retry-After` honoured when it
 * is within the bound), HTTP Basic credentials sent to the source's origin only, redirects followed.
 */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const brotliAsync = promisify(brotliDecompress);

/** Default User-Agent. It starts with `ModuleFast` on purpose: Galleon (and pwsh.gallery before it)
 * answers that agent with the dependency-only metadata (protocol reference §5). */
export const DEFAULT_USER_AGENT = 'ModuleFast (compatible; galleon-client/0.1.0; +https://github.com/JustinGrote/ModuleFast)';

/** Default source when neither `--source` nor `GALLEON_SOURCE` is given: a Galleon on this machine. */
export const DEFAULT_SOURCE = 'http://127.0.0.1:5555/index.json';

/** HTTP statuses retried (as ModuleFast 1.0-beta's Polly policy does, MODULEFAST.md §3). */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes worth another try. */
const RETRY_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Base class of every error the feed client raises; `code` is a stable machine-readable string. */
export class FeedError extends Error {
  readonly code: string;
  /** The source (service index URL) the client was talking to. */
  readonly source: string;
  constructor(code: string, source: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedError';
    this.code = code;
    this.source = source;
  }
}

/** A request that failed for good: a non-success status after retries, a timeout or a network error. */
export class FeedRequestError extends FeedError {
  /** HTTP status, or null when no response arrived (network error, timeout). */
  readonly status: number | null;
  readonly url: string;
  constructor(source: string, url: string, status: number | null, message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'feed_request_failed', source, message, options);
    this.name = 'FeedRequestError';
    this.status = status;
    this.url = url;
  }
}

/**
 * The source answered 401 or 403: it wants credentials (none were sent: code `authentication_required`) or
 * refused the ones sent (code `authentication_failed`). The message names the source and never the password.
 */
export class FeedAuthenticationError extends FeedRequestError {
  /** Whether credentials were sent with the request. */
  readonly credentialsSent: boolean;
  constructor(source: string, url: string, status: number, credentialsSent: boolean, challenge: string | undefined) {
    const how = challenge ? ` (WWW-Authenticate: ${challenge})` : '';
    super(
      source,
      url,
      status,
      credentialsSent
        ? `Authentication failed for the source ${source}: GET ${url} answered ${status}${how} to the credentials given; check the user name and password (or token).`
        : `The source ${source} requires authentication: GET ${url} answered ${status}${how}. ` +
            'Give credentials with --username and --password (or GALLEON_USERNAME and GALLEON_PASSWORD).',
      { code: credentialsSent ? 'authentication_failed' : 'authentication_required' },
    );
    this.name = 'FeedAuthenticationError';
    this.credentialsSent = credentialsSent;
  }
}

/** 404 on a module's registration index: "module was not found in the <source> repository" (§4). */
export class ModuleNotFoundError extends FeedError {
  readonly moduleName: string;
  /** @param context  extra text after the module name, e.g. " (required by Az 12.0.0)" */
  constructor(source: string, moduleName: string, context = '') {
    super(
      'module_not_found',
      source,
      `${moduleName}${context}: module was not found in the ${source} repository. Check the spelling and try again.`,
    );
    this.name = 'ModuleNotFoundError';
    this.moduleName = moduleName;
  }
}

/** A document that is not what the protocol promises (bad JSON, no registration resource, `count: 0`). */
export class InvalidFeedResponseError extends FeedError {
  readonly url: string;
  constructor(source: string, url: string, message: string, options?: { cause?: unknown }) {
    super('invalid_feed_response', source, message, options);
    this.name = 'InvalidFeedResponseError';
    this.url = url;
  }
}

/** User name and password for HTTP Basic authentication. */
export interface FeedCredentials {
  username: string;
  password: string;
}

/** Options of {@link FeedClient}. */
export interface FeedClientOptions {
  /** Service index URL, or a bare host (see {@link normalizeSource}). */
  source: string;
  /** Basic credentials, sent with every request to the source's origin (never to other hosts). */
  credentials?: FeedCredentials | null;
  /** Per-request timeout in seconds (ModuleFast `-Timeout`, default 30): the whole exchange for JSON
   * documents; for package downloads the wait for headers and the longest silence between body chunks. */
  timeoutSeconds?: number;
  /** Retries after the first try (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms (default 200), doubled per retry, plus up to 100 ms of jitter. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry in ms (default 30 000). A `Retry-After` asking for more fails at once. */
  maxRetryDelayMs?: number;
  /** User-Agent header (default {@link DEFAULT_USER_AGENT}). */
  userAgent?: string;
  /** Connections per origin for HTTP/1.1 (default 16; HTTP/2 multiplexes over one). */
  connections?: number;
  /** Extra trusted certificate authorities (PEM) for a feed with a private CA; default: Node's store
   * (which also honours NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Use this dispatcher instead of creating an Agent (the caller closes it). */
  dispatcher?: Dispatcher;
  /** Called before each retry, e.g. to print a warning. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

/** One resource of a service index (§1.1). */
export interface ServiceIndexResource {
  '@id': string;
  '@type': string | string[];
}

/** A service index (§1.1); only `resources` is read. */
export interface ServiceIndex {
  version?: string;
  resources: ServiceIndexResource[];
}

/** A dependency of a catalog entry (§4.5.1); an empty or missing `range` means any version. */
export interface CatalogDependency {
  id: string;
  range?: string | null;
}

/** A dependency group (§4.5.1); ModuleFast ignores `targetFramework` and merges every group. */
export interface CatalogDependencyGroup {
  targetFramework?: string;
  dependencies?: CatalogDependency[] | null;
}

/** The fields of a catalog entry the client reads (§5.2), plus `listed`. */
export interface CatalogEntry {
  id: string;
  version: string;
  tags?: string[] | string | null;
  listed?: boolean;
  packageContent?: string;
  dependencyGroups?: CatalogDependencyGroup[] | null;
}

/** A registration leaf (§4.4). */
export interface RegistrationLeaf {
  packageContent?: string;
  catalogEntry: CatalogEntry;
}

/** A registration page (§4.3): inlined when `items` is a non-empty array, otherwise fetched from `@id`. */
export interface RegistrationPage {
  '@id': string;
  lower?: string;
  upper?: string;
  count?: number;
  items?: RegistrationLeaf[];
}

/** A registration index (§4.2). */
export interface RegistrationIndex {
  '@id'?: string;
  count?: number;
  items: RegistrationPage[];
}

/** An opened package download. The caller must consume or destroy `body`. */
export interface PackageDownload {
  body: Readable;
  /** `Content-Length` in bytes, or null when the server did not send it. */
  contentLength: number | null;
  /** The URL that answered (after redirects). */
  url: string;
}

/**
 * Turns what a user typed as `--source` into a service index URL, as ModuleFast does: a bare host
 * (`pwsh.gallery`) becomes `https://pwsh.gallery/index.json`; text without a scheme but with a path
 * gets `https://`; `http(s)://` URLs are kept as they are.
 * @throws FeedError (code `invalid_source`) for empty text or a URL that does not parse
 */
export function normalizeSource(text: string): string {
  const t = (text ?? '').trim();
  if (t === '') throw new FeedError('invalid_source', t, 'The source is empty: give a service index URL such as https://host/index.json.');
  let url: string;
  if (/^https?:\/\//i.test(t)) url = t;
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw new FeedError('invalid_source', t, `The source ${t} is not an http or https URL.`);
  } else if (!t.includes('/')) url = `https://${t}/index.json`;
  else url = `https://${t}`;
  try {
    return new URL(url).toString();
  } catch (err) {
    throw new FeedError('invalid_source', t, `The source ${t} is not a valid URL.`, { cause: err });
  }
}

/**
 * Picks the registration base URL from a service index the way ModuleFast does (§1.2): every resource
 * whose `@type` contains `RegistrationsBaseUrl` (case-insensitive), sorted by `@type` descending as plain
 * strings (so `/Versioned` beats `/3.6.0`, `/3.4.0`, `/3.0.0-rc`, `/3.0.0-beta` and the bare type),
 * first `@id`, trailing `/` removed.
 * @returns the base URL without a trailing slash, or null when no such resource exists
 */
export function chooseRegistrationBase(index: ServiceIndex): string | null {
  const candidates: { type: string; id: string }[] = [];
  for (const r of Array.isArray(index?.resources) ? index.resources : []) {
    if (!r || typeof r['@id'] !== 'string') continue;
    const types = Array.isArray(r['@type']) ? r['@type'] : [r['@type']];
    const type = types.find((t) => typeof t === 'string' && /registrationsbaseurl/i.test(t));
    if (type !== undefined) candidates.push({ type, id: r['@id'] });
  }
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => {
    const x = a.type.toLowerCase();
    const y = b.type.toLowerCase();
    return x < y ? 1 : x > y ? -1 : 0;
  });
  return candidates[0]!.id.replace(/\/+$/, '');
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @param now  current time in ms (for the HTTP-date form)
 * @returns the wait in milliseconds (never negative), or null when absent or unreadable
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

interface SendOptions {
  accept: string;
  /** total deadline (JSON) rather than idle timeouts only (downloads) */
  deadline: boolean;
  acceptEncoding?: string;
}

interface SentResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: string;
  /** cancels the deadline timer; call once the body is consumed */
  done: () => void;
}

/**
 * A NuGet v3 feed as ModuleFast reads it. Create one per run; call {@link FeedClient.close} at the end.
 * Memoized documents (and failures) live as long as the client.
 */
export class FeedClient {
  /** The normalized service index URL. */
  readonly source: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly userAgent: string;
  private readonly authorization: string | null;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly onRetry: FeedClientOptions['onRetry'];
  private serviceIndexPromise: Promise<ServiceIndex> | null = null;
  private registrationBasePromise: Promise<string> | null = null;
  private readonly documents = new Map<string, Promise<unknown>>();
  /** HTTP requests sent (including retries); for diagnostics and tests. */
  requestCount = 0;

  /** @throws FeedError (code `invalid_source`) when `options.source` is not usable */
  constructor(options: FeedClientOptions) {
    this.source = normalizeSource(options.source);
    this.origin = new URL(this.source).origin;
    this.timeoutMs = Math.max(1, Math.round((options.timeoutSeconds ?? 30) * 1000));
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.authorization = options.credentials
      ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`, 'utf8').toString('base64')}`
      : null;
    this.onRetry = options.onRetry;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Agent({
        allowH2: true,
        connections: options.connections ?? 16,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 300_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connectTimeout: this.timeoutMs,
        ...(options.ca ? { connect: { ca: options.ca } } : {}),
      });
      this.ownsDispatcher = true;
    }
  }

  /**
   * The service index (§1), fetched once per client (concurrent callers share the request).
   * @throws FeedRequestError, InvalidFeedResponseError
   */
  getServiceIndex(): Promise<ServiceIndex> {
    if (!this.serviceIndexPromise) {
      this.serviceIndexPromise = this.getJson<ServiceIndex>(this.source).then((doc) => {
        if (!doc || typeof doc !== 'object' || !Array.isArray((doc as ServiceIndex).resources)) {
          throw new InvalidFeedResponseError(this.source, this.source, `${this.source} is not a NuGet v3 service index (no "resources" array).`);
        }
        return doc;
      });
      this.serviceIndexPromise.catch(() => {
        this.serviceIndexPromise = null;
      });
    }
    return this.serviceIndexPromise;
  }

  /**
   * The registration base URL chosen as ModuleFast chooses it ({@link chooseRegistrationBase}).
   * @throws InvalidFeedResponseError when the service index has no `RegistrationsBaseUrl` resource
   */
  getRegistrationBase(): Promise<string> {
    if (!this.registrationBasePromise) {
      this.registrationBasePromise = this.getServiceIndex().then((index) => {
        const base = chooseRegistrationBase(index);
        if (base === null) {
          throw new InvalidFeedResponseError(
            this.source,
            this.source,
            `The service index ${this.source} has no RegistrationsBaseUrl resource: this client needs one to resolve modules.`,
          );
        }
        return base;
      });
      this.registrationBasePromise.catch(() => {
        this.registrationBasePromise = null;
      });
    }
    return this.registrationBasePromise;
  }

  /** The registration index URL of a package id: `{base}/{id lower-cased}/index.json` (§4.1). */
  async registrationIndexUrl(id: string): Promise<string> {
    const base = await this.getRegistrationBase();
    return `${base}/${encodeURIComponent(id.toLowerCase())}/index.json`;
  }

  /**
   * A module's registration index (§4.2), memoized by URL; a request already in flight is shared.
   * @throws ModuleNotFoundError on 404; InvalidFeedResponseError when `count` is 0 or `items` is not an
   *         array; FeedRequestError for other failures
   */
  async getRegistrationIndex(id: string): Promise<RegistrationIndex> {
    const url = await this.registrationIndexUrl(id);
    return this.memo(url, async () => {
      let doc: RegistrationIndex;
      try {
        doc = await this.getJson<RegistrationIndex>(url);
      } catch (err) {
        if (err instanceof FeedRequestError && err.status === 404) throw new ModuleNotFoundError(this.source, id);
        throw err;
      }
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) {
        throw new InvalidFeedResponseError(this.source, url, `${id}: invalid registration index received from ${this.source} (${url} has no "items" array).`);
      }
      if (doc.count === 0) {
        throw new InvalidFeedResponseError(this.source, url, `${id}: invalid registration index received from ${this.source} (${url} has "count": 0).`);
      }
      return doc;
    });
  }

  /**
   * A registration page document (§4.3) by its `@id`, memoized; requests in flight are shared.
   * @throws InvalidFeedResponseError when it has no `items` array; FeedRequestError
   */
  getRegistrationPage(url: string): Promise<RegistrationPage> {
    return this.memo(url, async () => {
      const doc = await this.getJson<RegistrationPage>(url);
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) {
        throw new InvalidFeedResponseError(this.source, url, `invalid registration page received from ${this.source} (${url} has no "items" array).`);
      }
      return doc;
    });
  }

  /**
   * Opens a package download (`GET packageContent`, §4.4) as a stream, after retries on the status.
   * @throws FeedRequestError for a non-200 answer or a network failure
   */
  async openPackage(url: string): Promise<PackageDownload> {
    const res = await this.send(url, { accept: 'application/octet-stream, */*', deadline: false, acceptEncoding: 'identity' });
    if (res.status !== 200) {
      const text = await safeText(res.body);
      res.done();
      throw this.statusError(url, res, text);
    }
    const length = Number(first(res.headers['content-length']));
    const body = res.body as unknown as Readable;
    body.once('close', res.done);
    return { body, contentLength: Number.isFinite(length) && length >= 0 ? length : null, url: res.url };
  }

  /** Releases the connection pool (when the client created it). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private memo<T>(url: string, load: () => Promise<T>): Promise<T> {
    let p = this.documents.get(url) as Promise<T> | undefined;
    if (!p) {
      // failures stay memoized too (ModuleFast caches the task): the retries already ran, and a run that
      // prefetched a registration must not pay for them twice
      p = load();
      this.documents.set(url, p);
      p.catch(() => {});
    }
    return p;
  }

  private async getJson<T>(url: string): Promise<T> {
    const res = await this.send(url, { accept: 'application/json', deadline: true });
    try {
      if (res.status !== 200) {
        const text = await safeText(res.body);
        throw this.statusError(url, res, text);
      }
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await res.body.arrayBuffer());
        bytes = await decodeBody(bytes, first(res.headers['content-encoding']));
      } catch (err) {
        throw this.networkError(url, err);
      }
      try {
        return JSON.parse(bytes.toString('utf8')) as T;
      } catch (err) {
        throw new InvalidFeedResponseError(this.source, url, `${url} did not return valid JSON: ${(err as Error).message}`, { cause: err });
      }
    } finally {
      res.done();
    }
  }

  /** Sends a GET with retries and redirects; returns the final response (body not consumed). */
  private async send(startUrl: string, opts: SendOptions): Promise<SentResponse> {
    let url = startUrl;
    let redirects = 0;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = opts.deadline ? setTimeout(() => controller.abort(new Error(`timed out after ${this.timeoutMs / 1000} s`)), this.timeoutMs) : null;
      const done = () => {
        if (timer) clearTimeout(timer);
      };
      const headers: Record<string, string> = {
        'user-agent': this.userAgent,
        accept: opts.accept,
        'accept-encoding': opts.acceptEncoding ?? 'gzip, deflate, br',
      };
      if (this.authorization && sameOrigin(url, this.origin)) headers.authorization = this.authorization;
      let res: Dispatcher.ResponseData;
      this.requestCount++;
      try {
        res = await request(url, {
          method: 'GET',
          headers,
          dispatcher: this.dispatcher,
          signal: controller.signal,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (err) {
        done();
        const reason = errorReason(err, controller.signal);
        if (attempt < this.maxRetries && isRetryableError(err, controller.signal)) {
          const delay = this.backoff(attempt);
          this.onRetry?.({ url, attempt: attempt + 1, delayMs: delay, reason });
          await sleep(delay);
          continue;
        }
        throw this.networkError(url, err, controller.signal);
      }
      const status = res.statusCode;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location && redirects < 5) {
        await res.body.dump().catch(() => {});
        done();
        url = new URL(first(res.headers.location)!, url).toString();
        redirects++;
        attempt--; // a redirect is not a retry
        continue;
      }
      if (RETRY_STATUSES.has(status) && attempt < this.maxRetries) {
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        await res.body.dump().catch(() => {});
        done();
        if (retryAfter !== null && retryAfter > this.maxRetryDelayMs) {
          throw new FeedRequestError(
            this.source,
            url,
            status,
            `GET ${url} answered ${status} and asked to retry after ${Math.ceil(retryAfter / 1000)} s, longer than this client waits (${this.maxRetryDelayMs / 1000} s).`,
          );
        }
        const delay = retryAfter ?? this.backoff(attempt);
        this.onRetry?.({ url, attempt: attempt + 1, delayMs: delay, reason: `HTTP ${status}` });
        await sleep(delay);
        continue;
      }
      return { status, headers: res.headers, body: res.body, url, done };
    }
  }

  /** The error for a final non-200 answer: {@link FeedAuthenticationError} for 401/403, else FeedRequestError. */
  private statusError(url: string, res: SentResponse, text: string): FeedRequestError {
    if (res.status === 401 || res.status === 403) {
      const sent = this.authorization !== null && sameOrigin(res.url, this.origin);
      return new FeedAuthenticationError(this.source, url, res.status, sent, first(res.headers['www-authenticate']));
    }
    return new FeedRequestError(this.source, url, res.status, `GET ${url} answered ${res.status}${text ? `: ${text}` : ''}`);
  }

  private backoff(attempt: number): number {
    const exp = this.retryBaseDelayMs * 2 ** attempt;
    const jitter = this.retryBaseDelayMs > 0 ? Math.random() * Math.min(100, this.retryBaseDelayMs) : 0;
    return Math.min(this.maxRetryDelayMs, Math.round(exp + jitter));
  }

  private networkError(url: string, err: unknown, signal?: AbortSignal): FeedRequestError {
    if (err instanceof FeedError) return err as FeedRequestError;
    return new FeedRequestError(this.source, url, null, `GET ${url} failed: ${errorReason(err, signal)}`, { cause: err });
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

async function decodeBody(bytes: Buffer, encoding: string | undefined): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return bytes;
  if (enc === 'gzip' || enc === 'x-gzip') return gunzipAsync(bytes);
  if (enc === 'deflate') return inflateAsync(bytes);
  if (enc === 'br') return brotliAsync(bytes);
  throw new Error(`unsupported Content-Encoding "${encoding}"`);
}

async function safeText(body: Dispatcher.ResponseData['body']): Promise<string> {
  try {
    const t = (await body.text()).trim();
    return t.length > 300 ? `${t.slice(0, 300)}…` : t;
  } catch {
    return '';
  }
}

function errorReason(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) {
    const r = signal.reason;
    return r instanceof Error ? r.message : 'timed out';
  }
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.message ?? String(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `timed out (${code})`;
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

function isRetryableError(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true; // our own deadline
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  return code !== undefined && RETRY_ERROR_CODES.has(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
