/**
 * The HTTP side of the NuGet v3 reader: one undici `Agent` (keep-alive; HTTP/2 negotiated by ALPN over
 * TLS via `allowH2`) composed with undici's own interceptors instead of a hand-written loop:
 *
 * - `interceptors.decompress`: JSON is requested with `Accept-Encoding: gzip, deflate, br` and decoded
 *   (protocol reference §4: registration hives are served gzip-compressed); packages ask for `identity`.
 * - `interceptors.redirect`: up to {@link MAX_REDIRECTS} redirects are followed (a download may be
 *   redirected to a presigned object-store URL, §3); after that the 3xx answer is the error. undici drops
 *   `Authorization` (and cookies) when a redirect leaves the origin, and credentials are only ever put on
 *   a request to the source's own origin, so HTTP Basic credentials never reach another host.
 * - `interceptors.retry`, with our own decision function: retried are the statuses
 *   {@link RETRY_STATUSES} (as ModuleFast 1.0-beta's Polly policy, MODULEFAST.md §3) and the network
 *   errors and timeouts {@link RETRY_ERROR_CODES}, at most `maxRetries` times after the first try, with
 *   exponential backoff and jitter; `Retry-After` (delay-seconds or HTTP-date) is honoured when within
 *   `maxRetryDelayMs`, and a `Retry-After` asking for longer fails at once. Each retry is reported to
 *   `onRetry`. A download whose body breaks off is resumed with a `Range` request when the server allows.
 *
 * Timeouts (`timeoutSeconds`, default 30) apply to every try: for JSON documents the whole exchange
 * (headers and body, a deadline of our own in the innermost interceptor), for downloads the wait for
 * the response headers and the longest silence between body chunks (undici's own timers, with a
 * resolution of about a second); connecting too. A try that times out before its response starts is
 * retried like a network error; a JSON body still arriving at the deadline fails the request.
 *
 * Errors name the URL: a final non-success status becomes {@link FeedRequestError} with that `status`
 * (401/403: {@link FeedAuthenticationError}); no answer at all (refused, reset, DNS, timed out) becomes
 * a FeedRequestError with `status` null, so "not found" (404) and "unreachable" are told apart.
 */
import type { Readable } from 'node:stream';
import { Agent, interceptors, type Dispatcher } from 'undici';
import { FeedAuthenticationError, FeedError, FeedRequestError, InvalidFeedResponseError } from './errors.ts';

/** Code of the error a try's deadline raises (retried like a timeout). */
const DEADLINE_CODE = 'GALLEON_TRY_DEADLINE';

/** HTTP statuses retried (as ModuleFast 1.0-beta's Polly policy does, MODULEFAST.md §3). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes worth another try (undici's and Node's). */
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set([
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
  DEADLINE_CODE,
]);

/** Redirects followed per request. */
export const MAX_REDIRECTS = 5;

/** User name and password for HTTP Basic authentication. */
export interface FeedCredentials {
  username: string;
  password: string;
}

/** Options of {@link FeedHttp}. */
export interface FeedHttpOptions {
  /** Basic credentials, sent with requests to the source's origin only (never to other hosts). */
  credentials?: FeedCredentials | null;
  /** Per-try timeout in seconds (default 30): connecting, waiting for headers, silence between body chunks. */
  timeoutSeconds?: number;
  /** Retries after the first try (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms (default 200), doubled per retry, plus up to 100 ms of jitter. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry in ms (default 30 000). A `Retry-After` asking for more fails at once. */
  maxRetryDelayMs?: number;
  /** User-Agent header (required: the reader's user decides how it introduces itself). */
  userAgent: string;
  /** Connections per origin for HTTP/1.1 (default 16; HTTP/2 multiplexes over one). */
  connections?: number;
  /** Extra trusted certificate authorities (PEM) for a feed with a private CA; default: Node's store
   * (which also honours NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Use this dispatcher instead of creating an Agent (the caller closes it); the interceptors are
   * composed over it. */
  dispatcher?: Dispatcher;
  /** Called before each retry, e.g. to print a warning. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Appended to the "requires authentication" message, e.g. which flags give credentials. */
  authenticationHint?: string;
}

