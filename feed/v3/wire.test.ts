import { describe, expect, it } from 'vitest';
import { buildDependenciesIndex, buildDependenciesPage, type SlimIndexJson, type SlimLeafJson, type SlimPageJson } from './dependencies.ts';
import { buildVersionsList, type VersionsListJson } from './flat-container.ts';
import { buildRegistrationIndex, buildRegistrationPage, type RegistrationIndexJson, type RegistrationLeafJson, type RegistrationPageJson } from './registration.ts';
import { buildDependenciesServiceIndex, buildServiceIndex, type ServiceIndexJson } from './service-index.ts';
import { FeedUrls } from '../urls.ts';
import { makeRecord, makeVersions } from '../../test/helpers/records.ts';
import {
  readRegistrationIndex,
  readRegistrationLeaf,
  readRegistrationPage,
  readServiceIndex,
  readVersionsList,
  type WireRegistrationIndex,
  type WireRegistrationLeaf,
  type WireRegistrationPage,
  type WireServiceIndex,
  type WireVersionsList,
} from './wire.ts';

const urls = new FeedUrls('https://pkgs.example.com');

// What the server writes must be what a reader accepts (checked by `tsc --noEmit -p .`).
const strictFitsLenient: [
  (x: ServiceIndexJson) => WireServiceIndex,
  (x: RegistrationIndexJson) => WireRegistrationIndex,
  (x: RegistrationPageJson) => WireRegistrationPage,
  (x: RegistrationLeafJson) => WireRegistrationLeaf,
  (x: SlimIndexJson) => WireRegistrationIndex,
  (x: SlimPageJson) => WireRegistrationPage,
  (x: SlimLeafJson) => WireRegistrationLeaf,
  (x: VersionsListJson) => WireVersionsList,
] = [(x) => x, (x) => x, (x) => x, (x) => x, (x) => x, (x) => x, (x) => x, (x) => x];

const record = makeRecord({
  id: 'Contoso.Tools',
  dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Contoso.Core', range: '[1.2.0, )' }] }],
});

describe('lenient readers over the documents this feed writes', () => {
  it('read the service indexes', () => {
    expect(strictFitsLenient).toHaveLength(8);
    for (const doc of [buildServiceIndex(urls), buildDependenciesServiceIndex(urls)]) {
      const read = readServiceIndex(JSON.parse(JSON.stringify(doc)))!;
      expect(read.version).toBe('3.0.0');
      expect(read.resources).toEqual(doc.resources.map((r) => ({ '@id': r['@id'], '@type': r['@type'] })));
    }
  });

  it('read the full registration hive: index, pages, leaves, dependencies', () => {
    const index = buildRegistrationIndex('Contoso.Tools', [record], urls)!;
    const read = readRegistrationIndex(JSON.parse(JSON.stringify(index)))!;
    expect(read.count).toBe(1);
    const leaf = read.items[0]!.items![0]!;
    expect(leaf.packageContent).toBe(index.items[0]!.items![0]!.packageContent);
    expect(leaf.catalogEntry).toEqual({
      id: 'Contoso.Tools',
      version: index.items[0]!.items![0]!.catalogEntry.version,
      tags: record.tags,
      listed: true,
      packageContent: leaf.packageContent,
      dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Contoso.Core', range: '[1.2.0, )' }] }],
    });
    const page = buildRegistrationPage('Contoso.Tools', makeVersions(3), urls);
    const readPage = readRegistrationPage(JSON.parse(JSON.stringify(page)))!;
    expect([readPage['@id'], readPage.lower, readPage.upper, readPage.count, readPage.items!.length]).toEqual([page['@id'], page.lower, page.upper, 3, 3]);
  });

  it('read the dependency-only hive, linked pages included', () => {
    const records = makeVersions(30, { id: 'Contoso.Tools' });
    const index = buildDependenciesIndex('Contoso.Tools', records, urls, { pageSize: 10, inlineMax: 10 })!;
    const read = readRegistrationIndex(JSON.parse(JSON.stringify(index)))!;
    expect(read.items.map((p) => [p['@id'], p.lower, p.upper, p.count, p.items?.length])).toEqual(index.items.map((p) => [p['@id'], p.lower, p.upper, p.count, p.items?.length]));
    const page = buildDependenciesPage('Contoso.Tools', records, index.items[0]!.lower, index.items[0]!.upper, urls, { pageSize: 10, inlineMax: 10 })!;
    const leaf = readRegistrationPage(JSON.parse(JSON.stringify(page)))!.items![0]!;
    expect(leaf).toEqual({ packageContent: page.items![0]!.packageContent, catalogEntry: page.items![0]!.catalogEntry });
  });

  it('read the flat container version list', () => {
    expect(readVersionsList(buildVersionsList(makeVersions(2)))).toEqual(buildVersionsList(makeVersions(2)));
  });
});

describe('lenient readers over what other servers send', () => {
  it('accept either casing of member names, exact names first (PowerShell reads JSON case-insensitively)', () => {
    const leaf = readRegistrationLeaf({
      PackageContent: 'https://x/a.nupkg',
      CatalogEntry: { ID: 'A', Version: '1.0.0', dependencygroups: [{ Dependencies: [{ Id: 'B', Range: '[1.0.0, )' }] }] },
    })!;
    expect(leaf).toEqual({
      packageContent: 'https://x/a.nupkg',
      catalogEntry: { id: 'A', version: '1.0.0', dependencyGroups: [{ dependencies: [{ id: 'B', range: '[1.0.0, )' }] }] },
    });
    expect(readRegistrationLeaf({ catalogEntry: { id: 'exact', Id: 'other', version: '1' } })!.catalogEntry.id).toBe('exact');
    expect(readServiceIndex({ Resources: [{ '@ID': 'https://x/reg/', '@Type': ['RegistrationsBaseUrl/3.6.0'] }] })).toEqual({
      resources: [{ '@id': 'https://x/reg/', '@type': ['RegistrationsBaseUrl/3.6.0'] }],
    });
  });

  it('drop what no reader can use and refuse documents without their array', () => {
    expect(readRegistrationIndex({ count: 2, items: [null, 'x', { '@id': 'p', items: [null, { catalogEntry: 'https://x/leaf.json' }, { catalogEntry: { id: 'A', version: '1.0.0' } }] }] })).toEqual({
      count: 2,
      items: [{ '@id': 'p', items: [{ catalogEntry: { id: 'A', version: '1.0.0' } }] }],
    });
    for (const bad of [null, [], 'x', { items: {} }, {}]) expect(readRegistrationIndex(bad)).toBeNull();
    expect(readServiceIndex({ version: '3.0.0' })).toBeNull();
    expect(readVersionsList({ versions: ['1.0.0', 2, null] })).toEqual({ versions: ['1.0.0'] });
    expect(readVersionsList({ Versions: 'x' })).toBeNull();
  });
});
