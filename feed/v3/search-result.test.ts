import { describe, expect, it } from 'vitest';
import {
  buildAutocompleteResponse,
  buildAutocompleteVersions,
  buildSearchResponse,
  parseSearchQuery,
  splitAuthors,
} from './search-result.ts';
import { FeedUrls } from '../urls.ts';
import type { PackageRecord } from '../types.ts';
import { makeRecord } from '../../test/helpers/records.ts';
import { expectGolden } from '../../test/helpers/golden.ts';

const urls = new FeedUrls('https://pkgs.example.com');

describe('parseSearchQuery (§6.1)', () => {
  it('splits free text into terms', () => {
    expect(parseSearchQuery('json  serializer')).toEqual({ terms: ['json', 'serializer'], fields: {} });
    expect(parseSearchQuery('')).toEqual({ terms: [], fields: {} });
    expect(parseSearchQuery('   ')).toEqual({ terms: [], fields: {} });
  });

  it('reads known fields case-insensitively, with quoted values, accumulating repeats', () => {
    expect(parseSearchQuery('Id:Contoso TAGS:json tags:"web api" PackageId:Contoso.Tools author:Jane')).toEqual({
      terms: [],
      fields: { id: ['Contoso'], tags: ['json', 'web api'], packageid: ['Contoso.Tools'], author: ['Jane'] },
    });
    expect(
      parseSearchQuery('title:T description:D summary:S owner:o version:1.0.0 tag:one authors:A owners:p').fields,
    ).toEqual({
      title: ['T'],
      description: ['D'],
      summary: ['S'],
      owner: ['o', 'p'],
      version: ['1.0.0'],
      tags: ['one'],
      author: ['A'],
    });
  });

  it('drops unknown fields with their value and empty field values', () => {
    expect(parseSearchQuery('foo:bar baz')).toEqual({ terms: ['baz'], fields: {} });
    expect(parseSearchQuery('foo:"bar qux" baz id:')).toEqual({ terms: ['baz'], fields: {} });
  });

  it('keeps quoted phrases and + as given', () => {
    expect(parseSearchQuery('"json serializer" c++ +fast')).toEqual({ terms: ['json serializer', 'c++', '+fast'], fields: {} });
    expect(parseSearchQuery('"unterminated phrase').terms).toEqual(['unterminated phrase']);
  });

  it('finds PowerShell command tags', () => {
    expect(parseSearchQuery('tags:PSCommand_Get-Foo').fields.tags).toEqual(['PSCommand_Get-Foo']);
  });
});

function contosoTools(): PackageRecord[] {
  return [
    makeRecord({ version: '2.0.0', downloads: 10, tags: ['contoso', 'tools', 'v2'], description: 'Version two.' }),
    makeRecord({ version: '1.0.0', downloads: 30 }),
    makeRecord({ version: '2.1.0-beta', downloads: 2, description: 'Beta of 2.1.' }),
    makeRecord({ version: '2.1.0-beta.2', fullVersion: '2.1.0-beta.2+sha.1', downloads: 1 }),
  ];
}

function contosoTool(): PackageRecord[] {
  return [
    makeRecord({
      id: 'Contoso.Cli',
      version: '0.9.0',
      authors: 'Jane Doe,  John Roe ,',
      hasIcon: true,
      licenseExpression: null,
      licenseUrl: 'https://example.com/license',
      packageTypes: [{ name: 'DotnetTool' }],
      summary: 'A CLI.',
      title: null,
      downloads: 5,
    }),
  ];
}

