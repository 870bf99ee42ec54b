/**
 * `npm run bench [-- <scenario…>] [--options]`: runs the benchmark scenarios (bench/README.md).
 * Without scenario names it runs every scenario but soak; names (or prefixes) select scenarios,
 * e.g. `npm run bench -- hot-reads` or `npm run bench -- soak --minutes 2`. Each scenario prints
 * its table and goal checks and writes bench/results/<scenario>.json.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setCpuProfile, stopLoadGenerator } from './lib/procs.ts';
import { stopPostgres } from './lib/postgres.ts';
import type { BenchOptions, Scenario } from './lib/scenario.ts';
import { RESULTS_DIR } from './lib/util.ts';
import { hotReads } from './scenarios/hot-reads.ts';
import { downloads } from './scenarios/downloads.ts';
import { pushes } from './scenarios/pushes.ts';
import { scale } from './scenarios/scale.ts';
import { soak } from './scenarios/soak.ts';
import { az } from './scenarios/az.ts';
import { startup } from './scenarios/startup.ts';

const SCENARIOS: Scenario[] = [hotReads, downloads, pushes, scale, az, startup, soak];

const HELP = `npm run bench -- [scenario…] [options]

Scenarios (default: all but soak):
${SCENARIOS.map((s) => `  ${s.name.padEnd(10)} ${s.summary}${s.inDefaultRun ? '' : ' (only when named)'}`).join('\n')}

Options:
  --duration <s>      seconds of load per measured run (default 2)
  --rounds <n>        rounds per comparison, Galleon and baseline alternating (default 5, minimum 3;
                      az: rounds per hive, the hives alternating)
  --connections <n>   hot-read connections (default 32)
  --minutes <m>       soak length (default 10)
  --soak-db <kind>    soak database: embedded or postgres (default postgres when available)
  --soak-push-to <ids> soak pushes go to 1,000 ids of their own (own, default: the read documents keep
                      their size, so RSS drift shows leaks) or to the ids being read (read: documents
                      grow with every push and the cache with them)
  --scale-ids <n>     scale: package ids to load (default 100000)
  --scale-versions <n> scale: versions to load (default 1000000)
  --reuse             scale: reuse the loaded scale database of an earlier run when it matches
  --cpu-prof          write a CPU profile of every Galleon process to bench/results/profiles/

PostgreSQL: GALLEON_BENCH_DATABASE_URL (admin URL), else a throwaway cluster, else skipped.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    minutes: { type: 'string', default: '10' },
    'soak-db': { type: 'string', default: '' },
    'soak-push-to': { type: 'string', default: 'own' },
    'scale-ids': { type: 'string', default: '100000' },
    'scale-versions': { type: 'string', default: '1000000' },
    reuse: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const num = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number ≥ ${min}, got "${v}".`);
    process.exit(2);
  }
  return n;
};

const opts: BenchOptions = {
  duration: num('duration', values.duration!, 1),
  rounds: Math.floor(num('rounds', values.rounds!, 3)),
  connections: Math.floor(num('connections', values.connections!, 1)),
  minutes: num('minutes', values.minutes!, 0.1),
  reuse: values.reuse!,
  scaleIds: Math.floor(num('scale-ids', values['scale-ids']!, 10)),
  scaleVersions: Math.floor(num('scale-versions', values['scale-versions']!, 100)),
  cpuProf: values['cpu-prof']!,
  soakDb: values['soak-db'] === 'embedded' ? 'embedded' : 'postgres',
  soakPushTo: values['soak-push-to'] === 'read' ? 'read' : 'own',
};
if (values['soak-push-to'] !== 'own' && values['soak-push-to'] !== 'read') {
  console.error('--soak-push-to must be own or read.');
  process.exit(2);
}
if (values['soak-db'] && values['soak-db'] !== 'embedded' && values['soak-db'] !== 'postgres') {
  console.error('--soak-db must be embedded or postgres.');
  process.exit(2);
}

let selected: Scenario[];
if (positionals.length === 0) selected = SCENARIOS.filter((s) => s.inDefaultRun);
else {
  selected = [];
  for (const p of positionals) {
    const hits = SCENARIOS.filter((s) => s.name === p || s.name.startsWith(p));
    if (hits.length === 0) {
      console.error(`Unknown scenario "${p}". Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}.`);
      process.exit(2);
    }
    for (const h of hits) if (!selected.includes(h)) selected.push(h);
  }
}

setCpuProfile(opts.cpuProf);
rmSync(join(RESULTS_DIR, 'logs'), { recursive: true, force: true });
process.on('exit', stopPostgres);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopPostgres();
    process.exit(130);
  });
}

let failed = false;
const started = Date.now();
for (const s of selected) {
  console.log(`\n=== ${s.name}: ${s.summary}`);
  const t = Date.now();
  try {
    await s.run(opts);
  } catch (err) {
    failed = true;
    console.error(`\n${s.name} failed: ${(err as Error).stack ?? err}`);
  }
  await stopLoadGenerator();
  console.log(`=== ${s.name} took ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
