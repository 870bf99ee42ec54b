/**
 * Scenario 1, hot reads: cached protocol documents served by Galleon against a bare `node:http`
 * server answering the very same bytes and headers from memory (the ceiling). Both run in their own
 * process; autocannon (another process) drives each with the same connections and duration, the two
 * alternating within each round. Requests carry `Accept-Encoding: gzip` as NuGet clients do.
 * Goals: requests/s ≥ 0.85 × ceiling, p99 ≤ 5 ms at 32 connections, no answer other than 2xx/304.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/connection.ts';
import { ceilingKey, type RecordedResponse } from '../lib/baseline-child.ts';
import { startCeiling, startGalleon, runLoad, type BaselineProcess, type GalleonProcess } from '../lib/procs.ts';
import type { AutocannonSummary } from '../lib/loadgen-child.ts';
import { insertSynthetic } from '../../test/support/synthetic-rows.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, printGoals, printTable, rawGet, readCpuMs, writeResults, type GoalCheck } from '../lib/util.ts';

interface Target {
  name: string;
  path: string;
  /** send If-None-Match with the document's ETag (expects 304) */
  conditional?: boolean;
}

const DROP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Records Galleon's answer to a target (second request: the first one fills the cache). */
async function record(url: string, t: Target, etag?: string): Promise<RecordedResponse & { etag?: string }> {
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip' };
  if (t.conditional && etag) headers['If-None-Match'] = etag;
  await rawGet(url + t.path, headers);
  const r = await rawGet(url + t.path, headers);
  if (r.status !== (t.conditional ? 304 : 200)) throw new Error(`${t.path} answered ${r.status}: ${r.body.toString('utf8', 0, 200)}`);
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (!DROP_HEADERS.has(k)) kept[k] = v;
  return { status: r.status, headers: kept, body: new Uint8Array(r.body), etag: r.headers.etag };
}

