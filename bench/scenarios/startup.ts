/**
 * Scenario `startup` (issue 9): how long a user waits for Galleon to answer, and how big the embedded
 * database's folder grows. Every server is the real command, `node bin/galleon.js serve`, spawned as
 * its own process on a free loopback port; "time to first 200" runs from spawn() until
 * `GET /v3/index.json` answers 200 (polled every 5 ms over fresh connections), and "first DB answer"
 * until a registration index of a seeded id answers 200 right after (a read that needs the database).
 *
 * 1. **First start** on an empty data directory, `--rounds` times each: embedded as users get it (the
 *    build's template, dist/), the same from the sources (GALLEON_FROM_SOURCE=1, tsx), and PostgreSQL on
 *    an empty database (every migration). For comparison, `openDatabase` alone in a child process with
 *    the build's template and without it (PGlite's initdb in a child process, then every migration).
 * 2. **Restart** at 300, 2,000 and 100,000 versions on both databases: versions seeded straight into the
 *    database (test/support/synthetic-rows.ts; COPY on PostgreSQL at 100,000; no blobs), then start, 10 pushes,
 *    SIGTERM, start (measured "after SIGTERM"), 10 pushes, SIGKILL, start (measured "after SIGKILL",
 *    crash recovery included), … min(`--rounds`, 3) of each.
 * 3. **Data directory size** (embedded): `du -sb` of a fresh data directory after BENCH_STARTUP_PUSHES
 *    (default 2,300) small module packages pushed one after another (their pushes/s too), after a clean
 *    stop and after the next start; then 300 more pushes, a SIGKILL and a measured start (crash recovery
 *    of at most one checkpoint distance of WAL).
 *
 * Environment (bench/run.ts's options are shared by every scenario): BENCH_STARTUP_VERSIONS
 * (comma-separated, default "300,2000,100000"), BENCH_STARTUP_PUSHES (default 2300), BENCH_STARTUP_PARTS
 * (comma-separated subset of first,restart,size; default all). About 3.5 minutes on a 2-core machine.
 * Child logs (pino JSON) go to bench/results/logs/startup-*.log.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '../../db/connection.ts';
import { modulePackage } from '../lib/packages.ts';
import { createDatabase, dropDatabase, postgresAdminUrl } from '../lib/postgres.ts';
import { BENCH_API_KEY, runLoad } from '../lib/procs.ts';
import { copySynthetic, insertSynthetic } from '../../test/support/synthetic-rows.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, percentile, printGoals, printTable, RESULTS_DIR, ROOT_DIR, sleep, writeResults, type GoalCheck } from '../lib/util.ts';
import { generatedModules } from './pushes.ts';

/** The goal of every start-up figure: answered within 3 s (issue 9). */
const GOAL_MS = 3000;
/** pushes between two restarts (new versions, so every stop has fresh commits behind it) */
const PUSHES_PER_CYCLE = 10;

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

/** One GET over a fresh connection: the status, or 0 when the connection failed. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(10_000, () => req.destroy());
    req.end();
  });
}

interface ServeRun {
  child: ChildProcess;
  url: string;
  /** performance.now() at spawn */
  spawnedAt: number;
  /** Date.now() at spawn (pino's `time` is epoch ms) */
  spawnedEpoch: number;
  /** parsed pino lines so far */
  entries: Record<string, any>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let logSeq = 0;

