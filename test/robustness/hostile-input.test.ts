/**
 * Robustness against hostile input (issue 4): crafted pushes (broken and malicious archives, hostile
 * XML, invalid identities, oversized and broken HTTP bodies, clients that vanish mid-upload) and
 * crafted request targets on every id/version route. Each must be answered 4xx with a plain message
 * and leave no blob, temp file or row behind, and the server must keep serving. Runs on every
 * backend of `backends()`; the server runs with GALLEON_MAX_PACKAGE_MB=1.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageRepository } from '../../db/packages.ts';
import { packagesDir } from '../../server/config.ts';
import { abandonUpload, hostilePushes, hostileRoutes, multipartBody, oddQueries, openFilesUnder, sendBytes, sendRaw, zip64Nupkg, type RawResponse } from '../support/hostile.ts';
import { makeNupkg, nuspecXml } from '../support/make-nupkg.ts';
import { backends, pushPackage, startTestServer, TEST_API_KEY, type TestServer } from '../support/server.ts';

const MAX_MB = 1;
const MAX_BYTES = MAX_MB * 1024 * 1024;
const PUSHES = await hostilePushes(MAX_BYTES);
const SENTINEL = { id: 'Sentinel.Package', version: '1.0.0' };
const ROUTES = hostileRoutes(SENTINEL.id, SENTINEL.version);

/** Every file under `dir` (recursively), relative, sorted; folders themselves are not listed. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * Exact row counts of every table of Galleon's schema (package ids, versions, search documents and
 * whatever a later migration adds), e.g. `{ package_registrations: 1, package_versions: 1 }`, so a
 * refused push that left any row behind is seen, not only one in the versions table.
 */
async function rowCounts(s: TestServer): Promise<Record<string, number>> {
  const rowsOf = (r: unknown) => (Array.isArray(r) ? r : ((r as { rows: Record<string, unknown>[] }).rows ?? [])) as Record<string, unknown>[];
  const tables = rowsOf(
    await s.db.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`),
  ).map((r) => String(r.table_name));
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = rowsOf(await s.db.db.execute(sql.raw(`select count(*) as n from "${t.replace(/"/g, '""')}"`)));
    counts[t] = Number(row?.n ?? 0);
  }
  return counts;
}

/** Polls until `files()` equals `expected` (temp files of an aborted upload go away asynchronously). */
async function settlesTo(files: () => Promise<string[]>, expected: string[], ms = 3000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let now = await files();
  while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    now = await files();
  }
  return now;
}

/** A 4xx a person can read: plain text, one short message, no stack trace, no HTML. */
function expectPlainRefusal(res: RawResponse, what: string): void {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  expect(String(res.headers['content-type'] ?? ''), what).toMatch(/^text\/plain/);
  expect(res.text.trim().length, what).toBeGreaterThan(5);
  expect(res.text.length, what).toBeLessThan(2000);
  expect(res.text, what).not.toMatch(/\n\s+at |<html|Error: /i);
}

