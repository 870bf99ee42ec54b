/**
 * The push statement (db/packages.ts `insertVersion`, run by the function `galleon_push` of migration
 * 0002, whose text must be the code's) decides in SQL whether a pushed version is newer
 * than an id's search document (`versionOrderKey`). These tests hold that SQL order to NuGet's order
 * (feed/version.ts `compareVersions`) as a property over 12,000 generated versions and the tricky ones
 * (one statement ranks them all; the ranks must be those compareVersions gives); hold the view
 * `package_search_source` (migration 0003), which unlisting and relisting rebuild documents from, to
 * the same order (its text holds `versionOrderKey`, and it picks NuGet's latest of 4,000 ids of
 * neighbouring versions); and check
 * that the documents a series of pushes leaves are exactly what the view `package_search_source`
 * (what unlisting and relisting rebuild from) computes, on both databases, and that a duplicate
 * leaves nothing behind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { compareVersions, NuGetVersion, versionKey } from '../feed/version.ts';
import { backends, openTestDatabase } from '../test/support/server.ts';
import { versionRow } from '../test/support/package-rows.ts';
import { textArray } from './lists.ts';
import { PackageRepository, PUSH_FUNCTION_BODY, PUSH_STATEMENT, versionOrderKey } from './packages.ts';
import type { DatabaseHandle } from './connection.ts';

const TRICKY = [
  '0.0.0', '0.0.1', '1.0.0', '1.0.0.1', '1.0.1', '1.2.0', '1.10.0', '2.0.0', '10.0.0', '2147483647.0.0', '1.0.0.2147483647',
  '1.0.0-alpha', '1.0.0-ALPHA.2', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-alpha.-1', '1.0.0-alpha.10', '1.0.0-alpha.9',
  '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-beta-2', '1.0.0-beta-10', '1.0.0-rc.1', '1.0.0-rc1', '1.0.0-RC2',
  '1.0.0-1', '1.0.0-2', '1.0.0-10', '1.0.0--1', '1.0.0--2', '1.0.0--01', '1.0.0--0', '1.0.0-0', '1.0.0-0a', '1.0.0-a0', '1.0.0--',
  '1.0.0-2147483647', '1.0.0-2147483648', '1.0.0--2147483648', '1.0.0--2147483649', '1.0.0-9999999999', '1.0.0-99999999999999999999',
  '1.0.0--000000000000001', '1.0.0-a-b', '1.0.0-a.b.c', '1.0.0-a.b', '1.0.0-a', '1.0.0-z', '1.0.0-Z1', '1.0.0-x-',
  '1.0.0-1.2.3', '1.0.0-1.2', '1.0.0-1.a', '1.0.0-a.1', '2.0.0-alpha', '1.9.9.9', '1.9.9.9-zzz',
];

/** how many distinct version keys the order property is checked over (issue 10: at least 10,000) */
const PROPERTY_VERSIONS = 12_000;

/**
 * Deterministic pseudo-random NuGet versions (mulberry32 from `seed`), as distinct version keys, until
 * `count`: one to four numbers (small ones most often, so that versions share prefixes and the labels
 * decide; Int32 boundaries; leading zeros), a stable version or one to four labels mixing small and
 * Int32-boundary numbers, negative numbers, leading zeros, numbers beyond Int32 and beyond bigint,
 * letters of both cases, hyphens and letter-digit mixes, sometimes with build metadata (ignored).
 */
function generatedVersionKeys(count: number, seed: number): string[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const numbers = ['0', '1', '2', '3', '9', '10', '11', '99', '100', '01', '007', '2147483646', '2147483647'];
  const labels = [
    '0', '1', '2', '9', '10', '11', '99', '100', '1000000000', '2147483646', '2147483647', '2147483648', '9999999999', '99999999999999999999',
    '-1', '-2', '-10', '-0', '-01', '-001', '-2147483648', '-2147483649',
    'a', 'A', 'b', 'z', 'Z', 'alpha', 'ALPHA', 'Alpha', 'beta', 'rc', 'RC', 'preview', 'a1', 'a10', 'a2', '1a', '10a', '0a', '-a', 'a-', 'a-b', '-', '--', 'x-1', '1-x',
  ];
  const keys = new Set<string>();
  while (keys.size < count) {
    const parts = Array.from({ length: 1 + int(4) }, () => (rand() < 0.8 ? String(int(3)) : pick(numbers)));
    let text = parts.join('.');
    if (rand() < 0.85) text += '-' + Array.from({ length: 1 + int(4) }, () => (rand() < 0.3 ? String(int(4)) : pick(labels))).join('.');
    if (rand() < 0.1) text += '+build.' + int(100);
    if (NuGetVersion.tryParse(text)) keys.add(versionKey(text));
  }
  return [...keys];
}

function rows(result: unknown): Record<string, unknown>[] {
  return Array.isArray(result) ? result : ((result as { rows: Record<string, unknown>[] }).rows ?? []);
}

