/**
 * Starting and stopping the processes a scenario needs: Galleon (bench/lib/galleon-child.ts, one
 * process per server so its memory can be read from /proc), the baselines (baseline-child.ts) and
 * the load generator (loadgen-child.ts). Every child is a `node --import tsx` process talking over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { AutocannonJob, AutocannonSummary, DownloadJob, MixedJob, MixedSummary, PushJob, PushSummary } from './loadgen-child.ts';
import type { RecordedResponse } from './baseline-child.ts';
import { BENCH_DIR, RESULTS_DIR } from './util.ts';

/** The API key every benchmark Galleon is started with. */
export const BENCH_API_KEY = 'bench-key-0123456789';

/** Options every child gets: the parent's --cpu-prof request applies to Galleon only. */
const state = { cpuProf: false, logN: 0 };
export function setCpuProfile(on: boolean): void {
  state.cpuProf = on;
}

function spawnChild(entry: string, env: Record<string, string>, execArgv: string[] = [], name = 'child'): ChildProcess {
  mkdirSync(join(RESULTS_DIR, 'logs'), { recursive: true });
  const log = openSync(join(RESULTS_DIR, 'logs', `${name}-${process.pid}-${state.logN++}.log`), 'w');
  return spawn(process.execPath, [...execArgv, '--import', 'tsx', join(BENCH_DIR, 'lib', entry)], {
    stdio: ['ignore', log, log, 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, ...env },
  });
}

function waitFor<T>(child: ChildProcess, type: string, what: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (m: any) => {
      if (m?.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code} before it was ready (see bench/results/logs/)`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface GalleonProcess {
  url: string;
  pid: number;
  /** milliseconds from process start to listening (database open, migrations, start-up cleanup) */
  startMs: number;
  dataDir: string;
  /**
   * The per-phase push timings summed since the previous call (then reset), or null when the process
   * was not started with GALLEON_BENCH_PUSH_PROFILE=1 (server/services/push-profile.ts PushProfile).
   */
  pushProfile(): Promise<PushPhase[] | null>;
  stop(): Promise<void>;
}

/** One phase of the push profile: how many pushes passed through it and their summed wall time. */
export interface PushPhase {
  phase: string;
  n: number;
  ms: number;
}

/**
 * Starts Galleon in a child process on a free loopback port.
 * @param opts.databaseUrl PostgreSQL URL, or absent for the embedded database in `<dataDir>/db`
 * @param opts.env further configuration (environment variable names)
 */
export async function startGalleon(opts: { dataDir: string; databaseUrl?: string | null; env?: Record<string, string>; name?: string }): Promise<GalleonProcess> {
  const execArgv = ['--max-semi-space-size=16'];
  if (state.cpuProf) {
    // one folder per server; node names the files CPU.<date>.<pid>.<thread>.cpuprofile (the largest is the main thread)
    const dir = join(RESULTS_DIR, 'profiles', `${opts.name ?? 'galleon'}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const child = spawnChild(
    'galleon-child.ts',
    {
      PORT: '0',
      HOST: '127.0.0.1',
      GALLEON_DATA_DIR: opts.dataDir,
      GALLEON_API_KEY: BENCH_API_KEY,
      GALLEON_LOG_LEVEL: 'warn',
      GALLEON_MAX_PACKAGE_MB: '250',
      DATABASE_URL: opts.databaseUrl ?? '',
      GALLEON_BASE_URL: '',
      ...opts.env,
    },
    execArgv,
    opts.name ?? 'galleon',
  );
  const ready = await waitFor<{ url: string; pid: number; startMs: number }>(child, 'ready', 'Galleon');
  const profiled = (opts.env?.GALLEON_BENCH_PUSH_PROFILE ?? process.env.GALLEON_BENCH_PUSH_PROFILE) === '1';
  const pushProfile = async (): Promise<PushPhase[] | null> => {
    if (!profiled) return null;
    const answer = waitFor<{ phases: PushPhase[] }>(child, 'push-profile', 'push profile', 10_000);
    child.send({ type: 'push-profile' });
    return (await answer).phases;
  };
  return { url: ready.url, pid: ready.pid, startMs: ready.startMs, dataDir: opts.dataDir, pushProfile, stop: () => stopChild(child) };
}

export interface BaselineProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the bare node:http ceiling answering the recorded responses (keyed by `ceilingKey`). */
export async function startCeiling(docs: Record<string, RecordedResponse>): Promise<BaselineProcess> {
  const child = spawnChild('baseline-child.ts', {}, [], 'ceiling');
  await waitFor(child, 'awaiting', 'ceiling server');
  child.send({ type: 'start', mode: 'docs', docs });
  const ready = await waitFor<{ url: string; pid: number }>(child, 'ready', 'ceiling server');
  return { url: ready.url, pid: ready.pid, stop: () => stopChild(child) };
}

/** Starts the bare upload sink (stream to file, fsync, 201) writing into `dir`. */
export async function startSink(dir: string): Promise<BaselineProcess> {
  const child = spawnChild('baseline-child.ts', {}, [], 'sink');
  await waitFor(child, 'awaiting', 'upload sink');
  child.send({ type: 'start', mode: 'sink', dir });
  const ready = await waitFor<{ url: string; pid: number }>(child, 'ready', 'upload sink');
  return { url: ready.url, pid: ready.pid, stop: () => stopChild(child) };
}

let loadgen: { child: ChildProcess; ready: Promise<unknown>; queue: Promise<unknown> } | null = null;

/** Runs one load-generator job in the load-generator child process (started on first use). */
export function runLoad(job: AutocannonJob | DownloadJob): Promise<AutocannonSummary>;
export function runLoad(job: PushJob): Promise<PushSummary>;
export function runLoad(job: MixedJob): Promise<MixedSummary>;
export function runLoad(job: AutocannonJob | DownloadJob | PushJob | MixedJob): Promise<unknown> {
  if (!loadgen || loadgen.child.exitCode !== null) {
    const child = spawnChild('loadgen-child.ts', {}, [], 'loadgen');
    loadgen = { child, ready: waitFor(child, 'awaiting', 'load generator'), queue: Promise.resolve() };
  }
  const lg = loadgen;
  const run = async () => {
    await lg.ready;
    return new Promise((resolve, reject) => {
      const onMessage = (m: any) => {
        if (m?.ok === undefined) return;
        lg.child.off('message', onMessage);
        lg.child.off('exit', onExit);
        if (m.ok) resolve(m.result);
        else reject(new Error(`load generator failed: ${m.error}`));
      };
      const onExit = (code: number | null) => {
        lg.child.off('message', onMessage);
        reject(new Error(`load generator exited with code ${code} (see bench/results/logs/)`));
      };
      lg.child.on('message', onMessage);
      lg.child.once('exit', onExit);
      lg.child.send(job);
    });
  };
  const result = lg.queue.then(run, run);
  lg.queue = result.catch(() => {});
  return result;
}

/** Stops the load-generator child (each scenario ends with it, so no load generator outlives its servers). */
export async function stopLoadGenerator(): Promise<void> {
  const lg = loadgen;
  loadgen = null;
  if (lg) await stopChild(lg.child, 5000);
}
