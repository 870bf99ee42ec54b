/**
 * The catalog entry (protocol reference §4.5) every registration leaf carries, with its dependency groups
 * (§4.5.1); the catalog leaf document (`catalog.ts`) reuses the dependency groups.
 */
import type { DependencyGroupRecord, PackageRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import {
  displayVersion,
  iconUrlOf,
  licenseUrlOf,
  nonEmpty,
  packageContentUrl,
  publishedOf,
  rangeText,
  readmeUrlOf,
  setIf,
} from './fields.ts';

/** A dependency inside a registration/catalog dependency group (§4.5.1). */
export interface DependencyJson {
  '@id': string;
  '@type': 'PackageDependency';
  id: string;
  range: string;
  registration: string;
}

/** A registration/catalog dependency group (§4.5.1); `targetFramework` is absent for the any-framework group. */
export interface DependencyGroupJson {
  '@id': string;
  '@type': 'PackageDependencyGroup';
  targetFramework?: string;
  dependencies: DependencyJson[];
}
/**
 * Dependency groups in registration format (§4.5.1), in the order stored. Group `@id`s are fragments of
 * `baseId` (the catalog entry URL): `#dependencygroup` for the any-framework group,
 * `#dependencygroup/<tfm lower-case>` otherwise; dependencies add `/<id lower-case>`. `targetFramework`
 * is omitted for the any-framework group (never null or ""), `range` is always present ("(, )" for any),
 * and `dependencies` is always an array (possibly empty, meaning "supports this framework, depends on
 * nothing"), so readers that index into it never meet a missing member.
 */
export function buildDependencyGroups(
  groups: readonly DependencyGroupRecord[],
  baseId: string,
  urls: FeedUrls,
): DependencyGroupJson[] {
  return groups.map((g) => {
    const tfm = nonEmpty(g.targetFramework?.trim());
    const groupId = tfm === undefined ? `${baseId}#dependencygroup` : `${baseId}#dependencygroup/${lowerInvariant(tfm)}`;
    const group: DependencyGroupJson = { '@id': groupId, '@type': 'PackageDependencyGroup' } as DependencyGroupJson;
    if (tfm !== undefined) group.targetFramework = tfm;
    group.dependencies = g.dependencies.map((d) => ({
      '@id': `${groupId}/${lowerInvariant(d.id)}`,
      '@type': 'PackageDependency',
      id: d.id,
      range: rangeText(d.range),
      registration: urls.registrationIndex(d.id),
    }));
    return group;
  });
}
/** The `catalogEntry` object inside a registration leaf (§4.5). Optional members are omitted, never null. */
export interface CatalogEntryJson {
  '@id': string;
  '@type': 'PackageDetails';
  authors: string;
  copyright?: string;
  dependencyGroups: DependencyGroupJson[];
  description: string;
  iconUrl?: string;
  id: string;
  isPrerelease: boolean;
  language?: string;
  licenseExpression?: string;
  licenseUrl?: string;
  listed: boolean;
  minClientVersion?: string;
  packageContent: string;
  projectUrl?: string;
  published: string;
  readmeUrl?: string;
  releaseNotes?: string;
  requireLicenseAcceptance: boolean;
  summary?: string;
  tags: string[];
  title?: string;
  version: string;
}

/**
 * Builds the catalog entry of one version (§4.5, with §4.5.1 dependency groups and §4.7 version spelling).
 *
 * - `@id`: the catalog leaf URL (`urls.catalogLeaf`), which PowerShellGet 2.x dereferences (§4.9).
 * - `version`: the module manifest spelling for PowerShell modules (`moduleVersion`), otherwise
 *   `fullVersion` (normalized, build metadata kept) exactly as nuget.org does.
 * - `packageContent`: see {@link packageContentUrl} (contains the `version` spelling for modules).
 * - `authors` a comma-joined string; `tags` always an array; `isPrerelease`/`listed`/
 *   `requireLicenseAcceptance` real booleans; `published` the push time, or 1900-01-01 when unlisted.
 * - `iconUrl`/`licenseUrl`/`readmeUrl`: see {@link iconUrlOf}, {@link licenseUrlOf}, {@link readmeUrlOf}.
 * - Every other metadata field is emitted when the package has it (non-empty), omitted otherwise.
 */
export function buildCatalogEntry(record: PackageRecord, urls: FeedUrls): CatalogEntryJson {
  const catalogId = urls.catalogLeaf(record.id, record.version);
  const e = { '@id': catalogId, '@type': 'PackageDetails', authors: record.authors } as CatalogEntryJson;
  setIf(e, 'copyright', nonEmpty(record.copyright));
  e.dependencyGroups = buildDependencyGroups(record.dependencyGroups, catalogId, urls);
  e.description = record.description;
  setIf(e, 'iconUrl', iconUrlOf(record, urls));
  e.id = record.id;
  e.isPrerelease = record.isPrerelease;
  setIf(e, 'language', nonEmpty(record.language));
  setIf(e, 'licenseExpression', nonEmpty(record.licenseExpression));
  setIf(e, 'licenseUrl', licenseUrlOf(record, urls));
  e.listed = record.listed;
  setIf(e, 'minClientVersion', nonEmpty(record.minClientVersion));
  e.packageContent = packageContentUrl(record, urls);
  setIf(e, 'projectUrl', nonEmpty(record.projectUrl));
  e.published = publishedOf(record);
  setIf(e, 'readmeUrl', readmeUrlOf(record, urls));
  setIf(e, 'releaseNotes', nonEmpty(record.releaseNotes));
  e.requireLicenseAcceptance = record.requireLicenseAcceptance;
  setIf(e, 'summary', nonEmpty(record.summary));
  e.tags = [...record.tags];
  setIf(e, 'title', nonEmpty(record.title));
  e.version = displayVersion(record, record.fullVersion);
  return e;
}
