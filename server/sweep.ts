/**
 * The blob sweep: what becomes of package folders that no database row references (a push that died
 * between storing its files and committing its row leaves one). The rule (docs/ARCHITECTURE.md, "No
 * deletion without proof"):
 *
 * - **Nothing is deleted at start-up.** An unreferenced folder is *moved* to `<data>/quarantine/<batch>/`
 *   and removed only after a grace period (default 7 days) if it is still unreferenced then; a quarantined
 *   folder that a row references (a restored database, a bug) is moved back.
 * - **A query that came back short cannot empty the store.** When more folders look unreferenced than
 *   a small share of all of them ({@link sweepLimit}: 1 % of the folders, at most 100, but always up to
 *   5, what a few crashed pushes leave), nothing is moved: the sweep logs an error naming the count and
 *   `galleon gc`, the only way to go further.
 * - **A referenced folder is never moved, whatever the batch lookup said**: each move is preceded by a
 *   primary-key lookup of that one blob key; if it disagrees with the batch lookup the sweep stops.
 * - **Only folders older than the process** (and, on PostgreSQL, where several nodes may share the
 *   folder, older than an hour) are looked at, so a push in flight is never touched.
 *
 * `galleon serve` runs {@link runStartupSweep} in the background after it starts listening; `galleon gc`
 * plans with {@link planSweep}, prints, and with `--apply` calls {@link applySweep} with `force`.
 */
import { mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageRepository } from '../db/packages.ts';
import type { BlobStore } from './storage/blob-store.ts';
import type { UploadStaging } from './upload/staging.ts';

/** Defaults of the sweep's limits. */
export const SWEEP_DEFAULTS = {
  /** how long a quarantined folder is kept before it may be removed, ms */
  graceMs: 7 * 24 * 3600 * 1000,
  /** the share of all folders the sweep may move on its own */
  maxShare: 0.01,
  /** the most folders it may move on its own */
  maxCount: 100,
  /** it may always move this many (small galleries after a crash) */
  minCount: 5,
} as const;

export interface SweepDeps {
  blobs: BlobStore;
  /** the upload staging, whose leftovers the start-up sweep removes */
  staging: Pick<UploadStaging, 'cleanTemp'>;
  repo: PackageRepository;
  /** `<data dir>/quarantine` */
  quarantineRoot: string;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  clock?: () => Date;
}

/** One quarantined folder. */
export interface QuarantinedFolder {
  /** the batch folder's name (`20261204T195622Z`) */
  batch: string;
  key: string;
  /** when it was moved there */
  since: Date;
  /** a row references it (it goes back into the store) */
  referenced: boolean;
}

/** What a sweep would do, from {@link planSweep}. */
export interface SweepPlan {
  /** package folders in the store */
  folders: number;
  /** of those, old enough to be looked at */
  candidates: number;
  /** candidates no row references, with their folders' modification times */
  orphans: { key: string; mtimeMs: number }[];
  /** the most orphans the sweep moves without `--apply` ({@link sweepLimit}) */
  limit: number;
  quarantined: QuarantinedFolder[];
}

/** What {@link applySweep} did. */
export interface SweepResult {
  /** orphans moved to the quarantine */
  moved: string[];
  /** true when the orphans were over the limit and nothing was moved */
  refused: boolean;
  /** quarantined folders a row references, moved back into the store */
  restored: string[];
  /** quarantined folders past the grace period and still unreferenced, removed */
  purged: string[];
}

/**
 * How many unreferenced folders the sweep moves on its own out of `folders`:
 * max(minCount, min(maxCount, ⌊folders × maxShare⌋)).
 */
export function sweepLimit(folders: number, limits: Partial<typeof SWEEP_DEFAULTS> = {}): number {
  const l = { ...SWEEP_DEFAULTS, ...limits };
  return Math.max(l.minCount, Math.min(l.maxCount, Math.floor(folders * l.maxShare)));
}

