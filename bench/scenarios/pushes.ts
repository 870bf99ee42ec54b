/**
 * Scenario 3, pushes: the real-world corpus (test/support/data/corpus, 200 files, pushed one after another as
 * `dotnet nuget push *.nupkg` does) and 1,000 generated PowerShell module packages (4 in flight), on
 * the embedded database and on PostgreSQL, each round on a fresh server and database. The baseline,
 * alternating with Galleon, is a bare node:http server that only streams the body to a file and
 * fsyncs it (the least a durable push can cost). Then one 200 MB package is pushed while the
 * server's resident memory is sampled every 20 ms: goal, peak growth < 64 MB (the body is streamed).
 *
 * Sequential small pushes (issue 9, "pushes as fast as the peer's"): 200 and then 1,000 generated
 * modules pushed one at a time over one keep-alive connection, `--rounds` rounds per database (each
 * on a fresh server), the sink alternating with Galleon set by set; goal ≥ 250 pushes/s.
 *
 * Environment: `GALLEON_BENCH_PUSHES=sequential` runs only the sequential sets (about a minute);
 * `GALLEON_BENCH_PUSH_PROFILE=1` also times every push's phases in the server (server/services/push-profile.ts
 * PushProfile) and prints ms per push by phase; it is off otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_DIR } from '../../test/support/fixture-data.ts';
import type { PushSummary } from '../lib/loadgen-child.ts';
import { modulePackage, PACKAGE_CACHE_DIR, sizedPackage } from '../lib/packages.ts';
import { createDatabase, dropDatabase, postgresAdminUrl } from '../lib/postgres.ts';
import { BENCH_API_KEY, runLoad, startGalleon, startSink, type BaselineProcess, type PushPhase } from '../lib/procs.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, percentile, printGoals, printTable, readCpuMs, readMemory, RssSampler, sleep, writeResults, type GoalCheck } from '../lib/util.ts';

/** The corpus files (vendored in test/support/data/corpus) in MANIFEST.tsv order. */
export function corpusFiles(): string[] {
  const dir = CORPUS_DIR;
  const lines = readFileSync(join(dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => join(dir, 'nupkgs', l.split('\t')[0]!));
}

/**
 * 1,000 generated module packages (250 ids × 4 versions, each requiring up to two earlier modules),
 * written once to the package cache folder; returns their paths in push order.
 */
export async function generatedModules(count = 1000, prefix = 'Bench.Module'): Promise<string[]> {
  const dir = join(PACKAGE_CACHE_DIR, `${prefix.toLowerCase()}-${count}`);
  const done = join(dir, '.complete');
  const ids = Math.ceil(count / 4);
  const paths: string[] = [];
  for (let n = 0; n < count; n++) paths.push(join(dir, `${n}.nupkg`));
  if (existsSync(done)) return paths;
  await mkdir(dir, { recursive: true });
  for (let n = 0; n < count; n++) {
    const idNo = n % ids;
    const versionNo = Math.floor(n / ids);
    const deps = idNo === 0 ? [] : idNo % 3 === 0 ? [`${prefix}${idNo - 1}`, `${prefix}${Math.floor(idNo / 2)}`] : [`${prefix}${idNo - 1}`];
    await writeFile(paths[n]!, await modulePackage(`${prefix}${idNo}`, `1.${versionNo}.0`, n, versionNo === 0 ? deps : deps.slice(0, 1)));
  }
  await writeFile(done, '');
  return paths;
}

interface PushFigures {
  pushesPerSec: number;
  p50: number;
  p99: number;
  statusCounts: Record<string, number>;
  fiveXx: number;
  errors: number;
}

function figures(r: PushSummary): PushFigures {
  const fiveXx = Object.entries(r.statusCounts).reduce((s, [k, n]) => s + (Number(k) >= 500 ? n : 0), 0);
  return {
    pushesPerSec: r.latenciesMs.length / (r.durationMs / 1000),
    p50: percentile(r.latenciesMs, 50),
    p99: percentile(r.latenciesMs, 99),
    statusCounts: r.statusCounts,
    fiveXx,
    errors: r.errors,
  };
}

export const pushes: Scenario = {
  name: 'pushes',
  summary: 'push the corpus (200 files) and 1,000 generated modules on embedded and PostgreSQL; one 200 MB package (memory)',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const only = process.env.GALLEON_BENCH_PUSHES ?? 'all';
    if (only !== 'all' && only !== 'sequential') throw new Error(`GALLEON_BENCH_PUSHES must be all or sequential, got "${only}"`);
    const t0 = Date.now();
    const generated = await generatedModules();
    const small = await generatedModules(200, 'Bench.Seq');
    const corpus = only === 'all' ? corpusFiles() : [];
    console.log(`${corpus.length} corpus files, ${generated.length} + ${small.length} generated module packages (ready in ${Date.now() - t0} ms)`);
    const admin = await postgresAdminUrl();
    const backends: ('embedded' | 'postgres')[] = admin ? ['embedded', 'postgres'] : ['embedded'];
    const work = await mkdtemp(join(tmpdir(), 'galleon-bench-push-'));
    const sinkDir = join(work, 'sink');
    await mkdir(sinkDir);
    const sink = await startSink(sinkDir);
    if (only === 'sequential') {
      try {
        const seq = await runSequential(opts, admin, backends, sink, work, [
          { name: '200 generated modules', files: small },
          { name: '1,000 generated modules', files: generated },
        ]);
        printSequential(seq, opts.rounds);
        if (!admin) console.log('PostgreSQL was not available: only the embedded database was measured.');
        printGoals('pushes (sequential)', seq.goals);
        writeResults('pushes', { params: { rounds: opts.rounds, only }, sequential: seq.rows, goals: seq.goals });
      } finally {
        await sink.stop();
        await rm(work, { recursive: true, force: true });
      }
      return;
    }
    const rounds = 3;
    const sets = [
      { name: 'corpus (200 files)', files: corpus, concurrency: 1 },
      { name: '1,000 generated modules', files: generated, concurrency: 4 },
    ];
    const rows: Record<string, unknown>[] = [];
    const goals: GoalCheck[] = [];
    const memory: Record<string, unknown>[] = [];
    let seq: SequentialResult | null = null;
    try {
      seq = await runSequential(opts, admin, backends, sink, work, [
        { name: '200 generated modules', files: small },
        { name: '1,000 generated modules', files: generated },
      ]);
      goals.push(...seq.goals);
      for (const backend of backends) {
        const results = new Map<string, { g: PushFigures[]; s: PushFigures[] }>(sets.map((s) => [s.name, { g: [], s: [] }]));
        for (let round = 0; round < rounds; round++) {
          const dataDir = join(work, `${backend}-${round}`);
          const dbName = `galleon_bench_push_${process.pid}_${round}`;
          const databaseUrl = backend === 'postgres' ? (await createDatabase(admin!, dbName)).url : null;
          const galleon = await startGalleon({ dataDir, databaseUrl, name: `push-${backend}` });
          try {
            for (const set of sets) {
              const runG = async () => results.get(set.name)!.g.push(figures(await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: set.files, concurrency: set.concurrency })));
              const runS = async () => results.get(set.name)!.s.push(figures(await runLoad({ kind: 'push', url: sink.url, apiKey: BENCH_API_KEY, files: set.files, concurrency: set.concurrency })));
              if (round % 2 === 0) {
                await runG();
                await runS();
              } else {
                await runS();
                await runG();
              }
            }
          } finally {
            await galleon.stop();
            if (databaseUrl) await dropDatabase(admin!, dbName);
            await rm(dataDir, { recursive: true, force: true });
          }
        }
        for (const set of sets) {
          const { g, s } = results.get(set.name)!;
          const ratios = g.map((x, i) => x.pushesPerSec / s[i]!.pushesPerSec);
          const row = {
            backend,
            set: set.name,
            concurrency: set.concurrency,
            pushesPerSec: median(g.map((x) => x.pushesPerSec)),
            p50: median(g.map((x) => x.p50)),
            p99: median(g.map((x) => x.p99)),
            sinkPushesPerSec: median(s.map((x) => x.pushesPerSec)),
            ratio: median(ratios),
            statusCounts: g[0]!.statusCounts,
            fiveXx: g.reduce((a, x) => a + x.fiveXx + x.errors, 0),
            rounds: g,
            sinkRounds: s,
          };
          rows.push(row);
          console.log(`  ${backend}, ${set.name}: ${row.pushesPerSec.toFixed(1)} pushes/s, p50 ${fmt.ms(row.p50)}, p99 ${fmt.ms(row.p99)}, statuses ${JSON.stringify(row.statusCounts)}`);
          goals.push(check(`${backend}, ${set.name}: 5xx and failed connections`, row.fiveXx, '0', (v) => v === 0, fmt.int));
        }

        // one 200 MB package, memory sampled
        const big = await sizedPackage('Bench.Big200MB', '1.0.0', 200 * 1024 * 1024);
        const dataDir = join(work, `${backend}-big`);
        const dbName = `galleon_bench_push_${process.pid}_big`;
        const databaseUrl = backend === 'postgres' ? (await createDatabase(admin!, dbName)).url : null;
        const galleon = await startGalleon({ dataDir, databaseUrl, name: `push-big-${backend}` });
        try {
          // one small push first so that the code paths are loaded before the baseline is taken
          await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: [generated[0]!], concurrency: 1 });
          await sleep(500);
          const before = readMemory(galleon.pid)!;
          const sampler = new RssSampler(galleon.pid, 20).start();
          const r = await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: [big], concurrency: 1 });
          sampler.stop();
          const after = readMemory(galleon.pid)!;
          const growth = sampler.max - before.rss;
          const m = {
            backend,
            status: r.statusCounts,
            seconds: r.durationMs / 1000,
            rssBefore: before.rss,
            rssPeak: sampler.max,
            growth,
            hwmBefore: before.hwm,
            hwmAfter: after.hwm,
            samples: sampler.samples.length,
          };
          memory.push(m);
          console.log(`  ${backend}, 200 MB push: ${JSON.stringify(r.statusCounts)} in ${m.seconds.toFixed(1)} s, RSS ${fmt.mb(before.rss)} → peak ${fmt.mb(sampler.max)} (growth ${fmt.mb(growth)})`);
          goals.push(check(`${backend}, 200 MB push answered 201`, r.statusCounts['201'] ?? 0, '1', (v) => v === 1, fmt.int));
          goals.push(check(`${backend}, 200 MB push: peak RSS growth`, growth, '< 64 MB', (v) => v < 64 * 1024 * 1024, fmt.mb));
        } finally {
          await galleon.stop();
          if (databaseUrl) await dropDatabase(admin!, dbName);
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    } finally {
      await sink.stop();
      await rm(work, { recursive: true, force: true });
    }
    printTable(
      `pushes: median of ${rounds} rounds (each on a fresh server and database); baseline = bare upload sink (stream to file + fsync)`,
      ['backend', 'packages', 'in flight', 'pushes/s', 'p50', 'p99', 'sink pushes/s', 'ratio', 'answers (round 1)'],
      rows.map((r: any) => [
        r.backend, r.set, r.concurrency, r.pushesPerSec.toFixed(1), fmt.ms(r.p50), fmt.ms(r.p99), r.sinkPushesPerSec.toFixed(0), fmt.ratio(r.ratio),
        Object.entries(r.statusCounts).map(([k, v]) => `${k}×${v}`).join(' '),
      ]),
    );
    if (seq) printSequential(seq, opts.rounds);
    printTable(
      'pushes: one 200 MB package, server RSS sampled every 20 ms',
      ['backend', 'answer', 'seconds', 'RSS before', 'RSS peak', 'growth'],
      memory.map((m: any) => [m.backend, Object.keys(m.status).join(','), m.seconds.toFixed(1), fmt.mb(m.rssBefore), fmt.mb(m.rssPeak), fmt.mb(m.growth)]),
    );
    if (!admin) console.log('PostgreSQL was not available: only the embedded database was measured.');
    printGoals('pushes', goals);
    writeResults('pushes', { params: { rounds, sequentialRounds: opts.rounds }, rows, sequential: seq?.rows ?? [], memory, goals });
  },
};

