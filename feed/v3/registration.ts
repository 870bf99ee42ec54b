/**
 * Registration documents (protocol reference §4): the registration index, registration pages (inlined
 * or separate), the leaf objects inside pages, the standalone leaf document (§4.6) and the catalog entry
 * (§4.5) every leaf carries. Also holds the small helpers the other document builders share (version
 * sorting, timestamps, deterministic commit ids, dependency groups, icon/licence URLs), so that the
 * registration, dependency-only, search and catalog documents spell every field the same way.
 *
 * Everything here is pure: inputs are `PackageRecord`s and a `FeedUrls`, outputs are plain JSON-able
 * objects whose key order is the order they are serialized in.
 */
import { createHash } from 'node:crypto';
import type { DependencyGroupRecord, PackageRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import { NuGetVersion, tryVersionKey } from '../version.ts';

// ---------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------

/**
 * Thrown when a builder is handed records that cannot form one document, e.g. records of two different
 * package ids. This is a programming error of the caller (the server), so it maps to 500, not 4xx.
 */
export class FeedDocumentError extends Error {
  readonly code = 'feed_document_error';
  constructor(message: string) {
    super(message);
    this.name = 'FeedDocumentError';
  }
}

/** The `published` value nuget.org gives unlisted versions (§4.5). */
export const UNLISTED_PUBLISHED = '1900-01-01T00:00:00+00:00';

/**
 * ISO-8601 timestamp with an explicit UTC offset and milliseconds, the way nuget.org writes `published`,
 * `created` and `lastEdited` (§4.5, §7.3): `2026-03-02T10:15:00.000+00:00`.
 */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/**
 * `commitTimeStamp` in .NET round-trip ("O") form with seven fractional digits, as nuget.org writes it
 * (§4.2): `2026-03-02T10:15:00.0000000+00:00`.
 */
export function formatCommitTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-03-02T10:15:00.123Z
  return `${iso.slice(0, 23)}0000+00:00`;
}

/**
 * A deterministic, UUID-shaped commit id (§4.2 `commitId`, ignored by clients) derived from `parts`:
 * the same inputs always give the same id, so a rebuilt document is byte-identical (stable ETags).
 * @param parts  strings that identify the state of the document, e.g. lower-case id and last edit time
 * @returns e.g. "5c0f7a2e-1d3b-5c55-9b1e-0a6a2c1f9d10" (version nibble 5, RFC 4122 variant)
 */
export function deterministicCommitId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\n')).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The later of a record's `created` and `lastEdited`, in epoch milliseconds. */
function editTime(record: Pick<PackageRecord, 'created' | 'lastEdited'>): number {
  const c = record.created.getTime();
  const e = record.lastEdited.getTime();
  return e > c ? e : c;
}

/** The latest `created`/`lastEdited` over `records` (epoch 0 for an empty list). */
export function latestEdit(records: readonly Pick<PackageRecord, 'created' | 'lastEdited'>[]): Date {
  let max = 0;
  for (const r of records) {
    const t = editTime(r);
    if (t > max) max = t;
  }
  return new Date(max);
}

/**
 * Sorts records ascending by NuGet version precedence (§8.1), parsing each `version` once (never inside
 * the comparator). Returns a new array; the input is not modified. Records whose `version` does not parse
 * (which the ingest path never stores) sort first, in input order, so one bad row cannot break a document.
 */
export function sortByVersion<T extends Pick<PackageRecord, 'version'>>(records: readonly T[]): T[] {
  const keyed = records.map((record, index) => ({ record, index, v: NuGetVersion.tryParse(record.version) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v === b.v) return a.index - b.index;
      return a.v === null ? -1 : 1;
    }
    return a.v.compareTo(b.v) || a.index - b.index;
  });
  return keyed.map((k) => k.record);
}

/** The newest record by NuGet version precedence, or undefined for an empty list (one pass, one parse each). */
export function latestByVersion(records: readonly PackageRecord[]): PackageRecord | undefined {
  let best: PackageRecord | undefined;
  let bestV: NuGetVersion | null = null;
  for (const r of records) {
    const v = NuGetVersion.tryParse(r.version);
    if (best === undefined || (v !== null && (bestV === null || v.compareTo(bestV) > 0))) {
      best = r;
      bestV = v;
    }
  }
  return best;
}

/** Lower-case normalized version without metadata: the identity used in URLs and page bounds (§4.3, §8.1). */
export function versionKeyOf(record: Pick<PackageRecord, 'version'>): string {
  return lowerInvariant(record.version);
}

