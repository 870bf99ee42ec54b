/**
 * The dependency-only registration hive (protocol reference §5.2, §5.3), `/v3/dependencies/{id}/…`,
 * served to ModuleFast. Each document carries only what ModuleFast v0.6.1 reads: ids, versions,
 * download URLs, tags (to refuse scripts) and dependencies, so resolving a plan needs one small request
 * per module.
 *
 * Shape decisions (documented here once):
 * - Unlisted versions are left out (ModuleFast v0.6.1 ignores `listed`; leaving them out keeps it from
 *   choosing an unlisted version as "latest", ModuleFast#103). An id whose versions are all unlisted has
 *   no document (builders return null → 404, "module was not found").
 * - Versions ascending, split into pages of {@link DEPENDENCY_PAGE_SIZE} (250) counted from the oldest,
 *   so the bounds of older pages stay put when versions are pushed. Up to {@link DEPENDENCY_INLINE_MAX}
 *   (1,000) listed versions every page is inlined: one request per module, the point of this hive.
 *   Above that, the newest pages are inlined while their total stays within 1,000 versions (at least
 *   the newest page) and the older pages are linked with exact bounds. ModuleFast looks at inlined leaves
 *   first and only fetches linked pages (highest `upper` first) when none matches, so the newest versions
 *   must be the inlined ones: old pages are never inlined while newer ones are linked. 250 keeps a linked
 *   page (~80 KB) cheap while needing at most a handful of follow-up requests to reach any old version.
 * - Leaf: `packageContent` and a `catalogEntry` with `id`, `version`, `tags`, and exactly one dependency
 *   group (no `targetFramework`: ModuleFast merges every group's dependencies anyway) of `{id, range}`.
 */
