/**
 * Repository for the package aggregate (package ids and their versions). All SQL about packages
 * lives here; callers get `PackageRecord`s (feed/types.ts) and typed errors.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PackageRecord } from '../feed/types.ts';
import type { VersionSummary } from '../feed/v3/paging.ts';
import type { DependencyRecord } from '../feed/v3/dependencies.ts';
import type { Database } from './connection.ts';
import { bigintArray, textArray } from './lists.ts';
import { packageRegistrations, packageSearch, packageVersions } from './schema.ts';

/** Thrown when (lower id, normalized version) already exists, unlisted included (§2.1 409). */
export class DuplicatePackageError extends Error {
  readonly code = 'duplicate_package';
  constructor(
    readonly id: string,
    readonly version: string,
  ) {
    super(`Package ${id} ${version} already exists.`);
  }
}

/** Everything the ingest service writes for one new version. */
export type NewPackageVersion = Omit<PackageRecord, 'downloads'> & {
  versionKey: string;
  major: number;
  minor: number;
  patch: number;
  revision: number;
  blobKey: string;
  /** lower-cased text that free-text search matches */
  searchText: string;
};

/** What the flat container needs to serve one version's files. */
export interface StoredVersion {
  id: string;
  version: string;
  versionKey: string;
  blobKey: string;
  listed: boolean;
  hasReadme: boolean;
  hasIcon: boolean;
  packageSize: number;
}

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

const UNIQUE_VIOLATION = '23505';

/** blob keys looked up per statement by `referencedBlobKeys` */
const REFERENCE_CHUNK = 5000;

function isUniqueViolation(err: unknown): boolean {
  for (let e: any = err; e; e = e.cause) {
    if (e.code === UNIQUE_VIOLATION) return true;
  }
  return false;
}

/** escapes LIKE wildcards in user text */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** what a version summary (feed/registration.ts `VersionSummary`) is read from */
const summaryColumns = {
  id: packageRegistrations.id,
  version: packageVersions.version,
  created: packageVersions.created,
  lastEdited: packageVersions.lastEdited,
};

const recordColumns = {
  id: packageRegistrations.id,
  version: packageVersions.version,
  fullVersion: packageVersions.fullVersion,
  originalVersion: packageVersions.originalVersion,
  moduleVersion: packageVersions.moduleVersion,
  isPrerelease: packageVersions.isPrerelease,
  isSemVer2: packageVersions.isSemVer2,
  listed: packageVersions.listed,
  created: packageVersions.created,
  lastEdited: packageVersions.lastEdited,
  authors: packageVersions.authors,
  owners: packageVersions.owners,
  title: packageVersions.title,
  summary: packageVersions.summary,
  description: packageVersions.description,
  releaseNotes: packageVersions.releaseNotes,
  copyright: packageVersions.copyright,
  language: packageVersions.language,
  tags: packageVersions.tags,
  projectUrl: packageVersions.projectUrl,
  iconUrl: packageVersions.iconUrl,
  hasIcon: packageVersions.hasIcon,
  licenseUrl: packageVersions.licenseUrl,
  licenseExpression: packageVersions.licenseExpression,
  hasReadme: packageVersions.hasReadme,
  requireLicenseAcceptance: packageVersions.requireLicenseAcceptance,
  developmentDependency: packageVersions.developmentDependency,
  minClientVersion: packageVersions.minClientVersion,
  packageTypes: packageVersions.packageTypes,
  dependencyGroups: packageVersions.dependencyGroups,
  isScript: packageVersions.isScript,
  packageHash: packageVersions.packageHash,
  packageSize: packageVersions.packageSize,
  downloads: packageVersions.downloads,
};

