/**
 * Every statement that binds a caller's list (issue 9's audit), at 10,000 elements and beyond, on every
 * backend of `backends()`: each must return exactly what the rows say. Before the fix, a row-value
 * `(lower_id, version_key) in ((…), …)` list of 280 pairs answered no rows on the embedded database
 * (db/embedded.ts), and a `values (…)` list of more than 21,845 three-column rows exceeds PostgreSQL's
 * 65,535 bind parameters. Lists are now one array parameter each (db/lists.ts).
 *
 * Statements audited (db/packages.ts, db/search.ts, db/downloads.ts and their callers): referencedBlobKeys
 * (start-up sweep, gc), getRecordsByKeys (registration pages), getSearchRecordsFor (search pages),
 * addDownloads (download flush), search with many terms (the route caps distinct conditions at 100), test/support/synthetic-rows.ts
 * insertSynthetic (multi-row inserts of 500, the bench and these tests' seeding).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageRepository, type SearchFilter } from '../db/packages.ts';
import { textArrayLiteral } from '../db/lists.ts';
import { insertSynthetic, syntheticVersion } from './support/synthetic-rows.ts';
import { backends, openTestDatabase, startTestServer } from './support/server.ts';

const BIG = 'List.Big';
const BIG_VERSIONS = 10_000;
const SMALL_IDS = 10_000;

function rowsOf(result: unknown): Record<string, unknown>[] {
  return Array.isArray(result) ? result : ((result as { rows: Record<string, unknown>[] }).rows ?? []);
}

function filter(overrides: Partial<SearchFilter>): SearchFilter {
  return {
    terms: [], id: [], packageId: [], tags: [], author: [], title: [], description: [], summary: [], owner: [], version: [],
    prerelease: true, semVer2: true, packageType: null, skip: 0, take: 20, ...overrides,
  };
}

describe('textArrayLiteral', () => {
  it('quotes every element, so commas, braces, quotes, backslashes and NULL stay text', () => {
    expect(textArrayLiteral([])).toBe('{}');
    expect(textArrayLiteral(['a,b', '{x}', 'say "hi"', 'back\\slash', 'NULL', ''])).toBe('{"a,b","{x}","say \\"hi\\"","back\\\\slash","NULL",""}');
    expect(() => textArrayLiteral(['nul\u0000'])).toThrow(/NUL/);
  });
});

describe.each(backends())('statements that bind lists, at 10,000 elements (%s database)', (backend) => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let repo: PackageRepository;

  beforeAll(async () => {
    handle = await openTestDatabase(backend);
    repo = new PackageRepository(handle.db.db);
    // one id with 10,000 versions and 10,000 ids with one version each: 20,000 rows
    await insertSynthetic(handle.db.db, [
      { id: BIG, versions: BIG_VERSIONS, n: 1 },
      ...Array.from({ length: SMALL_IDS }, (_, i) => ({ id: `List.Small${i}`, versions: 1, n: i + 2 })),
    ]);
  }, 300_000);
  afterAll(async () => {
    await handle?.dispose();
  });

  it('round-trips awkward strings through an array parameter', async () => {
    const values = ['a,b', '{x}', 'say "hi"', 'back\\slash', 'NULL', '', 'ünïcødé', "it's"];
    const r = rowsOf(await handle.db.db.execute(sql`select unnest(${sql`${textArrayLiteral(values)}::text[]`}) as v`));
    expect(r.map((x) => x.v)).toEqual(values);
  });

  it('referencedBlobKeys finds exactly the referenced keys among 280, 500, 10,000 and 100,000', async () => {
    const big = BIG.toLowerCase();
    for (const n of [280, 500, 10_000]) {
      const keys = Array.from({ length: n }, (_, i) => `${big}/${syntheticVersion(i).toLowerCase()}/seed`);
      expect((await repo.referencedBlobKeys(keys)).size, `${n} keys`).toBe(n);
    }
    // 100,000 keys: 20,000 referenced, 20,000 with another upload id, 60,000 of versions that do not exist
    const keys: string[] = [];
    const expected = new Set<string>();
    for (let i = 0; i < BIG_VERSIONS; i++) {
      const k = `${big}/${syntheticVersion(i).toLowerCase()}/seed`;
      keys.push(k, `${big}/${syntheticVersion(i).toLowerCase()}/00000000-0000-4000-8000-000000000000`);
      expected.add(k);
    }
    for (let i = 0; i < SMALL_IDS; i++) {
      const k = `list.small${i}/${syntheticVersion(0).toLowerCase()}/seed`;
      keys.push(k, `list.small${i}/9.9.9/seed`);
      expected.add(k);
    }
    for (let i = 0; keys.length < 100_000; i++) keys.push(`list.missing${i}/1.0.0/seed`);
    const found = await repo.referencedBlobKeys(keys);
    expect(found.size).toBe(expected.size);
    expect([...found].every((k) => expected.has(k))).toBe(true);
  }, 120_000);

  it('getRecordsByKeys returns 10,000 versions of one id', async () => {
    const keys = Array.from({ length: BIG_VERSIONS }, (_, i) => syntheticVersion(i).toLowerCase());
    const records = await repo.getRecordsByKeys(BIG.toLowerCase(), keys);
    expect(records).toHaveLength(BIG_VERSIONS);
    expect(new Set(records.map((r) => r.version.toLowerCase()))).toEqual(new Set(keys));
  }, 60_000);

  it('getSearchRecordsFor returns the versions of 10,000 ids', async () => {
    const ids = Array.from({ length: SMALL_IDS }, (_, i) => `list.small${i}`);
    const records = await repo.getSearchRecordsFor(ids, true, true);
    expect(records).toHaveLength(SMALL_IDS);
    expect(new Set(records.map((r) => r.lowerId))).toEqual(new Set(ids));
  }, 60_000);

  it('addDownloads adds 30,000 distinct counts in one flush (beyond 65,535 bind parameters as a values list)', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < BIG_VERSIONS; i++) counts.set(`${BIG.toLowerCase()}/${syntheticVersion(i).toLowerCase()}`, 2);
    for (let i = 0; i < SMALL_IDS; i++) counts.set(`list.small${i}/${syntheticVersion(0).toLowerCase()}`, 3);
    for (let i = 0; i < 10_000; i++) counts.set(`list.unknown${i}/1.0.0`, 5); // ignored
    const before = rowsOf(await handle.db.db.execute(sql`select sum(downloads)::bigint as n from package_versions`))[0].n;
    await repo.addDownloads(counts);
    const after = rowsOf(await handle.db.db.execute(sql`select sum(downloads)::bigint as n from package_versions`))[0].n;
    expect(Number(after) - Number(before)).toBe(BIG_VERSIONS * 2 + SMALL_IDS * 3);
    const totals = rowsOf(
      await handle.db.db.execute(sql`
        select count(*)::int as n from package_registrations r
        where r.total_downloads <> (select sum(v.downloads) from package_versions v where v.lower_id = r.lower_id)`),
    );
    expect(totals[0].n).toBe(0);
    const stale = rowsOf(
      await handle.db.db.execute(sql`
        select count(*)::int as n from package_search s join package_registrations r using (lower_id)
        where s.total_downloads <> r.total_downloads`),
    );
    expect(stale[0].n).toBe(0);
  }, 120_000);

  it('search with 10,000 free-text terms answers (flat conditions), and the route refuses more than 100 with a 400', async () => {
    const terms = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    expect(await repo.search(filter({ terms }))).toEqual({ lowerIds: [], totalHits: 0 });
    const many = Array.from({ length: 10_000 }, (_, i) => `list.small${i}`);
    const hits = await repo.search(filter({ packageId: many.slice(0, 1), take: 5 }));
    expect(hits.lowerIds).toEqual(['list.small0']);
  }, 120_000);
});

describe.each(backends())('the search route with many terms (%s database)', (backend) => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('answers 100 distinct terms, refuses 101 with a clear 400, and counts repeated terms once', async () => {
    const q = (n: number, distinct = n) => Array.from({ length: n }, (_, i) => `w${i % distinct}`).join(' ');
    expect((await fetch(`${server.url}/v3/search?q=${encodeURIComponent(q(100))}`)).status).toBe(200);
    const refused = await fetch(`${server.url}/v3/search?q=${encodeURIComponent(q(101))}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/101 terms and field filters; Galleon accepts at most 100/);
    expect((await fetch(`${server.url}/v3/search?q=${encodeURIComponent(q(2000, 50))}`)).status).toBe(200);
  });
});
