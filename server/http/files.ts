/**
 * Package files of the flat container (protocol reference §3): which stored file a URL names, and the
 * one header rule of every answer with a file's bytes, used by the flat-container route and the raw
 * fast path alike. Files under a blob key never change (a new push gets a new upload id), so they are
 * cached as immutable and their ETag is the upload id and file name.
 */
import { NuGetVersion } from '../../feed/version.ts';
import type { BlobName } from '../storage/blob-store.ts';

/** Cache-Control of package files: they never change under their URL's blob key. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The stored file named by `/v3/flatcontainer/{lowerId}/{versionText}/{file}`: `readme`, `icon`,
 * `{id}.nuspec`, or `{id}.{version}.nupkg` where the file name may spell the version differently
 * from the folder (module manifest spelling, §4.7: `1.0.0.0` beside `1.0.0`) as long as both are the
 * same version. Allocates nothing when the nupkg name spells the version as the folder or key does.
 *
 * @param lowerId lower-cased id of the path
 * @param versionText the version segment as sent (lower-cased)
 * @param versionKey `versionKeyParam(versionText)`: the lower-cased normalized version, null when not a version
 * @param file the last segment (lower-cased)
 * @returns the file's name in the blob store, or null when the URL names no file (a nupkg needs a valid version)
 */
export function resolveFlatFile(lowerId: string, versionText: string, versionKey: string | null, file: string): BlobName | null {
  if (file === 'readme') return 'readme';
  if (file === 'icon') return 'icon';
  if (!file.startsWith(lowerId) || file.charCodeAt(lowerId.length) !== 46 /* . */) return null;
  if (file.length === lowerId.length + 7 && file.endsWith('.nuspec')) return 'package.nuspec';
  if (versionKey === null || !file.endsWith('.nupkg')) return null;
  const from = lowerId.length + 1;
  const spelled = file.length - from - 6;
  if (spelled === versionText.length && file.startsWith(versionText, from)) return 'package.nupkg';
  if (spelled === versionKey.length && file.startsWith(versionKey, from)) return 'package.nupkg';
  const v = NuGetVersion.tryParse(file.slice(from, -6));
  return v !== null && v.toNormalizedString().toLowerCase() === versionKey ? 'package.nupkg' : null;
}

/** Whether a stored version has the file at all (readme and embedded icon are optional, §3.4/§3.5). */
export function hasFile(version: { hasReadme: boolean; hasIcon: boolean }, name: BlobName): boolean {
  if (name === 'readme') return version.hasReadme;
  if (name === 'icon') return version.hasIcon;
  return true;
}

/** The strong ETag of a stored file: `"<upload id>-<file name>"`, the upload id being the blob key's last segment. */
export function fileEtag(blobKey: string, name: BlobName): string {
  return `"${blobKey.slice(blobKey.lastIndexOf('/') + 1)}-${name}"`;
}

/** Content-Type of a stored file (an icon's is refined from its bytes by the route). */
export function fileContentType(name: BlobName): string {
  switch (name) {
    case 'package.nuspec':
      return 'application/xml; charset=utf-8';
    case 'readme':
      return 'text/markdown; charset=utf-8';
    case 'package.nupkg':
    case 'icon':
      return 'application/octet-stream';
  }
}

/** The headers of a 200 answer with a stored file's bytes: Content-Type, Content-Length, immutable Cache-Control, ETag. */
export function fileHeaders(name: BlobName, size: number, etag: string): Record<string, string> {
  return { 'Content-Type': fileContentType(name), 'Content-Length': String(size), 'Cache-Control': IMMUTABLE, ETag: etag };
}