/** An opened download. The caller must consume or destroy `body`. */
export interface OpenedResponse {
  body: Readable;
  /** `Content-Length` in bytes, or null when the server did not send it. */
  contentLength: number | null;
  /** The URL that answered (after redirects). */
  url: string;
}

/** What the innermost interceptor learns about each try: the URL sent to and whether credentials went along. */
interface HopTracker {
  onHop: (url: string, sentCredentials: boolean) => void;
}

/**
 * Request options with what the innermost interceptor reads (undici passes unknown keys through): the
 * hop tracker, and the deadline of one whole try in ms (JSON documents).
 */
type TrackedOptions = Dispatcher.DispatchOptions & { galleonHop?: HopTracker; galleonDeadlineMs?: number };

/**
 * Wraps one try's handler with a deadline for the whole exchange (headers and body): when it passes,
 * the try is aborted with an error coded {@link DEADLINE_CODE}. Before the response has started, the
 * retry interceptor above sees a failed try to retry (not a request its caller aborted); once the body
 * is flowing the error ends the request, as a body that breaks off always did.
 */
class DeadlineHandler implements Dispatcher.DispatchHandler {
  private timer: NodeJS.Timeout | null = null;
  private fired = false;
  private started = false;
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly ms: number,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.timer = setTimeout(() => {
      this.fired = true;
      controller.abort(Object.assign(new Error(`timed out after ${this.ms / 1000} s`), { code: DEADLINE_CODE }));
    }, this.ms);
    this.timer.unref?.();
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, socket: import('node:stream').Duplex): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers as never, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    this.started = true;
    this.handler.onResponseStart?.(controller, statusCode, headers as never, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[]>): void {
    this.clear();
    this.handler.onResponseEnd?.(controller, trailers as never);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.clear();
    // our own abort before the response started: present the try as failed (not aborted by the
    // caller), so it is retried
    const view = this.fired && !this.started ? new Proxy(controller, { get: (t, k) => (k === 'aborted' ? false : Reflect.get(t, k)) }) : controller;
    this.handler.onResponseError?.(view, error);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
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

/**
 * GETs JSON documents and downloads from one source (see the module comment). One per reader; call
 * {@link FeedHttp.close} at the end.
 */
export class FeedHttp {
  /** HTTP requests sent (every try and every redirect hop); for diagnostics and tests. */
  requestCount = 0;
  private readonly source: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly userAgent: string;
  private readonly authorization: string | null;
  private readonly authenticationHint: string | undefined;
  private readonly onRetry: FeedHttpOptions['onRetry'];
  private readonly base: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly dispatcher: Dispatcher;

  /** @param source  the service index URL (already normalized): errors name it, credentials go to its origin */
  constructor(source: string, options: FeedHttpOptions) {
    this.source = source;
    this.origin = new URL(source).origin;
    this.timeoutMs = Math.max(1, Math.round((options.timeoutSeconds ?? 30) * 1000));
    this.maxRetries = Math.max(0, options.maxRetries ?? 3);
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.userAgent = options.userAgent;
    this.authorization = options.credentials
      ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`, 'utf8').toString('base64')}`
      : null;
    this.authenticationHint = options.authenticationHint;
    this.onRetry = options.onRetry;
    if (options.dispatcher) {
      this.base = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.base = new Agent({
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
    // compose: each interceptor wraps the ones before it, so the last is the outermost
    this.dispatcher = this.base.compose(
      this.trackHops(),
      interceptors.retry({ maxRetries: this.maxRetries, throwOnError: false, methods: ['GET', 'HEAD'], retry: this.decideRetry }),
      interceptors.redirect({ maxRedirections: MAX_REDIRECTS }),
      quietDecompress(),
    );
  }

  /**
   * GETs a JSON document and parses it.
   * @returns the parsed JSON (not validated: see feed/v3/wire.ts for the lenient readers)
   * @throws FeedRequestError for a non-200 answer after retries (`status` set) or no answer (`status`
   *         null); FeedAuthenticationError for 401/403; InvalidFeedResponseError for a body that is not JSON
   */
  async getJson(url: string): Promise<unknown> {
    const res = await this.send(url, 'application/json', 'gzip, deflate, br', true);
    if (res.status !== 200) throw await this.statusError(url, res);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.networkError(url, err);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new InvalidFeedResponseError(this.source, url, `${url} did not return valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Opens a download (`GET`, `Accept-Encoding: identity`) as a stream, after retries on the status.
   * @throws FeedRequestError for a non-200 answer or a network failure; FeedAuthenticationError for 401/403
   */
  async open(url: string): Promise<OpenedResponse> {
    const res = await this.send(url, 'application/octet-stream, */*', 'identity', false);
    if (res.status !== 200) throw await this.statusError(url, res);
    const length = Number(first(res.headers['content-length']));
    return { body: res.body as unknown as Readable, contentLength: Number.isFinite(length) && length >= 0 ? length : null, url: res.url };
  }

  /** Releases the connection pool (when this object created it). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.base.close();
  }

  private async send(
    url: string,
    accept: string,
    acceptEncoding: string,
    deadline: boolean,
  ): Promise<{ status: number; headers: Dispatcher.ResponseData['headers']; body: Dispatcher.ResponseData['body']; url: string; sentCredentials: boolean }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      throw new InvalidFeedResponseError(this.source, url, `The source ${this.source} gave a URL that does not parse: ${url}`, { cause: err });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InvalidFeedResponseError(this.source, url, `The source ${this.source} gave a URL that is not http or https: ${url}`);
    }
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept, 'accept-encoding': acceptEncoding };
    if (this.authorization && parsed.origin === this.origin) headers.authorization = this.authorization;
    let finalUrl = url;
    let sentCredentials = false;
    const options: TrackedOptions = {
      origin: parsed.origin,
      path: `${parsed.pathname}${parsed.search}`,
      method: 'GET',
      headers,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      ...(deadline ? { galleonDeadlineMs: this.timeoutMs } : {}),
      galleonHop: {
        onHop: (hop, sent) => {
          finalUrl = hop;
          sentCredentials = sent;
        },
      },
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request(options as Dispatcher.RequestOptions);
    } catch (err) {
      throw this.networkError(finalUrl, err);
    }
    return { status: res.statusCode, headers: res.headers, body: res.body, url: finalUrl, sentCredentials };
  }

  /** The innermost interceptor: counts every try and hop and reports its URL and credentials to the request. */
  private trackHops(): Dispatcher.DispatcherComposeInterceptor {
    return (dispatch) => (opts, handler) => {
      this.requestCount++;
      const { galleonHop: tracker, galleonDeadlineMs: deadline } = opts as TrackedOptions;
      if (tracker) tracker.onHop(new URL(opts.path, opts.origin!).toString(), hasAuthorization(opts.headers));
      return dispatch(opts, deadline ? new DeadlineHandler(handler, deadline) : handler);
    };
  }

  /** `interceptors.retry`'s decision function (see the module comment); `state.counter` is the try that failed, from 1. */
  private readonly decideRetry = (
    err: Error,
    { state, opts }: { state: { counter: number }; opts: Dispatcher.DispatchOptions },
    callback: (err?: Error | null) => void,
  ): void => {
    const attempt = state.counter;
    const { statusCode, headers } = err as Error & { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
    if (attempt > this.maxRetries) return callback(err);
    let delay: number;
    let reason: string;
    if (typeof statusCode === 'number') {
      if (!RETRY_STATUSES.has(statusCode)) return callback(err);
      const retryAfter = parseRetryAfter(headers?.['retry-after']);
      if (retryAfter !== null && retryAfter > this.maxRetryDelayMs) return callback(err); // statusError explains
      delay = retryAfter ?? this.backoff(attempt - 1);
      reason = `HTTP ${statusCode}`;
    } else {
      if (!isRetryableError(err)) return callback(err);
      delay = this.backoff(attempt - 1);
      reason = errorReason(err);
    }
    const url = opts.origin ? new URL(opts.path, opts.origin).toString() : opts.path;
    this.onRetry?.({ url, attempt, delayMs: delay, reason });
    setTimeout(() => callback(null), delay);
  };

  private backoff(retry: number): number {
    const exp = this.retryBaseDelayMs * 2 ** retry;
    const jitter = this.retryBaseDelayMs > 0 ? Math.random() * Math.min(100, this.retryBaseDelayMs) : 0;
    return Math.min(this.maxRetryDelayMs, Math.round(exp + jitter));
  }

  /** The error for a final non-200 answer (its body is read for the message, at most 300 characters). */
  private async statusError(
    url: string,
    res: { status: number; headers: Dispatcher.ResponseData['headers']; body: Dispatcher.ResponseData['body']; url: string; sentCredentials: boolean },
  ): Promise<FeedRequestError> {
    const text = await safeText(res.body);
    if (res.status === 401 || res.status === 403) {
      return new FeedAuthenticationError(this.source, url, res.status, res.sentCredentials, first(res.headers['www-authenticate']), this.authenticationHint);
    }
    const retryAfter = RETRY_STATUSES.has(res.status) ? parseRetryAfter(res.headers['retry-after']) : null;
    if (retryAfter !== null && retryAfter > this.maxRetryDelayMs) {
      return new FeedRequestError(
        this.source,
        url,
        res.status,
        `GET ${url} answered ${res.status} and asked to retry after ${Math.ceil(retryAfter / 1000)} s, longer than this client waits (${this.maxRetryDelayMs / 1000} s).`,
      );
    }
    return new FeedRequestError(this.source, url, res.status, `GET ${url} answered ${res.status}${text ? `: ${text}` : ''}`);
  }

  private networkError(url: string, err: unknown): FeedError {
    if (err instanceof FeedError) return err;
    return new FeedRequestError(this.source, url, null, `GET ${url} failed: ${errorReason(err)}`, { cause: err });
  }
}

/**
 * `interceptors.decompress()` without its one-time "DecompressInterceptor is experimental" process
 * warning (undici 7 marks it experimental), which would otherwise land on the client user's terminal.
 * Only that warning is held back, only while the interceptor is created.
 */
function quietDecompress(): Dispatcher.DispatcherComposeInterceptor {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).startsWith('DecompressInterceptor is experimental')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return interceptors.decompress();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function hasAuthorization(headers: Dispatcher.DispatchOptions['headers']): boolean {
  if (!headers) return false;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return (headers as unknown as [string, unknown][]).some(([k]) => String(k).toLowerCase() === 'authorization');
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'authorization') return true;
    return false;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k] of headers as Iterable<[string, unknown]>) if (String(k).toLowerCase() === 'authorization') return true;
    return false;
  }
  return Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
}

async function safeText(body: Dispatcher.ResponseData['body']): Promise<string> {
  try {
    const t = (await body.text()).trim();
    return t.length > 300 ? `${t.slice(0, 300)}…` : t;
  } catch {
    return '';
  }
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

function errorReason(err: unknown): string {
  const code = errorCode(err);
  const msg = (err as { message?: string })?.message ?? String(err);
  if (code === DEADLINE_CODE) return msg;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `timed out (${code})`;
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

function isRetryableError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRY_ERROR_CODES.has(code);
}
