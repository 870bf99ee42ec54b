import { describe, expect, it } from 'vitest';
import { buildCatalogEntry } from './catalog-entry.ts';
import { deterministicCommitId, FeedDocumentError } from './fields.ts';
import { findRegistrationPage, planRegistrationPages } from './paging.ts';
import {
  buildLinkedRegistrationIndex,
  buildRegistrationIndex,
  buildRegistrationLeaf,
  buildRegistrationPage,
  type RegistrationPageJson,
} from './registration.ts';
import { FeedUrls } from '../urls.ts';
import type { PackageRecord } from '../types.ts';
import { NuGetVersion } from '../version.ts';
import { makeRecord, makeVersions } from '../../test/helpers/records.ts';
import { expectGolden } from '../../test/helpers/golden.ts';

const urls = new FeedUrls('https://pkgs.example.com');

/** Contoso.Tools: a stable version, a SemVer 2 prerelease with an upper-case label, a newer stable with a dependency. */
function threeVersions(): PackageRecord[] {
  return [
    makeRecord({
      version: '2.0.0',
      created: new Date('2026-03-05T12:00:00.000Z'),
      lastEdited: new Date('2026-03-05T12:00:00.000Z'),
      dependencyGroups: [{ targetFramework: null, dependencies: [{ id: 'Contoso.Core', range: '[1.4.0, )' }] }],
      downloads: 7,
    }),
    makeRecord({ version: '1.0.0', created: new Date('2026-03-01T09:00:00.000Z'), downloads: 40 }),
    makeRecord({ version: '1.1.0-Beta.1', summary: 'Preview of 1.1', releaseNotes: 'Try the new helpers.' }),
  ];
}

/** A PowerShell module whose manifest says ModuleVersion = '1.0.0.0' (§4.7, §9.3). */
function psModule(overrides: Partial<PackageRecord> = {}): PackageRecord {
  return makeRecord({
    id: 'Contoso.PSTools',
    version: '1.0.0',
    fullVersion: '1.0.0',
    originalVersion: '1.0.0.0',
    moduleVersion: '1.0.0.0',
    authors: 'Contoso Ltd',
    owners: 'Contoso',
    title: null,
    description: 'PowerShell helpers for Contoso.',
    copyright: '(c) 2026 Contoso. All rights reserved.',
    tags: ['PSModule', 'PSFunction_Get-Contoso', 'PSCommand_Get-Contoso', 'PSIncludes_Function'],
    projectUrl: 'https://github.com/contoso/pstools',
    licenseExpression: null,
    licenseUrl: 'https://github.com/contoso/pstools/blob/main/LICENSE',
    iconUrl: 'https://contoso.example/icon.png',
    releaseNotes: 'First release.',
    dependencyGroups: [
      {
        targetFramework: null,
        dependencies: [
          { id: 'Contoso.Core', range: '[1.2.0, )' },
          { id: 'PSReadLine', range: '' },
        ],
      },
    ],
    ...overrides,
  });
}

/** A .NET package with framework-specific dependency groups, embedded icon and readme, SemVer 2 metadata. */
function tfmPackage(): PackageRecord {
  return makeRecord({
    id: 'Contoso.Net',
    version: '3.2.1',
    fullVersion: '3.2.1+sha.abc123',
    originalVersion: '3.2.1+sha.abc123',
    isSemVer2: true,
    hasIcon: true,
    hasReadme: true,
    iconUrl: null,
    licenseExpression: 'MIT OR Apache-2.0',
    licenseUrl: 'https://aka.ms/deprecateLicenseUrl',
    language: 'en-US',
    minClientVersion: '5.3.0',
    requireLicenseAcceptance: true,
    dependencyGroups: [
      { targetFramework: '.NETFramework4.7.2', dependencies: [{ id: 'Newtonsoft.Json', range: '[13.0.1, )' }] },
      { targetFramework: 'net8.0', dependencies: [] },
      {
        targetFramework: '.NETStandard2.0',
        dependencies: [
          { id: 'Newtonsoft.Json', range: '[12.0.3, )' },
          { id: 'System.Memory', range: '[4.5.5, 5.0.0)' },
        ],
      },
    ],
  });
}