/**
 * Throws {@link FeedDocumentError} unless every record has the same package id (case-insensitively).
 * @returns the package id of the first record, or undefined for an empty list
 */
export function assertSingleId(records: readonly Pick<PackageRecord, 'id'>[]): string | undefined {
  if (records.length === 0) return undefined;
  const first = lowerInvariant(records[0]!.id);
  for (const r of records) {
    if (lowerInvariant(r.id) !== first) {
      throw new FeedDocumentError(`records of different package ids in one document: '${records[0]!.id}' and '${r.id}'`);
    }
  }
  return records[0]!.id;
}

/**
 * The version string PowerShell clients should see (§4.7): the module manifest spelling
 * (`moduleVersion`, e.g. "1.0.0.0" or "2.1-preview1") for PowerShell modules, otherwise `fallback`.
 */
export function displayVersion(record: PackageRecord, fallback: string): string {
  return record.moduleVersion ?? fallback;
}

/**
 * `packageContent` URL of a record (§4.4, §4.7). For PowerShell modules the URL carries both the
 * normalized version (folder segment) and the manifest spelling (file name), case-exactly:
 * `…/contoso.tools/2.1.0/contoso.tools.2.1.nupkg`, `…/x/1.0.0/x.1.0.0.0.nupkg`,
 * `…/x/2.0.0-Preview1/x.2.0.0-Preview1.nupkg`. PSResourceGet picks the download by an ordinal substring
 * match of the normalized form of `catalogEntry.version` (`2.1` → `2.1.0`) against this URL, so that form
 * must occur; the flat-container route resolves versions case- and normalization-insensitively, so the
 * URL still downloads. Everything else gets the ordinary lower-case normalized flat-container URL.
 */
export function packageContentUrl(record: Pick<PackageRecord, 'id' | 'version' | 'moduleVersion'>, urls: FeedUrls): string {
  if (record.moduleVersion === null) return urls.nupkg(record.id, record.version);
  const v = record.moduleVersion;
  const normalized = NuGetVersion.tryParse(v)?.toNormalizedString() ?? record.version;
  const lid = lowerInvariant(record.id);
  return `${urls.flatContainer()}${lid}/${normalized}/${lid}.${v}.nupkg`;
}

/** `iconUrl` (§4.5): the flat-container icon route for embedded icons, else the nuspec `iconUrl`, else undefined. */
export function iconUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  if (record.hasIcon) return urls.icon(record.id, record.version);
  return nonEmpty(record.iconUrl);
}

/** `licenseUrl` (§4.5): `https://licenses.nuget.org/<expression>` for licence expressions, else the nuspec `licenseUrl`. */
export function licenseUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  const expr = nonEmpty(record.licenseExpression);
  if (expr !== undefined) return urls.licenseExpression(expr);
  return nonEmpty(record.licenseUrl);
}

/** `readmeUrl` (§4.5: the HTML page of the README, nuget.org's package page) for packages that embed a readme. */
export function readmeUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  if (!record.hasReadme) return undefined;
  return urls
    .packageDetailsTemplate()
    .replace('{id}', encodeURIComponent(record.id))
    .replace('{version}', encodeURIComponent(record.version));
}

/** `value` unless it is null, undefined or the empty string. */
export function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** `published` of a version (§4.5): first push time, or the 1900 date nuget.org uses for unlisted versions. */
export function publishedOf(record: PackageRecord): string {
  return record.listed ? formatTimestamp(record.created) : UNLISTED_PUBLISHED;
}

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

/** A range as emitted: the stored normalized text, or "(, )" when the stored text is empty ("any version", §8.2). */
export function rangeText(range: string | null | undefined): string {
  const r = range?.trim();
  return r ? r : '(, )';
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

// ---------------------------------------------------------------------------------------------------
// Catalog entry (§4.5)
// ---------------------------------------------------------------------------------------------------

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

/** Assigns `obj[key] = value` only when `value` is defined, keeping key order equal to call order. */
export function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}

// ---------------------------------------------------------------------------------------------------
// Paging (§4.3)
// ---------------------------------------------------------------------------------------------------

/** Paging knobs; the defaults are nuget.org's rule (§4.3). Tests may shrink them. */
export interface RegistrationPagingOptions {
  /** Most versions in one page. Default 64. */
  pageSize?: number;
  /** Ids with fewer versions than this get every page inlined; at or above it every page is linked. Default 128. */
  inlineBelow?: number;
}

export const REGISTRATION_PAGE_SIZE = 64;
export const REGISTRATION_INLINE_BELOW = 128;

/** One planned page: its bounds (normalized, lower-case, no metadata) and its records in ascending order. */
export interface PlannedPage<T extends VersionSummary = PackageRecord> {
  lower: string;
  upper: string;
  records: T[];
}

