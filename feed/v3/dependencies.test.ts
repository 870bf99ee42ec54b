import { describe, expect, it } from 'vitest';
import {
  buildDependenciesIndex,
  buildDependenciesPage,
  buildDependencyLeaf,
  mergeDependencies,
  planDependencyPages,
  type SlimIndexJson,
} from './dependencies.ts';
import { FeedUrls } from '../urls.ts';
import type { PackageRecord } from '../types.ts';
import { NuGetVersion } from '../version.ts';
import { makeRecord, makeVersions } from '../../test/helpers/records.ts';
import { expectGolden } from '../../test/helpers/golden.ts';

const urls = new FeedUrls('https://pkgs.example.com');

/** Three versions of a PowerShell module: a 4-part manifest version, a 2-part one, and an unlisted one. */
function moduleVersions(): PackageRecord[] {
  const base: Partial<PackageRecord> = {
    id: 'Contoso.PSTools',
    tags: ['PSModule'],
    dependencyGroups: [
      {
        targetFramework: null,
        dependencies: [
          { id: 'Contoso.Core', range: '[1.2.0, )' },
          { id: 'PSReadLine', range: '' },
        ],
      },
    ],
  };
  return [
    makeRecord({ ...base, version: '2.1.0', originalVersion: '2.1', moduleVersion: '2.1' }),
    makeRecord({ ...base, version: '1.0.0', originalVersion: '1.0.0.0', moduleVersion: '1.0.0.0' }),
    makeRecord({ ...base, version: '1.5.0', originalVersion: '1.5.0', moduleVersion: '1.5.0', listed: false }),
    makeRecord({
      ...base,
      version: '3.0.0-Preview1',
      originalVersion: '3.0.0-Preview1',
      moduleVersion: '3.0.0-Preview1',
      dependencyGroups: [],
    }),
  ];
}

function scriptVersions(): PackageRecord[] {
  return [
    makeRecord({ id: 'Get-ContosoInfo', version: '1.0.0', tags: ['PSScript'], isScript: true }),
    makeRecord({
      id: 'Get-ContosoInfo',
      version: '1.1.0',
      fullVersion: '1.1.0+build.7',
      tags: ['PSScript'],
      isScript: true,
      dependencyGroups: [{ targetFramework: null, dependencies: [{ id: 'Contoso.PSTools', range: '[2.1.0, )' }] }],
    }),
  ];
}

function allLeaves(index: SlimIndexJson) {
  return index.items.flatMap((p) => p.items ?? []);
}

describe('golden dependency-only documents', () => {
  it('index of a PowerShell module', () => {
    expectGolden('dependencies-index-module', buildDependenciesIndex('Contoso.PSTools', moduleVersions(), urls));
  });

  it('index of a PowerShell script', () => {
    expectGolden('dependencies-index-script', buildDependenciesIndex('Get-ContosoInfo', scriptVersions(), urls));
  });

  it('index of an id with 1,200 listed versions: newest pages inlined, oldest linked', () => {
    expectGolden('dependencies-index-1200', buildDependenciesIndex('Contoso.Tools', makeVersions(1200), urls));
  });
});