export class PackageRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts a new version (and its package id on first push) and makes it the id's search document
   * (package_search, one row per filter variant) in each variant where it is now the latest listed
   * version, in **one statement** ({@link PUSH_STATEMENT}, run by the function `galleon_push`), committed on its own: one round trip to the
   * database instead of seven, and no pre-check (the primary key decides duplicates). The id's
   * registration row is locked first (by its upsert), so pushes and list changes of one id refresh
   * its documents one after another; each document is replaced only where the pushed version is
   * newer than the row found under that lock (a constant cost, however many versions the id has).
   *
   * @returns the package id with its registered casing (the first push's casing wins, §8.3)
   * @throws DuplicatePackageError when the identity exists already (the primary key decides races)
   */
  async insertVersion(row: NewPackageVersion): Promise<string> {
    try {
      const rows = await this.runPush(pushParams(row));
      return String(rows[0]!.id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicatePackageError(row.id, row.version);
      throw err;
    }
  }

  /**
   * Runs {@link PUSH_CALL} on the driver itself, not through drizzle: the statement's text is fixed and
   * its two result columns need no mapping, while drizzle's PGlite session hands every query a parser
   * table that PGlite then copies with all of its ~250 types (a fifth of a millisecond a push).
   */
  private async runPush(params: unknown[]): Promise<Record<string, unknown>[]> {
    const client = (this.db as unknown as { $client: unknown }).$client as PushClient;
    // postgres.js: prepared, so its statement is parsed and planned once per connection
    if ('unsafe' in client) return (await client.unsafe(PUSH_CALL, params, { prepare: true })) as Record<string, unknown>[];
    return (await client.query(PUSH_CALL, params)).rows;
  }

  /** True when the identity exists (listed or not). The push path does not ask: its insert's primary key decides. */
  async exists(lowerId: string, versionKey: string): Promise<boolean> {
    const rows = await this.db
      .select({ one: sql<number>`1` })
      .from(packageVersions)
      .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.versionKey, versionKey)))
      .limit(1);
    return rows.length > 0;
  }

  /** Every version of one id (unlisted included), in no particular order; [] for an unknown id. */
  async getRecords(lowerId: string): Promise<PackageRecord[]> {
    const rows = await this.db
      .select(recordColumns)
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(eq(packageVersions.lowerId, lowerId));
    return rows as PackageRecord[];
  }

  /** Only the listed versions of one id. */
  async getListedRecords(lowerId: string): Promise<PackageRecord[]> {
    const rows = await this.db
      .select(recordColumns)
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.listed, true)));
    return rows as PackageRecord[];
  }

  /**
   * Id, version and edit times of every version of one id (unlisted included), in no order: what page
   * planning and a linked registration index need, far cheaper than whole records for big ids.
   */
  async getVersionSummaries(lowerId: string): Promise<VersionSummary[]> {
    return this.db
      .select(summaryColumns)
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(eq(packageVersions.lowerId, lowerId));
  }

  /**
   * The listed versions of one id with only the fields the dependency-only hive reads (id, version,
   * module manifest spelling, script flag, dependency groups, edit times), in no order; [] for an
   * unknown id. A 5,000-version id costs a fraction of whole rows (no descriptions, tags, readmes flags…).
   */
  async getDependencyRecords(lowerId: string): Promise<DependencyRecord[]> {
    return this.db
      .select({
        ...summaryColumns,
        listed: packageVersions.listed,
        moduleVersion: packageVersions.moduleVersion,
        isScript: packageVersions.isScript,
        dependencyGroups: packageVersions.dependencyGroups,
      })
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.listed, true))) as Promise<DependencyRecord[]>;
  }

  /** Whole records of the given versions (lower-cased normalized keys) of one id, in no order. */
  async getRecordsByKeys(lowerId: string, versionKeys: string[]): Promise<PackageRecord[]> {
    if (versionKeys.length === 0) return [];
    const rows = await this.db
      .select(recordColumns)
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(and(eq(packageVersions.lowerId, lowerId), sql`${packageVersions.versionKey} = any(${textArray(versionKeys)})`));
    return rows as PackageRecord[];
  }

  /** One version's record, or null. */
  async getRecord(lowerId: string, versionKey: string): Promise<PackageRecord | null> {
    const rows = await this.db
      .select(recordColumns)
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.versionKey, versionKey)));
    return (rows[0] as PackageRecord | undefined) ?? null;
  }

  /** Where one version's files are, or null when the identity is unknown. */
  async getStoredVersion(lowerId: string, versionKey: string): Promise<StoredVersion | null> {
    const rows = await this.db
      .select({
        id: packageRegistrations.id,
        version: packageVersions.version,
        versionKey: packageVersions.versionKey,
        blobKey: packageVersions.blobKey,
        listed: packageVersions.listed,
        hasReadme: packageVersions.hasReadme,
        hasIcon: packageVersions.hasIcon,
        packageSize: packageVersions.packageSize,
      })
      .from(packageVersions)
      .innerJoin(packageRegistrations, eq(packageRegistrations.lowerId, packageVersions.lowerId))
      .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.versionKey, versionKey)));
    return rows[0] ?? null;
  }

  /**
   * Unlists or relists one version (§2.2) and rewrites the id's search documents in the same
   * transaction (unlisting the latest version makes the previous listed one the document; unlisting
   * every version of a variant removes that variant's row, so the id no longer appears in search).
   *
   * @returns false when the identity is unknown
   */
  async setListed(lowerId: string, versionKey: string, listed: boolean, now: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // the version row first, then the registration: the order addDownloads takes its locks in
      const rows = await tx
        .update(packageVersions)
        .set({ listed, lastEdited: now })
        .where(and(eq(packageVersions.lowerId, lowerId), eq(packageVersions.versionKey, versionKey)))
        .returning({ k: packageVersions.versionKey });
      if (rows.length === 0) return false;
      await tx
        .select({ one: sql<number>`1` })
        .from(packageRegistrations)
        .where(eq(packageRegistrations.lowerId, lowerId))
        .for('no key update');
      await refreshSearchDocuments(tx as unknown as Database, lowerId);
      return true;
    });
  }

  /**
   * Adds buffered download counts (key `${lowerId}/${versionKey}`, value a count ≥ 1) to the
   * versions, to their ids' `total_downloads` and to the ids' search documents (the ranking of
   * §6 search), in one transaction. Keys of unknown versions are ignored.
   */
  async addDownloads(counts: Map<string, number>): Promise<void> {
    if (counts.size === 0) return;
    const ids: string[] = [];
    const keys: string[] = [];
    const ns: number[] = [];
    for (const [key, n] of counts) {
      const slash = key.indexOf('/');
      ids.push(key.slice(0, slash));
      keys.push(key.slice(slash + 1));
      ns.push(n);
    }
    await this.db.transaction(async (tx) => {
      const touched = normalizeRows(
        await tx.execute(sql`
          with c(lower_id, version_key, n) as (select * from unnest(${textArray(ids)}, ${textArray(keys)}, ${bigintArray(ns)})),
          u as (
            update package_versions as v set downloads = v.downloads + c.n
            from c
            where v.lower_id = c.lower_id and v.version_key = c.version_key
            returning v.lower_id, c.n
          )
          update package_registrations as r set total_downloads = r.total_downloads + s.n
          from (select lower_id, sum(n)::bigint as n from u group by lower_id) s
          where r.lower_id = s.lower_id
          returning r.lower_id`),
      ).map((r) => String(r.lower_id));
      if (touched.length === 0) return;
      // a statement of its own: it sees search rows a concurrent push committed while this waited
      await tx.execute(sql`
        update package_search as p set total_downloads = r.total_downloads
        from package_registrations r
        where r.lower_id = p.lower_id and r.lower_id = any(${textArray(touched)})`);
    });
  }

  /** Every blob key referenced by a row (for start-up cleanup of orphan blobs). */
  async allBlobKeys(): Promise<Set<string>> {
    const rows = await this.db.select({ k: packageVersions.blobKey }).from(packageVersions);
    return new Set(rows.map((r) => r.k));
  }

  /**
   * Which of `keys` (blob keys found in the blob store, `<lower id>/<version key>/<upload id>`) a row
   * references. Looks the identities up by primary key (a join against `unnest` of two array
   * parameters, db/lists.ts), 5,000 keys a statement, so the cost follows the files on disk and a big
   * gallery never loads every row. Keys not shaped like a blob key are never referenced.
   *
   * @returns the subset of `keys` that some version row names as its blob key
   */
  async referencedBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const wanted = new Set(keys);
    const ids: string[] = [];
    const versions: string[] = [];
    for (const key of wanted) {
      const parts = key.split('/');
      if (parts.length !== 3) continue;
      ids.push(parts[0]);
      versions.push(parts[1]);
    }
    for (let i = 0; i < ids.length; i += REFERENCE_CHUNK) {
      const rows = normalizeRows(
        await this.db.execute(sql`
          select v.blob_key from unnest(${textArray(ids.slice(i, i + REFERENCE_CHUNK))}, ${textArray(versions.slice(i, i + REFERENCE_CHUNK))}) as k(lower_id, version_key)
          join package_versions v on v.lower_id = k.lower_id and v.version_key = k.version_key`),
      );
      for (const r of rows) if (wanted.has(String(r.blob_key))) found.add(String(r.blob_key));
    }
    return found;
  }

  /** Whether a version row names `blobKey` as its files (one primary-key lookup; the sweep's last check before it moves a folder). */
  async isBlobKeyReferenced(blobKey: string): Promise<boolean> {
    const parts = blobKey.split('/');
    if (parts.length !== 3) return false;
    const rows = await this.db
      .select({ k: packageVersions.blobKey })
      .from(packageVersions)
      .where(and(eq(packageVersions.lowerId, parts[0]), eq(packageVersions.versionKey, parts[1])));
    return rows.some((r) => r.k === blobKey);
  }

  /** How many version rows there are (each names one blob key). */
  async countVersions(): Promise<number> {
    const rows = normalizeRows(await this.db.execute(sql`select count(*)::bigint as n from package_versions`));
    return Number(rows[0]?.n ?? 0);
  }

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

