/**
 * Search (§6.1) and autocomplete (§6.4) queries over the per-id search documents (`package_search`,
 * db/schema.ts; written by the push statement and by unlisting, db/packages.ts, and given their
 * download totals by db/downloads.ts). Read-only: nothing here writes. Command search and any later
 * query over the documents belong here.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PackageRecord } from '../feed/types.ts';
import type { Database } from './connection.ts';
import { normalizeRows, recordColumns } from './columns.ts';
import { textArray } from './lists.ts';
import { packageRegistrations, packageSearch, packageVersions } from './schema.ts';

/** Search filters (already parsed from the query string, §6.1); all text lower-cased. */
export interface SearchFilter {
  terms: string[];
  id: string[];
  packageId: string[];
  tags: string[];
  author: string[];
  title: string[];
  description: string[];
  summary: string[];
  owner: string[];
  version: string[];
  prerelease: boolean;
  semVer2: boolean;
  packageType: string | null;
  skip: number;
  take: number;
}

/** escapes LIKE wildcards in user text */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** The search and autocomplete queries (one per call, on the database or transaction given). */
export class SearchQueries {
  constructor(private readonly db: Database) {}

  /**
   * Search (§6.1) over the per-id search documents (package_search): one hit per package id whose
   * document for the requested variant (prerelease allowed × SemVer 2 allowed) matches every filter;
   * most downloaded first (the id's total_downloads over all versions), then by lower-cased id. A
   * document holds the latest listed version visible in the variant, as nuget.org's search documents
   * do: free-text terms (id, title, summary, description, tags) and the fields `author:`, `title:`,
   * `description:`, `summary:` match substrings of that version's metadata, `tags:` and `packageType`
   * one of its tags or types, `owner:` one of its comma-separated owners exactly (§6.1); `id:` is a
   * substring and `packageid:` the exact id; `version:` matches when any listed visible version has
   * that version. Unlisted versions never match.
   *
   * @returns the page (`skip`/`take`) of lower-cased ids and the exact number of matching ids
   */
  async search(f: SearchFilter): Promise<{ lowerIds: string[]; totalHits: number }> {
    const where = documentConditions(f);
    const list = normalizeRows(
      await this.db.execute(sql`
        select s.lower_id from package_search s
        where ${where}
        order by s.total_downloads desc nulls last, s.lower_id
        limit ${f.take} offset ${f.skip}`),
    );
    const lowerIds = list.map((r) => String(r.lower_id));
    const totalHits =
      f.skip === 0 && lowerIds.length < f.take ? lowerIds.length : await this.countDocuments(where);
    return { lowerIds, totalHits };
  }