function shuffled<T>(xs: readonly T[]): T[] {
  // deterministic permutation (stride through the list), so failures reproduce
  const out: T[] = [];
  const n = xs.length;
  const stride = n > 7 ? 7 : 1;
  for (let start = 0; start < stride; start++) for (let i = start; i < n; i += stride) out.push(xs[i]!);
  return out.reverse();
}

function leafVersions(page: RegistrationPageJson): string[] {
  return page.items!.map((l) => l.catalogEntry.version);
}

describe('golden registration documents', () => {
  it('index of 3 versions: one inlined page, ascending', () => {
    expectGolden('registration-index-3', buildRegistrationIndex('Contoso.Tools', threeVersions(), urls));
  });

  it('index of 130 versions: three linked pages', () => {
    expectGolden('registration-index-130', buildRegistrationIndex('Contoso.Tools', makeVersions(130), urls));
  });

  it('separate page document (the last page of 130 versions)', () => {
    const records = makeVersions(130);
    const page = findRegistrationPage(records, '1.1.28', '1.1.29');
    expect(page).not.toBeNull();
    expectGolden('registration-page', buildRegistrationPage('Contoso.Tools', page!, urls));
  });

  it('standalone leaf document', () => {
    expectGolden('registration-leaf', buildRegistrationLeaf(threeVersions()[0]!, urls));
  });

  it('standalone leaf document of an unlisted version', () => {
    expectGolden('registration-leaf-unlisted', buildRegistrationLeaf(makeRecord({ version: '1.2.0', listed: false }), urls));
  });

  it('catalog entry of a PowerShell module with ModuleVersion 1.0.0.0', () => {
    expectGolden('catalog-entry-psmodule', buildCatalogEntry(psModule(), urls));
  });

  it('catalog entry of a package with target-framework dependency groups', () => {
    expectGolden('catalog-entry-tfm-groups', buildCatalogEntry(tfmPackage(), urls));
  });

  it('catalog entry of an unlisted version', () => {
    expectGolden('catalog-entry-unlisted', buildCatalogEntry(makeRecord({ version: '1.2.0', listed: false }), urls));
  });
});