const BATCH_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The quarantine batch folder name for an instant: `20261204T195622Z`. */
export function batchName(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function batchTime(name: string): Date | null {
  const m = BATCH_NAME.exec(name);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

/** Every `<id>/<version>/<upload>` folder under a batch folder. */
async function keysUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const list = (p: string) => readdir(p, { withFileTypes: true }).catch(() => []);
  for (const a of await list(root)) {
    if (!a.isDirectory()) continue;
    for (const b of await list(join(root, a.name))) {
      if (!b.isDirectory()) continue;
      for (const c of await list(join(root, a.name, b.name))) if (c.isDirectory()) out.push(`${a.name}/${b.name}/${c.name}`);
    }
  }
  return out;
}

/** Every quarantined folder, oldest batch first, with whether a row references it. */
export async function listQuarantine(deps: SweepDeps): Promise<QuarantinedFolder[]> {
  const batches = (await readdir(deps.quarantineRoot, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory() && batchTime(d.name) !== null)
    .map((d) => d.name)
    .sort();
  const out: QuarantinedFolder[] = [];
  for (const batch of batches) {
    const keys = await keysUnder(join(deps.quarantineRoot, batch));
    const referenced = await deps.repo.referencedBlobKeys(keys);
    for (const key of keys) out.push({ batch, key, since: batchTime(batch)!, referenced: referenced.has(key) });
  }
  return out;
}

/**
 * Looks at the store without changing anything: which folders older than `olderThanMs` (epoch ms) no row
 * references, and what the quarantine holds.
 */
export async function planSweep(deps: SweepDeps, opts: { olderThanMs: number; limits?: Partial<typeof SWEEP_DEFAULTS> }): Promise<SweepPlan> {
  const all = await deps.blobs.listKeyTimes();
  const candidates = all.filter((k) => k.mtimeMs < opts.olderThanMs);
  const referenced = await deps.repo.referencedBlobKeys(candidates.map((k) => k.key));
  const orphans = candidates.filter((k) => !referenced.has(k.key));
  return {
    folders: all.length,
    candidates: candidates.length,
    orphans,
    limit: sweepLimit(all.length, opts.limits),
    quarantined: await listQuarantine(deps),
  };
}

/**
 * Carries out a plan: moves the orphans to a new quarantine batch (unless they are over the limit and
 * `force` is not set), moves referenced quarantined folders back, and removes quarantined folders older
 * than `graceMs` that are still unreferenced. Every move and removal is preceded by a primary-key lookup
 * of that blob key; a folder found referenced there is left where it is, and the sweep stops.
 *
 * @param opts.force move the orphans even over the limit (`galleon gc --apply`)
 * @param opts.signal stop between folders (the server is stopping)
 */
export async function applySweep(
  deps: SweepDeps,
  plan: SweepPlan,
  opts: { force?: boolean; graceMs?: number; signal?: AbortSignal } = {},
): Promise<SweepResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const graceMs = opts.graceMs ?? SWEEP_DEFAULTS.graceMs;
  const result: SweepResult = { moved: [], refused: false, restored: [], purged: [] };
  const stopped = () => opts.signal?.aborted === true;

  for (const q of plan.quarantined) {
    if (stopped()) return result;
    const from = join(deps.quarantineRoot, q.batch);
    const referenced = await deps.repo.isBlobKeyReferenced(q.key);
    if (referenced) {
      try {
        await deps.blobs.restoreFrom(q.key, from);
        result.restored.push(q.key);
        deps.log.warn({ blobKey: q.key, batch: q.batch }, 'a quarantined package folder is referenced by a database row: moved it back into the store');
      } catch (err) {
        deps.log.error({ blobKey: q.key, batch: q.batch, err }, 'could not move a referenced quarantined package folder back; it stays in the quarantine');
      }
    } else if (now.getTime() - q.since.getTime() >= graceMs) {
      await rm(join(from, q.key), { recursive: true, force: true });
      result.purged.push(q.key);
    }
  }
  await removeEmptyBatches(deps.quarantineRoot);

  if (plan.orphans.length === 0) return result;
  if (plan.orphans.length > plan.limit && !opts.force) {
    result.refused = true;
    deps.log.error(
      { unreferenced: plan.orphans.length, folders: plan.folders, limit: plan.limit, examples: plan.orphans.slice(0, 5).map((o) => o.key) },
      `${plan.orphans.length} of ${plan.folders} package folders are not referenced by any database row, more than the start-up sweep moves on its own (${plan.limit}); nothing was moved. ` +
        'A database that does not belong to these files (another DATABASE_URL or GALLEON_DATA_DIR, a restored backup) looks like this. ' +
        'Run "galleon gc" (a dry run) to list them, and "galleon gc --apply" to move them to the quarantine.',
    );
    return result;
  }
  const batch = batchName(now);
  const target = join(deps.quarantineRoot, batch);
  await mkdir(target, { recursive: true });
  await writeReadme(deps.quarantineRoot, graceMs);
  for (const o of plan.orphans) {
    if (stopped()) break;
    // the proof: one lookup by primary key, independent of the batch lookup that found it
    if (await deps.repo.isBlobKeyReferenced(o.key)) {
      deps.log.error({ blobKey: o.key }, 'the sweep\'s batch lookup missed a row that references this package folder; the sweep stopped and moved nothing more');
      break;
    }
    try {
      await deps.blobs.moveOut(o.key, target);
      result.moved.push(o.key);
    } catch (err) {
      deps.log.error({ blobKey: o.key, err }, 'could not move an unreferenced package folder to the quarantine; it stays in the store');
    }
  }
  if (result.moved.length) {
    deps.log.warn(
      { moved: result.moved.length, quarantine: target, examples: result.moved.slice(0, 5) },
      `moved ${result.moved.length} package folders that no database row references (left by interrupted pushes) to the quarantine; they are removed after ${Math.round(graceMs / 86_400_000)} days if still unreferenced`,
    );
  }
  await removeEmptyBatches(deps.quarantineRoot);
  return result;
}

async function removeEmptyBatches(root: string): Promise<void> {
  for (const d of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!d.isDirectory() || batchTime(d.name) === null) continue;
    const batch = join(root, d.name);
    // drop emptied <id>/<version> folders, then the batch itself when nothing is left
    for (const a of await readdir(batch, { withFileTypes: true }).catch(() => [])) {
      if (!a.isDirectory()) continue;
      for (const b of await readdir(join(batch, a.name)).catch(() => [] as string[])) await rmdir(join(batch, a.name, b)).catch(() => {});
      await rmdir(join(batch, a.name)).catch(() => {});
    }
    await rmdir(batch).catch(() => {});
  }
}

