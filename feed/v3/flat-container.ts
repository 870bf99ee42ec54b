/**
 * Flat container (PackageBaseAddress/3.0.0) version list (protocol reference §3),
 * `GET {flatcontainer}{id-lower}/index.json`.
 */
import type { PackageRecord } from '../types.ts';
import { assertSingleId, sortByVersion, versionKeyOf } from './fields.ts';

/** The version list document (§3). */
export interface VersionsListJson {
  versions: string[];
}

/**
 * Builds the version list of one id (§3): every stored version, unlisted included (restore must still
 * find pinned unlisted versions), SemVer 2 included, each normalized, lower-case and without build
 * metadata (the client requests exactly the string it reads here, so it must match the stored key,
 * pitfall 5 of §10), ascending by NuGet precedence.
 *
 * @param records  every stored version of one package id (whole records or version summaries), any order
 * @returns `{ versions: ["1.0.0", "1.1.0-beta.1", …] }`, or null when `records` is empty (answer 404)
 * @throws FeedDocumentError when the records belong to more than one package id
 */
export function buildVersionsList(records: readonly Pick<PackageRecord, 'id' | 'version'>[]): VersionsListJson | null {
  if (records.length === 0) return null;
  assertSingleId(records);
  return { versions: sortByVersion(records).map(versionKeyOf) };
}
