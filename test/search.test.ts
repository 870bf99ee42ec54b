/**
 * Search and autocomplete over the per-id search documents (db/schema.ts `package_search`), over
 * HTTP on every backend of `backends()`: ranking by downloads after a flush, which version is an
 * id's document (latest listed visible one per prerelease × SemVer 2 variant), unlisting, paging,
 * autocomplete by id parts, and the backfill of migration 0001 for a gallery created before it.
 *
 * As on nuget.org (db/search.ts `search`), an id's document is its latest listed visible version:
 * free text and the fields (`description:`, `author:`, `tags:`, `owner:` …) match that version's
 * metadata, so a term or author that only an older version had stops matching once a newer version
 * drops it (and matches again if that newer version is unlisted); `version:` still finds any listed
 * visible version. `owner:` is exact (one of the comma-separated owners).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { backends, createTestDatabase, pushPackage, startTestServer, TEST_API_KEY, type Backend, type TestServer } from './support/server.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations');

async function pkg(id: string, version: string, extra: Record<string, unknown> = {}) {
  return makeNupkg({ nuspec: nuspecXml({ id, version, ...extra } as any) });
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.json();
}

/** polls until `check` passes (download counts reach the database every GALLEON_DOWNLOAD_FLUSH_MS) */
async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.each(backends())('search documents (%s database)', (backend: Backend) => {
  let server: TestServer;
  let base: string;
  const push = async (id: string, version: string, extra: Record<string, unknown> = {}) =>
    expect((await pushPackage(base, await pkg(id, version, extra))).status).toBe(201);
  const setListed = async (id: string, version: string, listed: boolean) => {
    const res = await fetch(`${base}/api/v2/package/${id}/${version}`, {
      method: listed ? 'POST' : 'DELETE',
      headers: { 'X-NuGet-ApiKey': TEST_API_KEY },
    });
    expect(res.status).toBe(listed ? 200 : 204);
  };
  const ids = async (query: string) => (await getJson(`${base}/v3/search?${query}`)).data.map((d: any) => d.id);

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { GALLEON_DOWNLOAD_FLUSH_MS: '50' } });
    base = server.url;
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('ranks most downloaded first after the download counts are flushed, ties by id', async () => {
    await push('Rank.A', '1.0.0', { tags: 'ranktag' });
    await push('Rank.B', '1.0.0', { tags: 'ranktag' });
    await push('Rank.C', '1.0.0', { tags: 'ranktag' });
    await push('Rank.C', '1.1.0', { tags: 'ranktag' });
    expect(await ids('q=ranktag')).toEqual(['Rank.A', 'Rank.B', 'Rank.C']);
    const download = async (id: string, v: string) =>
      expect((await fetch(`${base}/v3/flatcontainer/${id}/${v}/${id}.${v}.nupkg`)).status).toBe(200);
    for (let i = 0; i < 3; i++) await download('rank.b', '1.0.0');
    await download('rank.c', '1.0.0');
    await download('rank.c', '1.1.0');
    await eventually(async () => {
      const body = await getJson(`${base}/v3/search?q=ranktag&poll=${Date.now()}`);
      expect(body.data.map((d: any) => [d.id, d.totalDownloads])).toEqual([['Rank.B', 3], ['Rank.C', 2], ['Rank.A', 0]]);
    });
    // the empty query ranks the same way (the ranking key is the id's total over all versions)
    const all = await ids('q=&take=1000');
    expect(all.filter((id: string) => id.startsWith('Rank.'))).toEqual(['Rank.B', 'Rank.C', 'Rank.A']);
  });

  it('matches free text and fields against the latest version only, as nuget.org does', async () => {
    await push('Drop.Pkg', '1.0.0', { description: 'Parses zebrafish files.', authors: 'Alice Zebra', owners: 'alice, contoso-team' });
    expect(await ids('q=zebrafish')).toEqual(['Drop.Pkg']);
    expect(await ids('q=author:zebra')).toEqual(['Drop.Pkg']);
    expect(await ids('q=owner:contoso-team')).toEqual(['Drop.Pkg']);
    expect(await ids('q=owner:alice')).toEqual(['Drop.Pkg']);
    // owner: is exact, not a substring
    expect(await ids('q=owner:contoso')).toEqual([]);
    expect(await ids('q=owner:ali')).toEqual([]);
    await push('Drop.Pkg', '1.1.0', { description: 'Parses files.', authors: 'Bob Otter', owners: 'bob' });
    const after = await getJson(`${base}/v3/search?q=zebrafish`);
    expect(after).toEqual({ totalHits: 0, data: [] });
    expect(await ids('q=description:zebrafish')).toEqual([]);
    expect(await ids('q=author:zebra')).toEqual([]);
    expect(await ids('q=author:otter')).toEqual(['Drop.Pkg']);
    expect(await ids('q=owner:alice')).toEqual([]);
    expect(await ids('q=owner:bob')).toEqual(['Drop.Pkg']);
    // version: still finds an older listed version
    expect(await ids('q=packageid:drop.pkg version:1.0.0')).toEqual(['Drop.Pkg']);
    // unlisting the newer version makes 1.0.0 the document again
    await setListed('Drop.Pkg', '1.1.0', false);
    const back = await getJson(`${base}/v3/search?q=zebrafish`);
    expect(back.data.map((d: any) => [d.id, d.version])).toEqual([['Drop.Pkg', '1.0.0']]);
    expect(await ids('q=owner:alice')).toEqual(['Drop.Pkg']);
  });

  it('keeps the newest version as the document when an older version is pushed later', async () => {
    await push('Late.Pkg', '2.0.0', { description: 'Current giraffeword.' });
    await push('Late.Pkg', '1.5.0', { description: 'Backported hippoword.' });
    await push('Late.Pkg', '3.0.0-beta', { description: 'Preview rhinoword.' });
    expect((await getJson(`${base}/v3/search?q=giraffeword`)).data.map((d: any) => d.version)).toEqual(['2.0.0']);
    expect(await ids('q=hippoword')).toEqual([]);
    expect(await ids('q=rhinoword')).toEqual([]);
    expect((await getJson(`${base}/v3/search?q=rhinoword&prerelease=true`)).data.map((d: any) => d.version)).toEqual(['3.0.0-beta']);
    const all = (await getJson(`${base}/v3/search?q=packageid:late.pkg`)).data[0];
    expect(all.versions.map((v: any) => v.version)).toEqual(['1.5.0', '2.0.0']);
  });

  it('unlisting the latest version makes the previous one the document; unlisting all hides the id', async () => {
    await push('Unl.Pkg', '1.0.0', { description: 'Old wombatword.' });
    await push('Unl.Pkg', '2.0.0', { description: 'New koalaword.' });
    expect((await getJson(`${base}/v3/search?q=koalaword`)).data[0].version).toBe('2.0.0');
    expect(await ids('q=wombatword')).toEqual([]);
    await setListed('Unl.Pkg', '2.0.0', false);
    expect(await ids('q=koalaword')).toEqual([]);
    const prev = await getJson(`${base}/v3/search?q=wombatword`);
    expect(prev.data.map((d: any) => [d.id, d.version])).toEqual([['Unl.Pkg', '1.0.0']]);
    await setListed('Unl.Pkg', '1.0.0', false);
    for (const q of ['q=wombatword', 'q=packageid:unl.pkg', 'q=id:unl.pkg', 'q=&take=1000&prerelease=true&semVerLevel=2.0.0']) {
      const body = await getJson(`${base}/v3/search?${q}`);
      expect(body.data.map((d: any) => d.id)).not.toContain('Unl.Pkg');
    }
    expect((await getJson(`${base}/v3/search?q=packageid:unl.pkg`)).totalHits).toBe(0);
    expect((await getJson(`${base}/v3/autocomplete?q=unl`)).data).not.toContain('Unl.Pkg');
    await setListed('Unl.Pkg', '2.0.0', true);
    expect((await getJson(`${base}/v3/search?q=koalaword`)).data.map((d: any) => d.version)).toEqual(['2.0.0']);
  });

  it('keeps one document per prerelease × SemVer 2 variant', async () => {
    await push('Var.Pkg', '1.0.0', { description: 'Stable stableword.' });
    await push('Var.Pkg', '2.0.0-beta', { description: 'Prerelease preword.' });
    await push('Var.Pkg', '3.0.0+build.7', { description: 'SemVer 2 semvertwoword.' });
    const hit = async (q: string) => (await getJson(`${base}/v3/search?${q}`)).data.map((d: any) => `${d.id} ${d.version}`);
    // prerelease=false, SemVer 1: 1.0.0
    expect(await hit('q=stableword')).toEqual(['Var.Pkg 1.0.0']);
    expect(await hit('q=preword')).toEqual([]);
    expect(await hit('q=semvertwoword')).toEqual([]);
    // prerelease=true, SemVer 1: 2.0.0-beta
    expect(await hit('q=preword&prerelease=true')).toEqual(['Var.Pkg 2.0.0-beta']);
    expect(await hit('q=stableword&prerelease=true')).toEqual([]);
    // prerelease=false, SemVer 2: 3.0.0+build.7
    expect(await hit('q=semvertwoword&semVerLevel=2.0.0')).toEqual(['Var.Pkg 3.0.0+build.7']);
    expect(await hit('q=preword&semVerLevel=2.0.0')).toEqual([]);
    // both: 3.0.0 is later than 2.0.0-beta
    expect(await hit('q=semvertwoword&prerelease=true&semVerLevel=2.0.0')).toEqual(['Var.Pkg 3.0.0+build.7']);
    // version: matches any listed visible version of the variant, not only the document's
    expect(await hit('q=packageid:var.pkg version:1.0.0&prerelease=true&semVerLevel=2.0.0')).toEqual(['Var.Pkg 3.0.0+build.7']);
    expect(await hit('q=packageid:var.pkg version:2.0.0-beta')).toEqual([]);
  });

  it('ends with the latest version as the document after concurrent pushes of one id', async () => {
    const bodies = await Promise.all(Array.from({ length: 12 }, (_, i) => pkg('Race.Pkg', `1.${i}.0`, { description: `racer${i}word` })));
    const results = await Promise.all(bodies.map((b) => pushPackage(base, b)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    const body = await getJson(`${base}/v3/search?q=packageid:race.pkg`);
    expect(body.data.map((d: any) => [d.version, d.versions.length])).toEqual([['1.11.0', 12]]);
    expect(await ids('q=racer11word')).toEqual(['Race.Pkg']);
    expect(await ids('q=racer3word')).toEqual([]);
  });

  it('counts totalHits exactly, whatever skip and take', async () => {
    for (const s of ['A', 'B', 'C', 'D', 'E']) await push(`Page.${s}`, '1.0.0', { tags: 'pagetag' });
    const page = await getJson(`${base}/v3/search?q=tags:pagetag&skip=2&take=2`);
    expect(page.totalHits).toBe(5);
    expect(page.data.map((d: any) => d.id)).toEqual(['Page.C', 'Page.D']);
    expect(await getJson(`${base}/v3/search?q=tags:pagetag&skip=10&take=2`)).toEqual({ totalHits: 5, data: [] });
    expect((await getJson(`${base}/v3/search?q=tags:pagetag&take=10`)).totalHits).toBe(5);
    expect((await getJson(`${base}/v3/search?q=pagetag&skip=4&take=1`)).totalHits).toBe(5);
  });

  it('autocompletes ids whose dot/dash-separated parts start with the prefix', async () => {
    for (const id of ['Quokka.Core-Tools', 'Acme.Quokka', 'Acme-QuokkaLib', 'NotQuokka']) await push(id, '1.0.0');
    await push('Quokka.Pre', '1.0.0-beta');
    const ac = async (q: string) => (await getJson(`${base}/v3/autocomplete?${q}`)) as { totalHits: number; data: string[] };
    const quokka = await ac('q=QUOKKA');
    expect([...quokka.data].sort()).toEqual(['Acme-QuokkaLib', 'Acme.Quokka', 'Quokka.Core-Tools']);
    expect(quokka.totalHits).toBe(3);
    expect((await ac('q=tools')).data).toContain('Quokka.Core-Tools');
    expect((await ac('q=core-t')).data).toContain('Quokka.Core-Tools');
    expect((await ac('q=uokka')).data).toEqual([]);
    expect((await ac('q=quokka.pre')).data).toEqual([]);
    expect((await ac('q=quokka.pre&prerelease=true')).data).toEqual(['Quokka.Pre']);
    const paged = await ac('q=quokka&skip=1&take=1');
    expect(paged.totalHits).toBe(3);
    expect(paged.data).toHaveLength(1);
  });
});

