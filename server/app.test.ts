/**
 * The route table over `app.request()`, without a socket or a database: every port is an object
 * literal, so each test states exactly what the repository and the package service answer. Status,
 * headers and bodies are what a client sees; bodies of documents are compared with test/golden.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SearchFilter, StoredVersion } from '../db/packages.ts';
import { makeRecord, makeVersions } from '../test/support/records.ts';
import { expectGolden } from '../test/support/golden.ts';
import { createApp } from './app.ts';
import { DocumentCache, GLOBAL_CACHE_TAG } from './cache.ts';
import { loadConfig } from './config.ts';
import type { PackageFiles, PackageReads, PackageWrites } from './ports.ts';

const BASE = 'https://pkgs.example.com';
const KEY = 'right-key';

/** Reads that know nothing; tests override what they exercise, and count calls of each. */
function reads(overrides: Partial<PackageReads> = {}): PackageReads & { calls: string[] } {
  const calls: string[] = [];
  const none: PackageReads = {
    getVersionSummaries: async () => [],
    getRecords: async () => [],
    getListedRecords: async () => [],
    getRecordsByKeys: async () => [],
    getRecord: async () => null,
    getDependencyRecords: async () => [],
    getStoredVersion: async () => null,
    search: async () => ({ lowerIds: [], totalHits: 0 }),
    getSearchRecordsFor: async () => [],
    autocompleteIds: async () => ({ ids: [], totalHits: 0 }),
    countVersions: async () => 0,
  };
  const all = { ...none, ...overrides } as Record<string, (...args: unknown[]) => unknown>;
  const counted = Object.fromEntries(
    Object.entries(all).map(([name, fn]) => [name, (...args: unknown[]) => (calls.push(name), fn(...args))]),
  );
  return Object.assign(counted as unknown as PackageReads, { calls });
}

function setup(opts: { repo?: PackageReads; packages?: Partial<PackageWrites>; files?: Record<string, Buffer>; env?: Record<string, string> } = {}) {
  const cache = new DocumentCache();
  const counted: string[] = [];
  const writes: unknown[][] = [];
  const errors: object[] = [];
  const files = opts.files ?? {};
  const blobs: PackageFiles = {
    open: async (key, name) => {
      const bytes = files[`${key}/${name}`];
      return bytes ? { stream: Readable.from([bytes]), size: bytes.length } : null;
    },
  };
  const packages: PackageWrites = {
    push: async () => {
      throw new Error('no push expected');
    },
    setListed: async (...args) => {
      writes.push(args);
    },
    ...opts.packages,
  };
  const app = createApp({
    config: loadConfig({ GALLEON_BASE_URL: BASE, GALLEON_API_KEY: KEY, ...opts.env }),
    repo: opts.repo ?? reads(),
    blobs,
    staging: { tempPath: () => '/nonexistent/upload.tmp' },
    cache,
    downloads: { count: (id, key) => counted.push(`${id}/${key}`) },
    packages,
    log: { error: (obj) => errors.push(obj), warn() {}, info() {} },
  });
  return { app, cache, counted, writes, errors };
}

