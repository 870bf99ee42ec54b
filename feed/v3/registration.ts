/**
 * Registration documents (protocol reference §4): the registration index, registration pages (inlined
 * or separate), the leaf objects inside pages and the standalone leaf document (§4.6). The catalog entry
 * each leaf carries is built in `catalog-entry.ts`, the page plan in `paging.ts`, the shared fields in
 * `fields.ts`.
 *
 * Everything here is pure: inputs are `PackageRecord`s and a `FeedUrls`, outputs are plain JSON-able
 * objects whose key order is the order they are serialized in.
 */
import type { PackageRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import { buildCatalogEntry, type CatalogEntryJson } from './catalog-entry.ts';
import {
  assertSingleId,
  deterministicCommitId,
  editTime,
  formatCommitTimestamp,
  latestEdit,
  packageContentUrl,
  publishedOf,
  sortByVersion,
  versionKeyOf,
} from './fields.ts';
import { planRegistrationPages, type PlannedPage, type RegistrationPagingOptions, type RegistrationPlan, type VersionSummary } from './paging.ts';

/** JSON-LD context of registration index and page documents, as nuget.org sends it. */
export const REGISTRATION_CONTEXT = {
  '@vocab': 'http://schema.nuget.org/schema#',
  catalog: 'http://schema.nuget.org/catalog#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  items: { '@id': 'catalog:item', '@container': '@set' },
  commitTimeStamp: { '@id': 'catalog:commitTimeStamp', '@type': 'xsd:dateTime' },
  commitId: { '@id': 'catalog:commitId' },
  count: { '@id': 'catalog:count' },
  parent: { '@id': 'catalog:parent', '@type': '@id' },
  tags: { '@id': 'tag', '@container': '@set' },
  reasons: { '@container': '@set' },
  packageTargetFrameworks: { '@id': 'packageTargetFramework', '@container': '@set' },
  dependencyGroups: { '@id': 'dependencyGroup', '@container': '@set' },
  dependencies: { '@id': 'dependency', '@container': '@set' },
  packageContent: { '@type': '@id' },
  published: { '@type': 'xsd:dateTime' },
  registration: { '@type': '@id' },
} as const;

/** JSON-LD context of the standalone leaf document (§4.6), as nuget.org sends it. */
export const LEAF_CONTEXT = {
  '@vocab': 'http://schema.nuget.org/schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  catalogEntry: { '@type': '@id' },
  registration: { '@type': '@id' },
  packageContent: { '@type': '@id' },
  published: { '@type': 'xsd:dateTime' },
} as const;

/** A leaf object inside a registration page (§4.4). */
export interface RegistrationLeafJson {
  '@id': string;
  '@type': 'Package';
  commitId: string;
  commitTimeStamp: string;
  catalogEntry: CatalogEntryJson;
  packageContent: string;
  registration: string;
}

/** A page object (§4.3): inlined in the index (with `items`), linked (without), or a page document. */
export interface RegistrationPageJson {
  '@id': string;
  '@type': 'catalog:CatalogPage';
  commitId: string;
  commitTimeStamp: string;
  count: number;
  items?: RegistrationLeafJson[];
  parent?: string;
  lower: string;
  upper: string;
  '@context'?: typeof REGISTRATION_CONTEXT;
}

/** The registration index document (§4.2). */
export interface RegistrationIndexJson {
  '@id': string;
  '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'];
  commitId: string;
  commitTimeStamp: string;
  count: number;
  items: RegistrationPageJson[];
  '@context': typeof REGISTRATION_CONTEXT;
}

/** The standalone registration leaf document (§4.6). */
export interface RegistrationLeafDocumentJson {
  '@id': string;
  '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'];
  catalogEntry: string;
  listed: boolean;
  packageContent: string;
  published: string;
  registration: string;
  '@context': typeof LEAF_CONTEXT;
}

/**
 * A leaf object inside a page (§4.4): `@id` is the standalone leaf URL (normalized version), the
 * catalog entry is inlined, `packageContent` equals the catalog entry's. Commit fields come from the
 * record's last edit, so the leaf changes exactly when the record does.
 */
export function buildRegistrationLeafObject(record: PackageRecord, urls: FeedUrls): RegistrationLeafJson {
  const edited = new Date(editTime(record));
  const entry = buildCatalogEntry(record, urls);
  return {
    '@id': urls.registrationLeaf(record.id, record.version),
    '@type': 'Package',
    commitId: deterministicCommitId('leaf', lowerInvariant(record.id), versionKeyOf(record), String(edited.getTime())),
    commitTimeStamp: formatCommitTimestamp(edited),
    catalogEntry: entry,
    packageContent: entry.packageContent,
    registration: urls.registrationIndex(record.id),
  };
}

function pageCommit(id: string, page: PlannedPage<VersionSummary>): { commitId: string; commitTimeStamp: string } {
  const edited = latestEdit(page.records);
  return {
    commitId: deterministicCommitId('page', lowerInvariant(id), page.lower, page.upper, String(page.records.length), String(edited.getTime())),
    commitTimeStamp: formatCommitTimestamp(edited),
  };
}