// ---- migration 0001 backfill -------------------------------------------------------------------

/** a copy of db/migrations holding only migration 0000 (the schema before search documents) */
async function migrationsUpTo0000(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'galleon-migrations-'));
  await cp(MIGRATIONS, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx === 0);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

/** rows of a gallery created before migration 0001, in that schema */
const OLD_ROWS = `
insert into package_registrations (lower_id, id, created) values
  ('old.pkg', 'Old.Pkg', now()), ('old.gone', 'Old.Gone', now()), ('old.popular', 'Old.Popular', now());
insert into package_versions (lower_id, version_key, version, full_version, original_version, major, minor, patch, revision,
  is_prerelease, is_semver2, listed, created, last_edited, authors, description, tags, has_icon, has_readme,
  require_license_acceptance, development_dependency, package_types, dependency_groups, is_script, package_hash,
  package_size, downloads, blob_key, search_text)
select lower_id, k, k, k, k, ma, mi, pa, 0, pre, false, listed, now(), now(), 'Someone', d, '["Legacy"]'::jsonb, false, false,
  false, false, '[]'::jsonb, '[]'::jsonb, false, 'h', 1, dl, lower_id || '/' || k || '/x', lower(lower_id || ' ' || d || ' legacy')
from (values
  ('old.pkg', '1.0.0', 1, 0, 0, false, true, 'Has platypusword.', 5),
  ('old.pkg', '1.10.0', 1, 10, 0, false, true, 'Newest echidnaword.', 1),
  ('old.pkg', '1.9.0', 1, 9, 0, false, true, 'Middle.', 1),
  ('old.pkg', '2.0.0-rc.1', 2, 0, 0, true, true, 'Prerelease numbatword.', 0),
  ('old.gone', '1.0.0', 1, 0, 0, false, false, 'Unlisted.', 100),
  ('old.popular', '1.0.0', 1, 0, 0, false, true, 'Popular.', 40)
) as t(lower_id, k, ma, mi, pa, pre, listed, d, dl);
`;