export const hotReads: Scenario = {
  name: 'hot-reads',
  summary: 'cached documents (registration index 10/300/5,000 versions, page, leaf, flat container, dependency index, service index) vs a bare node:http server',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const dataDir = await mkdtemp(join(tmpdir(), 'galleon-bench-hot-'));
    let galleon: GalleonProcess | null = null;
    let ceiling: BaselineProcess | null = null;
    try {
      const t0 = Date.now();
      const db = await openDatabase({ embeddedDir: join(dataDir, 'db') });
      const seeded = await insertSynthetic(db.db, [
        { id: 'Bench.V10', versions: 10, n: 1 },
        { id: 'Bench.V300', versions: 300, n: 2 },
        { id: 'Bench.V5000', versions: 5000, n: 3 },
      ]);
      await db.close();
      console.log(`seeded ${seeded} versions of 3 ids into the embedded database in ${Date.now() - t0} ms`);

      galleon = await startGalleon({ dataDir, name: 'hot-reads' });
      const index5000 = JSON.parse((await rawGet(`${galleon.url}/v3/registration/bench.v5000/index.json`)).body.toString());
      const firstPage = new URL(index5000.items[0]['@id']).pathname;
      const targets: Target[] = [
        { name: 'service index', path: '/v3/index.json' },
        { name: 'registration index, 10 versions', path: '/v3/registration/bench.v10/index.json' },
        { name: 'registration index, 300 versions', path: '/v3/registration/bench.v300/index.json' },
        { name: 'registration index, 5,000 versions', path: '/v3/registration/bench.v5000/index.json' },
        { name: 'registration page (64 leaves)', path: firstPage },
        { name: 'registration leaf', path: '/v3/registration/bench.v300/1.5.0.json' },
        { name: 'flat container versions, 5,000', path: '/v3/flatcontainer/bench.v5000/index.json' },
        { name: 'dependency-only index, 300', path: '/v3/dependencies/bench.v300/index.json' },
        { name: 'registration index 5,000, If-None-Match → 304', path: '/v3/registration/bench.v5000/index.json', conditional: true },
      ];
      const docs: Record<string, RecordedResponse> = {};
      const sizes: Record<string, number> = {};
      for (const t of targets) {
        const plain = await record(galleon.url, { ...t, conditional: false });
        const r = t.conditional ? await record(galleon.url, t, plain.etag) : plain;
        docs[ceilingKey(t.path, !!t.conditional)] = { status: r.status, headers: r.headers, body: r.body };
        sizes[t.name] = r.body.byteLength;
      }
      ceiling = await startCeiling(docs);

      /** one autocannon run, plus the server's CPU time per answered request (µs) */
      const load = async (server: { url: string; pid: number }, t: Target, duration: number): Promise<AutocannonSummary & { cpuUs: number }> => {
        const headers: Record<string, string> = { 'accept-encoding': 'gzip' };
        if (t.conditional) headers['if-none-match'] = docs[ceilingKey(t.path, true)]!.headers.etag!;
        const cpu0 = readCpuMs(server.pid);
        const r = await runLoad({ kind: 'autocannon', opts: { url: server.url + t.path, connections: opts.connections, duration, headers } });
        return { ...r, cpuUs: ((readCpuMs(server.pid) - cpu0) * 1000) / Math.max(1, r.total) };
      };

      // warm-up: JIT both servers on every target
      for (const t of targets) {
        await load(galleon, t, 1);
        await load(ceiling, t, 1);
      }

      const rows: Record<string, unknown>[] = [];
      const goals: GoalCheck[] = [];
      for (const t of targets) {
        const g: (AutocannonSummary & { cpuUs: number })[] = [];
        const c: (AutocannonSummary & { cpuUs: number })[] = [];
        for (let round = 0; round < opts.rounds; round++) {
          const order = round % 2 === 0 ? ['g', 'c'] : ['c', 'g'];
          for (const who of order) {
            if (who === 'g') g.push(await load(galleon!, t, opts.duration));
            else c.push(await load(ceiling!, t, opts.duration));
          }
        }
        const gRps = median(g.map((x) => x.rps));
        const cRps = median(c.map((x) => x.rps));
        // paired: each round's Galleon run against the ceiling run next to it, then the median
        const roundRatios = g.map((x, i) => x.rps / c[i]!.rps);
        const ratio = median(roundRatios);
        const p99 = median(g.map((x) => x.p99));
        const bad = g.reduce((s, x) => s + x.bad, 0);
        const row = {
          target: t.name,
          path: t.path,
          bytes: sizes[t.name],
          galleonRps: gRps,
          ceilingRps: cRps,
          ratio,
          roundRatios,
          galleonP50: median(g.map((x) => x.p50)),
          galleonP99: p99,
          ceilingP99: median(c.map((x) => x.p99)),
          galleonBad: bad,
          galleonCpuUsPerRequest: median(g.map((x) => x.cpuUs)),
          ceilingCpuUsPerRequest: median(c.map((x) => x.cpuUs)),
          galleonStatus: g.map((x) => x.statusCounts),
          galleonRounds: g,
          ceilingRounds: c,
        };
        rows.push(row);
        console.log(`  ${t.name}: Galleon ${fmt.int(gRps)} req/s, ceiling ${fmt.int(cRps)} req/s, ratio ${fmt.ratio(ratio)}, p99 ${p99} ms, bad ${bad}`);
        goals.push(check(`${t.name}: req/s ratio`, ratio, '≥ 0.85', (v) => v >= 0.85, fmt.ratio));
        goals.push(check(`${t.name}: p99`, p99, '≤ 5 ms', (v) => v <= 5, (v) => `${v} ms`));
        goals.push(check(`${t.name}: non-2xx/304`, bad, '0', (v) => v === 0, fmt.int));
      }
      printTable(
        `hot reads: ${opts.connections} connections, ${opts.duration} s × ${opts.rounds} rounds each, median (Accept-Encoding: gzip)`,
        ['document', 'bytes', 'Galleon req/s', 'ceiling req/s', 'ratio', 'p50 ms', 'p99 ms', 'ceiling p99', 'bad', 'CPU µs/req', 'ceiling µs/req'],
        rows.map((r: any) => [
          r.target, fmt.int(r.bytes), fmt.int(r.galleonRps), fmt.int(r.ceilingRps), fmt.ratio(r.ratio), r.galleonP50, r.galleonP99, r.ceilingP99, r.galleonBad,
          r.galleonCpuUsPerRequest.toFixed(0), r.ceilingCpuUsPerRequest.toFixed(0),
        ]),
      );
      printGoals('hot-reads', goals);
      writeResults('hot-reads', { params: { connections: opts.connections, duration: opts.duration, rounds: opts.rounds }, rows, goals });
    } finally {
      await galleon?.stop();
      await ceiling?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