describe('buildDependenciesIndex (§5.2, §5.3)', () => {
  it('leaves unlisted versions out and counts pages', () => {
    const index = buildDependenciesIndex('Contoso.PSTools', moduleVersions(), urls)!;
    expect(index.count).toBe(1);
    expect(allLeaves(index).map((l) => l.catalogEntry.version)).toEqual(['1.0.0.0', '2.1', '3.0.0-Preview1']);
  });

  it('returns null when every version is unlisted or there are none', () => {
    expect(buildDependenciesIndex('X', [makeRecord({ listed: false }), makeRecord({ version: '2.0.0', listed: false })], urls)).toBeNull();
    expect(buildDependenciesIndex('X', [], urls)).toBeNull();
  });

  it('gives each leaf only packageContent and a catalogEntry of id, version, tags and one dependency group', () => {
    for (const leaf of allLeaves(buildDependenciesIndex('Contoso.PSTools', moduleVersions(), urls)!)) {
      expect(Object.keys(leaf)).toEqual(['packageContent', 'catalogEntry']);
      expect(Object.keys(leaf.catalogEntry)).toEqual(['id', 'version', 'tags', 'dependencyGroups']);
      expect(leaf.catalogEntry.dependencyGroups).toHaveLength(1);
      expect(Object.keys(leaf.catalogEntry.dependencyGroups[0])).toEqual(['dependencies']);
      for (const d of leaf.catalogEntry.dependencyGroups[0].dependencies) expect(Object.keys(d)).toEqual(['id', 'range']);
      expect(leaf.packageContent).toContain(`.${leaf.catalogEntry.version}.nupkg`);
    }
  });

  it('uses the manifest spelling for modules and the normalized version without metadata otherwise', () => {
    const scriptLeaves = allLeaves(buildDependenciesIndex('Get-ContosoInfo', scriptVersions(), urls)!);
    expect(scriptLeaves.map((l) => l.catalogEntry.version)).toEqual(['1.0.0', '1.1.0']);
    for (const l of scriptLeaves) expect(l.catalogEntry.version).not.toContain('+');
    const leaf = buildDependencyLeaf(makeRecord({ version: '1.0.0-Beta', fullVersion: '1.0.0-Beta+sha.9' }), urls);
    expect(leaf.catalogEntry.version).toBe('1.0.0-Beta');
  });

  it('tags scripts with ItemType:Script and everything else with an empty array', () => {
    expect(buildDependencyLeaf(scriptVersions()[0]!, urls).catalogEntry.tags).toEqual(['ItemType:Script']);
    expect(buildDependencyLeaf(moduleVersions()[0]!, urls).catalogEntry.tags).toEqual([]);
  });

  it('inlines every page up to 1,000 listed versions', () => {
    const plan = planDependencyPages(makeVersions(1000));
    expect(plan.pages.map((p) => p.records.length)).toEqual([250, 250, 250, 250]);
    expect(plan.inlinedCount).toBe(4);
    const index = buildDependenciesIndex('Contoso.Tools', makeVersions(1000), urls)!;
    expect(index.items.every((p) => p.items !== undefined)).toBe(true);
  });

  it('unlisted versions do not count towards the 1,000', () => {
    const records = [...makeVersions(1000), makeRecord({ version: '9.0.0', listed: false })];
    expect(planDependencyPages(records).inlinedCount).toBe(4);
  });

  it('above 1,000 listed versions links only the oldest pages, with exact bounds', () => {
    for (const count of [1001, 1200, 2600]) {
      const records = makeVersions(count).reverse();
      const index = buildDependenciesIndex('Contoso.Tools', records, urls)!;
      const inlined = index.items.map((p) => p.items !== undefined);
      // all linked pages come before all inlined pages
      expect(inlined.indexOf(true)).toBeGreaterThan(0);
      expect(inlined.slice(inlined.indexOf(true)).every(Boolean)).toBe(true);
      expect(inlined[inlined.length - 1]).toBe(true);
      const inlinedVersions = allLeaves(index).length;
      expect(inlinedVersions).toBeLessThanOrEqual(1000);
      expect(index.items.reduce((n, p) => n + p.count, 0)).toBe(count);
      expect(index.count).toBe(index.items.length);
      // bounds are exact and ascending without overlap
      const sorted = makeVersions(count).map((r) => r.version);
      let offset = 0;
      for (const p of index.items) {
        expect(p.lower).toBe(sorted[offset]);
        expect(p.upper).toBe(sorted[offset + p.count - 1]);
        offset += p.count;
        if (p.items === undefined) {
          expect(p['@id']).toBe(`https://pkgs.example.com/v3/dependencies/contoso.tools/page/${p.lower}/${p.upper}.json`);
        } else {
          expect(p['@id']).toBe(`https://pkgs.example.com/v3/dependencies/contoso.tools/index.json#page/${p.lower}/${p.upper}`);
          expect(p.items.map((l) => l.catalogEntry.version)).toEqual(sorted.slice(offset - p.count, offset));
        }
      }
    }
  });

  it('1,200 versions: 950 newest inlined in four pages, 250 oldest in one linked page', () => {
    const index = buildDependenciesIndex('Contoso.Tools', makeVersions(1200), urls)!;
    expect(index.items.map((p) => [p.count, p.items !== undefined])).toEqual([
      [250, false],
      [250, true],
      [250, true],
      [250, true],
      [200, true],
    ]);
  });
});

