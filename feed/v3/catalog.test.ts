import { describe, expect, it } from 'vitest';
import { buildCatalogLeaf } from './catalog.ts';
import { buildCatalogEntry } from './catalog-entry.ts';
import { buildRegistrationLeaf } from './registration.ts';
import { FeedUrls } from '../urls.ts';
import { makeRecord } from '../../test/helpers/records.ts';
import { expectGolden } from '../../test/helpers/golden.ts';

const urls = new FeedUrls('https://pkgs.example.com');

function psModule() {
  return makeRecord({
    id: 'Contoso.PSTools',
    version: '1.0.0',
    originalVersion: '1.0.0.0',
    moduleVersion: '1.0.0.0',
    title: null,
    licenseExpression: null,
    licenseUrl: 'https://github.com/contoso/pstools/blob/main/LICENSE',
    releaseNotes: 'First release.',
    tags: ['PSModule', 'PSIncludes_Function'],
    requireLicenseAcceptance: true,
    dependencyGroups: [{ targetFramework: null, dependencies: [{ id: 'Contoso.Core', range: '[1.2.0, )' }] }],
  });
}

describe('buildCatalogLeaf (§7.3, §4.9)', () => {
  it('matches the golden document of a PowerShell module', () => {
    expectGolden('catalog-leaf-psmodule', buildCatalogLeaf(psModule(), urls));
  });

  it('matches the golden document of a .NET tool with declared package types', () => {
    expectGolden(
      'catalog-leaf-dotnettool',
      buildCatalogLeaf(
        makeRecord({
          id: 'Contoso.Cli',
          version: '2.0.0-rc.1',
          fullVersion: '2.0.0-rc.1+sha.5',
          originalVersion: '2.0.0-rc.1+sha.5',
          packageTypes: [{ name: 'DotnetTool' }, { name: 'McpServer', version: '1.0' }],
          summary: 'Command line for Contoso.',
        }),
        urls,
      ),
    );
  });

  it('is served at the URL the registration points to (catalogEntry.@id and the leaf document)', () => {
    const record = psModule();
    const leaf = buildCatalogLeaf(record, urls);
    expect(leaf['@id']).toBe(buildCatalogEntry(record, urls)['@id']);
    expect(leaf['@id']).toBe(buildRegistrationLeaf(record, urls).catalogEntry);
  });

  it('carries every field PowerShellGet 2.x reads, with the types it expects', () => {
    const leaf = buildCatalogLeaf(psModule(), urls) as unknown as Record<string, unknown>;
    for (const key of ['id', 'version', 'published', 'authors', 'licenseUrl', 'projectUrl', 'requireLicenseAcceptance', 'description', 'releaseNotes', 'copyright', 'created', 'lastEdited', 'packageHash', 'packageSize', 'dependencyGroups', 'tags', 'isPrerelease']) {
      expect(leaf, key).toHaveProperty(key);
    }
    expect(typeof leaf.authors).toBe('string');
    expect(Array.isArray(leaf.tags)).toBe(true);
    expect(leaf.packageHashAlgorithm).toBe('SHA512');
    expect(leaf.packageSize).toBe(12345);
    expect(leaf.version).toBe('1.0.0.0');
    expect(leaf.verbatimVersion).toBe('1.0.0.0');
    expect(leaf['@type']).toContain('PackageDetails');
  });

  it('keeps the real push time in created while an unlisted version is published in 1900', () => {
    const leaf = buildCatalogLeaf(makeRecord({ listed: false }), urls);
    expect(leaf.listed).toBe(false);
    expect(leaf.published).toBe('1900-01-01T00:00:00+00:00');
    expect(leaf.created).toBe('2026-03-02T10:15:00.000+00:00');
    expect(leaf.lastEdited).toBe('2026-03-03T08:00:00.000+00:00');
  });

  it('emits packageTypes only when the nuspec declares some', () => {
    expect(buildCatalogLeaf(makeRecord(), urls)).not.toHaveProperty('packageTypes');
    const leaf = buildCatalogLeaf(makeRecord({ packageTypes: [{ name: 'Template' }] }), urls);
    expect(leaf.packageTypes!.map((t) => t.name)).toEqual(['Template']);
  });
});
