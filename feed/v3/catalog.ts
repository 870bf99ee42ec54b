/**
 * Catalog leaf documents (protocol reference §7.3, PackageDetails). Galleon does not serve a catalog
 * index or pages (no `Catalog/3.0.0` in the service index); it serves one leaf per version at the URL
 * every registration `catalogEntry.@id` points to, because PowerShellGet 2.x dereferences that URL and
 * needs a full metadata document there (§4.9, pitfall 3 of §10).
 */
import type { PackageRecord, PackageTypeRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import { buildDependencyGroups, type DependencyGroupJson } from './catalog-entry.ts';
import {
  deterministicCommitId,
  displayVersion,
  formatCommitTimestamp,
  formatTimestamp,
  iconUrlOf,
  latestEdit,
  licenseUrlOf,
  nonEmpty,
  publishedOf,
  setIf,
  versionKeyOf,
} from './fields.ts';

/** JSON-LD context of a catalog leaf, as nuget.org sends it. */
export const CATALOG_LEAF_CONTEXT = {
  '@vocab': 'http://schema.nuget.org/schema#',
  catalog: 'http://schema.nuget.org/catalog#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dependencies: { '@id': 'dependency', '@container': '@set' },
  dependencyGroups: { '@id': 'dependencyGroup', '@container': '@set' },
  packageEntries: { '@id': 'packageEntry', '@container': '@set' },
  packageTypes: { '@id': 'packageType', '@container': '@set' },
  supportedFrameworks: { '@id': 'supportedFramework', '@container': '@set' },
  tags: { '@id': 'tag', '@container': '@set' },
  vulnerabilities: { '@id': 'vulnerability', '@container': '@set' },
  published: { '@type': 'xsd:dateTime' },
  created: { '@type': 'xsd:dateTime' },
  lastEdited: { '@type': 'xsd:dateTime' },
  'catalog:commitTimeStamp': { '@type': 'xsd:dateTime' },
  reasons: { '@container': '@set' },
} as const;

/** A declared package type inside a catalog leaf. */
export interface CatalogPackageTypeJson {
  '@id': string;
  '@type': 'PackageType';
  name: string;
  version?: string;
}

/** A PackageDetails catalog leaf (§7.3). Optional members are omitted, never null. */
export interface CatalogLeafJson {
  '@id': string;
  '@type': ['PackageDetails', 'catalog:Permalink'];
  authors: string;
  'catalog:commitId': string;
  'catalog:commitTimeStamp': string;
  copyright?: string;
  created: string;
  description: string;
  iconUrl?: string;
  id: string;
  isPrerelease: boolean;
  language?: string;
  lastEdited: string;
  licenseExpression?: string;
  licenseUrl?: string;
  listed: boolean;
  minClientVersion?: string;
  packageHash: string;
  packageHashAlgorithm: 'SHA512';
  packageSize: number;
  packageTypes?: CatalogPackageTypeJson[];
  projectUrl?: string;
  published: string;
  releaseNotes?: string;
  requireLicenseAcceptance: boolean;
  summary?: string;
  title?: string;
  verbatimVersion: string;
  version: string;
  dependencyGroups: DependencyGroupJson[];
  tags: string[];
  '@context': typeof CATALOG_LEAF_CONTEXT;
}

/**
 * Builds the PackageDetails catalog leaf of one version (§7.3), the document at `catalogEntry.@id`
 * (`urls.catalogLeaf(id, version)`), carrying every field PowerShellGet 2.x reads (§4.9): id, version,
 * published, authors, licenseUrl, projectUrl, iconUrl, requireLicenseAcceptance, description,
 * releaseNotes, copyright, title, created, lastEdited, packageHash (base64) with packageHashAlgorithm
 * `SHA512`, packageSize (bytes), dependencyGroups (registration format, §4.5.1), tags (array), summary,
 * isPrerelease; plus verbatimVersion (the nuspec spelling), listed, and packageTypes when the nuspec
 * declares any.
 *
 * `version` is the module manifest spelling for PowerShell modules (the same string as the registration
 * catalog entry, §4.7, so PowerShellGet 2.x names the install folder like the manifest), otherwise the
 * normalized full version with metadata as nuget.org writes it. `published` is the push time, or
 * 1900-01-01 for unlisted versions; `created` is the push time; `lastEdited` the last change.
 * `catalog:commitId`/`catalog:commitTimeStamp` derive from the last edit (deterministic).
 */
export function buildCatalogLeaf(record: PackageRecord, urls: FeedUrls): CatalogLeafJson {
  const leafId = urls.catalogLeaf(record.id, record.version);
  const edited = latestEdit([record]);
  const leaf = {
    '@id': leafId,
    '@type': ['PackageDetails', 'catalog:Permalink'],
    authors: record.authors,
    'catalog:commitId': deterministicCommitId('catalog', lowerInvariant(record.id), versionKeyOf(record), String(edited.getTime())),
    'catalog:commitTimeStamp': formatCommitTimestamp(edited),
  } as CatalogLeafJson;
  setIf(leaf, 'copyright', nonEmpty(record.copyright));
  leaf.created = formatTimestamp(record.created);
  leaf.description = record.description;
  setIf(leaf, 'iconUrl', iconUrlOf(record, urls));
  leaf.id = record.id;
  leaf.isPrerelease = record.isPrerelease;
  setIf(leaf, 'language', nonEmpty(record.language));
  leaf.lastEdited = formatTimestamp(record.lastEdited);
  setIf(leaf, 'licenseExpression', nonEmpty(record.licenseExpression));
  setIf(leaf, 'licenseUrl', licenseUrlOf(record, urls));
  leaf.listed = record.listed;
  setIf(leaf, 'minClientVersion', nonEmpty(record.minClientVersion));
  leaf.packageHash = record.packageHash;
  leaf.packageHashAlgorithm = 'SHA512';
  leaf.packageSize = record.packageSize;
  if (record.packageTypes.length > 0) leaf.packageTypes = record.packageTypes.map((t) => packageTypeJson(leafId, t));
  setIf(leaf, 'projectUrl', nonEmpty(record.projectUrl));
  leaf.published = publishedOf(record);
  setIf(leaf, 'releaseNotes', nonEmpty(record.releaseNotes));
  leaf.requireLicenseAcceptance = record.requireLicenseAcceptance;
  setIf(leaf, 'summary', nonEmpty(record.summary));
  setIf(leaf, 'title', nonEmpty(record.title));
  leaf.verbatimVersion = record.originalVersion;
  leaf.version = displayVersion(record, record.fullVersion);
  leaf.dependencyGroups = buildDependencyGroups(record.dependencyGroups, leafId, urls);
  leaf.tags = [...record.tags];
  leaf['@context'] = CATALOG_LEAF_CONTEXT;
  return leaf;
}

function packageTypeJson(leafId: string, t: PackageTypeRecord): CatalogPackageTypeJson {
  const o: CatalogPackageTypeJson = {
    '@id': `${leafId}#packagetype/${lowerInvariant(t.name)}`,
    '@type': 'PackageType',
    name: t.name,
  };
  const v = nonEmpty(t.version);
  if (v !== undefined) o.version = v;
  return o;
}
