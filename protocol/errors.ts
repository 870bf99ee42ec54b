/**
 * The errors a NuGet v3 reader raises (protocol/http.ts, protocol/reader.ts). Each has a stable `code`
 * and names the source (the service index URL) and, where there is one, the URL that failed; none ever
 * carries a password. Callers with their own words for "not found" (the client's "module was not found
 * in the … repository") subclass {@link PackageNotFoundError}.
 */

/** Base class of every error the reader raises; `code` is a stable machine-readable string. */
export class FeedError extends Error {
  readonly code: string;
  /** The source (service index URL) the reader was talking to. */
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
  /** HTTP status, or null when no response arrived (network error, timeout): "unreachable". */
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
  /** Whether credentials were sent with the request that was refused. */
  readonly credentialsSent: boolean;
  /**
   * @param hint  how to give credentials, appended when none were sent (e.g. the client's command-line
   *              flags); default "Give credentials for this source."
   */
  constructor(source: string, url: string, status: number, credentialsSent: boolean, challenge: string | undefined, hint = 'Give credentials for this source.') {
    const how = challenge ? ` (WWW-Authenticate: ${challenge})` : '';
    super(
      source,
      url,
      status,
      credentialsSent
        ? `Authentication failed for the source ${source}: GET ${url} answered ${status}${how} to the credentials given; check the user name and password (or token).`
        : `The source ${source} requires authentication: GET ${url} answered ${status}${how}. ${hint}`,
      { code: credentialsSent ? 'authentication_failed' : 'authentication_required' },
    );
    this.name = 'FeedAuthenticationError';
    this.credentialsSent = credentialsSent;
  }
}

/** 404 on a package's registration index or version list: the source does not have the package id. */
export class PackageNotFoundError extends FeedError {
  /** The package id as asked for. */
  readonly packageId: string;
  /** The URL that answered 404. */
  readonly url: string;
  constructor(source: string, packageId: string, url: string, message?: string, code = 'package_not_found') {
    super(code, source, message ?? `${packageId}: the package was not found in the ${source} repository (GET ${url} answered 404).`);
    this.name = 'PackageNotFoundError';
    this.packageId = packageId;
    this.url = url;
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
