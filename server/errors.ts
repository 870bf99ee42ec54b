/**
 * Typed HTTP errors and the one place that maps every error to a status (ARCHITECTURE.md habits).
 * Services throw domain errors (services/errors.ts, feed/errors.ts, db/); routes and http/ throw
 * HttpError. Client mistakes are 4xx with a plain message; 5xx only for our own failures (NuGet
 * retries 5xx, protocol reference §10 rule 4).
 */
import { InvalidPackageError } from '../feed/errors.ts';
import { DuplicatePackageError } from '../db/packages.ts';
import { isEmbeddedDatabaseFault } from '../db/embedded.ts';
import { PackageNotFoundError } from './services/errors.ts';

/** An error whose status and message go to the client as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface MappedError {
  status: number;
  message: string;
  headers: Record<string, string>;
  /** true when the error is ours (log it) */
  internal: boolean;
}

/**
 * Maps any thrown value to the response the client gets: HttpError as it is, PackageNotFoundError 404,
 * InvalidPackageError 400, DuplicatePackageError 409, an embedded database fault 503 (Retry-After),
 * malformed percent-encoding 400, anything else 500 (logged).
 */
export function mapError(err: unknown): MappedError {
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: err.headers, internal: false };
  if (err instanceof PackageNotFoundError) return { status: 404, message: err.message, headers: {}, internal: false };
  if (err instanceof InvalidPackageError) return { status: 400, message: err.message, headers: {}, internal: false };
  if (err instanceof DuplicatePackageError)
    return { status: 409, message: `${err.message} Versions are immutable; push a new version.`, headers: {}, internal: false };
  if (isEmbeddedDatabaseFault(err))
    return { status: 503, message: 'The embedded database failed and Galleon is restarting; try again shortly.', headers: { 'Retry-After': '5' }, internal: true };
  if (err instanceof URIError) return { status: 400, message: 'The request URL is not valid percent-encoding.', headers: {}, internal: false };
  return { status: 500, message: 'Internal server error.', headers: {}, internal: true };
}
