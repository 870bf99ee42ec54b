/**
 * Scenario 5, soak (only when named: `npm run bench -- soak [--minutes 10] [--soak-db embedded]`):
 * 1,000 ids seeded with 10 versions each; the capacity of the mix (90% reads spread over the 1,000
 * ids' registration indexes, leaves, flat-container lists and dependency documents, 10% pushes of new
 * module versions) is measured closed-loop for 20 s, then the same mix runs open-loop at 80% of that
 * rate for `--minutes`, the server's RSS sampled every second. Pushes go to 1,000 ids of their own by
 * default, so the documents being read keep their size and RSS drift shows leaks; with
 * `--soak-push-to read` they go to the ids being read, whose documents (and the cache) then grow
 * with every push.
 * Goals: zero 5xx; RSS drift < 10% from minute 2 to the end (for runs shorter than 10 minutes, from
 * the 20% mark to the end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/connection.ts';
import { createDatabase, dropDatabase, postgresAdminUrl } from '../lib/postgres.ts';
import { BENCH_API_KEY, runLoad, startGalleon, type GalleonProcess } from '../lib/procs.ts';
import { insertSynthetic, syntheticVersion } from '../../test/support/synthetic-rows.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, percentile, printGoals, printTable, RssSampler, writeResults, type GoalCheck } from '../lib/util.ts';

const IDS = 1000;
const VERSIONS = 10;

export const soak: Scenario = {
  name: 'soak',
  summary: 'mixed load (90% reads over 1,000 ids, 10% pushes) at 80% of capacity for --minutes; 5xx and RSS drift',
  inDefaultRun: false,
  async run(opts: BenchOptions) {
    let backend = opts.soakDb;
    const admin = backend === 'postgres' ? await postgresAdminUrl() : null;
    if (backend === 'postgres' && !admin) {
      console.log('PostgreSQL is not available: the soak runs on the embedded database.');
      backend = 'embedded';
    }
    const work = await mkdtemp(join(tmpdir(), 'galleon-bench-soak-'));
    const dbName = `galleon_bench_soak_${process.pid}`;
    const databaseUrl = backend === 'postgres' ? (await createDatabase(admin!, dbName)).url : null;
    let galleon: GalleonProcess | null = null;
    try {
      const ids = Array.from({ length: IDS }, (_, n) => ({ id: `Soak.Id${n}`, versions: VERSIONS, n }));
      const db = await openDatabase(databaseUrl ? { databaseUrl } : { embeddedDir: join(work, 'data', 'db') });
      await insertSynthetic(db.db, ids);
      await db.close();
      galleon = await startGalleon({ dataDir: join(work, 'data'), databaseUrl, name: `soak-${backend}` });

      const reads: string[] = [];
      for (let k = 0; k < IDS * 4; k++) {
        const n = (k * 7919) % IDS;
        const lower = `soak.id${n}`;
        const kind = k % 4;
        reads.push(
          kind === 0 ? `/v3/registration/${lower}/index.json`
          : kind === 1 ? `/v3/registration/${lower}/${syntheticVersion(k % VERSIONS).toLowerCase()}.json`
          : kind === 2 ? `/v3/flatcontainer/${lower}/index.json`
          : `/v3/dependencies/${lower}/index.json`,
        );
      }
      const pushIds = opts.soakPushTo === 'read' ? ids.map((x) => x.id) : ids.map((x) => `Soak.Pushed${x.n}`);
      const base = { kind: 'mixed' as const, url: galleon.url, apiKey: BENCH_API_KEY, reads, pushIds, pushShare: 0.1 };

      const capacityRun = await runLoad({ ...base, pushVersionBase: 100, durationSec: 20, concurrency: 16 });
      const capacity = (capacityRun.reads + capacityRun.pushes) / (capacityRun.durationMs / 1000);
      const rate = Math.max(1, Math.round(capacity * 0.8));
      console.log(`capacity (closed loop, 16 in flight, 20 s): ${capacity.toFixed(0)} requests/s (${capacityRun.pushes} pushes); soaking at ${rate}/s for ${opts.minutes} min on ${backend}`);

      const sampler = new RssSampler(galleon.pid, 1000).start();
      const soakRun = await runLoad({ ...base, pushVersionBase: 50_000, durationSec: opts.minutes * 60, rate });
      sampler.stop();

      const total = opts.minutes * 60_000;
      const fromMs = opts.minutes >= 10 ? 120_000 : total * 0.2;
      const window = Math.max(5_000, total * 0.05);
      const rssNear = (t: number) => median(sampler.samples.filter((s) => Math.abs(s.t - t) <= window / 2).map((s) => s.rss));
      const rssFrom = rssNear(fromMs);
      const rssEnd = median(sampler.samples.filter((s) => s.t >= total - window).map((s) => s.rss));
      const drift = (rssEnd - rssFrom) / rssFrom;
      const fiveXx = Object.entries(soakRun.status).reduce((s, [k, n]) => s + (Number(k) >= 500 ? n : 0), 0) + soakRun.errors;
      const fourXx = Object.entries(soakRun.status).reduce((s, [k, n]) => s + (Number(k) >= 400 && Number(k) < 500 ? n : 0), 0);

      const perMinute: (string | number)[][] = [];
      // whole minutes of the run (the last bucket may hold only the answers still in flight at the end)
      const minutes = Math.max(1, Math.ceil(Math.min(soakRun.buckets.length, opts.minutes * 60) / 60));
      for (let m = 0; m < minutes; m++) {
        const bs = soakRun.buckets.slice(m * 60, m * 60 + 60);
        const secs = bs.length || 1;
        const rss = sampler.samples.filter((s) => s.t >= m * 60_000 && s.t < (m + 1) * 60_000).map((s) => s.rss);
        const bad = bs.reduce((s, b) => s + b.errors + Object.entries(b.status).reduce((a, [k, n]) => a + (Number(k) >= 500 ? n : 0), 0), 0);
        perMinute.push([
          m + 1,
          (bs.reduce((s, b) => s + b.reads, 0) / secs).toFixed(0),
          (bs.reduce((s, b) => s + b.pushes, 0) / secs).toFixed(1),
          fmt.ms(median(bs.map((b) => b.readP99).filter(Number.isFinite))),
          fmt.ms(median(bs.map((b) => b.pushP99).filter(Number.isFinite))),
          bad,
          rss.length ? fmt.mb(median(rss)) : 'n/a',
        ]);
      }
      printTable(`soak: ${rate} requests/s (80% of ${capacity.toFixed(0)}), ${opts.minutes} min on ${backend}, pushes to ${opts.soakPushTo === 'read' ? 'the ids being read' : '1,000 ids of their own'}`, ['minute', 'reads/s', 'pushes/s', 'read p99 (median of seconds)', 'push p99', '5xx+errors', 'RSS'], perMinute);
      console.log(
        `totals: ${fmt.int(soakRun.reads)} reads (p50 ${fmt.ms(soakRun.readP50)}, p99 ${fmt.ms(soakRun.readP99)}), ${fmt.int(soakRun.pushes)} pushes (p50 ${fmt.ms(soakRun.pushP50)}, p99 ${fmt.ms(soakRun.pushP99)}), statuses ${JSON.stringify(soakRun.status)}, not sent (512 in flight) ${soakRun.skipped}`,
      );
      if (soakRun.firstErrors.length) console.log(`first errors:\n  ${soakRun.firstErrors.join('\n  ')}`);
      const goals: GoalCheck[] = [
        check('5xx and failed requests', fiveXx, '0', (v) => v === 0, fmt.int),
        check(`RSS drift, ${(fromMs / 60_000).toFixed(1)} min → end`, drift, '< 10 %', (v) => v < 0.1, fmt.pct),
        check('requests not sent (over 512 in flight)', soakRun.skipped, '0', (v) => v === 0, fmt.int),
      ];
      printGoals('soak', goals);
      writeResults('soak', {
        params: { minutes: opts.minutes, backend, rate, capacity, pushTo: opts.soakPushTo },
        capacityRun: { ...capacityRun, buckets: undefined },
        totals: { ...soakRun, buckets: undefined },
        fourXx,
        rss: { from: rssFrom, end: rssEnd, drift, p99: percentile(sampler.samples.map((s) => s.rss), 99), samples: sampler.samples },
        buckets: soakRun.buckets,
        goals,
      });
    } finally {
      await galleon?.stop();
      if (databaseUrl) await dropDatabase(admin!, dbName).catch(() => {});
      await rm(work, { recursive: true, force: true });
    }
  },
};
