/**
 * Behaviour of a running Galleon as clients see it: service index variants, auth, push answers,
 * unlist/relist, case- and normalization-insensitive routes, ETag/304, gzip, HEAD, paging of ids with
 * many versions, the dependency-only hive, search filters. Runs on every backend of `backends()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { backends, pushPackage, startTestServer, TEST_API_KEY, type TestServer } from './support/server.ts';

async function pkg(id: string, version: string, extra: Parameters<typeof nuspecXml>[0] | object = {}, entries: { name: string; data: string | Buffer }[] = []) {
  return makeNupkg({ nuspec: nuspecXml({ id, version, ...extra } as any), entries });
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { headers });
  expect(res.status, url).toBe(200);
  return res.json();
}

describe.each(backends())('Galleon over HTTP (%s database)', (backend) => {
  let s: TestServer;
  let base: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    base = s.url;
    const psd1 = "@{\n  ModuleVersion = '1.0.0.0'\n  GUID = '11111111-2222-3333-4444-555555555555'\n  Author = 'Contoso'\n  PrivateData = @{ PSData = @{ Tags = @('tools') } }\n}\n";
    const pushes: Buffer[] = [
      await pkg('Contoso.Tools', '1.0.0.0', { tags: 'PSModule tools', description: 'Contoso helper module' }, [{ name: 'Contoso.Tools.psd1', data: psd1 }]),
      await pkg('Contoso.Tools', '2.0.0-Beta.1', { tags: 'PSModule', dependencies: [{ id: 'Contoso.Core', version: '1.2' }] }, [
        { name: 'Contoso.Tools.psd1', data: "@{ ModuleVersion = '2.0.0'; PrivateData = @{ PSData = @{ Prerelease = 'Beta.1' } } }" },
      ]),
      await pkg('Contoso.Core', '1.2.0', { authors: 'Alice, Bob', dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Newtonsoft.Json', version: '[13.0.1, )' }] }, { targetFramework: 'netstandard2.0', dependencies: [] }] }),
      await pkg('Contoso.Core', '1.3.0', {}),
      await pkg('Contoso.Script', '1.0.0', { tags: 'PSScript' }),
    ];
    for (const p of pushes) expect((await pushPackage(base, p)).status).toBe(201);
    const many: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 130; i++) many.push(pkg('Big.Package', `1.0.${i}`).then((b) => pushPackage(base, b)));
    for (const r of await Promise.all(many)) expect(r.status).toBe(201);
  }, 300_000);
  afterAll(async () => s?.dispose());

  describe('service index', () => {
    it('lists every resource type as a plain string with absolute URLs on the configured base', async () => {
      const index = await getJson(`${base}/v3/index.json`);
      expect(index.version).toBe('3.0.0');
      const types = index.resources.map((r: any) => r['@type']);
      for (const t of ['PackagePublish/2.0.0', 'PackageBaseAddress/3.0.0', 'RegistrationsBaseUrl/3.6.0', 'RegistrationsBaseUrl/Versioned', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.5.0', 'SearchAutocompleteService']) {
        expect(types).toContain(t);
      }
      for (const r of index.resources) {
        expect(typeof r['@type']).toBe('string');
        expect(r['@id'].startsWith(base)).toBe(true);
      }
    });

    it('answers a ModuleFast user agent with the dependency-only index and varies on User-Agent', async () => {
      const res = await fetch(`${base}/index.json`, { headers: { 'User-Agent': 'ModuleFast (github.com/JustinGrote/ModuleFast)' } });
      expect(res.headers.get('vary')).toMatch(/User-Agent/i);
      const slim = (await res.json()) as any;
      const reg = slim.resources.filter((r: any) => r['@type'].includes('RegistrationsBaseUrl'));
      expect(reg.length).toBeGreaterThan(0);
      for (const r of reg) expect(r['@id']).toBe(`${base}/v3/dependencies/`);
      const full = await getJson(`${base}/index.json`, { 'User-Agent': 'NuGet Client V3/6.12' });
      expect(full.resources.find((r: any) => r['@type'] === 'RegistrationsBaseUrl/3.6.0')['@id']).toBe(`${base}/v3/registration/`);
      // the second ModuleFast request comes from the cache fast path: still the slim variant
      const again = (await (await fetch(`${base}/index.json`, { headers: { 'User-Agent': 'ModuleFast' } })).json()) as any;
      expect(again).toEqual(slim);
    });
  });

  describe('push', () => {
    it('asks for credentials with WWW-Authenticate when no key is sent, and refuses a wrong key with 403', async () => {
      const bytes = await pkg('Auth.Test', '1.0.0');
      const none = await fetch(`${base}/api/v2/package/`, { method: 'PUT', body: bytes as any, headers: { 'Content-Type': 'application/octet-stream' } });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect((await pushPackage(base, bytes, { apiKey: 'wrong' })).status).toBe(403);
      const basic = await fetch(`${base}/api/v2/package/`, {
        method: 'PUT',
        body: bytes as any,
        headers: { 'Content-Type': 'application/octet-stream', Authorization: `Basic ${Buffer.from(`me:${TEST_API_KEY}`).toString('base64')}` },
      });
      expect(basic.status).toBe(201);
    });

    it('accepts a raw body and answers a repeated identity (other casing, other spelling) with 409', async () => {
      expect((await pushPackage(base, await pkg('Raw.Body', '3.1'), { raw: true })).status).toBe(201);
      const dup = await pushPackage(base, await pkg('RAW.body', '3.1.0.0'));
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/already exists/);
    });

    it('refuses an invalid package with 400 and a reason, and an unsupported content type with 415', async () => {
      const bad = await pushPackage(base, Buffer.from('this is not a zip'), { raw: true });
      expect(bad.status).toBe(400);
      expect(bad.text.length).toBeGreaterThan(10);
      const res = await fetch(`${base}/api/v2/package/`, { method: 'PUT', body: 'x', headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': 'text/plain' } });
      expect(res.status).toBe(415);
    });

    it('keeps the casing of the first push for the id', async () => {
      const reg = await getJson(`${base}/v3/registration/raw.body/index.json`);
      expect(reg.items[0].items[0].catalogEntry.id).toBe('Raw.Body');
    });
  });

  describe('flat container', () => {
    it('lists versions lower-case, ascending, and serves them case- and normalization-insensitively', async () => {
      const list = await getJson(`${base}/v3/flatcontainer/contoso.tools/index.json`);
      expect(list.versions).toEqual(['1.0.0', '2.0.0-beta.1']);
      const a = await fetch(`${base}/v3/flatcontainer/Contoso.Tools/1.0.0.0/contoso.tools.1.0.0.0.nupkg`);
      expect(a.status).toBe(200);
      expect(a.headers.get('cache-control')).toMatch(/immutable/);
      const b = await fetch(`${base}/v3/flatcontainer/contoso.tools/2.0.0-BETA.1/contoso.tools.2.0.0-beta.1.nupkg`);
      expect(b.status).toBe(200);
      const nuspec = await fetch(`${base}/v3/flatcontainer/contoso.tools/1.0.0/contoso.tools.nuspec`);
      expect(await nuspec.text()).toContain('<id>Contoso.Tools</id>');
      expect((await fetch(`${base}/v3/flatcontainer/contoso.tools/9.9.9/contoso.tools.9.9.9.nupkg`)).status).toBe(404);
      expect((await fetch(`${base}/v3/flatcontainer/nope/index.json`)).status).toBe(404);
    });

    it('answers HEAD with headers and no body', async () => {
      const res = await fetch(`${base}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.1.2.0.nupkg`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBeGreaterThan(100);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });

    it('treats path traversal and encoded NUL in ids and versions as not found', async () => {
      for (const path of ['/v3/flatcontainer/..%2f..%2fetc/index.json', '/v3/flatcontainer/contoso.core/..%2f1.2.0/x.nupkg', '/v3/registration/a%00b/index.json', '/v3/flatcontainer/contoso.core/1.2.0%00/contoso.core.1.2.0.nupkg']) {
        const res = await fetch(base + path);
        expect(res.status, path).toBeGreaterThanOrEqual(400);
        expect(res.status, path).toBeLessThan(500);
      }
    });
  });

  describe('registration', () => {
    it('serves the module manifest spelling as catalogEntry.version with a matching packageContent', async () => {
      const reg = await getJson(`${base}/v3/registration/contoso.tools/index.json`);
      expect(reg['@type']).toContain('PackageRegistration');
      const leaves = reg.items.flatMap((p: any) => p.items);
      const v1 = leaves.find((l: any) => l.catalogEntry.version.startsWith('1.'));
      expect(v1.catalogEntry.version).toBe('1.0.0.0');
      expect(v1.packageContent).toContain('1.0.0.0');
      expect(v1.packageContent).toContain('/1.0.0/');
      expect((await fetch(v1.packageContent)).status).toBe(200);
      const v2 = leaves.find((l: any) => l.catalogEntry.version.startsWith('2.'));
      expect(v2.catalogEntry.version).toBe('2.0.0-Beta.1');
      expect(v2.catalogEntry.dependencyGroups[0].dependencies[0]).toMatchObject({ id: 'Contoso.Core', range: '[1.2.0, )' });
      expect(v2.catalogEntry.tags).toEqual(['PSModule']);
    });

    it('links pages for an id with 128 or more versions, and every linked page resolves with exact bounds', async () => {
      const reg = await getJson(`${base}/v3/registration/big.package/index.json`);
      expect(reg.count).toBe(3);
      let total = 0;
      for (const page of reg.items) {
        expect(page.items).toBeUndefined();
        const doc = await getJson(page['@id']);
        expect(doc.lower).toBe(page.lower);
        expect(doc.upper).toBe(page.upper);
        expect(doc.parent).toBe(`${base}/v3/registration/big.package/index.json`);
        total += doc.items.length;
      }
      expect(total).toBe(130);
    });

    it('serves leaves and catalog leaves (what PowerShellGet 2.x dereferences)', async () => {
      const leaf = await getJson(`${base}/v3/registration/contoso.core/1.2.0.json`);
      expect(leaf.listed).toBe(true);
      const catalog = await getJson(leaf.catalogEntry);
      expect(catalog).toMatchObject({ id: 'Contoso.Core', version: '1.2.0', packageHashAlgorithm: 'SHA512' });
      expect(catalog.packageSize).toBeGreaterThan(0);
    });

    it('revalidates with ETag (304) and gzips when asked', async () => {
      const url = `${base}/v3/registration/big.package/index.json`;
      const first = await request(url, { headers: { 'accept-encoding': 'gzip' } });
      expect(first.headers['content-encoding']).toBe('gzip');
      const body = JSON.parse(gunzipSync(Buffer.from(await first.body.arrayBuffer())).toString());
      expect(body.count).toBe(3);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"/);
      const second = await request(url, { headers: { 'if-none-match': etag } });
      expect(second.statusCode).toBe(304);
      await second.body.arrayBuffer();
    });
  });

  describe('unlist and relist', () => {
    it('hides an unlisted version from search and the dependency hive but keeps it downloadable', async () => {
      const del = await fetch(`${base}/api/v2/package/CONTOSO.CORE/1.3`, { method: 'DELETE', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
      expect(del.status).toBe(204);
      const reg = await getJson(`${base}/v3/registration/contoso.core/index.json`);
      const leaf = reg.items[0].items.find((l: any) => l.catalogEntry.version === '1.3.0');
      expect(leaf.catalogEntry.listed).toBe(false);
      expect(leaf.catalogEntry.published).toBe('1900-01-01T00:00:00+00:00');
      expect((await getJson(`${base}/v3/flatcontainer/contoso.core/index.json`)).versions).toContain('1.3.0');
      expect((await fetch(`${base}/v3/flatcontainer/contoso.core/1.3.0/contoso.core.1.3.0.nupkg`)).status).toBe(200);
      const search = await getJson(`${base}/v3/search?q=packageid:contoso.core`);
      expect(search.data[0].versions.map((v: any) => v.version)).toEqual(['1.2.0']);
      const deps = await getJson(`${base}/v3/dependencies/contoso.core/index.json`);
      expect(deps.items.flatMap((p: any) => p.items).map((l: any) => l.catalogEntry.version)).toEqual(['1.2.0']);

      const relist = await fetch(`${base}/api/v2/package/contoso.core/1.3.0`, { method: 'POST', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
      expect(relist.status).toBe(200);
      const after = await getJson(`${base}/v3/search?q=packageid:contoso.core`);
      expect(after.data[0].versions.map((v: any) => v.version)).toEqual(['1.2.0', '1.3.0']);
    });

    it('answers 404 for an unknown id or version', async () => {
      const res = await fetch(`${base}/api/v2/package/nope/1.0.0`, { method: 'DELETE', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
      expect(res.status).toBe(404);
    });
  });

  describe('dependency-only hive', () => {
    it('serves ids, versions, merged dependencies and download links only', async () => {
      const doc = await getJson(`${base}/v3/dependencies/contoso.core/index.json`);
      const leaf = doc.items.flatMap((p: any) => p.items).find((l: any) => l.catalogEntry.version === '1.2.0');
      expect(Object.keys(leaf).sort()).toEqual(['catalogEntry', 'packageContent']);
      expect(leaf.catalogEntry.dependencyGroups).toHaveLength(1);
      expect(leaf.catalogEntry.dependencyGroups[0].dependencies).toEqual([{ id: 'Newtonsoft.Json', range: '[13.0.1, )' }]);
      const script = await getJson(`${base}/v3/dependencies/contoso.script/index.json`);
      expect(script.items[0].items[0].catalogEntry.tags).toEqual(['ItemType:Script']);
    });

    it('is smaller than the full registration for the same id', async () => {
      const full = await (await fetch(`${base}/v3/registration/contoso.tools/index.json`)).arrayBuffer();
      const slim = await (await fetch(`${base}/v3/dependencies/contoso.tools/index.json`)).arrayBuffer();
      expect(slim.byteLength * 2).toBeLessThan(full.byteLength);
    });
  });

  describe('search and autocomplete', () => {
    it('filters by field syntax, prerelease and packageType, one result per id, totalHits first', async () => {
      const res = await fetch(`${base}/v3/search?q=tags:PSModule&prerelease=True&semVerLevel=2.0.0`);
      const text = await res.text();
      expect(text.startsWith('{"totalHits":')).toBe(true);
      const body = JSON.parse(text);
      expect(body.data.map((d: any) => d.id)).toEqual(['Contoso.Tools']);
      expect(body.data[0].version).toBe('2.0.0-Beta.1');
      const stable = await getJson(`${base}/v3/search?q=tags:PSModule&prerelease=false&semVerLevel=2.0.0`);
      expect(stable.data[0].version).toBe('1.0.0');
      const semver1 = await getJson(`${base}/v3/search?q=tags:PSModule&prerelease=true`);
      expect(semver1.data[0].versions.map((v: any) => v.version)).toEqual(['1.0.0']);
      // fields match the latest version (nuget.org): Contoso.Core 1.2.0 is by Alice, its latest 1.3.0 is not
      const author = await getJson(`${base}/v3/search?q=author:alice`);
      expect(author.data.map((d: any) => d.id)).toEqual([]);
      const latestAuthor = await getJson(`${base}/v3/search?q=packageid:contoso.core author:test`);
      expect(latestAuthor.data.map((d: any) => d.version)).toEqual(['1.3.0']);
      const none = await getJson(`${base}/v3/search?q=&packageType=DotnetTool`);
      expect(none.totalHits).toBe(0);
    });

    it('respects skip and take', async () => {
      const all = await getJson(`${base}/v3/search?q=&prerelease=true&semVerLevel=2.0.0&take=100`);
      const page = await getJson(`${base}/v3/search?q=&prerelease=true&semVerLevel=2.0.0&skip=1&take=2`);
      expect(page.totalHits).toBe(all.totalHits);
      expect(page.data.map((d: any) => d.id)).toEqual(all.data.slice(1, 3).map((d: any) => d.id));
      expect((await fetch(`${base}/v3/search?take=abc`)).status).toBe(400);
    });

    it('autocompletes ids by prefix of their parts, and versions of an id', async () => {
      const ids = await getJson(`${base}/v3/autocomplete?q=core`);
      expect(ids.data).toContain('Contoso.Core');
      const versions = await getJson(`${base}/v3/autocomplete?id=contoso.tools&prerelease=true&semVerLevel=2.0.0`);
      expect(versions.data).toEqual(['1.0.0', '2.0.0-Beta.1']);
    });
  });

  it('serves a package details page', async () => {
    const res = await fetch(`${base}/packages/contoso.core/1.2.0`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('dotnet add package Contoso.Core');
  });
});