describe('documents through the route table', () => {
  it('answers the service index as the golden document, and the dependency-only one to ModuleFast', async () => {
    const { app } = setup();
    const full = await app.request('/v3/index.json');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(full.headers.get('vary')).toBe('User-Agent, Accept-Encoding');
    expect(full.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expectGolden('service-index', await full.json());
    const slim = await app.request('/INDEX.json', { headers: { 'User-Agent': 'ModuleFast/0.6.0' } });
    expect(slim.headers.get('vary')).toBe('User-Agent, Accept-Encoding');
    expectGolden('dependencies-service-index', await slim.json());
    // the two variants are cached apart: the full one is still the full one
    expectGolden('service-index', await (await app.request('/v3/index.json?x=1')).json());
    // a document that does not vary by agent says so
    const deps = await app.request('/v3/dependencies/index.json');
    expect(deps.headers.get('vary')).toBe('Accept-Encoding');
  });

  it('serves registration, dependency and autocomplete documents equal to the golden files', async () => {
    const unlisted = makeRecord({ version: '1.2.0', listed: false });
    const repo = reads({
      getRecord: async (id, key) => (id === 'contoso.tools' && key === '1.2.0' ? unlisted : null),
      getDependencyRecords: async (id) => (id === 'contoso.tools' ? makeVersions(1200) : []),
      autocompleteIds: async () => ({ ids: ['Contoso.Tools', 'Contoso.Cli'], totalHits: 12 }),
    });
    const { app } = setup({ repo });
    // the id and version are found whatever their case and spelling (§10 rule 3)
    const leaf = await app.request('/v3/registration/Contoso.Tools/1.2.0.0.json');
    expect(leaf.status).toBe(200);
    expectGolden('registration-leaf-unlisted', await leaf.json());
    expectGolden('dependencies-index-1200', await (await app.request('/v3/dependencies/contoso.tools/index.json')).json());
    expectGolden('autocomplete-ids', await (await app.request('/v3/autocomplete?q=contoso')).json());
  });

  it('revalidates with the ETag (304, no body), negotiates gzip, and builds a document once until its id changes', async () => {
    const repo = reads({ getDependencyRecords: async (id) => (id === 'contoso.tools' ? makeVersions(1200) : []) });
    const { app, cache } = setup({ repo });
    const first = await app.request('/v3/dependencies/contoso.tools/index.json', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    const zipped = Buffer.from(await first.arrayBuffer());
    expect(Number(first.headers.get('content-length'))).toBe(zipped.length);
    expectGolden('dependencies-index-1200', JSON.parse(gunzipSync(zipped).toString('utf8')));
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await app.request('/v3/dependencies/contoso.tools/index.json', { headers: { 'If-None-Match': `W/"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('vary')).toBe('Accept-Encoding');
    const plain = await app.request('/v3/dependencies/contoso.tools/index.json', { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(repo.calls.filter((c) => c === 'getDependencyRecords')).toHaveLength(1);

    cache.invalidate('contoso.tools');
    await app.request('/v3/dependencies/contoso.tools/index.json');
    expect(repo.calls.filter((c) => c === 'getDependencyRecords')).toHaveLength(2);
  });

  it('answers 404 with a message for unknown ids, invalid ids and unknown routes', async () => {
    const { app } = setup();
    const unknown = await app.request('/v3/registration/nothing.here/index.json');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Package nothing.here was not found.');
    const invalid = await app.request('/v3/flatcontainer/bad%20id!/index.json');
    expect(invalid.status).toBe(404);
    expect(await invalid.text()).toBe('No package has the id "bad id!".');
    const route = await app.request('/v2/whatever');
    expect(route.status).toBe(404);
    expect(await route.text()).toBe('Not found. The service index is at /v3/index.json.');
  });

  it('passes search filters to the repository lower-cased and refuses a malformed take with 400', async () => {
    const seen: SearchFilter[] = [];
    const tools = makeRecord();
    const repo = reads({
      search: async (f) => (seen.push(f), { lowerIds: ['contoso.tools'], totalHits: 1 }),
      getSearchRecordsFor: async () => [{ ...tools, lowerId: 'contoso.tools' }],
    });
    const { app } = setup({ repo });
    const res = await app.request('/v3/search?q=Tools%20tags:CLI&prerelease=True&semVerLevel=2.0.0&take=5');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { totalHits: number; data: { id: string }[] };
    expect(body.totalHits).toBe(1);
    expect(body.data.map((d) => d.id)).toEqual(['Contoso.Tools']);
    expect(seen[0]).toMatchObject({ terms: ['tools'], tags: ['cli'], prerelease: true, semVer2: true, take: 5, skip: 0 });
    const bad = await app.request('/v3/search?take=many');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('The take parameter must be a whole number from 0 to 1000.');
  });
});

describe('package files through the route table', () => {
  const version: StoredVersion = {
    id: 'Contoso.PSTools', version: '1.0.0', versionKey: '1.0.0', blobKey: 'contoso.pstools/1.0.0/u1',
    listed: true, hasReadme: false, hasIcon: false, packageSize: 5,
  };
  const repo = () => reads({ getStoredVersion: async (id, key) => (id === 'contoso.pstools' && key === '1.0.0' ? version : null) });
  const files = { 'contoso.pstools/1.0.0/u1/package.nupkg': Buffer.from('nupkg'), 'contoso.pstools/1.0.0/u1/package.nuspec': Buffer.from('<package/>') };

  it('serves the nupkg under any spelling of its version, immutable, with the file ETag, and counts the download', async () => {
    const { app, counted } = setup({ repo: repo(), files });
    // the module manifest spelling 1.0.0.0 in the file name, the normalized one in the folder (§4.7)
    const res = await app.request('/v3/flatcontainer/Contoso.PSTools/1.0.0/contoso.pstools.1.0.0.0.nupkg');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('nupkg');
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '5',
      'cache-control': 'public, max-age=31536000, immutable',
      etag: '"u1-package.nupkg"',
    });
    expect(counted).toEqual(['contoso.pstools/1.0.0']);
    const nuspec = await app.request('/v3/flatcontainer/contoso.pstools/1.0.0.0/contoso.pstools.nuspec');
    expect(nuspec.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await nuspec.text()).toBe('<package/>');
  });

  it('answers HEAD without counting, 304 for the ETag, and 404 for missing readme, other versions and other names', async () => {
    const { app, counted } = setup({ repo: repo(), files });
    const url = '/v3/flatcontainer/contoso.pstools/1.0.0/contoso.pstools.1.0.0.nupkg';
    const head = await app.request(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5');
    const revalidated = await app.request(url, { headers: { 'If-None-Match': '"u1-package.nupkg"' } });
    expect(revalidated.status).toBe(304);
    expect(counted).toEqual([]);
    const readme = await app.request('/v3/flatcontainer/contoso.pstools/1.0.0/readme');
    expect([readme.status, await readme.text()]).toEqual([404, 'This package has no readme.']);
    const other = await app.request('/v3/flatcontainer/contoso.pstools/2.0.0/contoso.pstools.2.0.0.nupkg');
    expect([other.status, await other.text()]).toEqual([404, 'Package contoso.pstools 2.0.0 was not found.']);
    const wrongName = await app.request('/v3/flatcontainer/contoso.pstools/1.0.0/contoso.pstools.1.0.1.nupkg');
    expect([wrongName.status, await wrongName.text()]).toEqual([404, 'Not found.']);
  });

  it('answers 500 and logs when a row names a file the store lacks', async () => {
    const { app, errors } = setup({ repo: repo(), files: {} });
    const res = await app.request('/v3/flatcontainer/contoso.pstools/1.0.0/contoso.pstools.1.0.0.nupkg');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal server error.');
    expect(errors[0]).toMatchObject({ blobKey: 'contoso.pstools/1.0.0/u1', name: 'package.nupkg' });
  });
});

describe('writes through the route table', () => {
  it('checks the API key before touching the package service', async () => {
    const { app, writes } = setup();
    const none = await app.request('/api/v2/package/Contoso.Tools/1.0.0', { method: 'DELETE' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Galleon", charset="UTF-8"');
    const wrong = await app.request('/api/v2/package/Contoso.Tools/1.0.0', { method: 'DELETE', headers: { 'X-NuGet-ApiKey': 'wrong' } });
    expect([wrong.status, await wrong.text()]).toEqual([403, 'The API key is not valid for this server.']);
    expect(writes).toEqual([]);

    const unlist = await app.request('/api/v2/package/Contoso.Tools/1.0.0', { method: 'DELETE', headers: { 'X-NuGet-ApiKey': KEY } });
    expect(unlist.status).toBe(204);
    const basic = `Basic ${Buffer.from(`anyone:${KEY}`).toString('base64')}`;
    const relist = await app.request('/api/v2/package/Contoso.Tools/1.0.0', { method: 'POST', headers: { Authorization: basic } });
    expect([relist.status, await relist.text()]).toEqual([200, 'Listed.']);
    // paths are matched lower-cased (§10 rule 3): the service gets the id as the route saw it
    expect(writes).toEqual([
      ['contoso.tools', '1.0.0', false],
      ['contoso.tools', '1.0.0', true],
    ]);
  });

  it('refuses every write with 403 when the server has no API key', async () => {
    const { app, writes } = setup({ env: { GALLEON_API_KEY: '' } });
    const res = await app.request('/api/v2/package', { method: 'PUT', headers: { 'X-NuGet-ApiKey': KEY }, body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^Writes are disabled: this Galleon has no API key\. Restart it with GALLEON_API_KEY=/);
    expect(writes).toEqual([]);
  });

  it('hands a pushed package to the service and answers 201 with its identity', async () => {
    const pushed: { size: number; sha512: string; bytes: string | null }[] = [];
    const { app } = setup({
      packages: {
        push: async (upload) => {
          pushed.push({ size: upload.size, sha512: upload.sha512, bytes: upload.bytes?.toString() ?? null });
          return { id: 'Contoso.Tools', version: '1.0.0' };
        },
      },
    });
    const body = Buffer.from('PK fake package bytes');
    const res = await app.request('/api/v2/package', {
      method: 'PUT',
      headers: { 'X-NuGet-ApiKey': KEY, 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect([res.status, await res.text()]).toEqual([201, 'Package Contoso.Tools 1.0.0 was pushed.']);
    expect(pushed).toEqual([{ size: body.length, sha512: createHash('sha512').update(body).digest('base64'), bytes: body.toString() }]);
  });
});

describe('the home page', () => {
  it('says what the server is, how to point each client at it and how many packages it holds, under a strict CSP', async () => {
    const repo = reads({ autocompleteIds: async () => ({ ids: [], totalHits: 3 }), countVersions: async () => 7 });
    const { app } = setup({ repo });
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('3 packages (7 versions)');
    expect(html).toContain(`${BASE}/v3/index.json`);
    for (const client of ['dotnet nuget add source', 'Register-PSResourceRepository', 'Register-PSRepository', 'Install-ModuleFast', 'npx galleon install']) {
      expect(html).toContain(client);
    }
    // the policy allows the page's one inline style sheet by its hash, and nothing else
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    const css = /<style>([^<]*)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes a forwarded host it puts in its links', async () => {
    const { app } = setup({ env: { GALLEON_BASE_URL: '', GALLEON_TRUST_PROXY: '1' } });
    const res = await app.request('http://127.0.0.1/', { headers: { 'X-Forwarded-Host': 'evil"><script>alert(1)', 'X-Forwarded-Proto': 'https' } });
    const html = await res.text();
    expect(html).not.toContain('<script');
    expect(html).toContain('https://evil&#34;&#62;&#60;script&#62;alert(1)/v3/index.json');
  });
});

describe('cross-id documents', () => {
  it('are dropped when any package changes (GLOBAL_CACHE_TAG)', async () => {
    let total = 1;
    const repo = reads({ autocompleteIds: async () => ({ ids: ['A'], totalHits: total }) });
    const { app, cache } = setup({ repo });
    expect(((await (await app.request('/v3/autocomplete')).json()) as { totalHits: number }).totalHits).toBe(1);
    total = 2;
    expect(((await (await app.request('/v3/autocomplete')).json()) as { totalHits: number }).totalHits).toBe(1);
    cache.invalidate(GLOBAL_CACHE_TAG);
    expect(((await (await app.request('/v3/autocomplete')).json()) as { totalHits: number }).totalHits).toBe(2);
  });
});
