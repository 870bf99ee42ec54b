/**
 * The raw fast path answers exactly what a client must see: gzip only when Accept-Encoding allows
 * it, 304 on a matching ETag, HEAD without a body, package files from memory with immutable caching
 * and download counting, and it hands everything it does not hold in memory to the app.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredVersion } from '../db/packages.ts';
import { FsBlobStore } from './storage/fs.ts';
import { MemoryCachedBlobStore } from './storage/memory-cache.ts';
import { DocumentCache, StoredVersionCache, makeJsonDocument } from './cache.ts';
import type { BlobName } from './storage/blob-store.ts';
import { documentCacheKey } from './http/documents.ts';
import { fastAcceptsGzip } from './http/negotiation.ts';
import { serveCached, serveStoredFile } from './fast-path.ts';

const BASE = 'http://gallery.test';

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, any>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fastAcceptsGzip', () => {
  it('agrees with the header grammar NuGet clients and proxies send', () => {
    expect(fastAcceptsGzip('gzip, deflate, br')).toBe(true);
    expect(fastAcceptsGzip('deflate,gzip')).toBe(true);
    expect(fastAcceptsGzip('GZIP')).toBe(true);
    expect(fastAcceptsGzip('*')).toBe(true);
    expect(fastAcceptsGzip('gzip;q=0')).toBe(false);
    expect(fastAcceptsGzip('br;q=1, gzip;q=0.5')).toBe(true);
    expect(fastAcceptsGzip('identity')).toBe(false);
    expect(fastAcceptsGzip('x-gzip')).toBe(false);
    expect(fastAcceptsGzip(undefined)).toBe(false);
  });
});

describe('raw fast path over HTTP', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const cache = new DocumentCache();
  const rows = new Map<string, StoredVersion>();
  let lookups = 0;
  const stored = new StoredVersionCache(async (id, key) => {
    lookups++;
    return rows.get(`${id}/${key}`) ?? null;
  }, cache);
  let blobs: MemoryCachedBlobStore;
  const counted: string[] = [];
  const big = { items: Array.from({ length: 200 }, (_, i) => ({ version: `1.0.${i}`, text: 'some repeated text' })) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'galleon-fast-path-'));
    const files = new FsBlobStore(dir);
    await files.init();
    blobs = new MemoryCachedBlobStore(files, { maxFileBytes: 1024 });
    await blobs.write('contoso.core/1.2.0/u1', 'package.nupkg', Buffer.from('nupkg bytes'));
    await blobs.write('contoso.core/1.2.0/u1', 'package.nuspec', Buffer.from('<package/>'));
    await blobs.write('contoso.huge/1.0.0/u2', 'package.nupkg', Buffer.alloc(4096, 7));
    rows.set('contoso.core/1.2.0', { id: 'Contoso.Core', version: '1.2.0', versionKey: '1.2.0', blobKey: 'contoso.core/1.2.0/u1', listed: true, hasReadme: false, hasIcon: false, packageSize: 11 });
    rows.set('contoso.huge/1.0.0', { id: 'Contoso.Huge', version: '1.0.0', versionKey: '1.0.0', blobKey: 'contoso.huge/1.0.0/u2', listed: true, hasReadme: false, hasIcon: false, packageSize: 4096 });
    cache.set(documentCacheKey(BASE, '/v3/registration/contoso.core/index.json', ''), 'contoso.core', 0, makeJsonDocument(big, { cacheControl: 'no-cache' }));
    cache.set(documentCacheKey(BASE, '/v3/flatcontainer/contoso.core/index.json', ''), 'contoso.core', 0, makeJsonDocument({ versions: ['1.2.0'] }));
    server = createServer((req, res) => {
      if (serveCached(req, res, cache, BASE)) return;
      if (serveStoredFile(req, res, { stored, cachedBlob: (k, n) => blobs.cached(k, n), countDownload: (id, key) => counted.push(`${id}/${key}`) })) return;
      res.writeHead(599).end('app');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('gzips a large document only for clients that accept gzip, with the same ETag', async () => {
    const path = `${url}/v3/registration/Contoso.Core/index.json`;
    const gz = await get(path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(JSON.parse(gunzipSync(gz.body).toString())).toEqual(big);
    expect(gz.headers.vary).toBe('Accept-Encoding');
    for (const ae of [undefined, 'identity', 'gzip;q=0']) {
      const plain = await get(path, ae ? { 'accept-encoding': ae } : {});
      expect(plain.headers['content-encoding'], String(ae)).toBeUndefined();
      expect(JSON.parse(plain.body.toString())).toEqual(big);
      expect(plain.headers.etag).toBe(gz.headers.etag);
    }
  });

  it('sends small documents plain, answers 304 to a matching ETag and HEAD without a body', async () => {
    const path = `${url}/v3/flatcontainer/contoso.core/index.json`;
    const first = await get(path, { 'accept-encoding': 'gzip' });
    expect(first.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(first.body.toString())).toEqual({ versions: ['1.2.0'] });
    const again = await get(path, { 'if-none-match': first.headers.etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(path, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(first.body.length);
    expect(head.body.length).toBe(0);
  });

  it('hands documents it does not hold to the app', async () => {
    expect((await get(`${url}/v3/registration/unknown/index.json`)).status).toBe(599);
    expect((await get(`${url}/v3/flatcontainer/contoso.core/index.json`, {}, 'DELETE')).status).toBe(599);
  });

  it('serves a package file from memory once its location and bytes are known, counting nupkg downloads', async () => {
    const nupkg = `${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.1.2.0.nupkg`;
    // nothing in memory yet: the app answers (and would fill both caches)
    expect((await get(nupkg)).status).toBe(599);
    await stored.get('contoso.core', '1.2.0');
    await blobs.open('contoso.core/1.2.0/u1', 'package.nupkg');
    const before = lookups;
    const r = await get(`${url}/v3/flatcontainer/Contoso.Core/1.2.0.0/contoso.core.1.2.0.nupkg`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('nupkg bytes');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers.etag).toBe('"u1-package.nupkg"');
    expect(lookups).toBe(before);
    expect(counted).toEqual(['contoso.core/1.2.0']);
    // the file name may spell the version as the module manifest does (2 parts), the folder normalized
    const spelled = await get(`${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.1.2.nupkg`);
    expect(spelled.status).toBe(200);
    expect(spelled.body.toString()).toBe('nupkg bytes');
    expect(counted).toEqual(['contoso.core/1.2.0', 'contoso.core/1.2.0']);
    expect((await get(`${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.1.3.nupkg`)).status).toBe(599);
    expect((await get(nupkg, { 'if-none-match': '"u1-package.nupkg"' })).status).toBe(304);
    const head = await get(nupkg, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('11');
    expect(counted).toEqual(['contoso.core/1.2.0', 'contoso.core/1.2.0']);
    // the nuspec is not in memory until read once
    expect((await get(`${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.nuspec`)).status).toBe(599);
    await blobs.open('contoso.core/1.2.0/u1', 'package.nuspec');
    const nuspec = await get(`${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.nuspec`);
    expect(nuspec.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(nuspec.body.toString()).toBe('<package/>');
  });

  it('never keeps files above the size limit and forgets a version when its id is invalidated', async () => {
    await stored.get('contoso.huge', '1.0.0');
    const opened = await blobs.open('contoso.huge/1.0.0/u2', 'package.nupkg');
    expect(opened!.size).toBe(4096);
    opened!.stream.destroy();
    expect((await get(`${url}/v3/flatcontainer/contoso.huge/1.0.0/contoso.huge.1.0.0.nupkg`)).status).toBe(599);

    cache.invalidate('contoso.core');
    expect(stored.peek('contoso.core', '1.2.0')).toBeUndefined();
    expect((await get(`${url}/v3/flatcontainer/contoso.core/1.2.0/contoso.core.1.2.0.nupkg`)).status).toBe(599);
  });

  it('streams a file too large for memory from disk when it may open blobs: same bytes and headers, HEAD, 304, counted once', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
    await blobs.write('contoso.large/2.0.0/u3', 'package.nupkg', big);
    rows.set('contoso.large/2.0.0', { id: 'Contoso.Large', version: '2.0.0', versionKey: '2.0.0', blobKey: 'contoso.large/2.0.0/u3', listed: true, hasReadme: false, hasIcon: false, packageSize: big.length });
    rows.set('contoso.gone/1.0.0', { id: 'Contoso.Gone', version: '1.0.0', versionKey: '1.0.0', blobKey: 'contoso.gone/1.0.0/u4', listed: true, hasReadme: false, hasIcon: false, packageSize: 1 });
    await stored.get('contoso.large', '2.0.0');
    await stored.get('contoso.gone', '1.0.0');
    const missing: string[] = [];
    const downloads: string[] = [];
    const streaming = createServer((req, res) => {
      const src = {
        stored,
        cachedBlob: (k: string, n: BlobName) => blobs.cached(k, n),
        countDownload: (id: string, key: string) => downloads.push(`${id}/${key}`),
        openBlob: (k: string, n: BlobName) => blobs.open(k, n),
        onMissing: (k: string) => missing.push(k),
      };
      if (serveStoredFile(req, res, src)) return;
      res.writeHead(599).end('app');
    });
    await new Promise<void>((r) => streaming.listen(0, '127.0.0.1', () => r()));
    const at = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`;
    try {
      const path = `${at}/v3/flatcontainer/contoso.large/2.0.0/contoso.large.2.0.0.nupkg`;
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.body.equals(big)).toBe(true);
      expect(r.headers['content-length']).toBe(String(big.length));
      expect(r.headers.etag).toBe('"u3-package.nupkg"');
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const head = await get(path, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect((await get(path, { 'if-none-match': '"u3-package.nupkg"' })).status).toBe(304);
      expect(downloads).toEqual(['contoso.large/2.0.0']);
      expect(blobs.cached('contoso.large/2.0.0/u3', 'package.nupkg')).toBeUndefined();
      // a row whose files are gone: the app's 500, reported
      const gone = await get(`${at}/v3/flatcontainer/contoso.gone/1.0.0/contoso.gone.1.0.0.nupkg`);
      expect(gone.status).toBe(500);
      expect(missing).toEqual(['contoso.gone/1.0.0/u4']);
    } finally {
      await new Promise<void>((r) => streaming.close(() => r()));
    }
  });

  it('drops removed files from memory', async () => {
    await blobs.open('contoso.core/1.2.0/u1', 'package.nupkg');
    expect(blobs.cached('contoso.core/1.2.0/u1', 'package.nupkg')).toBeDefined();
    await blobs.remove('contoso.core/1.2.0/u1');
    expect(blobs.cached('contoso.core/1.2.0/u1', 'package.nupkg')).toBeUndefined();
    expect(await blobs.open('contoso.core/1.2.0/u1', 'package.nupkg')).toBeNull();
  });
});

describe('FsBlobStore small-file cache', () => {
  it('streams the same bytes from memory as from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galleon-blob-'));
    try {
      const files = new FsBlobStore(dir);
      await files.init();
      const store = new MemoryCachedBlobStore(files);
      const bytes = Buffer.from('x'.repeat(5000));
      await store.write('a/1.0.0/u', 'readme', bytes);
      for (let i = 0; i < 2; i++) {
        const o = await store.open('a/1.0.0/u', 'readme');
        const chunks: Buffer[] = [];
        for await (const c of o!.stream) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
        expect(o!.size).toBe(5000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