describe.each(backends())('migration 0001 backfills search documents (%s database)', (backend: Backend) => {
  let server: (TestServer & { databaseUrl: string | null }) | null = null;
  let cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const migrations = await migrationsUpTo0000();
    cleanup.push(() => rm(migrations, { recursive: true, force: true }));
    if (backend === 'embedded') {
      const dataDir = await mkdtemp(join(tmpdir(), 'galleon-test-'));
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
      const client = new PGlite(join(dataDir, 'db'));
      await migratePglite(drizzlePglite(client), { migrationsFolder: migrations });
      await client.exec(OLD_ROWS);
      await client.close();
      server = await startTestServer(backend, { dataDir });
    } else {
      const created = await createTestDatabase();
      cleanup.push(created.drop);
      const client = postgres(created.url, { max: 1, onnotice: () => {} });
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: migrations });
      await client.unsafe(OLD_ROWS);
      await client.end();
      server = await startTestServer(backend, { databaseUrl: created.url });
      const dataDir = server.dataDir; // made by startTestServer; stopOnly() leaves it
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    }
  });
  afterAll(async () => {
    await server?.stopOnly();
    for (const f of cleanup.reverse()) await f();
    cleanup = [];
  });

  it('finds the existing ids by their latest listed version, ranked by their downloads', async () => {
    const base = server!.url;
    const all = await getJson(`${base}/v3/search?q=&prerelease=true&semVerLevel=2.0.0`);
    expect(all.data.map((d: any) => `${d.id} ${d.version}`)).toEqual(['Old.Popular 1.0.0', 'Old.Pkg 2.0.0-rc.1']);
    expect(all.totalHits).toBe(2);
    const stable = await getJson(`${base}/v3/search?q=echidnaword`);
    expect(stable.data.map((d: any) => `${d.id} ${d.version}`)).toEqual(['Old.Pkg 1.10.0']);
    expect((await getJson(`${base}/v3/search?q=platypusword`)).totalHits).toBe(0);
    expect((await getJson(`${base}/v3/search?q=numbatword&prerelease=true`)).totalHits).toBe(1);
    expect((await getJson(`${base}/v3/search?q=tags:legacy`)).data.map((d: any) => d.id)).toEqual(['Old.Popular', 'Old.Pkg']);
    expect((await getJson(`${base}/v3/autocomplete?q=old`)).data).toEqual(['Old.Pkg', 'Old.Popular']);
    // and the documents stay maintained after the upgrade
    const res = await fetch(`${base}/api/v2/package/old.pkg/1.10.0`, { method: 'DELETE', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
    expect(res.status).toBe(204);
    expect((await getJson(`${base}/v3/search?q=packageid:old.pkg`)).data[0].version).toBe('1.9.0');
  });
});