const SEARCH_COLUMN_LIST =
  'lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads';
const SEARCH_COLUMNS = sql.raw(SEARCH_COLUMN_LIST);

/**
 * Rewrites the search documents (package_search rows, ≤ 4) of one id from its versions, through the
 * view `package_search_source` (migration 0001): what unlisting or relisting needs, since either may
 * change which version is the latest of a variant. Call inside the transaction that changed the id's
 * versions, after locking its registration row.
 */
async function refreshSearchDocuments(db: Database, lowerId: string): Promise<void> {
  // the view's estimates (set-returning jsonb functions) would make PostgreSQL JIT-compile a
  // one-id query for hundreds of milliseconds
  await db.execute(sql`set local jit = off`);
  await db.execute(sql`delete from package_search where lower_id = ${lowerId}`);
  await db.execute(sql`
    insert into package_search (${SEARCH_COLUMNS})
    select ${SEARCH_COLUMNS} from package_search_source where lower_id = ${lowerId}`);
}

/**
 * The sort key of a version key (lower-cased normalized version, `1.2.3`, `1.2.3.4-beta.10`) as a
 * `text[]` SQL expression (`"C"` collation) whose order is NuGet's version order, exactly as
 * feed/version.ts `compareVersions` orders the parsed versions:
 *
 * - the four numbers, each left-padded to 10 digits (Int32; a missing revision is `0000000000`);
 * - `1` for a stable version, `0` for a prerelease, so a stable version sorts after its prereleases;
 * - each label: `0` + the value + 2^31 padded to 10 digits when it is an Int32 (`int.TryParse`: an
 *   optional `-`, digits, within Int32; keys hold no white space or `+`), else `1` + the label, so
 *   numeric labels compare as numbers and before alphanumeric ones; alphanumeric labels compare
 *   ordinally (keys are lower-cased [0-9a-z-], where ordinal order equals NuGet's case-insensitive
 *   order); a label list that is a prefix of another sorts first (array order).
 *
 * A stable key takes the CASE branch without the label subquery. db/version-order.test.ts checks
 * this order against `compareVersions`.
 */