// ---------------------------------------------------------------------------------------------------
// Sequential small pushes

interface SequentialRow {
  backend: string;
  set: string;
  pushes: number;
  pushesPerSec: number;
  p50: number;
  p99: number;
  sinkPushesPerSec: number;
  sinkP50: number;
  ratio: number;
  /** server CPU (user + system, all threads) per push: steadier than rates on a busy machine */
  cpuMsPerPush: number;
  sinkCpuMsPerPush: number;
  statusCounts: Record<string, number>;
  fiveXx: number;
  /** ms per push by phase, median of rounds (GALLEON_BENCH_PUSH_PROFILE=1), else null */
  profile: { phase: string; msPerPush: number }[] | null;
  rounds: PushFigures[];
  sinkRounds: PushFigures[];
}

interface SequentialResult {
  rows: SequentialRow[];
  goals: GoalCheck[];
}

/** the sequential sets' goal: at least BaGetter's measured rate on this machine (issue 9) */
const SEQUENTIAL_GOAL = 250;

/**
 * Pushes each set one package at a time (one keep-alive connection) to a fresh Galleon per round and
 * to the sink, alternating (G S for even rounds, S G for odd ones, set by set), on every backend.
 */
async function runSequential(
  opts: BenchOptions,
  admin: string | null,
  backends: ('embedded' | 'postgres')[],
  sink: BaselineProcess,
  work: string,
  sets: { name: string; files: string[] }[],
): Promise<SequentialResult> {
  const rows: SequentialRow[] = [];
  const goals: GoalCheck[] = [];
  for (const backend of backends) {
    const results = new Map(sets.map((s) => [s.name, { g: [] as (PushFigures & { meanMs: number; cpuMs: number })[], s: [] as (PushFigures & { cpuMs: number })[], profiles: [] as PushPhase[][] }]));
    for (let round = 0; round < opts.rounds; round++) {
      const dataDir = join(work, `seq-${backend}-${round}`);
      const dbName = `galleon_bench_seq_${process.pid}_${round}`;
      const databaseUrl = backend === 'postgres' ? (await createDatabase(admin!, dbName)).url : null;
      const galleon = await startGalleon({ dataDir, databaseUrl, name: `push-seq-${backend}` });
      try {
        // one push of another id first, so that the first measured push does not pay for loading code
        await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: [(await generatedModules(4, 'Bench.Warm'))[round % 4]!], concurrency: 1 });
        await galleon.pushProfile();
        for (const set of sets) {
          const r = results.get(set.name)!;
          const runG = async () => {
            const cpu0 = readCpuMs(galleon.pid);
            const summary = await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: set.files, concurrency: 1 });
            const cpuMs = (readCpuMs(galleon.pid) - cpu0) / Math.max(1, summary.latenciesMs.length);
            const meanMs = summary.latenciesMs.reduce((a, b) => a + b, 0) / Math.max(1, summary.latenciesMs.length);
            r.g.push({ ...figures(summary), meanMs, cpuMs });
            const phases = await galleon.pushProfile();
            if (phases) r.profiles.push(phases);
          };
          const runS = async () => {
            const cpu0 = readCpuMs(sink.pid);
            const summary = await runLoad({ kind: 'push', url: sink.url, apiKey: BENCH_API_KEY, files: set.files, concurrency: 1 });
            r.s.push({ ...figures(summary), cpuMs: (readCpuMs(sink.pid) - cpu0) / Math.max(1, summary.latenciesMs.length) });
          };
          if (round % 2 === 0) {
            await runG();
            await runS();
          } else {
            await runS();
            await runG();
          }
          const g = r.g.at(-1)!;
          const sk = r.s.at(-1)!;
          console.log(`  ${backend}, ${set.name}, round ${round + 1}: ${g.pushesPerSec.toFixed(0)} pushes/s (p50 ${fmt.ms(g.p50)}), sink ${sk.pushesPerSec.toFixed(0)}/s, ${JSON.stringify(g.statusCounts)}`);
        }
      } finally {
        await galleon.stop();
        if (databaseUrl) await dropDatabase(admin!, dbName);
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    for (const set of sets) {
      const { g, s, profiles } = results.get(set.name)!;
      const row: SequentialRow = {
        backend,
        set: set.name,
        pushes: set.files.length,
        pushesPerSec: median(g.map((x) => x.pushesPerSec)),
        p50: median(g.map((x) => x.p50)),
        p99: median(g.map((x) => x.p99)),
        sinkPushesPerSec: median(s.map((x) => x.pushesPerSec)),
        sinkP50: median(s.map((x) => x.p50)),
        ratio: median(g.map((x, i) => x.pushesPerSec / s[i]!.pushesPerSec)),
        cpuMsPerPush: median(g.map((x) => x.cpuMs)),
        sinkCpuMsPerPush: median(s.map((x) => x.cpuMs)),
        statusCounts: g[0]!.statusCounts,
        fiveXx: g.reduce((a, x) => a + x.fiveXx + x.errors, 0),
        profile: profiles.length === g.length ? profileRows(profiles, g) : null,
        rounds: g,
        sinkRounds: s,
      };
      rows.push(row);
      goals.push(check(`${backend}, ${set.name} one at a time: pushes/s`, row.pushesPerSec, `≥ ${SEQUENTIAL_GOAL}`, (v) => v >= SEQUENTIAL_GOAL, (v) => v.toFixed(0)));
      goals.push(check(`${backend}, ${set.name} one at a time: answers other than 201`, set.files.length - (row.statusCounts['201'] ?? 0) + row.fiveXx, '0', (v) => v === 0, fmt.int));
    }
  }
  return { rows, goals };
}

