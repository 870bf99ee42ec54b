/**
 * The push statement (db/packages.ts `insertVersion`, run by the function `galleon_push` of migration
 * 0002, whose text must be the code's) decides in SQL whether a pushed version is newer
 * than an id's search document (`versionOrderKey`). These tests hold that SQL order to NuGet's order
 * (feed/version.ts `compareVersions`) on every pair of a set of tricky and random versions, and check
 * that the documents a series of pushes leaves are exactly what the view `package_search_source`
 * (what unlisting and relisting rebuild from) computes, on both databases, and that a duplicate
 * leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { compareVersions, NuGetVersion, versionKey } from '../feed/version.ts';
import { backends, openTestDatabase } from '../test/support/server.ts';
import { textArray } from './lists.ts';
import { PackageRepository, PUSH_FUNCTION_BODY, PUSH_STATEMENT, versionOrderKey, type NewPackageVersion } from './packages.ts';
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

/** deterministic pseudo-random versions: up to 4 numbers, up to 3 labels mixing numbers, signs and letters */
function randomVersions(count: number): string[] {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const labels = ['a', 'b', 'alpha', 'Beta', 'rc', '0', '1', '2', '9', '10', '-1', '-5', 'x-1', '1-x', '2147483647', '2147483648', '007x'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const nums = Array.from({ length: 1 + rnd(4) }, () => String(rnd(3)));
    let v = nums.join('.');
    const nl = rnd(4);
    if (nl > 0) v += '-' + Array.from({ length: nl }, () => labels[rnd(labels.length)]).join('.');
    if (NuGetVersion.tryParse(v)) out.push(v);
  }
  return out;
}

function rows(result: unknown): Record<string, unknown>[] {
  return Array.isArray(result) ? result : ((result as { rows: Record<string, unknown>[] }).rows ?? []);
}

function newRow(id: string, version: string, n: number, extra: Partial<NewPackageVersion> = {}): NewPackageVersion {
  const v = NuGetVersion.parse(version);
  const now = new Date(Date.UTC(2026, 0, 1, 0, 0, n));
  const tags = n % 2 ? ['Bench', 'PSModule', 'bench'] : ['Other', 'ünïcode'];
  return {
    id, version: v.toNormalizedString(), fullVersion: v.toFullString(), originalVersion: version, moduleVersion: null,
    isPrerelease: v.isPrerelease, isSemVer2: v.isSemVer2, listed: true, created: now, lastEdited: now,
    authors: `Author ${n}, Ünïcode`, owners: n % 3 ? null : 'Owner A, owner b', title: n % 2 ? `Title ${n}` : null, summary: null,
    description: `Description ${n} MIXED Case`, releaseNotes: null, copyright: null, language: null, tags, projectUrl: null,
    iconUrl: null, hasIcon: false, licenseUrl: null, licenseExpression: null, hasReadme: false, requireLicenseAcceptance: false,
    developmentDependency: false, minClientVersion: null,
    packageTypes: n % 4 === 0 ? [] : [{ name: 'Dependency', version: null }, { name: 'DotnetTool', version: null }],
    dependencyGroups: [], isScript: false, packageHash: 'h', packageSize: 1, versionKey: versionKey(version),
    major: v.major, minor: v.minor, patch: v.patch, revision: v.revision, blobKey: `${id.toLowerCase()}/${versionKey(version)}/u${n}`,
    searchText: `${id} title ${n} description ${n}`.toLowerCase(), ...extra,
  } as NewPackageVersion;
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

    it('orders version keys in SQL exactly as compareVersions orders the versions', async () => {
      const texts = [...new Set([...TRICKY, ...randomVersions(400)])].filter((t) => NuGetVersion.tryParse(t));
      const keys = [...new Set(texts.map((t) => versionKey(t)))];
      const result = rows(
        await db.db.execute(sql`
          select a.k as a, b.k as b, ${sql.raw(versionOrderKey('a.k'))} > ${sql.raw(versionOrderKey('b.k'))} as gt,
            ${sql.raw(versionOrderKey('a.k'))} = ${sql.raw(versionOrderKey('b.k'))} as eq
          from unnest(${textArray(keys)}) as a(k) cross join unnest(${textArray(keys)}) as b(k)`),
      );
      expect(result.length).toBe(keys.length * keys.length);
      const wrong: string[] = [];
      for (const r of result) {
        const c = compareVersions(NuGetVersion.parse(String(r.a)), NuGetVersion.parse(String(r.b)));
        if ((c > 0) !== r.gt || (c === 0) !== r.eq) wrong.push(`${r.a} vs ${r.b}: NuGet ${c}, SQL gt ${r.gt} eq ${r.eq}`);
      }
      expect(wrong.slice(0, 20)).toEqual([]);
    });

    it('leaves exactly the documents the view package_search_source computes, whatever the push order', async () => {
      const repo = new PackageRepository(db.db);
      // not '10.0.0--1': the view orders a negative numeric label ("-1") as alphanumeric, after "1",
      // where NuGet (and so every push, before and after the one-statement push) orders it as the number -1
      const versions = ['1.0.0', '2.0.0-beta', '1.5.0', '3.0.0+build.7', '2.0.0', '3.0.0-rc.1', '2.0.0-alpha.2', '10.0.0-1', '10.0.0-alpha', '2.5.0'];
      let n = 0;
      for (const id of ['Doc.A', 'Doc.B']) {
        const order = id === 'Doc.A' ? versions : [...versions].reverse();
        for (const v of order) await repo.insertVersion(newRow(id, v, n++));
      }
      await repo.insertVersion(newRow('Doc.C', '1.0.0', n++));
      await expect(repo.insertVersion(newRow('doc.c', '1.0.0', n++))).rejects.toMatchObject({ code: 'duplicate_package' });
      const cols = 'lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags::text as tags, package_types::text as package_types, total_downloads';
      const pushed = rows(await db.db.execute(sql.raw(`select ${cols} from package_search order by lower_id, variant`)));
      const view = rows(await db.db.execute(sql.raw(`select ${cols} from package_search_source order by lower_id, variant`)));
      expect(pushed.length).toBe(12);
      expect(pushed).toEqual(view);
      expect(pushed.filter((r) => r.lower_id === 'doc.a').map((r) => r.version_key)).toEqual(['2.5.0', '10.0.0-alpha', '3.0.0', '10.0.0-alpha']);
    });

    it('fails a duplicate push without leaving a row or changing the documents', async () => {
      const repo = new PackageRepository(db.db);
      await repo.insertVersion(newRow('Dup.X', '1.0.0', 1));
      const before = rows(await db.db.execute(sql`select version_key from package_search where lower_id = 'dup.x' order by variant`));
      await expect(repo.insertVersion(newRow('DUP.x', '1.0.0', 2))).rejects.toMatchObject({ code: 'duplicate_package' });
      expect(rows(await db.db.execute(sql`select version_key from package_versions where lower_id like 'dup.%' order by 1`)).map((r) => r.version_key)).toEqual(['1.0.0']);
      expect(rows(await db.db.execute(sql`select lower_id, id from package_registrations where lower_id like 'dup.%'`))).toEqual([{ lower_id: 'dup.x', id: 'Dup.X' }]);
      expect(rows(await db.db.execute(sql`select version_key from package_search where lower_id = 'dup.x' order by variant`))).toEqual(before);
    });
  });
}
