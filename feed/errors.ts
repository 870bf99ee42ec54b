/**
 * Typed errors of the package domain. The server maps every `code` to an HTTP status in one place
 * (`invalid_package` → 400 on push, protocol reference §2.1).
 */

/**
 * Thrown when an uploaded `.nupkg` (or its `.nuspec`) is not a package this feed accepts: not a zip,
 * unsafe entry names, zip-bomb shapes, no or several root `.nuspec` files, malformed XML, a missing or
 * invalid required field, an invalid dependency, a field over its length limit, a missing embedded file.
 *
 * `message` is one plain sentence the package author can act on, e.g. "The nuspec has no <id> element."
 * The server may send it as the reason phrase of the 400 response (NuGet prints it, §2.1).
 */
export class InvalidPackageError extends Error {
  readonly code = 'invalid_package';

  /**
   * @param message  plain sentence naming the problem and, where useful, the offending value
   * @param options  `cause`: the low-level error (yauzl, zlib, XML validator, version parser), kept for logs
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidPackageError';
  }
}