export function versionOrderKey(key: string): string {
  const numbers = [1, 2, 3, 4].map((n) => `lpad(split_part(split_part(${key}, '-', 1), '.', ${n}), 10, '0')`).join(', ');
  return `((case when strpos(${key}, '-') = 0 then array[${numbers}, '1']
    else array[${numbers}, '0'] || array(
      select case when l ~ '^-?0*[0-9]{1,10}$' and l::bigint between -2147483648 and 2147483647
        then '0' || lpad((l::bigint + 2147483648)::text, 10, '0') else '1' || l end
      from unnest(string_to_array(substr(${key}, strpos(${key}, '-') + 1), '.')) with ordinality as u(l, o)
      order by o) end) collate "C")`;
}

/** The two drivers {@link PackageRepository} runs {@link PUSH_CALL} on (drizzle's `$client`). */
interface PostgresJsClient {
  unsafe(query: string, params: unknown[], opts: { prepare: boolean }): PromiseLike<unknown>;
}
interface PgliteClient {
  query(query: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
type PushClient = PostgresJsClient | PgliteClient;

/** The parameters of `galleon_push` ({@link PUSH_CALL}), in order, with their types. */
const PUSH_PARAMS = [
  ['lower_id', 'text'], ['id', 'text'], ['version_key', 'text'], ['version', 'text'], ['full_version', 'text'],
  ['original_version', 'text'], ['module_version', 'text'], ['major', 'integer'], ['minor', 'integer'], ['patch', 'integer'],
  ['revision', 'integer'], ['is_prerelease', 'boolean'], ['is_semver2', 'boolean'], ['listed', 'boolean'], ['created', 'timestamptz'],
  ['last_edited', 'timestamptz'], ['authors', 'text'], ['owners', 'text'], ['title', 'text'], ['summary', 'text'],
  ['description', 'text'], ['release_notes', 'text'], ['copyright', 'text'], ['language', 'text'], ['tags', 'jsonb'],
  ['project_url', 'text'], ['icon_url', 'text'], ['has_icon', 'boolean'], ['license_url', 'text'], ['license_expression', 'text'],
  ['has_readme', 'boolean'], ['require_license_acceptance', 'boolean'], ['development_dependency', 'boolean'],
  ['min_client_version', 'text'], ['package_types', 'jsonb'], ['dependency_groups', 'jsonb'], ['is_script', 'boolean'],
  ['package_hash', 'text'], ['package_size', 'bigint'], ['blob_key', 'text'], ['search_text', 'text'],
] as const;

/** the statement's reference to a parameter: the function's argument `p_<name>` */
const P = Object.fromEntries(PUSH_PARAMS.map(([name]) => [name, `p_${name}`])) as Record<(typeof PUSH_PARAMS)[number][0], string>;
const VERSION_COLUMNS = PUSH_PARAMS.map(([name]) => name).filter((n) => n !== 'id');

/** {@link PUSH_CALL}'s parameters for one new version, in {@link PUSH_PARAMS} order. */
function pushParams(row: NewPackageVersion): unknown[] {
  const values: Record<(typeof PUSH_PARAMS)[number][0], unknown> = {
    lower_id: row.id.toLowerCase(), id: row.id, version_key: row.versionKey, version: row.version, full_version: row.fullVersion,
    original_version: row.originalVersion, module_version: row.moduleVersion, major: row.major, minor: row.minor, patch: row.patch,
    revision: row.revision, is_prerelease: row.isPrerelease, is_semver2: row.isSemVer2, listed: row.listed,
    created: row.created.toISOString(), last_edited: row.lastEdited.toISOString(), authors: row.authors, owners: row.owners,
    title: row.title, summary: row.summary, description: row.description, release_notes: row.releaseNotes, copyright: row.copyright,
    language: row.language, tags: JSON.stringify(row.tags), project_url: row.projectUrl, icon_url: row.iconUrl, has_icon: row.hasIcon,
    license_url: row.licenseUrl, license_expression: row.licenseExpression, has_readme: row.hasReadme,
    require_license_acceptance: row.requireLicenseAcceptance, development_dependency: row.developmentDependency,
    min_client_version: row.minClientVersion, package_types: JSON.stringify(row.packageTypes),
    dependency_groups: JSON.stringify(row.dependencyGroups), is_script: row.isScript, package_hash: row.packageHash,
    package_size: row.packageSize, blob_key: row.blobKey, search_text: row.searchText,
  };
  return PUSH_PARAMS.map(([name]) => values[name]);
}

/**
 * The whole database write of a push as one statement (data-modifying CTEs, run in this order
 * because each reads the one before), the body of the function `galleon_push` (migration 0002):
 *
 * 1. `reg`: the id's registration, inserted on first push or else locked and kept as it is (an
 *    ON CONFLICT update that changes nothing: it takes the same row lock as `select … for no key
 *    update` and returns the row, with the first push's casing, in both cases);
 * 2. `ver`: the version row; a duplicate identity fails here, on the primary key, and so the whole
 *    statement (nothing of it is left);
 * 3. `f`: the version's search-document fields, with the expressions of the view
 *    `package_search_fields` (migration 0001), once;
 * 4. `doc`: those fields upserted as the documents of the variants the version is visible in (a
 *    listed version; prereleases only where allowed, SemVer 2 only where allowed), where there is no
 *    document yet or where the pushed version is newer than the document's ({@link versionOrderKey}).
 *    ON CONFLICT compares with the latest committed document row (it waits for and rechecks a
 *    concurrent writer's row), so a concurrent push or list change of the same id can never leave
 *    an older version as the document.
 *
 * Lock order as before: the registration row first, then the new version's key, then the id's
 * search rows (setListed and addDownloads take the version rows first, then the registration).
 */
export const PUSH_STATEMENT = `with reg as (
  insert into package_registrations as r (lower_id, id, created) values (${P.lower_id}, ${P.id}, ${P.created})
  on conflict (lower_id) do update set id = r.id
  returning r.lower_id, r.id, r.total_downloads
), ver as (
  insert into package_versions (${VERSION_COLUMNS.join(', ')}, downloads)
  select ${VERSION_COLUMNS.map((n) => (n === 'lower_id' ? 'reg.lower_id' : P[n])).join(', ')}, 0
  from reg
  returning lower_id, version_key, listed, is_prerelease, is_semver2, search_text, authors, owners, title, description, summary, tags, package_types
), f as (
  select ver.lower_id, ver.version_key, ver.listed, ver.is_prerelease, ver.is_semver2, ver.search_text,
    lower(ver.authors) as authors, lower(coalesce(ver.owners, '')) as owners, lower(coalesce(ver.title, '')) as title,
    lower(ver.description) as description, lower(coalesce(ver.summary, '')) as summary,
    coalesce((select jsonb_agg(distinct lower(t) collate "C") from jsonb_array_elements_text(ver.tags) as j(t)), '[]'::jsonb) as tags,
    case when jsonb_array_length(ver.package_types) = 0 then '["dependency"]'::jsonb
      else (select jsonb_agg(distinct lower(p->>'name') collate "C") from jsonb_array_elements(ver.package_types) as q(p)) end as package_types,
    reg.total_downloads
  from ver cross join reg
), doc as (
  insert into package_search as s (${SEARCH_COLUMN_LIST})
  select f.lower_id, var.variant::smallint, f.version_key, f.search_text, f.authors, f.owners, f.title, f.description, f.summary,
    f.tags, f.package_types, f.total_downloads
  from f cross join (values (0), (1), (2), (3)) as var(variant)
  where f.listed and (not f.is_prerelease or var.variant & 1 = 1) and (not f.is_semver2 or var.variant & 2 = 2)
  on conflict (lower_id, variant) do update set
    version_key = excluded.version_key, search_text = excluded.search_text, authors = excluded.authors,
    owners = excluded.owners, title = excluded.title, description = excluded.description,
    summary = excluded.summary, tags = excluded.tags, package_types = excluded.package_types
  where ${versionOrderKey('excluded.version_key')} > ${versionOrderKey('s.version_key')}
  returning s.variant
)
select (select reg.id from reg), (select count(*) from doc)::int`;

/**
 * The body of `galleon_push` exactly as migration 0002 creates it (db/version-order.test.ts checks
 * that the database's function is this text): PL/pgSQL, so that the statement is parsed and planned
 * once per connection and kept (a cached plan), where a statement sent as text is parsed and planned
 * on every push (on the embedded database that was half of the push's database time). Column names
 * win over the output columns' names (`#variable_conflict use_column`).
 */
export const PUSH_FUNCTION_BODY = `
#variable_conflict use_column
BEGIN
	RETURN QUERY ${PUSH_STATEMENT.split('\n').join('\n\t')};
END
`;

/**
 * The `create or replace function` of migration 0002, which holds this text (a change of the statement
 * needs a new migration with the new text; db/version-order.test.ts fails until there is one).
 */
export const PUSH_FUNCTION_SQL = `CREATE OR REPLACE FUNCTION galleon_push(
${PUSH_PARAMS.map(([name, type]) => `\tp_${name} ${type}`).join(',\n')}
) RETURNS TABLE (id text, documents integer) LANGUAGE plpgsql AS $fn$${PUSH_FUNCTION_BODY}$fn$;`;

/** What a push sends: one call of `galleon_push` (the same text for every push). */
export const PUSH_CALL = `select id, documents from galleon_push(${PUSH_PARAMS.map(([, type], i) => `$${i + 1}::${type}`).join(', ')})`;

/** drizzle's `execute` returns an array (postgres.js) or `{ rows }` (PGlite) */
function normalizeRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
