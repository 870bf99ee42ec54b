/**
 * Configuration a gallery operator relies on: with no GALLEON_API_KEY every write is refused with a
 * message saying how to enable writes; forwarded headers shape the emitted links only with
 * GALLEON_TRUST_PROXY=1 and never override GALLEON_BASE_URL; and two processes migrating one empty
 * PostgreSQL database at once both come up (the advisory lock serialises the migrations).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connection.ts';
import { loadConfig } from '../server/config.ts';
import { startServer, type RunningServer } from '../server/serve.ts';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { backends, createTestDatabase, pushPackage, startTestServer, TEST_API_KEY, type TestServer } from './support/server.ts';

const FORWARDED = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'feed.example.com', 'X-Forwarded-Prefix': '/nuget' };

async function publishUrl(base: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/v3/index.json`, { headers });
  expect(res.status).toBe(200);
  const index = (await res.json()) as { resources: { '@id': string; '@type': string }[] };
  return index.resources.find((r) => r['@type'] === 'PackageBaseAddress/3.0.0')!['@id'];
}

describe('no GALLEON_API_KEY', () => {
  let dataDir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'galleon-nokey-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', GALLEON_DATA_DIR: dataDir, GALLEON_LOG_LEVEL: 'silent' });
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses push, unlist and relist with 403 and says how to enable writes, whatever key is sent', async () => {
    const bytes = await makeNupkg({ nuspec: nuspecXml({ id: 'No.Key', version: '1.0.0' }) });
    for (const apiKey of [TEST_API_KEY, null]) {
      const res = await pushPackage(server.url, bytes, { apiKey });
      expect(res.status).toBe(403);
      expect(res.text).toMatch(/GALLEON_API_KEY=/);
      expect(res.text).toMatch(/--api-key/);
    }
    for (const method of ['DELETE', 'POST']) {
      const res = await fetch(`${server.url}/api/v2/package/No.Key/1.0.0`, { method, headers: { 'X-NuGet-ApiKey': 'anything' } });
      expect(res.status, method).toBe(403);
      expect(await res.text(), method).toMatch(/GALLEON_API_KEY=/);
    }
    expect((await fetch(`${server.url}/v3/flatcontainer/no.key/index.json`)).status).toBe(404);
    // reads still work
    expect((await fetch(`${server.url}/v3/index.json`)).status).toBe(200);
  });

  it('ignores X-Forwarded-* without GALLEON_TRUST_PROXY=1', async () => {
    expect(await publishUrl(server.url, FORWARDED)).toBe(`${server.url}/v3/flatcontainer/`);
  });
});

describe('links behind a reverse proxy', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  it('with GALLEON_TRUST_PROXY=1 builds every link from the forwarded proto, host and prefix, and from Host without them', async () => {
    const s = await startTestServer('embedded', { env: { GALLEON_TRUST_PROXY: '1' } });
    servers.push(s);
    expect(await publishUrl(s.url, FORWARDED)).toBe('https://feed.example.com/nuget/v3/flatcontainer/');
    const host = new URL(s.url).host;
    expect(await publishUrl(s.url)).toBe(`http://${host}/v3/flatcontainer/`);
    // a forwarded host that could inject a path or credentials is not trusted
    expect(await publishUrl(s.url, { 'X-Forwarded-Host': 'evil.example.com/x@y' })).not.toMatch(/evil/);
  });

  it('keeps GALLEON_BASE_URL when it is set, even with GALLEON_TRUST_PROXY=1', async () => {
    const s = await startTestServer('embedded', { env: { GALLEON_TRUST_PROXY: '1', GALLEON_BASE_URL: 'https://packages.contoso.com' } });
    servers.push(s);
    expect(await publishUrl(s.url, FORWARDED)).toBe('https://packages.contoso.com/v3/flatcontainer/');
  });
});

describe.runIf(backends().includes('postgres'))('migrations on PostgreSQL', () => {
  it('lets several processes start at once on one empty database: all come up, each migration applied once', async () => {
    const { url, drop } = await createTestDatabase();
    try {
      const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url, poolSize: 2 })));
      for (const h of handles) await h.close();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const applied = await sql`select hash from drizzle.__drizzle_migrations`;
        expect(new Set(applied.map((r) => r.hash)).size).toBe(applied.length);
        expect(applied.length).toBeGreaterThan(0);
        const tables = await sql`select table_name from information_schema.tables where table_schema = 'public'`;
        expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['package_registrations', 'package_versions']));
      } finally {
        await sql.end();
      }
    } finally {
      await drop();
    }
  }, 60_000);
});
