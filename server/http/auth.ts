/**
 * The API key check of writes (push, unlist, relist; protocol reference §2): the key comes in
 * `X-NuGet-ApiKey` (dotnet, nuget.exe, PSResourceGet) or as the password of Basic credentials
 * (clients configured with a credential provider), and is compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors.ts';

/**
 * Checks the API key of a write request.
 *
 * @param configured the server's key (`GALLEON_API_KEY`), null when writes are disabled
 * @param header reads a request header by lower-case name
 * @throws HttpError 403 when writes are disabled or the key is wrong, 401 (with `WWW-Authenticate`) when no key was sent
 */
export function requireApiKey(configured: string | null, header: (name: string) => string | undefined): void {
  if (!configured)
    throw new HttpError(
      403,
      'Writes are disabled: this Galleon has no API key. Restart it with GALLEON_API_KEY=<secret> (or --api-key <secret>) and pass that key to your client (dotnet nuget push --api-key <secret>).',
    );
  const key = header('x-nuget-apikey') ?? basicPassword(header('authorization'));
  if (!key)
    throw new HttpError(401, 'An API key is required: pass --api-key (X-NuGet-ApiKey header) or Basic credentials.', {
      'WWW-Authenticate': 'Basic realm="Galleon", charset="UTF-8"',
    });
  if (!keysEqual(key, configured)) throw new HttpError(403, 'The API key is not valid for this server.');
}

/** The password of `Authorization: Basic …` (the user name is ignored); null when absent, empty or not Basic. */
export function basicPassword(header: string | undefined): string | null {
  if (!header || !/^basic /i.test(header)) return null;
  try {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : decoded;
    return password || null;
  } catch {
    return null;
  }
}

/** Compares two keys in constant time, whatever their lengths (both are hashed to SHA-256 first). */
export function keysEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
