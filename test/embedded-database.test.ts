/**
 * The embedded database's two defects (issue 9, db/embedded.ts), each kept as a reproduction against the
 * bare library and as a proof that Galleon's guard holds:
 *
 * 1. PGlite swallows exceptions thrown inside its WebAssembly backend. Reproduction (PGlite 0.5.16 and
 *    0.5.17, Node 20, default `--stack-size`): `select count(*) from t where (a, b) in ((…), (…), …)` with
 *    500 pairs resolves with **0 rows and no error** (270 pairs work); the same statement sent again
 *    never returns (one core at 100 %). Cause: V8's `RangeError: Maximum call stack size exceeded` in
 *    PostgreSQL's recursive parse analysis of the left-deep OR chain the row-value list becomes, caught
 *    and dropped by PGlite's `execProtocolRawSync`. The depth limit scales with `--stack-size`.
 * 2. PGlite never fsyncs: `-F`, a no-op `fdatasync`, no `fsync` in NODEFS.
 *
 * The bare-library reproductions run in child processes (a wedged PGlite never gives its thread back).
 * When one of them starts failing, PGlite changed: read db/embedded.ts again before upgrading.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/connection.ts';
import { embeddedFsyncCalls, isEmbeddedDatabaseFault, type EmbeddedDatabaseFault } from '../db/embedded.ts';
import { textArray } from '../db/lists.ts';

const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const version = (JSON.parse(readFileSync(join(pglite, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Runs `body` (CommonJS, `PGlite` and `db` in scope, an in-memory database with table t(a, b)) in a child with a timeout. */
function runBare(body: string, timeoutMs = 20_000, nodeArgs: string[] = []): { out: string; timedOut: boolean } {
  const script = `
    const { PGlite } = require(${JSON.stringify(pglite)});
    (async () => {
      const db = new PGlite();
      await db.exec("create table t (a text, b text, primary key (a, b)); insert into t select 'id' || i, 'v' || i from generate_series(1, 1000) i;");
      const pairs = (n) => Array.from({ length: n }, (_, i) => "('id" + (i + 1) + "', 'v" + (i + 1) + "')").join(', ');
      ${body}
      process.exit(0);
    })().catch((e) => { console.log('threw ' + e.message); process.exit(0); });`;
  const r = spawnSync(process.execPath, [...nodeArgs, '-e', script], { encoding: 'utf8', timeout: timeoutMs });
  return { out: (r.stdout + r.stderr).trim(), timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' };
}

/**
 * Like {@link runBare}, asynchronously: once `marker` is printed, waits `hangMs` more; `hung` is true when the
 * child was still running then (it is killed). Gives up (hung false) after 60 s without the marker.
 */
function runBareUntilHang(body: string, marker: string, hangMs: number): Promise<{ out: string; hung: boolean }> {
  const script = `
    const { PGlite } = require(${JSON.stringify(pglite)});
    (async () => {
      const db = new PGlite();
      await db.exec("create table t (a text, b text, primary key (a, b)); insert into t select 'id' || i, 'v' || i from generate_series(1, 1000) i;");
      const pairs = (n) => Array.from({ length: n }, (_, i) => "('id" + (i + 1) + "', 'v" + (i + 1) + "')").join(', ');
      ${body}
      process.exit(0);
    })().catch((e) => { console.log('threw ' + e.message); process.exit(0); });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let hung = false;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!timer && out.includes(marker)) {
        timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, hangMs);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', () => {
      clearTimeout(giveUp);
      if (timer) clearTimeout(timer);
      resolve({ out: out.trim(), hung });
    });
  });
}

describe(`bare PGlite ${version}: the reproduction`, () => {
  it('answers a row-value IN list of 270 pairs, and 500 pairs with 0 rows and no error', () => {
    const { out } = runBare(`
      for (const n of [270, 500]) {
        const r = await db.query('select count(*)::int as n from t where (a, b) in (' + pairs(n) + ')');
        console.log(n + ': ' + r.rows.length + ' rows ' + JSON.stringify(r.rows));
      }`);
    expect(out).toBe('270: 1 rows [{"n":270}]\n500: 0 rows []');
  }, 30_000);

  it('then never returns from the same statement sent again (the restart hang)', async () => {
    // the wait for the second statement starts only once the first has returned, so a slow machine
    // (child start-up, WebAssembly compile) cannot pass for a hang
    const { out, hung } = await runBareUntilHang(`
      await db.query('select count(*)::int as n from t where (a, b) in (' + pairs(500) + ')');
      console.log('first returned');
      await db.query('select count(*)::int as n from t where (a, b) in (' + pairs(500) + ')');
      console.log('second returned');`, 'first returned', 5_000);
    expect(out).toBe('first returned');
    expect(hung).toBe(true);
  }, 90_000);

  it('is a stack-depth fault: the limit moves with V8\'s --stack-size', () => {
    const deep = `const r = await db.query('select count(*)::int as n from t where (a, b) in (' + pairs(500) + ')'); console.log(r.rows.length);`;
    expect(runBare(deep, 20_000, ['--stack-size=400']).out).toBe('0');
    expect(runBare(deep, 20_000, ['--stack-size=3000']).out).toBe('1');
  }, 60_000);

  it('answers the same lookup through array parameters at 100,000 keys', () => {
    const { out } = runBare(`
      const ids = [], vs = [];
      for (let i = 1; i <= 100000; i++) { ids.push('id' + i); vs.push('v' + i); }
      const r = await db.query('select count(*)::int as n from unnest($1::text[], $2::text[]) k(a, b) join t using (a, b)', [ids, vs]);
      console.log(JSON.stringify(r.rows));`);
    expect(out).toBe('[{"n":1000}]');
  }, 30_000);
});

describe('Galleon\'s embedded database', () => {
  let dir: string;
  let handle: DatabaseHandle;
  const faults: EmbeddedDatabaseFault[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'galleon-embedded-'));
    handle = await openDatabase({ embeddedDir: join(dir, 'db'), onEmbeddedFault: (e) => faults.push(e) });
    await handle.db.execute(sql`create table t (a text, b text, primary key (a, b))`);
    await handle.db.execute(sql`insert into t select 'id' || i, 'v' || i from generate_series(1, 1000) i`);
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fsyncs the write-ahead log before a commit returns, once per commit', async () => {
    const before = embeddedFsyncCalls.count;
    for (let i = 0; i < 20; i++) await handle.db.execute(sql`insert into t values (${'x' + i}, 'y')`);
    expect(embeddedFsyncCalls.count - before).toBeGreaterThanOrEqual(20);
    const settings = await handle.db.execute(sql`select name, setting from pg_settings where name in ('fsync', 'wal_sync_method') order by name`);
    expect((settings as unknown as { rows: unknown[] }).rows).toEqual([
      { name: 'fsync', setting: 'on' },
      { name: 'wal_sync_method', setting: 'fsync' },
    ]);
  });

  it('binds 100,000 pairs as arrays without a fault', async () => {
    const ids: string[] = [];
    const vs: string[] = [];
    for (let i = 1; i <= 100_000; i++) {
      ids.push(`id${i}`);
      vs.push(`v${i}`);
    }
    const r = await handle.db.execute(sql`select count(*)::int as n from unnest(${textArray(ids)}, ${textArray(vs)}) k(a, b) join t using (a, b)`);
    expect((r as unknown as { rows: unknown[] }).rows).toEqual([{ n: 1000 }]);
    expect(faults).toEqual([]);
  });

  // last: it leaves the handle refusing every statement
  it('turns a swallowed fault into an error, and refuses every later statement at once instead of hanging', async () => {
    const deep = sql.raw(`select ${Array(1000).fill('1').join('+')} as n`);
    const err = await handle.db.execute(deep).then(() => null, (e: unknown) => e);
    // drizzle wraps it (DrizzleQueryError); the fault is its cause
    expect(isEmbeddedDatabaseFault(err)).toBe(true);
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/RangeError: Maximum call stack size exceeded/);
    const started = Date.now();
    expect(isEmbeddedDatabaseFault(await handle.db.execute(sql`select 1`).then(() => null, (e: unknown) => e))).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    // close() does not enter the faulted backend (it would never return)
    await handle.close();
  });
});
