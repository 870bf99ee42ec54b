/**
 * Scenario 4, scale: 100,000 package ids and 1,000,000 versions bulk-loaded into PostgreSQL with COPY
 * (five ids of 5,000 versions, the rest 9–10 each; no blobs: reads of these documents open none),
 * then, on one Galleon over that database:
 *
 * - start-up time (migrations and the start-up cleanup run over the whole table)
 * - cold registration index of a 5,000-version id (first request after start, one per id, five ids)
 *   and warm (the same document again, 300 times): goals cold < 50 ms, warm < 1 ms. Times are
 *   measured by the client over a kept-alive loopback connection, so they are an upper bound of
 *   the server time.
 * - search latency (each query made unique so that it misses the document cache)
 * - push latency against the same pushes to a Galleon on an empty database, alternating: goal ≤ 1.5×
 * - resident memory after warm-up (2,000 registration indexes and the above): goal < 300 MB
 *
 * Loading takes a few minutes; `--reuse` keeps the loaded database between runs.
 */
import { Agent } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '../../db/connection.ts';
import { modulePackage } from '../lib/packages.ts';
import { createDatabase, dropDatabase, postgresAdminUrl } from '../lib/postgres.ts';
import { BENCH_API_KEY, runLoad, startGalleon, type GalleonProcess } from '../lib/procs.ts';
import { copySynthetic } from '../../test/support/synthetic-rows.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, percentile, printGoals, printTable, rawGet, readMemory, writeResults, type GoalCheck } from '../lib/util.ts';

const SCALE_DB = 'galleon_bench_scale';

/** the body of a rawGet answer, gunzipped when it came gzip-encoded */
function gunzipIf(r: { headers: Record<string, string>; body: Buffer }): Buffer {
  return r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
}
const BIG_IDS = 5;
const BIG_VERSIONS = 5000;

/** The ids to load: five 5,000-version ids, then `Bench.Id<n>` with the remaining versions spread evenly. */
export function scaleIds(ids: number, versions: number): { id: string; versions: number; n: number }[] {
  const out: { id: string; versions: number; n: number }[] = [];
  const big = Math.min(BIG_IDS, ids);
  const bigVersions = Math.min(BIG_VERSIONS, Math.floor(versions / 2 / big));
  for (let i = 0; i < big; i++) out.push({ id: `Bench.Big${i}`, versions: bigVersions, n: i });
  const rest = ids - big;
  const left = versions - big * bigVersions;
  const base = Math.floor(left / rest);
  const extra = left - base * rest;
  for (let i = 0; i < rest; i++) out.push({ id: `Bench.Id${i}`, versions: base + (i < extra ? 1 : 0), n: big + i });
  return out;
}

async function loadScaleDatabase(admin: string, opts: BenchOptions): Promise<{ url: string; loadSeconds: number | null }> {
  const spec = `${opts.scaleIds}/${opts.scaleVersions}`;
  const { url, existed } = await createDatabase(admin, SCALE_DB, { keepExisting: opts.reuse });
  if (existed) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const marker = await sql`select spec from bench_scale_marker`.catch(() => []);
    await sql.end();
    if (marker[0]?.spec === spec) {
      console.log(`reusing the loaded scale database ${SCALE_DB} (${spec})`);
      return { url, loadSeconds: null };
    }
    await createDatabase(admin, SCALE_DB);
  }
  const started = Date.now();
  const handle = await openDatabase({ databaseUrl: url });
  await handle.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const ids = scaleIds(opts.scaleIds, opts.scaleVersions);
    const rows = await copySynthetic(sql, ids, (n) => process.stdout.write(`\r  COPY ${fmt.int(n)} versions…`));
    process.stdout.write('\n');
    await checkSearchDocuments(sql, ids);
    // as autovacuum would in time: sets the visibility map, so counts of one variant scan the index only
    await sql`vacuum analyze`;
    await sql`create table bench_scale_marker (spec text not null)`;
    await sql`insert into bench_scale_marker values (${spec})`;
    const loadSeconds = (Date.now() - started) / 1000;
    console.log(`loaded ${fmt.int(ids.length)} ids and ${fmt.int(rows)} versions in ${loadSeconds.toFixed(0)} s`);
    return { url, loadSeconds };
  } finally {
    await sql.end();
  }
}

