import { describe, expect, it } from 'vitest';
import { buildDependenciesServiceIndex, buildServiceIndex } from './service-index.ts';
import { FeedUrls } from '../urls.ts';
import { expectGolden } from '../../test/helpers/golden.ts';

const urls = new FeedUrls('https://pkgs.example.com/');

/** ModuleFast's choice (§1.2): every @type containing RegistrationsBaseUrl, sorted descending as strings, first wins. */
function moduleFastRegistrationBase(index: ReturnType<typeof buildServiceIndex>): string {
  const regs = index.resources.filter((r) => r['@type'].includes('RegistrationsBaseUrl'));
  regs.sort((a, b) => (a['@type'] < b['@type'] ? 1 : a['@type'] > b['@type'] ? -1 : 0));
  return regs[0]!['@id'];
}

describe('buildServiceIndex (§1.3)', () => {
  const index = buildServiceIndex(urls);

  it('matches the golden document', () => {
    expectGolden('service-index', index);
  });

  it('has version 3.0.0 and one plain-string @type per resource, never repeated', () => {
    expect(index.version).toBe('3.0.0');
    const types = index.resources.map((r) => r['@type']);
    for (const t of types) expect(typeof t).toBe('string');
    expect(new Set(types).size).toBe(types.length);
    for (const r of index.resources) expect(r['@id']).toMatch(/^https:\/\/pkgs\.example\.com\//);
  });

  it('advertises every registration variant at one hive with a trailing slash, Versioned with clientVersion', () => {
    const regs = index.resources.filter((r) => r['@type'].startsWith('RegistrationsBaseUrl'));
    expect(regs.map((r) => r['@type']).sort()).toEqual(
      [
        'RegistrationsBaseUrl',
        'RegistrationsBaseUrl/3.0.0-beta',
        'RegistrationsBaseUrl/3.0.0-rc',
        'RegistrationsBaseUrl/3.4.0',
        'RegistrationsBaseUrl/3.6.0',
        'RegistrationsBaseUrl/Versioned',
      ].sort(),
    );
    for (const r of regs) expect(r['@id']).toBe('https://pkgs.example.com/v3/registration/');
    expect(regs.find((r) => r['@type'] === 'RegistrationsBaseUrl/Versioned')!.clientVersion).toBe('4.3.0-alpha');
    expect(regs.filter((r) => r.clientVersion !== undefined)).toHaveLength(1);
  });

  it('advertises search and autocomplete bare, 3.0.0-beta, 3.0.0-rc and 3.5.0', () => {
    for (const name of ['SearchQueryService', 'SearchAutocompleteService']) {
      const found = index.resources.filter((r) => r['@type'].split('/')[0] === name).map((r) => r['@type']);
      expect(found).toEqual([name, `${name}/3.0.0-beta`, `${name}/3.0.0-rc`, `${name}/3.5.0`]);
    }
  });

  it('advertises push, flat container (trailing slash) and the two templates, but no catalog or symbol push', () => {
    const byType = new Map(index.resources.map((r) => [r['@type'], r['@id']]));
    expect(byType.get('PackagePublish/2.0.0')).toBe('https://pkgs.example.com/api/v2/package');
    expect(byType.get('PackageBaseAddress/3.0.0')).toBe('https://pkgs.example.com/v3/flatcontainer/');
    expect(byType.get('PackageDetailsUriTemplate/5.1.0')).toBe('https://pkgs.example.com/packages/{id}/{version}');
    expect(byType.get('ReadmeUriTemplate/6.13.0')).toBe(
      'https://pkgs.example.com/v3/flatcontainer/{lower_id}/{lower_version}/readme',
    );
    const types = [...byType.keys()];
    expect(types.some((t) => t.startsWith('Catalog'))).toBe(false);
    expect(types.some((t) => t.startsWith('SymbolPackagePublish'))).toBe(false);
  });

  it('sends ModuleFast to the full registration hive', () => {
    expect(moduleFastRegistrationBase(index)).toBe('https://pkgs.example.com/v3/registration/');
  });
});

describe('buildDependenciesServiceIndex (§5.3)', () => {
  const full = buildServiceIndex(urls);
  const slim = buildDependenciesServiceIndex(urls);

  it('matches the golden document', () => {
    expectGolden('dependencies-service-index', slim);
  });

  it('points every registration variant, Versioned included, at the dependency-only hive', () => {
    const regs = slim.resources.filter((r) => r['@type'].includes('RegistrationsBaseUrl'));
    expect(regs).toHaveLength(6);
    for (const r of regs) expect(r['@id']).toBe('https://pkgs.example.com/v3/dependencies/');
    expect(moduleFastRegistrationBase(slim)).toBe('https://pkgs.example.com/v3/dependencies/');
  });

  it('keeps every other resource of the full index unchanged', () => {
    const others = (i: typeof slim) =>
      i.resources.filter((r) => !r['@type'].includes('RegistrationsBaseUrl')).map((r) => [r['@type'], r['@id']]);
    expect(others(slim)).toEqual(others(full));
    expect(others(slim).map(([t]) => t)).toContain('PackagePublish/2.0.0');
    expect(others(slim).map(([t]) => t)).toContain('PackageBaseAddress/3.0.0');
    expect(others(slim).map(([t]) => t)).toContain('SearchQueryService/3.0.0-beta');
  });
});
