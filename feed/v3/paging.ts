/**
 * Registration paging (protocol reference §4.3): how an id's versions are cut into pages, and how a page
 * URL's bounds find their page again. The registration and dependency-only documents share this plan.
 */
import type { PackageRecord } from '../types.ts';
import { NuGetVersion, tryVersionKey } from '../version.ts';
import { assertSingleId, sortByVersion, versionKeyOf } from './fields.ts';

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
