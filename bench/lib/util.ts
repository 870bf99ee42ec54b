/**
 * Small helpers shared by the benchmark scenarios: statistics over rounds, result tables printed to
 * the terminal, result files under bench/results/, and resident-memory samples of a child process
 * read from /proc/<pid>/status.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/ folder of the checkout. */
export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** where each scenario writes `<scenario>.json` (git-ignored) */
export const RESULTS_DIR = join(BENCH_DIR, 'results');
/** repository root */
export const ROOT_DIR = join(BENCH_DIR, '..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** A goal check as printed and recorded: `pass` is null when the figure could not be measured. */
export interface GoalCheck {
  what: string;
  value: string;
  goal: string;
  pass: boolean | null;
}

export function check(what: string, value: number | null, goal: string, ok: (v: number) => boolean, fmt: (v: number) => string): GoalCheck {
  if (value === null || !Number.isFinite(value)) return { what, value: 'n/a', goal, pass: null };
  return { what, value: fmt(value), goal, pass: ok(value) };
}

/** Formats helpers for tables. */
export const fmt = {
  int: (v: number) => Math.round(v).toLocaleString('en-US'),
  ms: (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1)) + ' ms',
  ratio: (v: number) => v.toFixed(2),
  mb: (v: number) => (v / 1024 / 1024).toFixed(1) + ' MB',
  mbps: (v: number) => (v / 1024 / 1024).toFixed(1) + ' MB/s',
  pct: (v: number) => (v * 100).toFixed(1) + ' %',
};

/** Prints an aligned table with a title. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Prints the goal checks of a scenario. */
export function printGoals(scenario: string, goals: GoalCheck[]): void {
  printTable(
    `${scenario}: goals`,
    ['figure', 'measured', 'goal', 'met'],
    goals.map((g) => [g.what, g.value, g.goal, g.pass === null ? 'n/a' : g.pass ? 'yes' : 'NO']),
  );
}

/** Writes `bench/results/<scenario>.json` with the run's parameters, figures and goal checks. */
export function writeResults(scenario: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${scenario}.json`);
  const doc = { scenario, finished: new Date().toISOString(), node: process.version, ...data };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
  console.log(`\nwrote ${path}`);
  return path;
}

/** Resident memory of a process in bytes: current (VmRSS) and peak since start (VmHWM). */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS every `intervalMs` until stopped; keeps the series and the maximum. */
export class RssSampler {
  readonly samples: { t: number; rss: number }[] = [];
  max = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  sample(): number {
    const m = readMemory(this.pid);
    if (m && Number.isFinite(m.rss)) {
      this.samples.push({ t: Date.now() - this.started, rss: m.rss });
      if (m.rss > this.max) this.max = m.rss;
      return m.rss;
    }
    return NaN;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }
}

/** Runs `fn` for each item with at most `limit` in flight. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** One GET over a fresh connection, body kept raw (no decompression): status, headers, bytes, elapsed ms. */
export async function rawGet(
  url: string,
  headers: Record<string, string> = {},
  agent?: import('node:http').Agent,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer; ms: number }> {
  const { request } = await import('node:http');
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks), ms: performance.now() - start });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** CPU time (user + system, all threads) a process has used so far, in milliseconds; NaN when gone. */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100 Hz on Linux)
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return NaN;
  }
}
