/**
 * Domain errors of the package services: what went wrong in NuGet terms, never an HTTP status.
 * server/errors.ts `mapError` turns each into the answer a client gets (and its status). The other
 * domain errors are InvalidPackageError (feed/errors.ts, a package that fails validation, 400) and
 * DuplicatePackageError (db/packages.ts, an identity that exists, 409).
 */

/** No package has this id, or the id has no such version (unlist, relist, delete). Mapped to 404. */
export class PackageNotFoundError extends Error {
  override readonly name = 'PackageNotFoundError';
}