describe('planRegistrationPages (§4.3)', () => {
  const cases: [number, boolean, number[]][] = [
    [1, true, [1]],
    [64, true, [64]],
    [65, true, [64, 1]],
    [127, true, [64, 63]],
    [128, false, [64, 64]],
    [129, false, [64, 64, 1]],
  ];
  for (const [count, inlined, sizes] of cases) {
    it(`${count} versions → ${inlined ? 'inlined' : 'linked'} pages of ${sizes.join('+')}`, () => {
      const plan = planRegistrationPages(makeVersions(count));
      expect(plan.inlined).toBe(inlined);
      expect(plan.pages.map((p) => p.records.length)).toEqual(sizes);
    });
  }

  it('index reflects the plan: 127 versions inline their leaves, 128 versions only link the pages', () => {
    const at127 = buildRegistrationIndex('Contoso.Tools', makeVersions(127), urls)!;
    expect(at127.count).toBe(2);
    expect(at127.items.map((p) => p.items?.length)).toEqual([64, 63]);
    expect(at127.items[0]!['@id']).toBe('https://pkgs.example.com/v3/registration/contoso.tools/index.json#page/1.0.0/1.0.63');

    const at128 = buildRegistrationIndex('Contoso.Tools', makeVersions(128), urls)!;
    expect(at128.count).toBe(2);
    for (const p of at128.items) {
      expect(p.items).toBeUndefined();
      expect(p['@id']).toBe(`https://pkgs.example.com/v3/registration/contoso.tools/page/${p.lower}/${p.upper}.json`);
    }
    expect(at128.items.map((p) => p.count)).toEqual([64, 64]);
  });

  it('sorts by NuGet precedence across and inside pages, whatever the input order', () => {
    const records = [
      ...makeVersions(120),
      makeRecord({ version: '1.0.0-alpha' }),
      makeRecord({ version: '1.0.10-rc.2' }),
      makeRecord({ version: '1.0.10-rc.10' }),
      makeRecord({ version: '1.0.1.5' }),
      makeRecord({ version: '1.0.2-BETA' }),
      makeRecord({ version: '1.0.2-alpha' }),
    ];
    const index = buildRegistrationIndex('Contoso.Tools', shuffled(records), urls)!;
    const all = index.items.flatMap(leafVersions);
    expect(all).toHaveLength(126);
    const parsed = all.map((v) => NuGetVersion.parse(v));
    for (let i = 1; i < parsed.length; i++) expect(parsed[i - 1]!.compareTo(parsed[i]!)).toBeLessThan(0);
    expect(all.slice(0, 4)).toEqual(['1.0.0-alpha', '1.0.0', '1.0.1', '1.0.1.5']);
    expect(all.indexOf('1.0.10-rc.2')).toBeLessThan(all.indexOf('1.0.10-rc.10'));
    expect(all.indexOf('1.0.2-alpha')).toBeLessThan(all.indexOf('1.0.2-BETA'));
  });

  it('page bounds are exactly the first and last version of each page, normalized and lower-case', () => {
    const records = [...makeVersions(70), makeRecord({ version: '9.0.0-RC.1' })];
    const index = buildRegistrationIndex('Contoso.Tools', shuffled(records), urls)!;
    for (const page of index.items) {
      const vs = page.items!.map((l) => l['@id'].replace(/^.*\/([^/]+)\.json$/, '$1'));
      expect(page.lower).toBe(vs[0]);
      expect(page.upper).toBe(vs[vs.length - 1]);
      expect(page.count).toBe(vs.length);
    }
    expect(index.items[1]!.upper).toBe('9.0.0-rc.1');
    // bounds never overlap
    expect(NuGetVersion.parse(index.items[0]!.upper).compareTo(NuGetVersion.parse(index.items[1]!.lower))).toBeLessThan(0);
  });

  it('refuses records of two different ids', () => {
    expect(() => planRegistrationPages([makeRecord(), makeRecord({ id: 'Other', version: '2.0.0' })])).toThrow(FeedDocumentError);
  });
});