describe('buildSearchResponse (§6.2)', () => {
  it('matches the golden document', () => {
    const doc = buildSearchResponse([{ records: contosoTools() }, { records: contosoTool() }], 2, urls, {
      prerelease: true,
      semVerLevel2: true,
    });
    expectGolden('search-response', doc);
  });

  it('puts totalHits first and keeps the hit order', () => {
    const doc = buildSearchResponse([{ records: contosoTool() }, { records: contosoTools() }], 57, urls, {
      prerelease: false,
      semVerLevel2: false,
    });
    expect(Object.keys(doc)).toEqual(['totalHits', 'data']);
    expect(JSON.stringify(doc).startsWith('{"totalHits":57,')).toBe(true);
    expect(doc.data.map((d) => d.id)).toEqual(['Contoso.Cli', 'Contoso.Tools']);
  });

  it('takes metadata from the latest visible version and lists visible versions ascending', () => {
    const stable = buildSearchResponse([{ records: contosoTools() }], 1, urls, { prerelease: false, semVerLevel2: true }).data[0]!;
    expect(stable.version).toBe('2.0.0');
    expect(stable.description).toBe('Version two.');
    expect(stable.versions.map((v) => v.version)).toEqual(['1.0.0', '2.0.0']);
    expect(stable.totalDownloads).toBe(40);

    const semver1 = buildSearchResponse([{ records: contosoTools() }], 1, urls, { prerelease: true, semVerLevel2: false }).data[0]!;
    expect(semver1.versions.map((v) => v.version)).toEqual(['1.0.0', '2.0.0', '2.1.0-beta']);
    expect(semver1.version).toBe('2.1.0-beta');

    const all = buildSearchResponse([{ records: contosoTools() }], 1, urls, { prerelease: true, semVerLevel2: true }).data[0]!;
    expect(all.version).toBe('2.1.0-beta.2+sha.1');
    expect(all.versions.at(-1)).toEqual({
      version: '2.1.0-beta.2+sha.1',
      downloads: 1,
      '@id': 'https://pkgs.example.com/v3/registration/contoso.tools/2.1.0-beta.2.json',
    });
  });

  it('leaves out unlisted versions and hits with nothing visible', () => {
    const records = [makeRecord({ version: '1.0.0', listed: false }), makeRecord({ version: '0.5.0' })];
    const doc = buildSearchResponse([{ records }, { records: [makeRecord({ id: 'Pre', version: '1.0.0-rc' })] }], 2, urls, {
      prerelease: false,
      semVerLevel2: true,
    });
    expect(doc.data).toHaveLength(1);
    expect(doc.data[0]!.versions.map((v) => v.version)).toEqual(['0.5.0']);
  });

  it('defaults packageTypes to Dependency and splits authors into an array', () => {
    const [tools, cli] = buildSearchResponse([{ records: contosoTools() }, { records: contosoTool() }], 2, urls, {
      prerelease: true,
      semVerLevel2: true,
    }).data;
    expect(tools!.packageTypes).toEqual([{ name: 'Dependency' }]);
    expect(cli!.packageTypes).toEqual([{ name: 'DotnetTool' }]);
    expect(cli!.authors).toEqual(['Jane Doe', 'John Roe']);
    expect(tools!.verified).toBe(false);
    expect(Array.isArray(tools!.tags)).toBe(true);
    expect(splitAuthors('')).toEqual([]);
  });
});

describe('autocomplete (§6.4)', () => {
  it('id mode matches the golden document', () => {
    expectGolden('autocomplete-ids', buildAutocompleteResponse(['Contoso.Tools', 'Contoso.Cli'], 12));
  });

  it('versions mode matches the golden document: listed versions ascending', () => {
    expectGolden('autocomplete-versions', buildAutocompleteVersions([...contosoTools(), makeRecord({ version: '1.5.0', listed: false })]));
  });

  it('versions mode filters prereleases and SemVer 2 versions when asked', () => {
    expect(buildAutocompleteVersions(contosoTools(), { prerelease: false, semVerLevel2: true }).data).toEqual(['1.0.0', '2.0.0']);
    expect(buildAutocompleteVersions(contosoTools(), { prerelease: true, semVerLevel2: false }).data).toEqual([
      '1.0.0',
      '2.0.0',
      '2.1.0-beta',
    ]);
  });
});