/**
 * The fields of a version that page planning and a linked registration index need; a much cheaper read
 * than whole records for ids with thousands of versions.
 */
export type VersionSummary = Pick<PackageRecord, 'id' | 'version' | 'created' | 'lastEdited'>;

/** The page plan of one id: pages ascending by version, and whether they are inlined in the index. */
export interface RegistrationPlan<T extends VersionSummary = PackageRecord> {
  inlined: boolean;
  pages: PlannedPage<T>[];
}

/** Splits ascending records into consecutive pages of at most `size`. */
export function chunkPages<T extends VersionSummary>(sorted: readonly T[], size: number): PlannedPage<T>[] {
  if (!(size >= 1)) throw new RangeError(`page size must be at least 1, got ${size}`);
  const pages: PlannedPage<T>[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const recs = sorted.slice(i, i + size);
    pages.push({ lower: versionKeyOf(recs[0]!), upper: versionKeyOf(recs[recs.length - 1]!), records: recs });
  }
  return pages;
}

/**
 * Splits an id's versions into registration pages the way nuget.org does (§4.3): versions sorted
 * ascending by NuGet precedence, consecutive pages of at most 64; fewer than 128 versions → every page
 * inlined in the index (65–127 versions give two inlined pages); 128 or more → every page linked.
 * Unlisted versions are included (they are shown with `listed: false`).
 *
 * @param records  every stored version of one package id, any order
 * @returns pages in ascending order, never an empty page; `{ inlined: true, pages: [] }` for no records
 * @throws FeedDocumentError when the records belong to more than one package id
 */
export function planRegistrationPages<T extends VersionSummary>(
  records: readonly T[],
  opts: RegistrationPagingOptions = {},
): RegistrationPlan<T> {
  assertSingleId(records);
  const size = opts.pageSize ?? REGISTRATION_PAGE_SIZE;
  const inlineBelow = opts.inlineBelow ?? REGISTRATION_INLINE_BELOW;
  const sorted = sortByVersion(records);
  return { inlined: sorted.length < inlineBelow, pages: chunkPages(sorted, size) };
}

/**
 * Finds the planned page with the given bounds (as they appear in a page URL; compared after version
 * normalization and case-insensitively, so `1.0.0.0` matches `1.0.0`).
 * @returns the page, or null when no page of the plan has exactly these bounds (answer 404)
 */
export function findPlannedPage<T extends VersionSummary>(pages: readonly PlannedPage<T>[], lower: string, upper: string): PlannedPage<T> | null {
  const lo = tryVersionKey(lower);
  const up = tryVersionKey(upper);
  if (lo === null || up === null) return null;
  return pages.find((p) => p.lower === lo && p.upper === up) ?? null;
}

/**
 * The records of the registration page with bounds `lower`/`upper` (from a page URL), using the same
 * plan as {@link buildRegistrationIndex}. A client may still hold an index whose pages were cut before
 * later pushes moved the page boundaries (NuGet caches index and pages for 30 minutes, §4.3); such a
 * stale link is answered with every version between its bounds rather than 404, so a restore running
 * during pushes keeps working (see {@link recordsBetween}).
 * @param records  every stored version of the id, any order
 * @returns the page's records ascending, or null when no version lies between the bounds (answer 404)
 */
export function findRegistrationPage<T extends VersionSummary>(
  records: readonly T[],
  lower: string,
  upper: string,
  opts: RegistrationPagingOptions = {},
): T[] | null {
  const page = findPlannedPage(planRegistrationPages(records, opts).pages, lower, upper);
  return page === null ? recordsBetween(records, lower, upper) : page.records;
}

/**
 * Every record whose version lies in [lower, upper] (inclusive, NuGet precedence), ascending; null when
 * a bound is not a version, the bounds are reversed, or none lies between them. Versions are only ever
 * added, so the bounds of a page once served are still stored versions and the answer keeps the same
 * `lower`/`upper` (and `@id`) the client asked for.
 */
export function recordsBetween<T extends VersionSummary>(records: readonly T[], lower: string, upper: string): T[] | null {
  const lo = NuGetVersion.tryParse(lower);
  const up = NuGetVersion.tryParse(upper);
  if (lo === null || up === null || lo.compareTo(up) > 0) return null;
  const inside = sortByVersion(records).filter((r) => {
    const v = NuGetVersion.parse(r.version);
    return v.compareTo(lo) >= 0 && v.compareTo(up) <= 0;
  });
  return inside.length ? inside : null;
}

// ---------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------

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
