/**
 * db/downloads.ts on every backend of `backends()`: one flush of buffered counts raises each version's
 * `downloads`, its id's total (what registration leaves and search results show) and the id's search
 * documents (the ranking), ignores keys of unknown versions, and accumulates over flushes; unlisted
 * versions keep counting. The 10,000-element flush is audited in test/list-binding.test.ts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../test/support/server.ts';
import { versionRow } from '../test/support/package-rows.ts';
import { normalizeRows } from './columns.ts';
import { DownloadCounters } from './downloads.ts';
import { PackageRepository } from './packages.ts';

describe.each(backends())('download counters (%s database)', (backend) => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let repo: PackageRepository;
  let counters: DownloadCounters;

  beforeAll(async () => {
    handle = await openTestDatabase(backend);
    repo = new PackageRepository(handle.db.db);
    counters = new DownloadCounters(handle.db.db);
    let n = 0;
    for (const [id, version] of [['Dl.A', '1.0.0'], ['Dl.A', '2.0.0'], ['Dl.A', '3.0.0-beta'], ['Dl.B', '1.0.0'], ['Dl.C', '1.0.0']]) {
      await repo.insertVersion(versionRow(id, version, n++));
    }
  }, 120_000);
  afterAll(async () => {
    await handle?.dispose();
  });

  /** per version `id/key downloads`, per id `id total`, per search document `id variant total` */
  async function state(): Promise<{ versions: string[]; totals: string[]; documents: string[] }> {
    const q = async (text: string) => normalizeRows(await handle.db.db.execute(sql.raw(text))).map((r) => Object.values(r).join(' '));
    return {
      versions: await q(`select lower_id || '/' || version_key, downloads from package_versions order by 1`),
      totals: await q(`select lower_id, total_downloads from package_registrations order by 1`),
      documents: await q(`select lower_id, variant, total_downloads from package_search order by 1, 2`),
    };
  }

  it('starts at zero everywhere, and an empty flush changes nothing', async () => {
    await counters.addDownloads(new Map());
    const s = await state();
    expect(s.versions).toEqual(['dl.a/1.0.0 0', 'dl.a/2.0.0 0', 'dl.a/3.0.0-beta 0', 'dl.b/1.0.0 0', 'dl.c/1.0.0 0']);
    expect(s.totals).toEqual(['dl.a 0', 'dl.b 0', 'dl.c 0']);
    expect(s.documents.every((d) => d.endsWith(' 0'))).toBe(true);
  });

  it('adds one flush to the versions, their ids and every search document of those ids, ignoring unknown versions', async () => {
    await counters.addDownloads(new Map([['dl.a/1.0.0', 2], ['dl.a/3.0.0-beta', 5], ['dl.b/1.0.0', 1], ['dl.a/9.9.9', 7], ['no.such/1.0.0', 4]]));
    const s = await state();
    expect(s.versions).toEqual(['dl.a/1.0.0 2', 'dl.a/2.0.0 0', 'dl.a/3.0.0-beta 5', 'dl.b/1.0.0 1', 'dl.c/1.0.0 0']);
    expect(s.totals).toEqual(['dl.a 7', 'dl.b 1', 'dl.c 0']);
    // dl.a's stable documents (variants 0 and 2) count the prerelease's downloads too: the id's total
    expect(s.documents).toEqual([
      'dl.a 0 7', 'dl.a 1 7', 'dl.a 2 7', 'dl.a 3 7', 'dl.b 0 1', 'dl.b 1 1', 'dl.b 2 1', 'dl.b 3 1',
      'dl.c 0 0', 'dl.c 1 0', 'dl.c 2 0', 'dl.c 3 0',
    ]);
  });

  it('accumulates over flushes, and keeps counting an unlisted version', async () => {
    await repo.setListed('dl.b', '1.0.0', false, new Date());
    await counters.addDownloads(new Map([['dl.a/1.0.0', 3], ['dl.b/1.0.0', 10]]));
    await counters.addDownloads(new Map([['dl.a/1.0.0', 1]]));
    const s = await state();
    expect(s.versions).toEqual(['dl.a/1.0.0 6', 'dl.a/2.0.0 0', 'dl.a/3.0.0-beta 5', 'dl.b/1.0.0 11', 'dl.c/1.0.0 0']);
    expect(s.totals).toEqual(['dl.a 11', 'dl.b 11', 'dl.c 0']);
    // dl.b has no listed version, so no search document to update
    expect(s.documents.filter((d) => d.startsWith('dl.b'))).toEqual([]);
    expect(s.documents.filter((d) => d.startsWith('dl.a'))).toEqual(['dl.a 0 11', 'dl.a 1 11', 'dl.a 2 11', 'dl.a 3 11']);
    // relisting rebuilds the documents with the id's total
    await repo.setListed('dl.b', '1.0.0', true, new Date());
    expect((await state()).documents.filter((d) => d.startsWith('dl.b'))).toEqual(['dl.b 0 11', 'dl.b 1 11', 'dl.b 2 11', 'dl.b 3 11']);
  });

  it('shows the counts where clients read them: version records and the search ranking', async () => {
    const records = await repo.getRecords('dl.a');
    expect(Object.fromEntries(records.map((r) => [r.version, r.downloads]))).toEqual({ '1.0.0': 6, '2.0.0': 0, '3.0.0-beta': 5 });
    const all = { terms: [], id: [], packageId: [], tags: [], author: [], title: [], description: [], summary: [], owner: [], version: [] };
    const hits = await repo.searchQueries.search({ ...all, prerelease: false, semVer2: false, packageType: null, skip: 0, take: 10 });
    expect(hits.lowerIds).toEqual(['dl.a', 'dl.b', 'dl.c']);
  });
});