/**
 * ms per push of every phase (median over rounds), plus two derived lines: what the client waited
 * beyond the route's own time (HTTP parsing and writing, Hono, the load generator), and the wall time
 * per push of the whole run.
 */
function profileRows(profiles: PushPhase[][], g: (PushFigures & { meanMs: number; cpuMs: number })[]): { phase: string; msPerPush: number }[] {
  const names: string[] = [];
  for (const p of profiles) for (const x of p) if (!names.includes(x.phase)) names.push(x.phase);
  const out = names.map((phase) => ({
    phase,
    msPerPush: median(profiles.map((p, i) => (p.find((x) => x.phase === phase)?.ms ?? 0) / Math.max(1, routeCount(p, g[i]!)))),
  }));
  const route = (p: PushPhase[]) => p.find((x) => x.phase === 'route (total)');
  out.push({ phase: 'outside the route (HTTP, Hono, client)', msPerPush: median(profiles.map((p, i) => g[i]!.meanMs - (route(p)?.ms ?? 0) / Math.max(1, route(p)?.n ?? 1))) });
  out.push({ phase: 'wall time per push', msPerPush: median(g.map((x) => 1000 / x.pushesPerSec)) });
  out.push({ phase: '(server CPU per push, all threads)', msPerPush: median(g.map((x) => x.cpuMs)) });
  return out;
}

