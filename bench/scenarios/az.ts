/**
 * Scenario `az`: `galleon install Az=12.0.0` over loopback against one seeded Galleon, the way a user
 * runs it. The Az 12.0.0 module tree (90 packages built from the real manifests in test/support/data/psgallery
 * by `buildFixtureSet({ az: '12.0.0' })`) is pushed once into an embedded Galleon running in its own
 * process (bench/lib/galleon-child.ts). Then, each as a separate `node bin/galleon.js install …`
 * process timed from spawn to exit (whole-command wall time, Node and tsx start-up included):
 *
 * 1. plan: `Az=12.0.0 --plan --json` (resolution only) against the dependency-only hive
 *    (`--source <url>/v3/dependencies/index.json`, the client's default ModuleFast user agent) and the
 *    full hive (`--source <url>/v3/index.json` with a user agent that does not start with
 *    "ModuleFast", so the service index names the full registration hive);
 * 2. install: a full install into a fresh empty destination with `--destination-only` and an empty
 *    PSModulePath, default throttle, against both hives; every round checks that 90 version folders
 *    were written, each with its `<Name>.psd1` and without an `.incomplete` marker;
 * 3. the bytes of the dependency-only registration documents against the full registration indexes
 *    of the same ids, plain and gzip (formerly bench/az-feed-size.ts).
 *
 * Rounds alternate the hives (dependency-only, full, full, dependency-only, …); `--rounds` per hive
 * (default 5, at least 3). Before the rounds, `galleon install --help` is timed `--rounds` times (the
 * command's start-up alone) and one untimed `--verbose` plan per hive warms the server's document cache
 * and tsx's transform cache. Each timed plan run is followed by the same command with `--verbose`,
 * whose "Plan: … s, N requests." line gives the client's own plan seconds (start-up excluded) and
 * request count. The whole scenario takes about 60 s on a 2-core machine.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildFixtureSet, seedGallery, type FixturePackage } from '../../test/support/psgallery.ts';
import { BENCH_API_KEY, startGalleon, type GalleonProcess } from '../lib/procs.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { fmt, median, printTable, rawGet, ROOT_DIR, writeResults } from '../lib/util.ts';

/** The Az rollup version measured. */
export const AZ_VERSION = '12.0.0';
/** Packages (= module version folders) the Az 12.0.0 tree has. */
export const AZ_PACKAGES = 90;
/** User agent of the full-hive runs: anything not starting with "ModuleFast" gets the full service index. */
export const FULL_HIVE_USER_AGENT = 'galleon-bench (full registration hive)';

/** The two hives a client can resolve against. */
export type Hive = 'dependency-only' | 'full';