/** Spawns `node bin/galleon.js serve` on a free port with the bench's API key and info logging. */
async function spawnServe(opts: { dataDir: string; databaseUrl?: string | null; env?: Record<string, string>; name: string }): Promise<ServeRun> {
  const port = await freePort();
  mkdirSync(join(RESULTS_DIR, 'logs'), { recursive: true });
  const log = createWriteStream(join(RESULTS_DIR, 'logs', `startup-${opts.name}-${process.pid}-${logSeq++}.log`));
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    GALLEON_DATA_DIR: opts.dataDir,
    GALLEON_API_KEY: BENCH_API_KEY,
    GALLEON_LOG_LEVEL: 'info',
    GALLEON_BASE_URL: undefined,
    DATABASE_URL: opts.databaseUrl ?? undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const spawnedAt = performance.now();
  const spawnedEpoch = Date.now();
  const child = spawn(process.execPath, [join(ROOT_DIR, 'bin', 'galleon.js'), 'serve'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const entries: Record<string, any>[] = [];
  let pending = '';
  child.stdout!.on('data', (c: Buffer) => {
    log.write(c);
    pending += c.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        entries.push({ ...JSON.parse(line), benchMs: performance.now() - spawnedAt });
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => log.write(c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      log.end();
      resolve({ code, signal });
    }),
  );
  return { child, url: `http://127.0.0.1:${port}`, spawnedAt, spawnedEpoch, entries, exited };
}

/** Polls `path` every 5 ms until it answers 200; returns ms since spawn. @throws when the process exits or 120 s pass */
async function first200(run: ServeRun, path: string): Promise<number> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  const deadline = performance.now() + 120_000;
  for (;;) {
    if ((await probe(run.url + path)) === 200) return performance.now() - run.spawnedAt;
    if (exited) throw new Error(`galleon serve exited before ${path} answered 200 (see bench/results/logs/)`);
    if (performance.now() > deadline) throw new Error(`${path} did not answer 200 within 120 s`);
    await sleep(5);
  }
}

/** Stops the child with `signal` and waits for it to exit; returns how long that took (ms). */
async function stopServe(run: ServeRun, signal: 'SIGTERM' | 'SIGKILL'): Promise<number> {
  const t = performance.now();
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  await run.exited;
  clearTimeout(timer);
  return performance.now() - t;
}

/** The logged entry with message `msg` (the last one), if any. */
function logged(run: ServeRun, msg: string): Record<string, any> | undefined {
  return run.entries.filter((e) => e.msg === msg).pop();
}

/** `du -sb` of a folder, bytes (NaN when it does not exist). */
function du(path: string): number {
  if (!existsSync(path)) return NaN;
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

function sizes(dataDir: string): { total: number; db: number; wal: number; packages: number } {
  return { total: du(dataDir), db: du(join(dataDir, 'db')), wal: du(join(dataDir, 'db', 'pg_wal')), packages: du(join(dataDir, 'packages')) };
}

/** Synthetic ids for `versions` versions: ids of 10 versions each (the last one shorter). */
function seedIds(versions: number, prefix: string): { id: string; versions: number; n: number }[] {
  const out: { id: string; versions: number; n: number }[] = [];
  for (let n = 0, left = versions; left > 0; n++, left -= 10) out.push({ id: `${prefix}${n}`, versions: Math.min(10, left), n });
  return out;
}

/**
 * openDatabase alone on a new folder, in a child process (tsx): `template` "default" (the build's),
 * "none" (initdb + every migration). Returns its ms.
 * @throws Error with the child's output when it fails
 */
function openInChild(dir: string, template: 'default' | 'none'): Promise<{ ms: number; output: string }> {
  const connection = join(ROOT_DIR, 'db', 'connection.ts');
  const script = `
    const { openDatabase } = await import(${JSON.stringify(connection)});
    const t = performance.now();
    const db = await openDatabase({ embeddedDir: process.argv[1], ...(process.argv[2] === 'none' ? { embeddedTemplate: null } : {}) });
    const ms = performance.now() - t;
    await db.close();
    console.log('OPEN_MS ' + ms);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, template], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => {
      const m = /OPEN_MS ([\d.]+)/.exec(out);
      if (code === 0 && m) resolve({ ms: Number(m[1]), output: out });
      else reject(new Error(`openDatabase child failed (${code}): ${out.slice(-1000)}`));
    });
  });
}

interface StartFigures {
  /** spawn → first 200 of /v3/index.json */
  first200: number;
  /** spawn → first 200 of a DB-backed document (NaN when none was asked) */
  firstDb: number;
  /** startServer's own "Galleon is serving" ms (lock, open, migrate, listen) */
  serving: number;
  /** spawn → the first log line (Node, bin/galleon.js and loading the modules), by the child's clock */
  boot: number;
  /** what the database reported ("database ready" entry), when logged */
  ready: Record<string, any> | undefined;
}

async function timedStart(opts: { dataDir: string; databaseUrl?: string | null; env?: Record<string, string>; name: string; dbPath?: string }): Promise<{ run: ServeRun; figures: StartFigures }> {
  const run = await spawnServe(opts);
  const f200 = await first200(run, '/v3/index.json');
  const firstDb = opts.dbPath ? await first200(run, opts.dbPath) : NaN;
  while (!logged(run, 'Galleon is serving')) await sleep(5);
  return {
    run,
    figures: { first200: f200, firstDb, serving: Number(logged(run, 'Galleon is serving')!.ms), boot: Number(run.entries[0]!.time) - run.spawnedEpoch, ready: logged(run, 'database ready') },
  };
}

const envList = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

export const startup: Scenario = {
  name: 'startup',
  summary: 'galleon serve: first start on an empty data dir, restart after SIGTERM/SIGKILL at 300 to 100,000 versions, data dir size after pushes',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const parts = new Set(envList('BENCH_STARTUP_PARTS', 'first,restart,size'));
    const versionCounts = envList('BENCH_STARTUP_VERSIONS', '300,2000,100000').map(Number);
    const pushCount = Number(process.env.BENCH_STARTUP_PUSHES ?? 2300);
    const rounds = opts.rounds;
    // restarts: 3 of each kind per database and size (36 starts at the default sizes) unless --rounds asks for fewer
    const restartRounds = Math.min(rounds, 3);
    const admin = await postgresAdminUrl();
    const backends: ('embedded' | 'postgres')[] = admin ? ['embedded', 'postgres'] : ['embedded'];
    const work = await mkdtemp(join(tmpdir(), 'galleon-bench-startup-'));
    const goals: GoalCheck[] = [];
    const results: Record<string, unknown> = { params: { rounds, restartRounds, versionCounts, pushCount, parts: [...parts] } };
    const dbs: string[] = [];
    const newDb = async (tag: string) => {
      const name = `galleon_bench_startup_${process.pid}_${tag}`;
      dbs.push(name);
      return (await createDatabase(admin!, name)).url;
    };
    try {
      // packages pushed between restarts: new versions of one id per cycle
      const pushDir = join(work, 'pushes');
      await mkdir(pushDir);
      let pushSeq = 0;
      const pushSome = async (url: string, count: number) => {
        const files: string[] = [];
        for (let k = 0; k < count; k++, pushSeq++) {
          const path = join(pushDir, `${pushSeq}.nupkg`);
          await writeFile(path, await modulePackage('Bench.Restart', `1.${pushSeq}.0`, pushSeq));
          files.push(path);
        }
        const r = await runLoad({ kind: 'push', url, apiKey: BENCH_API_KEY, files, concurrency: 1 });
        if ((r.statusCounts['201'] ?? 0) !== count) throw new Error(`pushes between restarts: ${JSON.stringify(r.statusCounts)} ${r.firstErrors.join('; ')}`);
      };

      // 1. first start
      if (parts.has('first')) {
        const rows: (string | number)[][] = [];
        const first: Record<string, StartFigures[]> = {};
        const variants: { name: string; env?: Record<string, string>; backend: 'embedded' | 'postgres' }[] = [
          { name: 'embedded, empty data dir', backend: 'embedded' },
          { name: 'embedded, empty data dir, from source (tsx)', backend: 'embedded', env: { GALLEON_FROM_SOURCE: '1' } },
          ...(admin ? [{ name: 'postgres, empty database', backend: 'postgres' as const }] : []),
        ];
        for (const v of variants) {
          first[v.name] = [];
          for (let r = 0; r < rounds; r++) {
            const dataDir = join(work, `first-${r}`);
            const databaseUrl = v.backend === 'postgres' ? await newDb(`first${r}`) : null;
            const { run, figures } = await timedStart({ dataDir, databaseUrl, env: v.env, name: 'first' });
            await stopServe(run, 'SIGTERM');
            first[v.name]!.push(figures);
            await rm(dataDir, { recursive: true, force: true });
          }
          const list = first[v.name]!;
          const created = list.map((f) => f.ready?.createMs).filter((x) => typeof x === 'number');
          const f = list.map((x) => x.first200);
          rows.push([
            v.name,
            fmt.ms(median(f)),
            fmt.ms(Math.min(...f)),
            fmt.ms(Math.max(...f)),
            fmt.ms(median(list.map((x) => x.boot))),
            fmt.ms(median(list.map((x) => x.serving))),
            created.length ? fmt.ms(median(created)) : '',
            list[0]!.ready?.created ?? '',
            list.length,
          ]);
          goals.push(check(`first start, ${v.name}`, median(list.map((f) => f.first200)), `< ${GOAL_MS / 1000} s`, (x) => x < GOAL_MS, fmt.ms));
        }
        // the database alone without the template (initdb + every migration), for comparison
        const without: number[] = [];
        const withTemplate: number[] = [];
        for (let r = 0; r < Math.min(rounds, 3); r++) {
          const a = join(work, `open-initdb-${r}`, 'db');
          const b = join(work, `open-template-${r}`, 'db');
          without.push((await openInChild(a, 'none')).ms);
          withTemplate.push((await openInChild(b, 'default')).ms);
          await rm(join(work, `open-initdb-${r}`), { recursive: true, force: true });
          await rm(join(work, `open-template-${r}`), { recursive: true, force: true });
        }
        rows.push(['openDatabase alone, no template (initdb + migrations)', fmt.ms(median(without)), fmt.ms(Math.min(...without)), fmt.ms(Math.max(...without)), '', '', '', 'initdb', without.length]);
        rows.push(["openDatabase alone, the build's template", fmt.ms(median(withTemplate)), fmt.ms(Math.min(...withTemplate)), fmt.ms(Math.max(...withTemplate)), '', '', '', 'template', withTemplate.length]);
        printTable(
          `startup: first start, spawn → first 200 of /v3/index.json (median of ${rounds}; "boot" = spawn → first log line, "serving" = startServer's own ms, "create" = making the cluster in it)`,
          ['start', 'median', 'min', 'max', 'boot', 'serving', 'create', 'created from', 'n'],
          rows,
        );
        results.first = { ...first, openWithoutTemplate: without, openWithTemplate: withTemplate };
      }

      // 2. restarts at scale
      if (parts.has('restart')) {
        const rows: (string | number)[][] = [];
        const restart: Record<string, unknown>[] = [];
        for (const versions of versionCounts) {
          for (const backend of backends) {
            const tag = `${backend}-${versions}`;
            const dataDir = join(work, `restart-${tag}`);
            const databaseUrl = backend === 'postgres' ? await newDb(`r${versions}`) : null;
            const ids = seedIds(versions, 'Bench.Seed');
            const t0 = performance.now();
            if (backend === 'embedded') {
              const db = await openDatabase({ embeddedDir: join(dataDir, 'db') });
              await insertSynthetic(db.db, ids);
              await db.close();
            } else if (versions > 5000) {
              const db = await openDatabase({ databaseUrl });
              await db.close();
              const sql = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
              await copySynthetic(sql, ids);
              await sql`vacuum analyze`;
              await sql.end();
            } else {
              const db = await openDatabase({ databaseUrl });
              await insertSynthetic(db.db, ids);
              await db.close();
            }
            const seedSeconds = (performance.now() - t0) / 1000;
            const dbPath = `/v3/registration/${ids[Math.floor(ids.length / 2)]!.id.toLowerCase()}/index.json`;
            console.log(`  ${tag}: seeded ${fmt.int(versions)} versions in ${seedSeconds.toFixed(1)} s${backend === 'embedded' ? `, data dir ${fmt.mb(du(dataDir))}` : ''}`);
            // warm-up start (not measured), then alternate SIGTERM / SIGKILL stops, each followed by a measured start
            let run = (await timedStart({ dataDir, databaseUrl, name: tag, dbPath })).run;
            const after: Record<'SIGTERM' | 'SIGKILL', StartFigures[]> = { SIGTERM: [], SIGKILL: [] };
            const stopMs: number[] = [];
            for (let r = 0; r < restartRounds; r++) {
              for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
                await pushSome(run.url, PUSHES_PER_CYCLE);
                const ms = await stopServe(run, signal);
                if (signal === 'SIGTERM') stopMs.push(ms);
                const started = await timedStart({ dataDir, databaseUrl, name: tag, dbPath });
                run = started.run;
                after[signal].push(started.figures);
              }
            }
            await stopServe(run, 'SIGTERM');
            for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
              const list = after[signal];
              const f = list.map((x) => x.first200);
              const d = list.map((x) => x.firstDb);
              const open = list.map((x) => x.ready?.openMs).filter((x) => typeof x === 'number');
              rows.push([
                backend,
                fmt.int(versions),
                `after ${signal}`,
                fmt.ms(median(f)),
                fmt.ms(Math.max(...f)),
                fmt.ms(median(d)),
                fmt.ms(median(list.map((x) => x.boot))),
                fmt.ms(median(list.map((x) => x.serving))),
                open.length ? fmt.ms(median(open)) : '',
                signal === 'SIGTERM' ? fmt.ms(median(stopMs)) : '',
                list.length,
              ]);
              goals.push(check(`restart after ${signal}, ${backend}, ${fmt.int(versions)} versions: first DB answer`, median(d), `< ${GOAL_MS / 1000} s`, (x) => x < GOAL_MS, fmt.ms));
            }
            restart.push({ backend, versions, seedSeconds, after, stopMs, dataDirBytes: backend === 'embedded' ? du(dataDir) : null });
            await rm(dataDir, { recursive: true, force: true });
          }
        }
        printTable(
          `startup: restart, spawn → first 200 (median of ${restartRounds} per row; ${PUSHES_PER_CYCLE} pushes before every stop; "boot" = spawn → first log line, "serving" = startServer's own ms, "open" = opening the database in it, "stop" = SIGTERM → exit)`,
          ['database', 'versions', 'restart', 'index 200', 'max', 'first DB answer', 'boot', 'serving', 'open', 'stop', 'n'],
          rows,
        );
        results.restart = restart;
      }

      // 3. data directory size after pushes (embedded)
      if (parts.has('size') && pushCount > 0) {
        const files = await generatedModules(pushCount, 'Bench.Size');
        const dataDir = join(work, 'size');
        let run = (await timedStart({ dataDir, name: 'size' })).run;
        const empty = sizes(dataDir);
        const r = await runLoad({ kind: 'push', url: run.url, apiKey: BENCH_API_KEY, files, concurrency: 1 });
        const afterPushes = sizes(dataDir);
        await stopServe(run, 'SIGTERM');
        const afterStop = sizes(dataDir);
        run = (await timedStart({ dataDir, name: 'size' })).run;
        await sleep(500);
        const afterRestart = sizes(dataDir);
        // a crash right after a burst of pushes: recovery replays the WAL written since the last checkpoint
        const fresh: string[] = [];
        for (let k = 0; k < 300; k++) {
          const path = join(work, `burst-${k}.nupkg`);
          await writeFile(path, await modulePackage(`Bench.Burst${k % 75}`, `1.${Math.floor(k / 75)}.0`, k));
          fresh.push(path);
        }
        const b = await runLoad({ kind: 'push', url: run.url, apiKey: BENCH_API_KEY, files: fresh, concurrency: 1 });
        const walBeforeKill = sizes(dataDir).wal;
        await stopServe(run, 'SIGKILL');
        const crash = await timedStart({ dataDir, name: 'size-crash', dbPath: '/v3/registration/bench.burst0/index.json' });
        await stopServe(crash.run, 'SIGTERM');
        const pushesPerSec = r.latenciesMs.length / (r.durationMs / 1000);
        const statuses = Object.entries(r.statusCounts).map(([k, v]) => `${k}×${v}`).join(' ');
        printTable(
          `startup: embedded data directory (du -sb) after ${fmt.int(pushCount)} small module pushes, one at a time (${pushesPerSec.toFixed(1)} pushes/s, p50 ${fmt.ms(percentile(r.latenciesMs, 50))}, p99 ${fmt.ms(percentile(r.latenciesMs, 99))}, ${statuses})`,
          ['when', 'data dir', 'db/', 'db/pg_wal', 'packages/'],
          (
            [
              ['empty (first start)', empty],
              ['after the pushes', afterPushes],
              ['after a clean stop', afterStop],
              ['after the next start', afterRestart],
            ] as const
          ).map(([when, s]) => [when, fmt.mb(s.total), fmt.mb(s.db), fmt.mb(s.wal), Number.isFinite(s.packages) ? fmt.mb(s.packages) : '—']),
        );
        goals.push(check(`pushes answered 201 (${fmt.int(pushCount)})`, r.statusCounts['201'] ?? 0, fmt.int(pushCount), (v) => v === pushCount, fmt.int));
        console.log(
          `\nstartup: SIGKILL right after ${fmt.int(fresh.length)} more pushes (${JSON.stringify(b.statusCounts)}; pg_wal ${fmt.mb(walBeforeKill)}), then a start: ` +
            `first 200 after ${fmt.ms(crash.figures.first200)}, first DB answer after ${fmt.ms(crash.figures.firstDb)} (database open ${fmt.ms(Number(crash.figures.ready?.openMs))}, crash recovery included)`,
        );
        goals.push(check(`write-ahead log after ${fmt.int(pushCount)} pushes`, afterPushes.wal, '≤ 32 MB', (v) => v <= 32 * 1024 * 1024, fmt.mb));
        goals.push(check(`restart after SIGKILL right after ${fmt.int(fresh.length)} pushes: first DB answer`, crash.figures.firstDb, `< ${GOAL_MS / 1000} s`, (x) => x < GOAL_MS, fmt.ms));
        results.size = {
          pushCount, pushesPerSec, p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99), statusCounts: r.statusCounts,
          empty, afterPushes, afterStop, afterRestart,
          crash: { pushes: fresh.length, statusCounts: b.statusCounts, walBeforeKill, ...crash.figures },
        };
        await rm(dataDir, { recursive: true, force: true });
      }
    } finally {
      for (const name of dbs) await dropDatabase(admin!, name).catch(() => {});
      await rm(work, { recursive: true, force: true });
    }
    if (!admin) console.log('PostgreSQL was not available: only the embedded database was measured.');
    printGoals('startup', goals);
    writeResults('startup', { ...results, goals });
  },
};