async function writeReadme(root: string, graceMs: number): Promise<void> {
  const path = join(root, 'README.txt');
  if (await stat(path).then(() => true, () => false)) return;
  await writeFile(
    path,
    `Galleon's quarantine. Each folder here is named after the time of a sweep and holds package folders
(<id>/<version>/<upload id>) that no database row referenced then, usually left by a push that was
interrupted between storing its files and committing its row. Nothing in it is served.

Galleon removes a folder from here ${Math.round(graceMs / 86_400_000)} days after it was moved, if no row references it then,
and moves it back into the store if one does. "galleon gc" lists what is here (a dry run).
`,
  );
}

/**
 * The sweep `galleon serve` runs in the background once it is serving: temp files and package folders
 * older than `olderThanMs`, limits and grace as documented above; logs what it did. Never throws (an
 * error is logged); resolves early when `signal` aborts.
 */
export async function runStartupSweep(deps: SweepDeps, opts: { olderThanMs: number; signal?: AbortSignal }): Promise<SweepResult | null> {
  const started = Date.now();
  try {
    const temps = await deps.staging.cleanTemp(opts.olderThanMs);
    if (temps) deps.log.warn({ tempFiles: temps }, 'removed temp files of uploads interrupted before this start');
    if (opts.signal?.aborted) return null;
    const plan = await planSweep(deps, { olderThanMs: opts.olderThanMs });
    if (opts.signal?.aborted) return null;
    const result = await applySweep(deps, plan, { signal: opts.signal });
    deps.log.info(
      {
        folders: plan.folders,
        unreferenced: plan.orphans.length,
        moved: result.moved.length,
        refused: result.refused,
        quarantined: plan.quarantined.length - result.restored.length - result.purged.length,
        restored: result.restored.length,
        purged: result.purged.length,
        ms: Date.now() - started,
      },
      'start-up sweep done',
    );
    return result;
  } catch (err) {
    deps.log.error({ err }, 'the start-up sweep failed; nothing more was moved (it runs again at the next start)');
    return null;
  }
}
