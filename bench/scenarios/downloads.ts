/**
 * Scenario 2, downloads: nupkgs of 1 KB, 1 MB and 50 MB pushed to Galleon and fetched from its flat
 * container, against nginx (one process, sendfile) serving the same files at the same paths. The two
 * alternate within each round; the figure is the median of the paired throughput ratios (bytes/s).
 * Goal: Galleon ≥ 0.5 × nginx. The server's CPU time per MB is reported beside it (it does not
 * depend on how much CPU the load generator and other processes leave over).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutocannonSummary } from '../lib/loadgen-child.ts';
import { ensureNginx, startNginx, type NginxProcess } from '../lib/nginx.ts';
import { sizedPackage } from '../lib/packages.ts';
import { BENCH_API_KEY, runLoad, startGalleon, type GalleonProcess } from '../lib/procs.ts';
import type { BenchOptions, Scenario } from '../lib/scenario.ts';
import { check, fmt, median, printGoals, printTable, rawGet, readCpuMs, writeResults, type GoalCheck } from '../lib/util.ts';

const SIZES = [
  { name: '1 KB', bytes: 1024, connections: 32 },
  { name: '1 MB', bytes: 1024 * 1024, connections: 8 },
  { name: '50 MB', bytes: 50 * 1024 * 1024, connections: 2 },
];

export const downloads: Scenario = {
  name: 'downloads',
  summary: 'nupkg downloads of 1 KB, 1 MB and 50 MB vs nginx serving the same files',
  inDefaultRun: true,
  async run(opts: BenchOptions) {
    const dir = await mkdtemp(join(tmpdir(), 'galleon-bench-dl-'));
    let galleon: GalleonProcess | null = null;
    let nginx: NginxProcess | null = null;
    try {
      galleon = await startGalleon({ dataDir: join(dir, 'galleon'), name: 'downloads' });
      const bin = ensureNginx();
      const files: { name: string; bytes: number; connections: number; urlPath: string; size: number }[] = [];
      for (const s of SIZES) {
        const id = `Bench.Download${s.name.replace(/\W/g, '')}`;
        const version = '1.0.0';
        const path = await sizedPackage(id, version, s.bytes);
        const pushed = await runLoad({ kind: 'push', url: galleon.url, apiKey: BENCH_API_KEY, files: [path], concurrency: 1 });
        if (pushed.statusCounts['201'] !== 1) throw new Error(`push of ${path} failed: ${JSON.stringify(pushed)}`);
        const lower = id.toLowerCase();
        const urlPath = `/v3/flatcontainer/${lower}/${version}/${lower}.${version}.nupkg`;
        await mkdir(join(dir, 'root', 'v3', 'flatcontainer', lower, version), { recursive: true });
        await copyFile(path, join(dir, 'root', urlPath));
        // the two servers must answer the same bytes
        const expected = createHash('sha256').update(await readFile(path)).digest('hex');
        const got = createHash('sha256').update((await rawGet(galleon.url + urlPath)).body).digest('hex');
        if (got !== expected) throw new Error(`Galleon answered other bytes for ${urlPath}`);
        files.push({ ...s, urlPath, size: (await readFile(path)).length });
      }
      if (bin) nginx = await startNginx(bin, join(dir, 'nginx'), join(dir, 'root'));

      const load = async (server: { url: string; pid: number }, f: (typeof files)[number], duration: number) => {
        const cpu0 = readCpuMs(server.pid);
        // autocannon for small bodies (request-rate bound); node:http for large ones (autocannon's parser tops out near 50 MB/s)
        const r: AutocannonSummary =
          f.bytes < 64 * 1024
            ? await runLoad({ kind: 'autocannon', opts: { url: server.url + f.urlPath, connections: f.connections, duration } })
            : await runLoad({ kind: 'download', url: server.url + f.urlPath, connections: f.connections, duration });
        return { ...r, cpuMsPerMB: (readCpuMs(server.pid) - cpu0) / Math.max(1e-9, (r.total * f.size) / 1024 / 1024) };
      };

      const rows: Record<string, unknown>[] = [];
      const goals: GoalCheck[] = [];
      for (const f of files) {
        const duration = f.bytes >= 50 * 1024 * 1024 ? Math.max(opts.duration, 3) : opts.duration;
        await load(galleon, f, 1);
        if (nginx) await load(nginx, f, 1);
        const g: Awaited<ReturnType<typeof load>>[] = [];
        const n: Awaited<ReturnType<typeof load>>[] = [];
        for (let round = 0; round < opts.rounds; round++) {
          const order = !nginx ? ['g'] : round % 2 === 0 ? ['g', 'n'] : ['n', 'g'];
          for (const who of order) {
            if (who === 'g') g.push(await load(galleon, f, duration));
            else n.push(await load(nginx!, f, duration));
          }
        }
        const ratios = nginx ? g.map((x, i) => x.bytesPerSec / n[i]!.bytesPerSec) : [];
        const ratio = nginx ? median(ratios) : null;
        const bad = g.reduce((s, x) => s + x.bad, 0);
        const row = {
          size: f.name,
          bytes: f.size,
          connections: f.connections,
          galleonBytesPerSec: median(g.map((x) => x.bytesPerSec)),
          nginxBytesPerSec: nginx ? median(n.map((x) => x.bytesPerSec)) : null,
          galleonRps: median(g.map((x) => x.rps)),
          nginxRps: nginx ? median(n.map((x) => x.rps)) : null,
          ratio,
          roundRatios: ratios,
          galleonP99: median(g.map((x) => x.p99)),
          nginxP99: nginx ? median(n.map((x) => x.p99)) : null,
          galleonCpuMsPerMB: median(g.map((x) => x.cpuMsPerMB)),
          nginxCpuMsPerMB: nginx ? median(n.map((x) => x.cpuMsPerMB)) : null,
          galleonBad: bad,
          galleonRounds: g,
          nginxRounds: n,
        };
        rows.push(row);
        console.log(`  ${f.name}: Galleon ${fmt.mbps(row.galleonBytesPerSec)}, nginx ${row.nginxBytesPerSec === null ? 'n/a' : fmt.mbps(row.nginxBytesPerSec)}, ratio ${ratio === null ? 'n/a' : fmt.ratio(ratio)}`);
        goals.push(check(`${f.name}: throughput ratio`, ratio, '≥ 0.5', (v) => v >= 0.5, fmt.ratio));
        goals.push(check(`${f.name}: non-2xx`, bad, '0', (v) => v === 0, fmt.int));
      }
      printTable(
        `downloads: ${opts.duration} s (50 MB: ≥ 3 s) × ${opts.rounds} rounds, median; ratio = median of paired rounds`,
        ['nupkg', 'conns', 'Galleon', 'nginx', 'ratio', 'Galleon req/s', 'nginx req/s', 'p99 ms', 'nginx p99', 'CPU ms/MB', 'nginx ms/MB'],
        rows.map((r: any) => [
          r.size, r.connections, fmt.mbps(r.galleonBytesPerSec), r.nginxBytesPerSec === null ? 'n/a' : fmt.mbps(r.nginxBytesPerSec),
          r.ratio === null ? 'n/a' : fmt.ratio(r.ratio), fmt.int(r.galleonRps), r.nginxRps === null ? 'n/a' : fmt.int(r.nginxRps),
          r.galleonP99.toFixed(1), r.nginxP99 === null ? 'n/a' : r.nginxP99.toFixed(1), r.galleonCpuMsPerMB.toFixed(2), r.nginxCpuMsPerMB === null ? 'n/a' : r.nginxCpuMsPerMB.toFixed(2),
        ]),
      );
      printGoals('downloads', goals);
      writeResults('downloads', { params: { duration: opts.duration, rounds: opts.rounds }, rows, goals });
    } finally {
      await galleon?.stop();
      await nginx?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