/**
 * Compares the bulk-loaded search documents of a sample of ids with what the server derives itself
 * (the view package_search_source of migration 0001): a loader that drifted from the server would
 * make the search figures meaningless.
 * @throws Error naming the first differing id and variant
 */
async function checkSearchDocuments(sql: postgres.Sql, ids: { id: string }[]): Promise<void> {
  const sample = ids.filter((_, k) => k < 5 || k % Math.max(1, Math.floor(ids.length / 200)) === 0).map((x) => x.id.toLowerCase());
  const bad = await sql`
    select coalesce(s.lower_id, v.lower_id) as lower_id, coalesce(s.variant, v.variant) as variant
    from (select * from package_search where lower_id in ${sql(sample)}) s
    full join (select * from package_search_source where lower_id in ${sql(sample)}) v
      on v.lower_id = s.lower_id and v.variant = s.variant
    where s.lower_id is null or v.lower_id is null
      or s.version_key <> v.version_key or s.search_text <> v.search_text or s.authors <> v.authors
      or s.owners <> v.owners or s.title <> v.title or s.description <> v.description or s.summary <> v.summary
      or not (s.tags @> v.tags and v.tags @> s.tags) or not (s.package_types @> v.package_types and v.package_types @> s.package_types)
      or s.total_downloads <> v.total_downloads
    limit 1`;
  if (bad.length) throw new Error(`bulk-loaded search document differs from the server's: ${bad[0]!.lower_id} variant ${bad[0]!.variant}`);
}