/** Result of one `node bin/galleon.js …` run. */
export interface CommandRun {
  /** exit code (null when killed by a signal) */
  code: number | null;
  /** spawn to exit, seconds */
  seconds: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/galleon.js <args>` as its own process and times it from spawn to exit.
 * The environment is the bench's with `PSModulePath` emptied and `GALLEON_SOURCE` removed.
 * @param args arguments after `galleon`
 * @param cwd working folder of the process
 * @returns exit code, wall time in seconds, and the captured output; never rejects on a non-zero exit
 * @throws Error when the process cannot be spawned or runs longer than `timeoutMs` (it is killed)
 */
export function runGalleonCommand(args: string[], cwd: string, timeoutMs = 300_000): Promise<CommandRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, PSModulePath: '' };
  delete env.GALLEON_SOURCE;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [join(ROOT_DIR, 'bin', 'galleon.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`galleon ${args.join(' ')} ran longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, seconds: (performance.now() - start) / 1000, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** `--source` (and `--user-agent`) arguments selecting a hive of the Galleon at `url`. */
function hiveArgs(url: string, hive: Hive): string[] {
  return hive === 'dependency-only' ? ['--source', `${url}/v3/dependencies/index.json`] : ['--source', `${url}/v3/index.json`, '--user-agent', FULL_HIVE_USER_AGENT];
}

function failed(what: string, r: CommandRun): Error {
  return new Error(`${what}: exit code ${r.code} after ${r.seconds.toFixed(1)} s\n--- stderr (end) ---\n${r.stderr.slice(-3000)}\n--- stdout (end) ---\n${r.stdout.slice(-1000)}`);
}

/** Parses the plan JSON (`[{ name, version, source }]`) a `--plan --json` run printed. */
function parsePlan(what: string, r: CommandRun): { name: string; version: string }[] {
  if (r.code !== 0) throw failed(what, r);
  let rows: unknown;
  try {
    rows = JSON.parse(r.stdout);
  } catch {
    throw failed(`${what}: stdout is not JSON`, r);
  }
  if (!Array.isArray(rows)) throw failed(`${what}: the plan is not a JSON array`, r);
  return rows as { name: string; version: string }[];
}

/**
 * Checks an install destination: exactly `expected` module version folders (`<dest>/<Name>/<Version>`),
 * each holding `<Name>.psd1` and no `.incomplete` marker.
 * @returns the number of version folders found
 * @throws Error listing what is wrong
 */
export async function verifyInstall(destination: string, expected: number): Promise<number> {
  const problems: string[] = [];
  let folders = 0;
  for (const name of await readdir(destination)) {
    const moduleDir = join(destination, name);
    const versions = await readdir(moduleDir, { withFileTypes: true }).catch(() => null);
    if (!versions) continue;
    for (const v of versions) {
      if (!v.isDirectory()) continue;
      folders++;
      const dir = join(moduleDir, v.name);
      if (existsSync(join(dir, '.incomplete'))) problems.push(`${name}/${v.name} holds .incomplete`);
      if (!existsSync(join(dir, `${name}.psd1`))) problems.push(`${name}/${v.name} has no ${name}.psd1`);
    }
  }
  if (folders !== expected) problems.unshift(`${folders} module version folders, expected ${expected}`);
  if (problems.length > 0) throw new Error(`install into ${destination} is not complete: ${problems.slice(0, 20).join('; ')}`);
  return folders;
}

/** The client's own summary line in --verbose: "Plan: N modules to install, M requirements already met, S s, R requests." */
function verbosePlanLine(stderr: string): { modules: number; seconds: number; requests: number } | null {
  const m = /Plan: (\d+) modules? to install, \d+ requirements? already met, ([\d.]+) s, (\d+) requests\./.exec(stderr);
  return m ? { modules: Number(m[1]), seconds: Number(m[2]), requests: Number(m[3]) } : null;
}

/** Summed document bytes of {@link documentSizes}. */
export interface DocumentSizes {
  ids: number;
  packages: number;
  full: number;
  fullGzip: number;
  dependencyOnly: number;
  dependencyOnlyGzip: number;
}

/**
 * Bytes of every id's full registration index (`/v3/registration/<id>/index.json`) and dependency-only
 * index (`/v3/dependencies/<id>/index.json`), as served without compression, and gzip-compressed here
 * (zlib default level).
 * @throws Error when a document does not answer 200
 */
export async function documentSizes(url: string, packages: readonly FixturePackage[]): Promise<DocumentSizes> {
  const ids = [...new Set(packages.map((p) => p.id.toLowerCase()))];
  const sizes: DocumentSizes = { ids: ids.length, packages: packages.length, full: 0, fullGzip: 0, dependencyOnly: 0, dependencyOnlyGzip: 0 };
  for (const id of ids) {
    const f = await rawGet(`${url}/v3/registration/${id}/index.json`);
    const s = await rawGet(`${url}/v3/dependencies/${id}/index.json`);
    if (f.status !== 200 || s.status !== 200) throw new Error(`${id}: registration index answered ${f.status}, dependency-only index ${s.status}`);
    sizes.full += f.body.length;
    sizes.dependencyOnly += s.body.length;
    sizes.fullGzip += gzipSync(f.body).length;
    sizes.dependencyOnlyGzip += gzipSync(s.body).length;
  }
  return sizes;
}

/**
 * Builds the Az 12.0.0 tree, starts an embedded Galleon in its own process with its data under
 * `<work>/data`, and pushes the tree into it. The caller stops `galleon`.
 * @returns the server, the packages, and milliseconds spent building and seeding
 * @throws Error when the tree is not {@link AZ_PACKAGES} packages or not every push was accepted
 *         (the server is stopped first)
 */
export async function startSeededAzGallery(work: string): Promise<{ galleon: GalleonProcess; packages: FixturePackage[]; buildMs: number; seedMs: number }> {
  const t0 = performance.now();
  const packages = await buildFixtureSet({ az: AZ_VERSION });
  const buildMs = performance.now() - t0;
  if (packages.length !== AZ_PACKAGES) throw new Error(`buildFixtureSet({ az: '${AZ_VERSION}' }) built ${packages.length} packages, expected ${AZ_PACKAGES}`);
  const galleon = await startGalleon({ dataDir: join(work, 'data'), name: 'az' });
  try {
    const t1 = performance.now();
    const seeded = await seedGallery(galleon.url, BENCH_API_KEY, packages);
    const seedMs = performance.now() - t1;
    if (seeded.pushed !== packages.length) throw new Error(`seeding pushed ${seeded.pushed} of ${packages.length} packages (${seeded.duplicates} duplicates)`);
    return { galleon, packages, buildMs, seedMs };
  } catch (err) {
    await galleon.stop();
    throw err;
  }
}

/** Prints the document-size table of {@link documentSizes}. */
export function printDocumentSizes(sizes: DocumentSizes): void {
  printTable(
    `az: registration documents of the ${sizes.ids} ids in the Az ${AZ_VERSION} tree (${sizes.packages} packages), bytes as served and gzip (zlib default level)`,
    ['documents', 'plain bytes', 'gzip bytes'],
    [
      ['full registration indexes', fmt.int(sizes.full), fmt.int(sizes.fullGzip)],
      ['dependency-only indexes', fmt.int(sizes.dependencyOnly), fmt.int(sizes.dependencyOnlyGzip)],
      ['ratio full / dependency-only', `${fmt.ratio(sizes.full / sizes.dependencyOnly)}×`, `${fmt.ratio(sizes.fullGzip / sizes.dependencyOnlyGzip)}×`],
    ],
  );
}

/** What a set of rounds came to: median/min/max seconds. */
function spread(xs: number[]) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

const HIVES: Hive[] = ['dependency-only', 'full'];
/** Hive order of round `r`: dependency-only first in even rounds, full first in odd ones. */
const roundOrder = (r: number): Hive[] => (r % 2 === 0 ? HIVES : [...HIVES].reverse());

export const az: Scenario = {
  name: 'az',
  summary: 'galleon install Az=12.0.0 (90 packages) over loopback: plan and install time, dependency-only vs full hive; document sizes',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const rounds = opts.rounds;
    const work = await mkdtemp(join(tmpdir(), 'galleon-bench-az-'));
    let galleon: GalleonProcess | null = null;
    try {
      const seeded = await startSeededAzGallery(work);
      galleon = seeded.galleon;
      const { packages, buildMs, seedMs } = seeded;
      const url = seeded.galleon.url;
      console.log(`${packages.length} packages built in ${fmt.ms(buildMs)}, Galleon started in ${seeded.galleon.startMs} ms, seeded in ${fmt.ms(seedMs)}`);

      // ---- document sizes
      const sizes = await documentSizes(url, packages);
      console.log(`document sizes: ${sizes.ids} ids, full ${fmt.int(sizes.full)} B (${fmt.int(sizes.fullGzip)} gzip), dependency-only ${fmt.int(sizes.dependencyOnly)} B (${fmt.int(sizes.dependencyOnlyGzip)} gzip)`);

      const empty = join(work, 'empty');
      await mkdir(empty);
      const planArgs = (hive: Hive) => ['install', `Az=${AZ_VERSION}`, '--plan', '--json', '--destination', empty, '--destination-only', ...hiveArgs(url, hive)];

      // ---- start-up of the command alone, and the untimed warm-up
      const startup: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const h = await runGalleonCommand(['install', '--help'], work);
        if (h.code !== 0) throw failed('galleon install --help', h);
        startup.push(h.seconds);
      }
      const warm = {} as Record<Hive, { modules: number; seconds: number; requests: number; wall: number }>;
      for (const hive of HIVES) {
        const r = await runGalleonCommand([...planArgs(hive), '--verbose'], work);
        const plan = parsePlan(`warm-up plan (${hive})`, r);
        const line = verbosePlanLine(r.stderr);
        if (!line) throw failed(`warm-up plan (${hive}): no "Plan: … requests." line on stderr`, r);
        if (plan.length !== AZ_PACKAGES || line.modules !== AZ_PACKAGES) throw failed(`warm-up plan (${hive}): ${plan.length} modules planned, expected ${AZ_PACKAGES}`, r);
        warm[hive] = { ...line, wall: r.seconds };
        console.log(`  warm-up plan, ${hive}: ${line.modules} modules, ${line.requests} requests, ${line.seconds.toFixed(2)} s in the client, ${r.seconds.toFixed(2)} s wall`);
      }

      // ---- plan rounds
      const plan: Record<Hive, { seconds: number; modules: number; clientSeconds: number; requests: number }[]> = { 'dependency-only': [], full: [] };
      for (let r = 0; r < rounds; r++) {
        for (const hive of roundOrder(r)) {
          const run = await runGalleonCommand(planArgs(hive), work);
          const rows = parsePlan(`plan round ${r + 1} (${hive})`, run);
          if (rows.length !== AZ_PACKAGES) throw failed(`plan round ${r + 1} (${hive}): ${rows.length} modules planned, expected ${AZ_PACKAGES}`, run);
          // the same command with --verbose right after: the client's own plan seconds and request count
          const v = await runGalleonCommand([...planArgs(hive), '--verbose'], work);
          const vRows = parsePlan(`plan round ${r + 1} (${hive}, --verbose)`, v);
          const line = verbosePlanLine(v.stderr);
          if (!line || vRows.length !== AZ_PACKAGES) throw failed(`plan round ${r + 1} (${hive}, --verbose): ${vRows.length} modules planned or no "Plan:" line`, v);
          plan[hive].push({ seconds: run.seconds, modules: rows.length, clientSeconds: line.seconds, requests: line.requests });
          console.log(`  plan round ${r + 1}, ${hive}: ${run.seconds.toFixed(2)} s, ${rows.length} modules; --verbose: ${line.seconds.toFixed(2)} s in the client, ${line.requests} requests`);
        }
      }

      // ---- install rounds
      const install: Record<Hive, { seconds: number; modules: number }[]> = { 'dependency-only': [], full: [] };
      for (let r = 0; r < rounds; r++) {
        for (const hive of roundOrder(r)) {
          const dest = join(work, `modules-${r}-${hive}`);
          await mkdir(dest);
          const run = await runGalleonCommand(['install', `Az=${AZ_VERSION}`, '--destination', dest, '--destination-only', ...hiveArgs(url, hive)], work);
          if (run.code !== 0) throw failed(`install round ${r + 1} (${hive})`, run);
          const folders = await verifyInstall(dest, AZ_PACKAGES);
          install[hive].push({ seconds: run.seconds, modules: folders });
          console.log(`  install round ${r + 1}, ${hive}: ${run.seconds.toFixed(2)} s, ${folders} module folders`);
          await rm(dest, { recursive: true, force: true });
        }
      }

      const rows = HIVES.flatMap((hive) => [
        { what: 'plan', hive, ...spread(plan[hive].map((x) => x.seconds)), modules: plan[hive][0]!.modules, requests: median(plan[hive].map((x) => x.requests)), clientPlanSeconds: median(plan[hive].map((x) => x.clientSeconds)), rounds: plan[hive] },
        { what: 'install', hive, ...spread(install[hive].map((x) => x.seconds)), modules: install[hive][0]!.modules, requests: median(plan[hive].map((x) => x.requests)) + AZ_PACKAGES, clientPlanSeconds: null, rounds: install[hive] },
      ]);
      const planRatio = median(plan.full.map((x) => x.seconds)) / median(plan['dependency-only'].map((x) => x.seconds));
      const pairedPlanRatio = median(plan.full.map((x, i) => x.seconds / plan['dependency-only'][i]!.seconds));
      const clientPlanRatio = median(plan.full.map((x) => x.clientSeconds)) / median(plan['dependency-only'].map((x) => x.clientSeconds));
      const installRatio = median(install.full.map((x) => x.seconds)) / median(install['dependency-only'].map((x) => x.seconds));
      const startupSpread = spread(startup);
      const s = (v: number) => v.toFixed(2);

      printTable(
        `az: galleon install Az=${AZ_VERSION} over loopback, one process per command, wall seconds, median of ${rounds} rounds (hives alternating)`,
        ['command', 'hive', 'median s', 'min s', 'max s', 'modules', 'requests', 'full / dep-only', 'in-client plan s', 'full / dep-only'],
        [
          ...rows.map((r) => [
            r.what === 'plan' ? '--plan --json' : 'install (fresh destination)',
            r.hive, s(r.median), s(r.min), s(r.max), r.modules,
            r.what === 'plan' ? r.requests : `${r.requests - AZ_PACKAGES} + ${AZ_PACKAGES} nupkg`,
            r.hive === 'full' ? fmt.ratio(r.what === 'plan' ? planRatio : installRatio) : '',
            r.clientPlanSeconds === null ? '' : s(r.clientPlanSeconds),
            r.what === 'plan' && r.hive === 'full' ? fmt.ratio(clientPlanRatio) : '',
          ]),
          ['install --help (start-up only)', '—', s(startupSpread.median), s(startupSpread.min), s(startupSpread.max), '', '', '', '', ''],
        ],
      );
      console.log(
        `requests and in-client plan s: the client's own "Plan: … s, N requests." line of a --verbose run of the same plan command right after each timed one` +
          ` (seconds from the command's start, Node and tsx start-up excluded); install = plan requests + one nupkg download per module.` +
          `\npaired plan ratio full / dependency-only (median of per-round ratios): ${fmt.ratio(pairedPlanRatio)}`,
      );
      printDocumentSizes(sizes);
      writeResults('az', {
        params: { rounds, azVersion: AZ_VERSION, packages: packages.length, fullHiveUserAgent: FULL_HIVE_USER_AGENT, buildMs, seedMs, galleonStartMs: seeded.galleon.startMs },
        rows,
        planRatio,
        pairedPlanRatio,
        clientPlanRatio,
        installRatio,
        warmUp: warm,
        startup: { ...startupSpread, rounds: startup },
        documentSizes: sizes,
      });
    } finally {
      await galleon?.stop();
      await rm(work, { recursive: true, force: true });
    }
  },
};