describe('buildRegistrationIndex (§4.2)', () => {
  it('returns null for an id without versions', () => {
    expect(buildRegistrationIndex('Contoso.Tools', [], urls)).toBeNull();
  });

  it('carries PackageRegistration in @type and a non-zero count', () => {
    const index = buildRegistrationIndex('Contoso.Tools', threeVersions(), urls)!;
    expect(index['@type']).toContain('PackageRegistration');
    expect(index.count).toBe(1);
    expect(index.items[0]!.parent).toBe(index['@id']);
  });

  it('includes unlisted versions with listed:false and the 1900 published date', () => {
    const records = [...threeVersions(), makeRecord({ version: '1.5.0', listed: false })];
    const entries = buildRegistrationIndex('Contoso.Tools', records, urls)!.items[0]!.items!.map((l) => l.catalogEntry);
    const unlisted = entries.find((e) => e.version === '1.5.0')!;
    expect(unlisted.listed).toBe(false);
    expect(unlisted.published).toBe('1900-01-01T00:00:00+00:00');
    expect(entries.filter((e) => e.listed)).toHaveLength(3);
  });

  it('derives commit ids deterministically from the content', () => {
    const a = buildRegistrationIndex('Contoso.Tools', threeVersions(), urls)!;
    const b = buildRegistrationIndex('Contoso.Tools', shuffled(threeVersions()), urls)!;
    expect(b).toEqual(a);
    expect(a.commitId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const edited = threeVersions();
    edited[1] = { ...edited[1]!, listed: false, lastEdited: new Date('2026-04-01T00:00:00.000Z') };
    const c = buildRegistrationIndex('Contoso.Tools', edited, urls)!;
    expect(c.commitId).not.toBe(a.commitId);
    expect(c.commitTimeStamp).toBe('2026-04-01T00:00:00.0000000+00:00');
    expect(deterministicCommitId('x')).toBe(deterministicCommitId('x'));
  });
});

describe('findRegistrationPage / buildRegistrationPage', () => {
  it('finds a page by bounds written in any spelling, and nothing for other bounds', () => {
    const records = makeVersions(130);
    expect(findRegistrationPage(records, '1.0.0.0', '1.0.63')).toHaveLength(64);
    // bounds of no current page: a stale link, answered with the versions between them (see below)
    expect(findRegistrationPage(records, '1.0.0', '1.0.62')).toHaveLength(63);
    expect(findRegistrationPage(records, '7.0.0', '7.0.62')).toBeNull();
    expect(findRegistrationPage(records, 'not-a-version', '1.0.63')).toBeNull();
  });

  it('links back to the index, inlines every leaf and recomputes exact bounds', () => {
    const records = makeVersions(130);
    const index = buildRegistrationIndex('Contoso.Tools', records, urls)!;
    for (const stub of index.items) {
      const doc = buildRegistrationPage('Contoso.Tools', findRegistrationPage(records, stub.lower, stub.upper)!, urls);
      expect(doc['@id']).toBe(stub['@id']);
      expect(doc.parent).toBe(index['@id']);
      expect([doc.lower, doc.upper, doc.count]).toEqual([stub.lower, stub.upper, stub.count]);
      expect(doc.items).toHaveLength(stub.count);
      expect(doc.items![0]!.catalogEntry.version).toBe(stub.lower);
    }
  });

  it('refuses an empty page', () => {
    expect(() => buildRegistrationPage('Contoso.Tools', [], urls)).toThrow(RangeError);
  });
});

describe('buildCatalogEntry (§4.5)', () => {
  it('spells a PowerShell module version like its manifest and puts it, and its normalized form, case-exactly in packageContent', () => {
    const e = buildCatalogEntry(psModule(), urls);
    expect(e.version).toBe('1.0.0.0');
    expect(e.packageContent).toBe(
      'https://pkgs.example.com/v3/flatcontainer/contoso.pstools/1.0.0/contoso.pstools.1.0.0.0.nupkg',
    );
    const pre = buildCatalogEntry(
      psModule({ version: '2.1.0-Preview1', fullVersion: '2.1.0-Preview1', moduleVersion: '2.1-Preview1', isPrerelease: true }),
      urls,
    );
    expect(pre.version).toBe('2.1-Preview1');
    // PSResourceGet looks for the normalized form of catalogEntry.version (2.1.0-Preview1) in the URL
    expect(pre.packageContent).toContain('/2.1.0-Preview1/');
    expect(pre.packageContent).toContain(`.${pre.version}.nupkg`);
    // the leaf and catalog URLs keep using the normalized lower-case identity
    expect(pre['@id']).toBe(urls.catalogLeaf('Contoso.PSTools', '2.1.0-preview1'));
    expect(pre['@id']).not.toContain('Preview1');
  });

  it('uses the full version with build metadata for other packages, like nuget.org', () => {
    const e = buildCatalogEntry(tfmPackage(), urls);
    expect(e.version).toBe('3.2.1+sha.abc123');
    expect(e.packageContent).toBe('https://pkgs.example.com/v3/flatcontainer/contoso.net/3.2.1/contoso.net.3.2.1.nupkg');
  });

  it('omits targetFramework for the any group, never null or empty, and always emits range', () => {
    for (const record of [psModule(), tfmPackage(), makeRecord({ dependencyGroups: [{ targetFramework: '', dependencies: [{ id: 'A', range: '' }] }] })]) {
      const e = buildCatalogEntry(record, urls);
      for (const g of e.dependencyGroups) {
        if ('targetFramework' in g) expect(typeof g.targetFramework === 'string' && g.targetFramework !== '').toBe(true);
        expect(Array.isArray(g.dependencies)).toBe(true);
        for (const d of g.dependencies) {
          expect(typeof d.range).toBe('string');
          expect(d.range).not.toBe('');
          expect(d.registration).toBe(urls.registrationIndex(d.id));
        }
      }
      expect(JSON.stringify(e)).not.toContain('null');
    }
    const any = buildCatalogEntry(makeRecord({ dependencyGroups: [{ targetFramework: '', dependencies: [{ id: 'A', range: '' }] }] }), urls);
    expect(any.dependencyGroups[0]).not.toHaveProperty('targetFramework');
    expect(any.dependencyGroups[0]!.dependencies[0]!.range).toBe('(, )');
  });

  it('points iconUrl at the flat container for embedded icons and licenseUrl at licenses.nuget.org for expressions', () => {
    const e = buildCatalogEntry(tfmPackage(), urls);
    expect(e.iconUrl).toBe('https://pkgs.example.com/v3/flatcontainer/contoso.net/3.2.1/icon');
    expect(e.licenseUrl).toBe('https://licenses.nuget.org/MIT%20OR%20Apache-2.0');
    expect(e.licenseExpression).toBe('MIT OR Apache-2.0');
    expect(e.readmeUrl).toBe('https://pkgs.example.com/packages/Contoso.Net/3.2.1');
    const m = buildCatalogEntry(psModule(), urls);
    expect(m.iconUrl).toBe('https://contoso.example/icon.png');
    expect(m.licenseUrl).toBe('https://github.com/contoso/pstools/blob/main/LICENSE');
    expect(m).not.toHaveProperty('readmeUrl');
  });

  it('emits authors as a string, tags as an array (even empty) and real booleans', () => {
    const e = buildCatalogEntry(makeRecord({ tags: [], isPrerelease: true, version: '1.0.0-rc' }), urls);
    expect(e.authors).toBe('Contoso, Fabrikam');
    expect(e.tags).toEqual([]);
    expect(e.isPrerelease).toBe(true);
    expect(e.listed).toBe(true);
    expect(e.requireLicenseAcceptance).toBe(false);
    expect(e.published).toBe('2026-03-02T10:15:00.000+00:00');
  });
});

describe('stale page links (pushes move page boundaries while clients hold an old index)', () => {
  it('answers a page link cut before later pushes with the versions between its bounds', () => {
    const before = makeVersions(128);
    const firstPage = planRegistrationPages(before).pages[0]!;
    // 30 more versions inserted below the old first page's upper bound re-cut every page
    const inserted = Array.from({ length: 30 }, (_, i) => makeRecord({ version: `1.0.${i + 1}-beta` }));
    const after = [...before, ...inserted];
    const replanned = planRegistrationPages(after).pages;
    expect(replanned.some((p) => p.lower === firstPage.lower && p.upper === firstPage.upper)).toBe(false);
    const page = findRegistrationPage(after, firstPage.lower, firstPage.upper)!;
    expect(page[0]!.version).toBe(firstPage.lower);
    expect(page[page.length - 1]!.version).toBe(firstPage.upper);
    expect(page.length).toBe(firstPage.records.length + 30);
    const doc = buildRegistrationPage('Contoso.Tools', page, urls);
    expect(doc['@id']).toBe(urls.registrationPage('Contoso.Tools', firstPage.lower, firstPage.upper));
  });

  it('still answers 404 (null) for bounds that are not versions, reversed, or empty', () => {
    const records = makeVersions(130);
    expect(findRegistrationPage(records, 'abc', '1.0.5')).toBeNull();
    expect(findRegistrationPage(records, '1.0.9', '1.0.1')).toBeNull();
    expect(findRegistrationPage(records, '9.0.0', '9.9.9')).toBeNull();
  });
});

describe('buildLinkedRegistrationIndex (ids with linked pages, from version summaries)', () => {
  it('builds the same document as buildRegistrationIndex from whole records', () => {
    const records = makeVersions(300);
    const summaries = records.map(({ id, version, created, lastEdited }) => ({ id, version, created, lastEdited }));
    expect(buildLinkedRegistrationIndex('Contoso.Tools', summaries, urls)).toEqual(buildRegistrationIndex('Contoso.Tools', records, urls));
  });

  it('declines ids whose pages are inlined (they need whole records)', () => {
    const records = makeVersions(127);
    expect(buildLinkedRegistrationIndex('Contoso.Tools', records, urls)).toBeNull();
    expect(buildLinkedRegistrationIndex('Contoso.Tools', [], urls)).toBeNull();
  });
});
