/**
 * PostgreSQL for the benchmarks: GALLEON_BENCH_DATABASE_URL when set (an admin URL on which the
 * bench creates and drops its own databases), otherwise a throwaway cluster started the way .ci/run
 * starts one (initdb + pg_ctl on a free port, fsync off, removed at exit), installing Debian's
 * postgresql package first when no initdb is found. When neither works the PostgreSQL parts are
 * skipped with a message.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

let cached: Promise<string | null> | null = null;
const cleanups: (() => void)[] = [];

/** Stops what this module started (the throwaway cluster); called at exit by bench/run.ts. */
export function stopPostgres(): void {
  for (const c of cleanups.splice(0)) c();
}

/** The admin URL to create bench databases on, or null (with a printed reason) when there is none. */
export function postgresAdminUrl(): Promise<string | null> {
  cached ??= resolveAdminUrl();
  return cached;
}

function findPgBin(): string | null {
  let found: string | null = null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort((a, b) => Number(a) - Number(b))) {
    if (existsSync(join(root, v, 'bin', 'initdb'))) found = join(root, v, 'bin');
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function resolveAdminUrl(): Promise<string | null> {
  const configured = process.env.GALLEON_BENCH_DATABASE_URL;
  if (configured) return configured;
  let bin = findPgBin();
  if (!bin && process.getuid?.() === 0) {
    console.log('GALLEON_BENCH_DATABASE_URL is not set and PostgreSQL is not installed: installing Debian\'s postgresql package…');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    bin = findPgBin();
  }
  if (!bin) {
    console.log('PostgreSQL is not available (set GALLEON_BENCH_DATABASE_URL or install postgresql): the PostgreSQL parts are skipped.');
    return null;
  }
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  try {
    if (asRoot && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) {
      execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
    }
    const dir = mkdtempSync(join(tmpdir(), 'galleon-bench-pg-'));
    if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    const port = await freePort();
    run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    run(join(bin, 'pg_ctl'), [
      '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=256MB`,
      'start',
    ]);
    cleanups.push(() => {
      try {
        run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    });
    console.log(`GALLEON_BENCH_DATABASE_URL is not set: started a throwaway PostgreSQL on port ${port} (removed at exit).`);
    return `postgres://postgres@127.0.0.1:${port}/postgres`;
  } catch (err) {
    console.log(`Could not start a throwaway PostgreSQL (${(err as Error).message.split('\n')[0]}): the PostgreSQL parts are skipped.`);
    return null;
  }
}

/** Creates database `name` on the admin server (dropping an old one of that name unless `keep`). */
export async function createDatabase(adminUrl: string, name: string, opts: { keepExisting?: boolean } = {}): Promise<{ url: string; existed: boolean }> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = (await sql`select 1 from pg_database where datname = ${name}`).length > 0;
    if (exists && !opts.keepExisting) await sql.unsafe(`drop database ${name} with (force)`);
    if (!exists || !opts.keepExisting) await sql.unsafe(`create database ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return { url: u.toString(), existed: exists && !!opts.keepExisting };
  } finally {
    await sql.end();
  }
}

/** Drops database `name` if it exists. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await sql.end();
  }
}