describe.each(backends())('hostile input (%s database)', (backend) => {
  let s: TestServer;
  let repo: PackageRepository;
  let blobDir: string;
  let sentinelBytes: Buffer;

  beforeAll(async () => {
    s = await startTestServer(backend, { env: { GALLEON_MAX_PACKAGE_MB: String(MAX_MB) } });
    repo = new PackageRepository(s.db.db);
    blobDir = packagesDir(s.config);
    sentinelBytes = await makeNupkg({ nuspec: nuspecXml({ id: SENTINEL.id, version: SENTINEL.version }) });
    expect((await pushPackage(s.url, sentinelBytes)).status).toBe(201);
  });
  afterAll(async () => s?.dispose());

  /** the sentinel package still downloads byte-identical: the server keeps serving */
  async function expectStillServing(what: string): Promise<void> {
    const res = await fetch(`${s.url}/v3/flatcontainer/sentinel.package/1.0.0/sentinel.package.1.0.0.nupkg`);
    expect(res.status, `after ${what}`).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(sentinelBytes), `after ${what}`).toBe(true);
  }

  it(`has at least 50 crafted pushes and ${ROUTES.length} crafted routes`, () => {
    expect(PUSHES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(PUSHES.map((c) => c.name)).size).toBe(PUSHES.length);
  });

  it.each(PUSHES.map((c) => [c.name, c] as const))('refuses %s with a 4xx and leaves nothing behind', async (_name, c) => {
    const filesBefore = await filesUnder(blobDir);
    const rowsBefore = await rowCounts(s);
    const headers = { ...c.headers };
    if (!c.noApiKey) headers['X-NuGet-ApiKey'] = c.apiKey ?? TEST_API_KEY;
    const res = await sendRaw(s.url, { method: 'PUT', path: '/api/v2/package/', headers, body: c.body, chunked: c.chunked });
    if (c.status !== undefined) expect(res.status, res.text).toBe(c.status);
    expectPlainRefusal(res, c.name);

    expect(await settlesTo(() => filesUnder(blobDir), filesBefore), 'files under <dataDir>/packages').toEqual(filesBefore);
    expect(await rowCounts(s), 'rows of every table').toEqual(rowsBefore);
    if (c.id) {
      expect(await repo.getRecords(c.id.toLowerCase())).toEqual([]);
      expect((await fetch(`${s.url}/v3/flatcontainer/${c.id.toLowerCase()}/index.json`)).status).toBe(404);
      expect((await fetch(`${s.url}/v3/registration/${c.id.toLowerCase()}/index.json`)).status).toBe(404);
    }
    await expectStillServing(c.name);
  });

  it.each(ROUTES.map((r) => [r.name, r] as const))('answers %s with a plain 4xx', async (_name, r) => {
    const res = await sendRaw(s.url, { method: r.method, path: r.path, headers: r.withKey ? { 'X-NuGet-ApiKey': TEST_API_KEY } : {} });
    if (r.method === 'HEAD') {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    } else {
      expectPlainRefusal(res, r.name);
    }
    expect(res.text).not.toMatch(/PG_VERSION|root:x:0:0/);
  });

  it.each(oddQueries().map((q) => [q.length > 70 ? `${q.slice(0, 70)}…` : q, q] as const))('answers the odd but harmless query %s with 200 JSON', async (_name, q) => {
    const res = await sendRaw(s.url, { method: 'GET', path: q });
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    const body = JSON.parse(res.text);
    expect(Array.isArray(body.data)).toBe(true);
    expect(typeof body.totalHits).toBe('number');
  });

  it('answers broken request framing (raw NUL in the target, bad chunk sizes, conflicting or invalid lengths) with a plain 400 and no temp file', async () => {
    const before = await filesUnder(blobDir);
    const nul = await sendBytes(s.url, Buffer.from(`GET /v3/registration/a\u0000b/index.json HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1'));
    expect(nul.status).toBe(400);
    expect(nul.headers['content-type']).toMatch(/^text\/plain/);
    expect(nul.text.length).toBeGreaterThan(5);
    const badChunk = await sendBytes(
      s.url,
      Buffer.from(
        `PUT /api/v2/package/ HTTP/1.1\r\nHost: x\r\nX-NuGet-ApiKey: ${TEST_API_KEY}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\nZZZZ\r\n`,
        'latin1',
      ),
    );
    expect(badChunk.status).toBe(400);
    expect(badChunk.headers['content-type']).toMatch(/^text\/plain/);
    const head = `PUT /api/v2/package/ HTTP/1.1\r\nHost: x\r\nX-NuGet-ApiKey: ${TEST_API_KEY}\r\nContent-Type: application/octet-stream\r\n`;
    for (const framing of ['Content-Length: 10\r\nTransfer-Encoding: chunked\r\n', 'Content-Length: -5\r\n', 'Content-Length: 12abc\r\n', 'Content-Length: 5\r\nContent-Length: 6\r\n']) {
      const res = await sendBytes(s.url, Buffer.from(`${head}${framing}\r\n0123456789`, 'latin1'));
      expect(res.status, framing).toBe(400);
      expect(res.headers['content-type'], framing).toMatch(/^text\/plain/);
    }
    expect(await settlesTo(() => filesUnder(blobDir), before)).toEqual(before);
    await expectStillServing('broken framing');
  });

  it('removes the temp file of a client that disconnects mid-upload (raw, multipart, chunked) and closes its descriptor', async () => {
    const before = await filesUnder(blobDir);
    const rowsBefore = await rowCounts(s);
    const bytes = await makeNupkg({
      nuspec: nuspecXml({ id: 'Hostile.Vanishing', version: '1.0.0' }),
      entries: [{ name: 'lib/net8.0/payload.bin', data: Buffer.alloc(600_000, 0x41), compress: false }],
    });
    const multipart = multipartBody(bytes);
    const attempts = [
      { headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': 'application/octet-stream' }, body: bytes, sendBytes: 300_000 },
      { headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': multipart.contentType }, body: multipart.body, sendBytes: 300_000 },
      { headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': 'application/octet-stream' }, body: bytes, sendBytes: 300_000, chunked: true },
      { headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': multipart.contentType }, body: multipart.body, sendBytes: 300_000, chunked: true },
    ];
    for (const a of attempts) await abandonUpload(s.url, a);
    // and clients that vanish right after the first bytes of the file part, before the temp file is open
    for (let i = 0; i < 20; i++) {
      await abandonUpload(s.url, { ...attempts[i % 2 === 0 ? 1 : 3], sendBytes: 250 + i * 40, lingerMs: 0 });
      await abandonUpload(s.url, { ...attempts[i % 2 === 0 ? 0 : 2], sendBytes: 1 + i * 40, lingerMs: 0 });
    }
    expect(await settlesTo(() => filesUnder(blobDir), before), 'files after abandoned uploads').toEqual(before);
    // no descriptor of a removed temp file stays open (its disk space would never be freed)
    expect(await settlesTo(() => openFilesUnder(join(blobDir, '.tmp')), []), 'open temp files').toEqual([]);
    expect(await rowCounts(s), 'rows of every table').toEqual(rowsBefore);
    expect((await fetch(`${s.url}/v3/flatcontainer/hostile.vanishing/index.json`)).status).toBe(404);
    await expectStillServing('abandoned uploads');
  });

  it('still accepts a valid push (zip64 included) and keeps the sentinel listed after every attack', async () => {
    const zip64 = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Robust.Zip64', version: '1.0.0' }), entries: [{ name: 'lib/net8.0/a.dll', data: 'x'.repeat(1000) }] });
    expect((await pushPackage(s.url, zip64)).status).toBe(201);
    const res = await fetch(`${s.url}/v3/flatcontainer/robust.zip64/1.0.0/robust.zip64.1.0.0.nupkg`);
    expect(Buffer.from(await res.arrayBuffer()).equals(zip64)).toBe(true);
    const leaf = (await (await fetch(`${s.url}/v3/registration/sentinel.package/1.0.0.json`)).json()) as any;
    expect(leaf.listed).toBe(true);
    await expectStillServing('the whole suite');
  });
});
