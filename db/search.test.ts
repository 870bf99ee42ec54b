/**
 * db/search.ts on every backend of `backends()`, at the repository level: which ids a search finds
 * (the latest listed visible version is an id's document, per prerelease × SemVer 2 variant), the
 * field filters and their exactness, user text taken literally (no LIKE wildcards), ranking by
 * downloads and exact totals over pages, the records of a result page, and autocomplete by id parts.
 * The rows are written by the real push statement (db/packages.ts `insertVersion`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../test/support/server.ts';
import { versionRow } from '../test/support/package-rows.ts';
import { DownloadCounters } from './downloads.ts';
import { PackageRepository } from './packages.ts';
import { SearchQueries, type SearchFilter } from './search.ts';

function filter(overrides: Partial<SearchFilter> = {}): SearchFilter {
  return {
    terms: [], id: [], packageId: [], tags: [], author: [], title: [], description: [], summary: [], owner: [], version: [],
    prerelease: false, semVer2: false, packageType: null, skip: 0, take: 20, ...overrides,
  };
}

const none = { owners: null, packageTypes: [] };

describe.each(backends())('search queries (%s database)', (backend) => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let repo: PackageRepository;
  let search: SearchQueries;

  beforeAll(async () => {
    handle = await openTestDatabase(backend);
    repo = new PackageRepository(handle.db.db);
    search = new SearchQueries(handle.db.db);
    const rows = [
      versionRow('Contoso.Json', '1.0.0', 1, { ...none, searchText: 'contoso.json oldword', authors: 'Alice Old', tags: ['json', 'legacy'] }),
      versionRow('Contoso.Json', '2.0.0', 2, {
        ...none, searchText: 'contoso.json newword', authors: 'Bob New', owners: 'Contoso Team, jdoe', tags: ['JSON', 'Serializer'],
        description: 'Fast JSON', packageTypes: [{ name: 'DotnetTool' }],
      }),
      versionRow('Contoso.Json', '3.0.0-beta', 3, { ...none, searchText: 'contoso.json betaword', authors: 'Carol Beta' }),
      versionRow('Contoso.Json', '3.0.0-rc.1', 4, { ...none, searchText: 'contoso.json rcword', authors: 'Dan Rc' }),
      versionRow('Contoso.Json.Schema', '1.0.0', 5, { ...none, searchText: 'contoso.json.schema schemas' }),
      versionRow('Fabrikam-Tools', '1.0.0-alpha', 6, { ...none, searchText: 'fabrikam-tools tools' }),
      versionRow('Fabrikam.SemVer', '1.0.0+build.5', 7, { ...none, searchText: 'fabrikam.semver metadata' }),
      versionRow('Under_Score', '1.0.0', 8, { ...none, searchText: 'under_score 100%' }),
      versionRow('UnderXScore', '1.0.0', 9, { ...none, searchText: 'underxscore 1000' }),
      versionRow('Hidden.Pkg', '1.0.0', 10, { ...none, searchText: 'hidden.pkg hiddenword' }),
    ];
    for (const row of rows) await repo.insertVersion(row);
    await repo.setListed('hidden.pkg', '1.0.0', false, new Date());
  }, 120_000);
  afterAll(async () => {
    await handle?.dispose();
  });

  const ids = async (f: Partial<SearchFilter>) => (await search.search(filter(f))).lowerIds;

  it('matches free text against the latest listed version only, and again against the older one once that is unlisted', async () => {
    expect(await ids({ terms: ['newword'] })).toEqual(['contoso.json']);
    expect(await ids({ terms: ['oldword'] })).toEqual([]);
    await repo.setListed('contoso.json', '2.0.0', false, new Date());
    try {
      expect(await ids({ terms: ['oldword'] })).toEqual(['contoso.json']);
      expect(await ids({ terms: ['newword'] })).toEqual([]);
    } finally {
      await repo.setListed('contoso.json', '2.0.0', true, new Date());
    }
    expect(await ids({ terms: ['newword'] })).toEqual(['contoso.json']);
    expect(await ids({ terms: ['hiddenword'] })).toEqual([]);
  });

  it('shows prerelease and SemVer 2 documents only to the variants that allow them', async () => {
    const stable = ['contoso.json', 'contoso.json.schema', 'under_score', 'underxscore'];
    expect((await ids({})).sort()).toEqual(stable);
    expect((await ids({ prerelease: true })).sort()).toEqual([...stable, 'fabrikam-tools'].sort());
    expect((await ids({ semVer2: true })).sort()).toEqual([...stable, 'fabrikam.semver'].sort());
    expect(await ids({ terms: ['betaword'], prerelease: true })).toEqual(['contoso.json']);
    expect(await ids({ terms: ['betaword'], prerelease: true, semVer2: true })).toEqual([]);
    expect(await ids({ terms: ['rcword'], prerelease: true, semVer2: true })).toEqual(['contoso.json']);
  });

  it('applies each field filter with its own exactness', async () => {
    expect(await ids({ author: ['bob'] })).toEqual(['contoso.json']);
    expect(await ids({ author: ['alice'] })).toEqual([]);
    expect(await ids({ tags: ['serializer'] })).toEqual(['contoso.json']);
    expect(await ids({ tags: ['serial'] })).toEqual([]);
    expect(await ids({ owner: ['jdoe'] })).toEqual(['contoso.json']);
    expect(await ids({ owner: ['contoso team'] })).toEqual(['contoso.json']);
    expect(await ids({ owner: ['contoso'] })).toEqual([]);
    expect((await ids({ id: ['json'] })).sort()).toEqual(['contoso.json', 'contoso.json.schema']);
    expect(await ids({ packageId: ['contoso.json'] })).toEqual(['contoso.json']);
    expect(await ids({ description: ['fast json'] })).toEqual(['contoso.json']);
    expect(await ids({ version: ['1.0.0'], packageId: ['contoso.json'] })).toEqual(['contoso.json']);
    expect(await ids({ version: ['3.0.0-beta'] })).toEqual([]);
    expect(await ids({ version: ['3.0.0-beta'], prerelease: true })).toEqual(['contoso.json']);
    expect(await ids({ packageType: 'DotnetTool' })).toEqual(['contoso.json']);
    expect((await ids({ packageType: 'Dependency' })).sort()).toEqual(['contoso.json.schema', 'under_score', 'underxscore']);
    expect(await ids({ terms: ['contoso'], author: ['bob'], tags: ['json'] })).toEqual(['contoso.json']);
  });

  it('takes % and _ in user text literally', async () => {
    expect(await ids({ id: ['under_score'] })).toEqual(['under_score']);
    expect(await ids({ terms: ['100%'] })).toEqual(['under_score']);
    expect(await ids({ terms: ['%'] })).toEqual(['under_score']);
    expect(await ids({ terms: ['_'] })).toEqual(['under_score']);
  });

  it('ranks by downloads, then by id, with exact totals on every page', async () => {
    const counters = new DownloadCounters(handle.db.db);
    await counters.addDownloads(new Map([['underxscore/1.0.0', 5], ['contoso.json.schema/1.0.0', 3], ['contoso.json/1.0.0', 2], ['contoso.json/2.0.0', 2]]));
    expect(await ids({})).toEqual(['underxscore', 'contoso.json', 'contoso.json.schema', 'under_score']);
    expect(await search.search(filter({ skip: 1, take: 2 }))).toEqual({ lowerIds: ['contoso.json', 'contoso.json.schema'], totalHits: 4 });
    expect(await search.search(filter({ skip: 0, take: 2 }))).toEqual({ lowerIds: ['underxscore', 'contoso.json'], totalHits: 4 });
    expect(await search.search(filter({ skip: 10, take: 2 }))).toEqual({ lowerIds: [], totalHits: 4 });
  });

  it('gives a result page every listed visible version, with the document version\'s metadata', async () => {
    const records = await search.getSearchRecordsFor(['contoso.json', 'fabrikam-tools', 'no.such.id'], false, false);
    expect(records.map((r) => r.version).sort()).toEqual(['1.0.0', '2.0.0']);
    for (const r of records) {
      expect(r).toMatchObject({ lowerId: 'contoso.json', id: 'Contoso.Json', authors: 'Bob New', description: 'Fast JSON', listed: true });
    }
    const pre = await search.getSearchRecordsFor(['contoso.json', 'fabrikam-tools'], true, false);
    expect(pre.map((r) => `${r.lowerId} ${r.version} ${r.isPrerelease}`).sort()).toEqual([
      'contoso.json 1.0.0 false', 'contoso.json 2.0.0 false', 'contoso.json 3.0.0-beta true', 'fabrikam-tools 1.0.0-alpha true',
    ]);
    expect(pre.find((r) => r.version === '3.0.0-beta')).toMatchObject({ authors: 'Carol Beta' });
    expect(await search.getSearchRecordsFor([], true, true)).toEqual([]);
    expect(await search.getSearchRecordsFor(['hidden.pkg'], true, true)).toEqual([]);
  });

  it('autocompletes ids by prefix of the id or of a dot- or dash-separated part, in registered casing', async () => {
    const opts = { prerelease: false, semVer2: false, packageType: null, skip: 0, take: 20 };
    expect(await search.autocompleteIds('CONTOSO', opts)).toEqual({ ids: ['Contoso.Json', 'Contoso.Json.Schema'], totalHits: 2 });
    expect(await search.autocompleteIds('schema', opts)).toEqual({ ids: ['Contoso.Json.Schema'], totalHits: 1 });
    expect(await search.autocompleteIds('son', opts)).toEqual({ ids: [], totalHits: 0 });
    expect(await search.autocompleteIds('tools', opts)).toEqual({ ids: [], totalHits: 0 });
    expect(await search.autocompleteIds('tools', { ...opts, prerelease: true })).toEqual({ ids: ['Fabrikam-Tools'], totalHits: 1 });
    expect(await search.autocompleteIds('under_', opts)).toEqual({ ids: ['Under_Score'], totalHits: 1 });
    expect(await search.autocompleteIds('hidden', opts)).toEqual({ ids: [], totalHits: 0 });
    expect(await search.autocompleteIds('', { ...opts, packageType: 'dotnettool' })).toEqual({ ids: ['Contoso.Json'], totalHits: 1 });
    expect(await search.autocompleteIds('', { ...opts, skip: 1, take: 2 })).toEqual({ ids: ['Contoso.Json.Schema', 'Under_Score'], totalHits: 4 });
  });
});
