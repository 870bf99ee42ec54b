/**
 * Rows for repository-level suites (db/*.test.ts): a `NewPackageVersion` (what the ingest service
 * hands db/packages.ts `insertVersion`) for any id and version text, with the version fields derived
 * from the text as the ingest service derives them (feed/version.ts), and deterministic, varied
 * metadata chosen by `n`, overridable field by field.
 */
import { NuGetVersion, versionKey } from '../../feed/version.ts';
import type { NewPackageVersion } from '../../db/packages.ts';

/**
 * Builds the row of `id` `version` (any NuGet version text, metadata allowed).
 *
 * @param n varies the metadata: created = 2026-01-01 + n seconds; odd n: a title and tags
 *   `Bench, PSModule, bench`, even n: tags `Other, ünïcode`; n divisible by 3: owners
 *   `Owner A, owner b`; n divisible by 4: no package types (counts as Dependency), else
 *   Dependency and DotnetTool
 * @param extra fields to replace (the search text is not recomputed from them)
 * @throws Error when `version` is not a NuGet version
 */
export function versionRow(id: string, version: string, n: number, extra: Partial<NewPackageVersion> = {}): NewPackageVersion {
  const v = NuGetVersion.parse(version);
  const now = new Date(Date.UTC(2026, 0, 1, 0, 0, n));
  const tags = n % 2 ? ['Bench', 'PSModule', 'bench'] : ['Other', 'ünïcode'];
  return {
    id, version: v.toNormalizedString(), fullVersion: v.toFullString(), originalVersion: version, moduleVersion: null,
    isPrerelease: v.isPrerelease, isSemVer2: v.isSemVer2, listed: true, created: now, lastEdited: now,
    authors: `Author ${n}, Ünïcode`, owners: n % 3 ? null : 'Owner A, owner b', title: n % 2 ? `Title ${n}` : null, summary: null,
    description: `Description ${n} MIXED Case`, releaseNotes: null, copyright: null, language: null, tags, projectUrl: null,
    iconUrl: null, hasIcon: false, licenseUrl: null, licenseExpression: null, hasReadme: false, requireLicenseAcceptance: false,
    developmentDependency: false, minClientVersion: null,
    packageTypes: n % 4 === 0 ? [] : [{ name: 'Dependency', version: null }, { name: 'DotnetTool', version: null }],
    dependencyGroups: [], isScript: false, packageHash: 'h', packageSize: 1, versionKey: versionKey(version),
    major: v.major, minor: v.minor, patch: v.patch, revision: v.revision, blobKey: `${id.toLowerCase()}/${versionKey(version)}/u${n}`,
    searchText: `${id} title ${n} description ${n}`.toLowerCase(), ...extra,
  } as NewPackageVersion;
}