function pageObject(id: string, page: PlannedPage<VersionSummary>, urls: FeedUrls, inlined: boolean): RegistrationPageJson {
  const index = urls.registrationIndex(id);
  const o = {
    '@id': inlined ? `${index}#page/${page.lower}/${page.upper}` : urls.registrationPage(id, page.lower, page.upper),
    '@type': 'catalog:CatalogPage',
    ...pageCommit(id, page),
    count: page.records.length,
  } as RegistrationPageJson;
  if (inlined) {
    o.items = (page.records as PackageRecord[]).map((r) => buildRegistrationLeafObject(r, urls));
    o.parent = index;
  }
  o.lower = page.lower;
  o.upper = page.upper;
  return o;
}

/**
 * Builds the registration index of one package id (§4.2, paging per §4.3).
 *
 * @param id       the package id as displayed (casing of the first push); used for URLs (lower-cased)
 * @param records  every stored version of the id, any order, unlisted included (`listed: false`)
 * @param urls     public URL builders
 * @param opts     paging knobs (defaults: nuget.org's 64 per page, inline below 128 versions)
 * @returns the index with `@type` `["catalog:CatalogRoot","PackageRegistration","catalog:Permalink"]`
 *          (PowerShellGet 2.x needs `PackageRegistration`), `count` = number of pages, pages ascending;
 *          `commitId`/`commitTimeStamp` derived from the id and the latest edit (deterministic);
 *          null when `records` is empty (the id has no registration: answer 404)
 * @throws FeedDocumentError when the records belong to more than one package id
 */
export function buildRegistrationIndex(
  id: string,
  records: readonly PackageRecord[],
  urls: FeedUrls,
  opts: RegistrationPagingOptions = {},
): RegistrationIndexJson | null {
  if (records.length === 0) return null;
  return indexDocument(id, records, planRegistrationPages(records, opts), urls);
}

/**
 * The registration index of an id whose pages are all linked (at least `inlineBelow`, default 128,
 * versions): built from version summaries alone, so the server need not read every whole record of an
 * id with thousands of versions to answer it (issue 4: cold index of a 5,000-version id under 50 ms).
 * Same document as {@link buildRegistrationIndex} would build from the whole records.
 *
 * @returns null when the id has so few versions that its pages are inlined (call buildRegistrationIndex)
 */
export function buildLinkedRegistrationIndex(
  id: string,
  versions: readonly VersionSummary[],
  urls: FeedUrls,
  opts: RegistrationPagingOptions = {},
): RegistrationIndexJson | null {
  const plan = planRegistrationPages(versions, opts);
  if (versions.length === 0 || plan.inlined) return null;
  return indexDocument(id, versions, plan, urls);
}

function indexDocument(
  id: string,
  records: readonly VersionSummary[],
  plan: RegistrationPlan<VersionSummary>,
  urls: FeedUrls,
): RegistrationIndexJson {
  const edited = latestEdit(records);
  return {
    '@id': urls.registrationIndex(id),
    '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
    commitId: deterministicCommitId('index', lowerInvariant(id), String(records.length), String(edited.getTime())),
    commitTimeStamp: formatCommitTimestamp(edited),
    count: plan.pages.length,
    items: plan.pages.map((p) => pageObject(id, p, urls, plan.inlined)),
    '@context': REGISTRATION_CONTEXT,
  };
}

/**
 * Builds a separate registration page document (§4.3), `GET {reg}{id}/page/{lower}/{upper}.json`:
 * `@id` = the page URL, every leaf inlined, `parent` = the index URL, bounds from the records.
 *
 * @param id           the package id as displayed
 * @param pageRecords  the versions of this page (see {@link findRegistrationPage}), any order, non-empty
 * @throws RangeError when `pageRecords` is empty; FeedDocumentError when it mixes package ids
 */
export function buildRegistrationPage(
  id: string,
  pageRecords: readonly PackageRecord[],
  urls: FeedUrls,
): RegistrationPageJson {
  if (pageRecords.length === 0) throw new RangeError('a registration page needs at least one version');
  assertSingleId(pageRecords);
  const sorted = sortByVersion(pageRecords);
  const page: PlannedPage = {
    lower: versionKeyOf(sorted[0]!),
    upper: versionKeyOf(sorted[sorted.length - 1]!),
    records: sorted,
  };
  return {
    '@id': urls.registrationPage(id, page.lower, page.upper),
    '@type': 'catalog:CatalogPage',
    ...pageCommit(id, page),
    count: sorted.length,
    items: sorted.map((r) => buildRegistrationLeafObject(r, urls)),
    parent: urls.registrationIndex(id),
    lower: page.lower,
    upper: page.upper,
    '@context': REGISTRATION_CONTEXT,
  };
}

/**
 * Builds the standalone registration leaf document (§4.6), `GET {reg}{id}/{version}.json`, which
 * NuGet and PowerShellGet 2.x request directly: `catalogEntry` is the catalog leaf URL string (served by
 * `buildCatalogLeaf`), `published` follows §4.5 (1900-01-01 when unlisted).
 */
export function buildRegistrationLeaf(record: PackageRecord, urls: FeedUrls): RegistrationLeafDocumentJson {
  return {
    '@id': urls.registrationLeaf(record.id, record.version),
    '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'],
    catalogEntry: urls.catalogLeaf(record.id, record.version),
    listed: record.listed,
    packageContent: packageContentUrl(record, urls),
    published: publishedOf(record),
    registration: urls.registrationIndex(record.id),
    '@context': LEAF_CONTEXT,
  };
}
