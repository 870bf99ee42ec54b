/**
 * Test harness: starts a real Galleon (HTTP on a free loopback port, real files in a temp data
 * folder) on the embedded database or, when GALLEON_TEST_DATABASE_URL names a PostgreSQL server, on
 * a fresh database created on that server for the test file.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { inject } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../../db/connection.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';

export const TEST_API_KEY = 'test-key-0123456789';

/** The database backends the suites run against: always the embedded one, PostgreSQL when configured. */
export type Backend = 'embedded' | 'postgres';

export function backends(): Backend[] {
  const list: Backend[] = ['embedded'];
  if (process.env.GALLEON_TEST_DATABASE_URL) list.push('postgres');
  else if (!warned) {
    warned = true;
    console.warn('GALLEON_TEST_DATABASE_URL is not set: suites run on the embedded database only (CI runs both).');
  }
  return list;
}
let warned = false;

export interface TestServer extends RunningServer {
  dataDir: string;
  backend: Backend;
  /** stops the server and removes its data (and its PostgreSQL database) */
  dispose(): Promise<void>;
  /** stops the server but keeps its data, for restart tests */
  stopOnly(): Promise<void>;
}

/** Creates an empty PostgreSQL database for one test server; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.GALLEON_TEST_DATABASE_URL!;
  const name = `galleon_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}

/**
 * Starts a Galleon for a test.
 *
 * @param opts.env extra configuration (environment variable names), e.g. { GALLEON_MAX_PACKAGE_MB: '1' }
 * @param opts.dataDir reuse an existing data folder (restart tests)
 * @param opts.databaseUrl reuse an existing PostgreSQL database (restart tests)
 */
export async function startTestServer(
  backend: Backend,
  opts: { env?: Record<string, string>; dataDir?: string; databaseUrl?: string; port?: number } = {},
): Promise<TestServer & { databaseUrl: string | null }> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'galleon-test-')));
  if (backend === 'embedded' && !opts.dataDir) await copyEmbeddedTemplate(join(dataDir, 'db'));
  let databaseUrl: string | null = opts.databaseUrl ?? null;
  let drop: (() => Promise<void>) | null = null;
  if (backend === 'postgres' && !databaseUrl) {
    const created = await createTestDatabase();
    databaseUrl = created.url;
    drop = created.drop;
  }
  const config: Config = loadConfig({
    PORT: String(opts.port ?? 0),
    HOST: '127.0.0.1',
    GALLEON_DATA_DIR: dataDir,
    GALLEON_API_KEY: TEST_API_KEY,
    GALLEON_LOG_LEVEL: process.env.GALLEON_TEST_LOG_LEVEL ?? 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...opts.env,
  });
  // port 0: startServer builds links on the real port it bound
  const running = await startServer(config, { logger: pino({ level: config.logLevel }) });
  return {
    ...running,
    dataDir,
    backend,
    databaseUrl,
    stopOnly: () => running.stop(),
    dispose: async () => {
      await running.stop();
      if (drop) await drop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a fresh, migrated database of `backend` without a server (repository-level suites): the embedded
 * one in a temp folder (the run's template copied in), or a new PostgreSQL database.
 *
 * @returns the handle and `dispose()`, which closes it and removes its folder or database
 */
export async function openTestDatabase(backend: Backend): Promise<{ db: DatabaseHandle; dispose(): Promise<void> }> {
  if (backend === 'postgres') {
    const created = await createTestDatabase();
    const db = await openDatabase({ databaseUrl: created.url });
    return { db, dispose: async () => { await db.close(); await created.drop(); } };
  }
  const dir = await mkdtemp(join(tmpdir(), 'galleon-db-'));
  await copyEmbeddedTemplate(join(dir, 'db'));
  const db = await openDatabase({ embeddedDir: join(dir, 'db') });
  return { db, dispose: async () => { await db.close(); await rm(dir, { recursive: true, force: true }); } };
}

/**
 * Copies the run's migrated empty embedded cluster (test/support/global-setup.ts) to `dir`, so a fresh
 * embedded test server skips PGlite's initdb; does nothing outside vitest's globalSetup.
 */
async function copyEmbeddedTemplate(dir: string): Promise<void> {
  let template: string | undefined;
  try {
    template = inject('embeddedTemplate');
  } catch {
    return;
  }
  if (template) await cp(template, dir, { recursive: true });
}

/** Pushes a nupkg (bytes) with the multipart body dotnet sends; returns status and text. */
export async function pushPackage(
  baseUrl: string,
  bytes: Uint8Array,
  opts: { apiKey?: string | null; raw?: boolean } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  const key = opts.apiKey === undefined ? TEST_API_KEY : opts.apiKey;
  if (key) headers['X-NuGet-ApiKey'] = key;
  let body: FormData | Uint8Array;
  if (opts.raw) {
    headers['Content-Type'] = 'application/octet-stream';
    body = bytes as any;
  } else {
    const form = new FormData();
    form.append('package', new Blob([bytes as any], { type: 'application/octet-stream' }), 'package.nupkg');
    body = form;
  }
  const res = await fetch(`${baseUrl}/api/v2/package/`, { method: 'PUT', headers, body });
  return { status: res.status, text: await res.text() };
}