for (const backend of backends()) {
  describe(`push statement (${backend} database)`, () => {
    let db: DatabaseHandle;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ db, dispose } = await openTestDatabase(backend));
    });
    afterAll(async () => dispose?.());

    it('runs the statement of db/packages.ts: the migrated galleon_push has exactly its text', async () => {
      const [fn] = rows(await db.db.execute(sql`select prosrc from pg_proc where proname = 'galleon_push'`));
      expect(fn?.prosrc).toBe(PUSH_FUNCTION_BODY);
      expect(PUSH_STATEMENT).toContain(versionOrderKey('excluded.version_key'));
    });

    it('orders the view package_search_source (migration 0003), which unlisting rebuilds documents from, by versionOrderKey', async () => {
      const migration = await readFile(join(import.meta.dirname, 'migrations', '0003_search_source_order.sql'), 'utf8');
      const spaced = (text: string) => text.replace(/\s+/g, ' ');
      expect(spaced(migration)).toContain(`ORDER BY ${spaced(versionOrderKey('v.version_key'))} DESC`);
      const [view] = rows(await db.db.execute(sql`select pg_get_viewdef('package_search_source'::regclass) as text`));
      expect(String(view?.text)).toContain('2147483648');
    });

    it(`sorts ${PROPERTY_VERSIONS.toLocaleString('en')} generated versions in SQL exactly as compareVersions sorts them, ties included`, async () => {
      // the property: for every pair of keys, SQL's versionOrderKey order and NuGet's order agree (both
      // less, both equal or both greater). One statement ranks them all (dense_rank: equal keys share a
      // rank, so ties are checked too); the same ranks computed with compareVersions must be identical.
      const keys = [...new Set([...TRICKY.map((t) => versionKey(t)), ...generatedVersionKeys(PROPERTY_VERSIONS, 0x5eed0010)])];
      expect(keys.length).toBeGreaterThanOrEqual(PROPERTY_VERSIONS);
      const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const sql_ = rows(
        await db.db.execute(sql`
          select k, dense_rank() over (order by ${sql.raw(versionOrderKey('k'))})::int as rank
          from unnest(${textArray(keys)}) as u(k)
          order by rank, k collate "C"`),
      ).map((r) => ({ key: String(r.k), rank: Number(r.rank) }));
      const parsed = new Map(keys.map((k) => [k, NuGetVersion.parse(k)]));
      const nuget = (a: string, b: string) => compareVersions(parsed.get(a)!, parsed.get(b)!);
      const sorted = [...keys].sort((a, b) => nuget(a, b) || ordinal(a, b));
      const expected: { key: string; rank: number }[] = [];
      for (const [i, key] of sorted.entries()) {
        const rank = i === 0 ? 1 : expected[i - 1]!.rank + (nuget(sorted[i - 1]!, key) === 0 ? 0 : 1);
        expected.push({ key, rank });
      }
      // readable evidence first: neighbours in SQL's order that NuGet orders otherwise
      const wrong: string[] = [];
      for (let i = 1; i < sql_.length && wrong.length < 20; i++) {
        const [p, q] = [sql_[i - 1]!, sql_[i]!];
        const c = nuget(p.key, q.key);
        if (p.rank === q.rank ? c !== 0 : c >= 0) wrong.push(`${p.key} ${p.rank === q.rank ? '=' : '<'} ${q.key} in SQL, NuGet says ${c}`);
      }
      expect(wrong).toEqual([]);
      expect(sql_.length).toBe(keys.length);
      expect(sql_).toEqual(expected);
      // the generator reaches what the order must get right
      const ranks = new Set(expected.map((e) => e.rank));
      expect(ranks.size).toBeLessThan(keys.length); // some distinct keys are equal versions (1.0.0--01, 1.0.0--1)
      expect(keys.some((k) => /-.*\b-\d/.test(k))).toBe(true); // negative numeric labels
      expect(keys.some((k) => k.includes('2147483648'))).toBe(true); // beyond Int32: alphanumeric
    });

    it('leaves exactly the documents the view package_search_source computes, whatever the push order', async () => {
      const repo = new PackageRepository(db.db);
      // '10.0.0--1' and '10.0.0-1000000000': labels migration 0001's view ordered otherwise than NuGet
      const versions = ['1.0.0', '2.0.0-beta', '1.5.0', '3.0.0+build.7', '2.0.0', '3.0.0-rc.1', '2.0.0-alpha.2', '10.0.0--1', '10.0.0-1', '10.0.0-1000000000', '10.0.0-alpha', '2.5.0'];
      let n = 0;
      for (const id of ['Doc.A', 'Doc.B']) {
        const order = id === 'Doc.A' ? versions : [...versions].reverse();
        for (const v of order) await repo.insertVersion(versionRow(id, v, n++));
      }
      await repo.insertVersion(versionRow('Doc.C', '1.0.0', n++));
      await expect(repo.insertVersion(versionRow('doc.c', '1.0.0', n++))).rejects.toMatchObject({ code: 'duplicate_package' });
      const cols = 'lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags::text as tags, package_types::text as package_types, total_downloads';
      const pushed = rows(await db.db.execute(sql.raw(`select ${cols} from package_search order by lower_id, variant`)));
      const view = rows(await db.db.execute(sql.raw(`select ${cols} from package_search_source order by lower_id, variant`)));
      expect(pushed.length).toBe(12);
      expect(pushed).toEqual(view);
      expect(pushed.filter((r) => r.lower_id === 'doc.a').map((r) => r.version_key)).toEqual(['2.5.0', '10.0.0-alpha', '3.0.0', '10.0.0-alpha']);
    });

    it('rebuilds documents (the view package_search_source) with the latest version in NuGet order, for 4,000 ids of neighbouring versions', async () => {
      // what unlisting and relisting rebuild an id's documents from must pick the version NuGet calls the
      // latest: ids of three versions that are neighbours in NuGet order (where orders differ first),
      // written straight into the tables in two statements (the view reads only the rows)
      const parsed = new Map<string, NuGetVersion>();
      const nuget = (k: string) => parsed.get(k) ?? parsed.set(k, NuGetVersion.parse(k)).get(k)!;
      const sorted = generatedVersionKeys(PROPERTY_VERSIONS, 0x5eed0020).sort((a, b) => compareVersions(nuget(a), nuget(b)));
      const windows: string[][] = [];
      for (let i = 0; i + 3 <= sorted.length; i += 3) windows.push(sorted.slice(i, i + 3));
      windows.push(['1.0.0--1', '1.0.0-0', '0.0.0-a'], ['1.0.0-999999999', '1.0.0-1000000000', '0.0.0-a'], ['1.0.0-a.-2', '1.0.0-a.-1', '1.0.0-a']);
      const ids = windows.map((_, i) => `Nb.${i}`);
      const lowerIds = windows.flatMap((w, i) => w.map(() => ids[i]!.toLowerCase()));
      await db.db.execute(sql`
        insert into package_registrations (lower_id, id, created) select lower(i), i, now() from unnest(${textArray(ids)}) as u(i)`);
      // only what the view reads is real (the key, listed, the prerelease flag); the rest is filler
      await db.db.execute(sql`
        insert into package_versions (lower_id, version_key, version, full_version, original_version, major, minor, patch, revision,
          is_prerelease, is_semver2, listed, created, last_edited, authors, description, tags, has_icon, has_readme,
          require_license_acceptance, development_dependency, package_types, dependency_groups, is_script, package_hash,
          package_size, blob_key, search_text)
        select u.lower_id, u.k, u.k, u.k, u.k, 0, 0, 0, 0, strpos(u.k, '-') > 0, false, true, now(), now(), 'a', 'd', '[]', false,
          false, false, false, '[]', '[]', false, 'h', 1, u.lower_id || '/' || u.k || '/x', u.lower_id
        from unnest(${textArray(lowerIds)}, ${textArray(windows.flat())}) as u(lower_id, k)`);
      const view = rows(await db.db.execute(sql`select lower_id, version_key from package_search_source where variant = 3 and lower_id like 'nb.%'`));
      expect(view.length).toBe(windows.length);
      const chosen = new Map(view.map((r) => [String(r.lower_id), String(r.version_key)]));
      const wrong: string[] = [];
      for (const [i, w] of windows.entries()) {
        const latest = w.reduce((x, y) => (compareVersions(nuget(y), nuget(x)) > 0 ? y : x));
        const got = chosen.get(`nb.${i}`)!;
        // distinct keys can be equal versions (1.0.0-0 and 1.0.0--0): then either is the latest
        if (compareVersions(nuget(got), nuget(latest)) !== 0) wrong.push(`${w.join(', ')}: view ${got}, NuGet ${latest}`);
      }
      expect(wrong.slice(0, 10)).toEqual([]);
    }, 120_000);

    it('fails a duplicate push without leaving a row or changing the documents', async () => {
      const repo = new PackageRepository(db.db);
      await repo.insertVersion(versionRow('Dup.X', '1.0.0', 1));
      const before = rows(await db.db.execute(sql`select version_key from package_search where lower_id = 'dup.x' order by variant`));
      await expect(repo.insertVersion(versionRow('DUP.x', '1.0.0', 2))).rejects.toMatchObject({ code: 'duplicate_package' });
      expect(rows(await db.db.execute(sql`select version_key from package_versions where lower_id like 'dup.%' order by 1`)).map((r) => r.version_key)).toEqual(['1.0.0']);
      expect(rows(await db.db.execute(sql`select lower_id, id from package_registrations where lower_id like 'dup.%'`))).toEqual([{ lower_id: 'dup.x', id: 'Dup.X' }]);
      expect(rows(await db.db.execute(sql`select version_key from package_search where lower_id = 'dup.x' order by variant`))).toEqual(before);
    });
  });
}