  private async countDocuments(where: SQL): Promise<number> {
    const rows = normalizeRows(await this.db.execute(sql`select count(*) as n from package_search s where ${where}`));
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * What a page of search results (§6.2) needs for `lowerIds` in one variant: one record per listed
   * version visible with `prerelease`/`semVer2`, each with `lowerId`. Only the version's own fields
   * that the response lists per version are its own (`version`, `fullVersion`, `downloads`, `listed`,
   * `isPrerelease`, `isSemVer2`); every other field is copied from the id's search document version
   * (the latest visible one, whose record is whole), so a 5,000-version id costs 5,000 narrow rows and
   * one whole one instead of 5,000 whole rows. Ids without a document of the variant are left out.
   *
   * @returns records in no particular order
   */
  async getSearchRecordsFor(
    lowerIds: string[],
    prerelease: boolean,
    semVer2: boolean,
  ): Promise<(PackageRecord & { lowerId: string })[]> {
    if (lowerIds.length === 0) return [];
    const list = textArray(lowerIds);
    const latestQuery = this.db
      .select({ ...recordColumns, lowerId: packageVersions.lowerId, versionKey: packageVersions.versionKey })
      .from(packageSearch)
      .innerJoin(
        packageVersions,
        and(eq(packageVersions.lowerId, packageSearch.lowerId), eq(packageVersions.versionKey, packageSearch.versionKey)),
      )
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(
        and(sql`${packageSearch.lowerId} = any(${list})`, eq(packageSearch.variant, variantOf(prerelease, semVer2))),
      );
    const flags = [sql`listed`];
    if (!prerelease) flags.push(sql`not is_prerelease`);
    if (!semVer2) flags.push(sql`not is_semver2`);
    // raw rows: for thousands of versions drizzle's row mapping costs more than the query
    const narrowQuery = this.db.execute(sql`
      select lower_id, version_key, version, full_version, downloads, is_prerelease, is_semver2
      from package_versions
      where lower_id = any(${list}) and ${sql.join(flags, sql` and `)}`);
    const [latest, narrow] = await Promise.all([latestQuery, narrowQuery]);
    const byId = new Map((latest as (PackageRecord & { lowerId: string; versionKey: string })[]).map((r) => [r.lowerId, r]));
    const out: (PackageRecord & { lowerId: string })[] = [];
    for (const n of normalizeRows(narrow)) {
      const doc = byId.get(n.lower_id as string);
      if (!doc) continue;
      if (n.version_key === doc.versionKey) {
        out.push(doc);
        continue;
      }
      out.push({
        ...doc,
        version: n.version as string,
        fullVersion: n.full_version as string,
        downloads: Number(n.downloads),
        listed: true,
        isPrerelease: n.is_prerelease as boolean,
        isSemVer2: n.is_semver2 as boolean,
      });
    }
    return out;
  }

  /**
   * Autocomplete (§6.4): ids with a listed visible version (their search document of the variant
   * exists, and matches `packageType` when given) whose lower-cased id, or a dot/dash-separated part
   * of it, starts with `prefix` (case-insensitive; empty = every id), ordered by lower-cased id.
   *
   * @returns the page of ids in their registered casing and the exact number of matching ids
   */
  async autocompleteIds(
    prefix: string,
    opts: { prerelease: boolean; semVer2: boolean; packageType: string | null; skip: number; take: number },
  ): Promise<{ ids: string[]; totalHits: number }> {
    const f: SearchFilter = {
      terms: [], id: [], packageId: [], tags: [], author: [], title: [], description: [], summary: [], owner: [],
      version: [], prerelease: opts.prerelease, semVer2: opts.semVer2, packageType: opts.packageType, skip: 0, take: 0,
    };
    const where = [documentConditions(f)];
    if (prefix) {
      const p = likeEscape(prefix.toLowerCase());
      where.push(
        sql`(s.lower_id like ${p + '%'} or s.lower_id like ${'%.' + p + '%'} or s.lower_id like ${'%-' + p + '%'})`,
      );
    }
    const cond = sql.join(where, sql` and `);
    const rows = normalizeRows(
      await this.db.execute(sql`
        select r.id
        from (select s.lower_id from package_search s where ${cond} order by s.lower_id limit ${opts.take} offset ${opts.skip}) m
        join package_registrations r on r.lower_id = m.lower_id
        order by m.lower_id`),
    );
    const totalHits =
      opts.skip === 0 && rows.length < opts.take ? rows.length : await this.countDocuments(cond);
    return { ids: rows.map((r) => String(r.id)), totalHits };
  }
}

/** package_search.variant for a filter: bit 1 = prereleases allowed, bit 2 = SemVer 2 allowed */
function variantOf(prerelease: boolean, semVer2: boolean): number {
  return (prerelease ? 1 : 0) | (semVer2 ? 2 : 0);
}

/** the WHERE clause over search documents `s` for a parsed query (all text already lower-cased) */
function documentConditions(f: SearchFilter): SQL {
  // a literal, not a parameter: the trigram indexes are partial on the variant (migration 0001), and a
  // generic plan of a prepared statement could not use them
  const conds = [sql.raw(`s.variant = ${variantOf(f.prerelease, f.semVer2)}`)];
  const contains = (t: string) => '%' + likeEscape(t) + '%';
  for (const t of f.terms) conds.push(sql`s.search_text like ${contains(t)}`);
  for (const t of f.id) conds.push(sql`s.lower_id like ${contains(t)}`);
  for (const t of f.packageId) conds.push(sql`s.lower_id = ${t}`);
  for (const t of f.tags) conds.push(sql`s.tags @> ${JSON.stringify([t])}::jsonb`);
  for (const t of f.author) conds.push(sql`s.authors like ${contains(t)}`);
  for (const t of f.title) conds.push(sql`s.title like ${contains(t)}`);
  for (const t of f.description) conds.push(sql`s.description like ${contains(t)}`);
  for (const t of f.summary) conds.push(sql`s.summary like ${contains(t)}`);
  // owner: is exact (§6.1): one of the comma-separated owners
  for (const t of f.owner) conds.push(sql`exists (select 1 from unnest(string_to_array(s.owners, ',')) o(name) where trim(o.name) = ${t})`);
  for (const t of f.version) {
    // any listed visible version of the id, not only the document's: a per-version probe
    const flags = [sql`v.listed`];
    if (!f.prerelease) flags.push(sql`not v.is_prerelease`);
    if (!f.semVer2) flags.push(sql`not v.is_semver2`);
    conds.push(
      sql`exists (select 1 from package_versions v where v.lower_id = s.lower_id and v.version_key = ${t} and ${sql.join(flags, sql` and `)})`,
    );
  }
  if (f.packageType) conds.push(sql`s.package_types @> ${JSON.stringify([f.packageType.toLowerCase()])}::jsonb`);
  return sql.join(conds, sql` and `);
}