function routeCount(p: PushPhase[], g: PushFigures): number {
  return p.find((x) => x.phase === 'route (total)')?.n ?? Object.values(g.statusCounts).reduce((a, b) => a + b, 0);
}

function printSequential(seq: SequentialResult, rounds: number): void {
  printTable(
    `pushes one at a time (one keep-alive connection): median of ${rounds} rounds, each on a fresh server; sink alternating in the same run`,
    ['backend', 'packages', 'pushes/s', 'p50', 'p99', 'sink pushes/s', 'sink p50', 'ratio', 'CPU ms/push', 'sink CPU ms/push', 'answers (round 1)'],
    seq.rows.map((r) => [
      r.backend, r.set, r.pushesPerSec.toFixed(0), fmt.ms(r.p50), fmt.ms(r.p99), r.sinkPushesPerSec.toFixed(0), fmt.ms(r.sinkP50), fmt.ratio(r.ratio),
      r.cpuMsPerPush.toFixed(2), r.sinkCpuMsPerPush.toFixed(2),
      Object.entries(r.statusCounts).map(([k, v]) => `${k}×${v}`).join(' '),
    ]),
  );
  for (const r of seq.rows) {
    if (!r.profile) continue;
    const wall = r.profile.find((x) => x.phase === 'wall time per push')!.msPerPush;
    printTable(
      `push profile, ${r.backend}, ${r.set}: ms per push by phase (median of rounds; phases inside the route are sequential laps)`,
      ['phase', 'ms/push', 'of wall'],
      r.profile.map((x) => [x.phase, x.msPerPush.toFixed(3), fmt.pct(x.msPerPush / wall)]),
    );
  }
}