export const scale: Scenario = {
  name: 'scale',
  summary: '100,000 ids / 1,000,000 versions in PostgreSQL: cold/warm registration index, search, push latency, memory',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const admin = await postgresAdminUrl();
    if (!admin) {
      console.log('scale needs PostgreSQL: skipped.');
      writeResults('scale', { skipped: 'PostgreSQL not available' });
      return;
    }
    const goals: GoalCheck[] = [];
    const { url, loadSeconds } = await loadScaleDatabase(admin, opts);
    const work = await mkdtemp(join(tmpdir(), 'galleon-bench-scale-'));
    const emptyDb = `galleon_bench_scale_empty_${process.pid}`;
    let galleon: GalleonProcess | null = null;
    let empty: GalleonProcess | null = null;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (base: string, path: string) => rawGet(base + path, { 'Accept-Encoding': 'gzip' }, agent);
    try {
      galleon = await startGalleon({ dataDir: join(work, 'loaded'), databaseUrl: url, name: 'scale' });
      const rssAtStart = readMemory(galleon.pid)!.rss;
      console.log(`Galleon started on the loaded database in ${galleon.startMs} ms, RSS ${fmt.mb(rssAtStart)}`);
      const ids = scaleIds(opts.scaleIds, opts.scaleVersions);
      const small = ids.filter((x) => x.id.startsWith('Bench.Id'));
      const big = ids.filter((x) => x.id.startsWith('Bench.Big'));

      // JIT and connection warm-up on other ids (their documents are not the ones measured)
      for (let i = 0; i < 200; i++) await get(galleon.url, `/v3/registration/${small[(i * 499) % small.length]!.id.toLowerCase()}/index.json`);

      // cold: the first request for each big id; warm: the same document again
      const cold: number[] = [];
      const warm: number[] = [];
      for (const b of big) {
        const path = `/v3/registration/${b.id.toLowerCase()}/index.json`;
        const r = await get(galleon.url, path);
        if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
        cold.push(r.ms);
        for (let i = 0; i < 300; i++) warm.push((await get(galleon.url, path)).ms);
      }
      // cold registration page: the newest page of each big id (what NuGet reads first after the index)
      const coldPage: number[] = [];
      for (const b of big) {
        const index = JSON.parse(gunzipIf((await get(galleon.url, `/v3/registration/${b.id.toLowerCase()}/index.json`))).toString());
        const newest = new URL(index.items[index.items.length - 1]['@id']).pathname;
        const r = await get(galleon.url, newest);
        if (r.status !== 200) throw new Error(`${newest}: ${r.status}`);
        coldPage.push(r.ms);
      }
      const coldSmall: number[] = [];
      for (let i = 0; i < 50; i++) coldSmall.push((await get(galleon.url, `/v3/registration/${small[(i * 7919 + 13) % small.length]!.id.toLowerCase()}/index.json`)).ms);
      const coldFlat: number[] = [];
      for (const b of big) coldFlat.push((await get(galleon.url, `/v3/flatcontainer/${b.id.toLowerCase()}/index.json`)).ms);
      const coldDeps: number[] = [];
      for (const b of big) coldDeps.push((await get(galleon.url, `/v3/dependencies/${b.id.toLowerCase()}/index.json`)).ms);

      // search: every request unique (the nonce parameter is ignored by the app but part of the cache key)
      const searches: Record<string, number[]> = {};
      const queries = [
        { name: 'empty query (most downloaded)', q: '' },
        { name: 'one term', q: 'topic7' },
        { name: 'packageid:', q: 'packageid:bench.id4242' },
        { name: 'id: prefix', q: 'id:bench.big' },
        // the two above answer the five 5,000-version ids (24,000 versions in a 2.2 MB response); this
        // one matches 1,111 ids of ~10 versions, so it shows the id: filter without that response
        { name: 'id: substring, small ids', q: 'id:bench.id42' },
      ];
      let nonce = 0;
      for (const q of queries) {
        searches[q.name] = [];
        for (let i = 0; i < 5; i++) {
          const r = await get(galleon.url, `/v3/search?q=${encodeURIComponent(q.q)}&take=20&bench=${nonce++}`);
          if (r.status !== 200) throw new Error(`search ${q.q}: ${r.status} ${r.body.toString('utf8', 0, 200)}`);
          searches[q.name]!.push(r.ms);
        }
      }
      const autocomplete: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await get(galleon.url, `/v3/autocomplete?q=bench.id42&take=20&bench=${nonce++}`);
        if (r.status !== 200) throw new Error(`autocomplete: ${r.status}`);
        autocomplete.push(r.ms);
      }

      // push latency: the same packages to the loaded database and to an empty one, alternating
      const emptyUrl = (await createDatabase(admin, emptyDb)).url;
      empty = await startGalleon({ dataDir: join(work, 'empty'), databaseUrl: emptyUrl, name: 'scale-empty' });
      const pushDir = join(work, 'pushes');
      await mkdir(pushDir);
      const prefix = `Bench.ScalePush${Date.now() % 1_000_000}.`;
      const batches: string[][] = [];
      for (let b = 0; b < 6; b++) {
        const files: string[] = [];
        for (let k = 0; k < 10; k++) {
          const n = b * 10 + k;
          // new versions of existing loaded ids for half of them: the loaded database has their other versions
          const id = k % 2 ? `Bench.Id${(n * 131) % small.length}` : `${prefix}${n}`;
          const path = join(pushDir, `${n}.nupkg`);
          await writeFile(path, await modulePackage(id, `99.${n}.0`, n));
          files.push(path);
        }
        batches.push(files);
      }
      // warm both servers' push path first (JIT, connection pools): 5 pushes each, not measured
      const warmFiles: string[] = [];
      for (let k = 0; k < 5; k++) {
        const path = join(pushDir, `warm-${k}.nupkg`);
        await writeFile(path, await modulePackage(`${prefix}Warm${k}`, '1.0.0', 1000 + k));
        warmFiles.push(path);
      }
      for (const server of [galleon, empty]) await runLoad({ kind: 'push', url: server.url, apiKey: BENCH_API_KEY, files: warmFiles, concurrency: 1 });
      const loadedLat: number[] = [];
      const emptyLat: number[] = [];
      const pushStatus: Record<string, number> = {};
      for (let b = 0; b < batches.length; b++) {
        const order: GalleonProcess[] = b % 2 === 0 ? [galleon, empty] : [empty, galleon];
        for (const server of order) {
          const r = await runLoad({ kind: 'push', url: server.url, apiKey: BENCH_API_KEY, files: batches[b]!, concurrency: 1 });
          (server === galleon ? loadedLat : emptyLat).push(...r.latenciesMs);
          if (server === galleon) for (const [k, v] of Object.entries(r.statusCounts)) pushStatus[k] = (pushStatus[k] ?? 0) + v;
        }
      }
      await empty.stop();
      empty = null;

      // memory after warm-up: 2,000 more registration indexes (the document cache fills)
      for (let i = 0; i < 2000; i++) await get(galleon.url, `/v3/registration/${small[(i * 48_271 + 7) % small.length]!.id.toLowerCase()}/index.json`);
      const rssAfter = readMemory(galleon.pid)!;

      const n = fmt.int(big[0]!.versions);
      const coldMedian = median(cold);
      const warmMedian = median(warm);
      const pushRatio = median(loadedLat) / median(emptyLat);
      printTable(
        `scale: ${fmt.int(opts.scaleIds)} ids, ${fmt.int(opts.scaleVersions)} versions in PostgreSQL (client-side times over a kept-alive loopback connection)`,
        ['figure', 'median', 'p99 / max', 'n'],
        [
          ['start-up (open, migrate, clean-up)', fmt.ms(galleon.startMs), '', 1],
          [`registration index ${n} versions, cold`, fmt.ms(coldMedian), fmt.ms(Math.max(...cold)), cold.length],
          [`registration index ${n} versions, warm`, fmt.ms(warmMedian), fmt.ms(percentile(warm, 99)), warm.length],
          [`registration page (newest of ${n} versions), cold`, fmt.ms(median(coldPage)), fmt.ms(Math.max(...coldPage)), coldPage.length],
          ['registration index ~10 versions, cold', fmt.ms(median(coldSmall)), fmt.ms(percentile(coldSmall, 99)), coldSmall.length],
          [`flat container versions ${n}, cold`, fmt.ms(median(coldFlat)), fmt.ms(Math.max(...coldFlat)), coldFlat.length],
          [`dependency-only index ${n}, cold`, fmt.ms(median(coldDeps)), fmt.ms(Math.max(...coldDeps)), coldDeps.length],
          ...Object.entries(searches).map(([k, v]) => [`search: ${k}`, fmt.ms(median(v)), fmt.ms(Math.max(...v)), v.length]),
          ['autocomplete (prefix)', fmt.ms(median(autocomplete)), fmt.ms(Math.max(...autocomplete)), autocomplete.length],
          ['push, loaded database', fmt.ms(median(loadedLat)), fmt.ms(percentile(loadedLat, 99)), loadedLat.length],
          ['push, empty database', fmt.ms(median(emptyLat)), fmt.ms(percentile(emptyLat, 99)), emptyLat.length],
          ['RSS after start', fmt.mb(rssAtStart), '', 1],
          ['RSS after warm-up', fmt.mb(rssAfter.rss), `peak ${fmt.mb(rssAfter.hwm)}`, 1],
        ],
      );
      goals.push(check(`cold registration index, ${n} versions`, coldMedian, '< 50 ms', (v) => v < 50, fmt.ms));
      goals.push(check(`warm registration index, ${n} versions`, warmMedian, '< 1 ms', (v) => v < 1, fmt.ms));
      goals.push(check('push latency, loaded ÷ empty database', pushRatio, '≤ 1.5×', (v) => v <= 1.5, fmt.ratio));
      goals.push(check('pushes answered 201 (loaded database)', pushStatus['201'] ?? 0, `${loadedLat.length}`, (v) => v === loadedLat.length, fmt.int));
      goals.push(check('RSS after warm-up', rssAfter.rss, '< 300 MB', (v) => v < 300 * 1024 * 1024, fmt.mb));
      printGoals('scale', goals);
      writeResults('scale', {
        params: { ids: opts.scaleIds, versions: opts.scaleVersions, loadSeconds },
        startMs: galleon.startMs,
        cold, warm: { median: warmMedian, p99: percentile(warm, 99) }, coldPage, coldSmall, coldFlat, coldDeps, searches, autocomplete,
        push: { loaded: loadedLat, empty: emptyLat, ratio: pushRatio, status: pushStatus },
        rss: { atStart: rssAtStart, afterWarmUp: rssAfter.rss, peak: rssAfter.hwm },
        goals,
      });
    } finally {
      agent.destroy();
      await galleon?.stop();
      await empty?.stop();
      await dropDatabase(admin, emptyDb).catch(() => {});
      if (!opts.reuse) await dropDatabase(admin, SCALE_DB).catch(() => {});
      await rm(work, { recursive: true, force: true });
    }
  },
};