describe('buildDependenciesPage', () => {
  it('serves a linked page with parent, bounds and every leaf', () => {
    const records = makeVersions(1200);
    const index = buildDependenciesIndex('Contoso.Tools', records, urls)!;
    const stub = index.items[0]!;
    const page = buildDependenciesPage('Contoso.Tools', records, stub.lower, stub.upper, urls)!;
    expect(page['@id']).toBe(stub['@id']);
    expect(page.parent).toBe(index['@id']);
    expect([page.lower, page.upper, page.count]).toEqual([stub.lower, stub.upper, stub.count]);
    expect(page.items!.map((l) => l.catalogEntry.version)).toEqual(records.slice(0, 250).map((r) => r.version));
  });

  it('returns null for bounds that hold no listed version, and serves a stale link between versions', () => {
    const records = makeVersions(1200);
    expect(buildDependenciesPage('Contoso.Tools', records, '9.0.0', '9.0.10', urls)).toBeNull();
    expect(buildDependenciesPage('Contoso.Tools', records, '1.0.0', '1.0.10', urls)!.items).toHaveLength(11);
    expect(buildDependenciesPage('Contoso.Tools', [makeRecord({ listed: false })], '1.0.0', '1.0.0', urls)).toBeNull();
  });
});

describe('mergeDependencies', () => {
  it('merges every framework group into one list, de-duplicated by id case-insensitively', () => {
    const record = makeRecord({
      dependencyGroups: [
        { targetFramework: 'net472', dependencies: [{ id: 'Newtonsoft.Json', range: '[13.0.1, )' }, { id: 'A', range: '' }] },
        { targetFramework: 'net8.0', dependencies: [] },
        {
          targetFramework: 'netstandard2.0',
          dependencies: [
            { id: 'newtonsoft.json', range: '[12.0.3, )' },
            { id: 'System.Memory', range: '[4.5.5, 5.0.0)' },
            { id: 'a', range: '(, )' },
          ],
        },
      ],
    });
    expect(mergeDependencies(record)).toEqual([
      { id: 'Newtonsoft.Json', range: '[13.0.1, )' },
      { id: 'A', range: '(, )' },
      { id: 'System.Memory', range: '[4.5.5, 5.0.0)' },
    ]);
  });

  it('intersects different ranges of one id, and keeps the first when they cannot be combined', () => {
    const merged = (ranges: string[]) =>
      mergeDependencies(
        makeRecord({ dependencyGroups: ranges.map((range, i) => ({ targetFramework: `net${i}`, dependencies: [{ id: 'X', range }] })) }),
      )[0]!.range;
    expect(merged(['[1.0.0, )', '[1.5.0, 3.0.0)', '(, 2.0.0]'])).toBe('[1.5.0, 2.0.0]');
    expect(merged(['[1.0.0, 2.0.0)', '[2.0.0, )'])).toBe('[1.0.0, 2.0.0)'); // disjoint → first
    expect(merged(['[1.0.0, )', '1.*'])).toBe('[1.0.0, )'); // floating → first
  });

  it('reads what other servers send: missing groups, dependencies or ranges, odd entries (the client plans from it)', () => {
    expect(mergeDependencies({})).toEqual([]);
    expect(mergeDependencies({ dependencyGroups: null })).toEqual([]);
    expect(
      mergeDependencies({
        dependencyGroups: [
          { targetFramework: 'a', dependencies: [{ id: 'D', range: '[1.0.0]' }, { id: ' E ' }, { id: '' }, { id: 42 }, null, { range: '[1.0.0]' }] },
          { dependencies: null },
          null,
          { targetFramework: 'b', dependencies: [{ id: 'd', range: '[2.0.0]' }, { id: 'F', range: 7 }, { id: 'G', range: ' [1.0.0, ) ' }] },
        ],
      }),
    ).toEqual([
      { id: 'D', range: '[1.0.0]' }, // disjoint with [2.0.0] → the first
      { id: 'E', range: '(, )' },
      { id: 'F', range: '(, )' },
      { id: 'G', range: '[1.0.0, )' },
    ]);
  });

  it('writes versions in ascending order in every page', () => {
    const index = buildDependenciesIndex('Contoso.Tools', makeVersions(300).reverse(), urls)!;
    const vs = allLeaves(index).map((l) => NuGetVersion.parse(l.catalogEntry.version));
    for (let i = 1; i < vs.length; i++) expect(vs[i - 1]!.compareTo(vs[i]!)).toBeLessThan(0);
  });
});