import type { PackageRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import { intersectRanges } from '../range.ts';
import { assertSingleId, versionKeyOf, packageContentUrl, rangeText, sortByVersion } from './fields.ts';
import { chunkPages, findPlannedPage, recordsBetween, type PlannedPage } from './paging.ts';
import type { WireDependencyGroup } from './wire.ts';

/** Versions per page in the dependency-only hive. */
export const DEPENDENCY_PAGE_SIZE = 250;
/** Most listed versions inlined in a dependency-only index. */
export const DEPENDENCY_INLINE_MAX = 1000;

/** A dependency in the dependency-only hive: id and normalized range ("(, )" for any). */
export interface SlimDependencyJson {
  id: string;
  range: string;
}

/** A leaf of the dependency-only hive (§5.2). */
export interface SlimLeafJson {
  packageContent: string;
  catalogEntry: {
    id: string;
    version: string;
    tags: string[];
    dependencyGroups: [{ dependencies: SlimDependencyJson[] }];
  };
}

/** A page of the dependency-only hive: inlined (with `items`), linked (without), or a page document (with `parent`). */
export interface SlimPageJson {
  '@id': string;
  count: number;
  lower: string;
  upper: string;
  items?: SlimLeafJson[];
  parent?: string;
}

/** The dependency-only registration index (§5.2): `count` is never 0. */
export interface SlimIndexJson {
  '@id': string;
  count: number;
  items: SlimPageJson[];
}

/**
 * The fields of a version the dependency-only hive reads (db/packages.ts `getDependencyRecords` selects
 * just these, far cheaper than whole records for ids with thousands of versions); a whole
 * `PackageRecord` fits too.
 */
export type DependencyRecord = Pick<
  PackageRecord,
  'id' | 'version' | 'created' | 'lastEdited' | 'listed' | 'moduleVersion' | 'isScript' | 'dependencyGroups'
>;

/** Paging knobs of the dependency-only hive; tests may shrink them. */
export interface DependencyPagingOptions {
  /** Versions per page. Default {@link DEPENDENCY_PAGE_SIZE}. */
  pageSize?: number;
  /** Most listed versions inlined in the index. Default {@link DEPENDENCY_INLINE_MAX}. */
  inlineMax?: number;
}

/** The page plan of the dependency-only hive: pages ascending; the last `inlinedCount` pages are inlined. */
export interface DependencyPlan {
  pages: PlannedPage<DependencyRecord>[];
  /** Number of pages, counted from the newest, that are inlined in the index. */
  inlinedCount: number;
}

/**
 * Plans the pages of one id in the dependency-only hive (see the module comment): listed versions only,
 * ascending, pages of `pageSize` from the oldest, all inlined up to `inlineMax` versions, else the
 * newest pages whose total stays within `inlineMax` (at least one) inlined and the rest linked.
 *
 * @param records  every stored version of one package id, any order (unlisted ones are dropped here)
 * @returns `{ pages: [], inlinedCount: 0 }` when no version is listed
 * @throws FeedDocumentError when the records belong to more than one package id
 */
export function planDependencyPages(records: readonly DependencyRecord[], opts: DependencyPagingOptions = {}): DependencyPlan {
  assertSingleId(records);
  const size = opts.pageSize ?? DEPENDENCY_PAGE_SIZE;
  const inlineMax = opts.inlineMax ?? DEPENDENCY_INLINE_MAX;
  const listed = sortByVersion(records.filter((r) => r.listed));
  const pages = chunkPages(listed, size);
  if (listed.length <= inlineMax) return { pages, inlinedCount: pages.length };
  let inlinedCount = 0;
  let total = 0;
  for (let i = pages.length - 1; i >= 0; i--) {
    const n = pages[i]!.records.length;
    if (inlinedCount > 0 && total + n > inlineMax) break;
    total += n;
    inlinedCount++;
  }
  return { pages, inlinedCount };
}

/**
 * Builds one leaf of the dependency-only hive (§5.2): `packageContent` (the same URL as the full hive,
 * containing the manifest spelling for modules, §4.7) and a `catalogEntry` holding only
 * - `id` (display casing),
 * - `version`: the module manifest spelling for PowerShell modules, else the normalized version; never
 *   build metadata (ModuleFast treats metadata like a prerelease),
 * - `tags`: `["ItemType:Script"]` for PowerShell scripts (ModuleFast refuses them), else `[]`,
 * - `dependencyGroups`: exactly one group, no `targetFramework`, see {@link mergeDependencies}.
 */
export function buildDependencyLeaf(record: DependencyRecord, urls: FeedUrls): SlimLeafJson {
  return {
    packageContent: packageContentUrl(record, urls),
    catalogEntry: {
      id: record.id,
      version: record.moduleVersion ?? record.version,
      tags: record.isScript ? ['ItemType:Script'] : [],
      dependencyGroups: [{ dependencies: mergeDependencies(record) }],
    },
  };
}

/**
 * Merges the dependencies of every dependency group into one list, the way ModuleFast reads them (it
 * ignores target frameworks and takes every group's dependencies, §5.2). The one implementation: the
 * dependency-only hive writes its result ({@link buildDependencyLeaf}) and the client's planner reads
 * any server's catalog entries through it (client/plan.ts).
 *
 * Dependencies are de-duplicated by id case-insensitively, in order of first appearance (group order,
 * then dependency order), keeping the id casing of the first appearance. When one id appears with
 * different ranges, the merged range is their intersection, because ModuleFast plans one version per
 * module and that version has to satisfy every group's constraint; if the ranges cannot be parsed (e.g.
 * floating) or do not intersect, the range of the first appearance is kept. An empty, missing or
 * non-string range becomes "(, )" (any version).
 *
 * Lenient about what other servers send (feed/v3/wire.ts): a missing or null `dependencyGroups` or
 * `dependencies`, entries that are not objects and ids that are not non-empty strings are skipped; ids
 * and ranges are trimmed. Stored records always pass these checks.
 *
 * @param entry  a stored record or a catalog entry read from any feed
 * @returns `{id, range}` pairs; `range` is range text, not validated here beyond intersecting
 */
export function mergeDependencies(entry: { readonly dependencyGroups?: readonly (WireDependencyGroup | null | undefined)[] | null }): SlimDependencyJson[] {
  const byId = new Map<string, { id: string; ranges: string[] }>();
  for (const group of Array.isArray(entry.dependencyGroups) ? entry.dependencyGroups : []) {
    for (const d of Array.isArray(group?.dependencies) ? group.dependencies : []) {
      if (!d || typeof d.id !== 'string' || d.id.trim() === '') continue;
      const id = d.id.trim();
      const key = lowerInvariant(id);
      const range = rangeText(typeof d.range === 'string' ? d.range : null);
      const seen = byId.get(key);
      if (seen === undefined) byId.set(key, { id, ranges: [range] });
      else if (!seen.ranges.includes(range)) seen.ranges.push(range);
    }
  }
  const out: SlimDependencyJson[] = [];
  for (const { id, ranges } of byId.values()) {
    out.push({ id, range: ranges.length === 1 ? ranges[0]! : (intersectRanges(ranges) ?? ranges[0]!) });
  }
  return out;
}

/**
 * Builds the dependency-only registration index of one id (§5.2/§5.3; paging in the module comment):
 * `@id`, `count` (number of pages, never 0), `items` = pages ascending; inlined pages carry `items` of
 * leaves ({@link buildDependencyLeaf}) and a fragment `@id`; linked pages carry the page URL and exact
 * `lower`/`upper` (normalized, lower-case).
 *
 * @param id       package id as displayed; URLs use it lower-cased
 * @param records  every stored version of the id, any order (unlisted ones are left out)
 * @returns null when the id has no listed version (answer 404)
 * @throws FeedDocumentError when the records belong to more than one package id
 */
export function buildDependenciesIndex(
  id: string,
  records: readonly DependencyRecord[],
  urls: FeedUrls,
  opts: DependencyPagingOptions = {},
): SlimIndexJson | null {
  const plan = planDependencyPages(records, opts);
  if (plan.pages.length === 0) return null;
  const index = urls.dependenciesIndex(id);
  const firstInlined = plan.pages.length - plan.inlinedCount;
  return {
    '@id': index,
    count: plan.pages.length,
    items: plan.pages.map((p, i) => {
      if (i < firstInlined) {
        return { '@id': urls.dependenciesPage(id, p.lower, p.upper), count: p.records.length, lower: p.lower, upper: p.upper };
      }
      return {
        '@id': `${index}#page/${p.lower}/${p.upper}`,
        count: p.records.length,
        lower: p.lower,
        upper: p.upper,
        items: p.records.map((r) => buildDependencyLeaf(r, urls)),
      };
    }),
  };
}

/**
 * Builds a dependency-only page document, `GET {dependencies}{id}/page/{lower}/{upper}.json`: `@id` =
 * the page URL, `count`, exact bounds, every leaf inlined, `parent` = the dependency-only index URL.
 *
 * @param records  every stored version of the id, any order (the page is looked up in the same plan as
 *                 {@link buildDependenciesIndex}; bounds compare after normalization, case-insensitively)
 * @param lower    lower bound from the URL
 * @param upper    upper bound from the URL
 * @returns null when the plan has no page with these bounds (answer 404)
 */
export function buildDependenciesPage(
  id: string,
  records: readonly DependencyRecord[],
  lower: string,
  upper: string,
  urls: FeedUrls,
  opts: DependencyPagingOptions = {},
): SlimPageJson | null {
  let page = findPlannedPage(planDependencyPages(records, opts).pages, lower, upper);
  if (page === null) {
    // a stale link from an index cut before later pushes: serve every listed version between the bounds
    const between = recordsBetween(records.filter((r) => r.listed), lower, upper);
    if (between === null) return null;
    page = { lower: versionKeyOf(between[0]!), upper: versionKeyOf(between[between.length - 1]!), records: between };
  }
  return {
    '@id': urls.dependenciesPage(id, page.lower, page.upper),
    count: page.records.length,
    lower: page.lower,
    upper: page.upper,
    items: page.records.map((r) => buildDependencyLeaf(r, urls)),
    parent: urls.dependenciesIndex(id),
  };
}
