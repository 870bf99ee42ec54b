/**
 * `galleon gc`: the package-folder garbage collector, a dry run unless `--apply`. It lists the folders
 * of the package store that no database row references and what the quarantine holds (server/sweep.ts);
 * with `--apply` it moves the unreferenced folders to the quarantine whatever their number (the start-up
 * sweep stops at its limit), moves referenced quarantined folders back, and removes quarantined folders
 * older than the grace period that are still unreferenced. It never deletes a folder a row references.
 *
 * On the embedded database it takes the data folder's lock, so it runs only while `galleon serve` does
 * not; on PostgreSQL it may run beside the servers and, like their sweep, looks only at folders older
 * than GALLEON_SWEEP_MIN_AGE_MINUTES (an hour by default there).
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/connection.ts';
import { PackageRepository } from '../db/packages.ts';
import { openPackageStorage } from './storage/index.ts';
import { applySweep, planSweep, SWEEP_DEFAULTS, type SweepPlan } from './sweep.ts';
import { ConfigError, embeddedDbDir, loadConfig, packagesDir, quarantineDir } from './config.ts';
import { DataDirInUseError, lockDataDir } from './data-lock.ts';

export const GC_HELP = `galleon gc: find package folders no database row references (a dry run unless --apply)

Usage: galleon gc [--apply] [--grace-days N] [--json] [--data-dir DIR] [--database-url URL]

  --apply            move every unreferenced folder to <data>/quarantine (even more than the
                     start-up sweep's limit), move quarantined folders a row references back,
                     and remove quarantined folders older than the grace period
  --grace-days N     how long a quarantined folder is kept before --apply removes it (default 7)
  --json             print the plan and the result as JSON
  --data-dir DIR     GALLEON_DATA_DIR (default ./data)
  --database-url URL DATABASE_URL (default: the embedded database under <data>/db)

On the embedded database, stop "galleon serve" first (gc takes the data folder's lock).
Exit codes: 0 done (or nothing to do), 1 failed, 2 bad usage or the data folder is in use.
`;

/** Human-readable lines describing a plan (what `galleon gc` prints without `--json`). */
export function describePlan(plan: SweepPlan, graceMs: number, now: Date): string[] {
  const lines = [`Package folders: ${plan.folders} (${plan.candidates - plan.orphans.length} of the ${plan.candidates} old enough to look at are referenced by a database row)`];
  if (plan.orphans.length === 0) lines.push('Not referenced by any row: none.');
  else {
    lines.push(`Not referenced by any row: ${plan.orphans.length}${plan.orphans.length > plan.limit ? ` (more than the start-up sweep moves on its own: ${plan.limit})` : ''}`);
    for (const o of plan.orphans.slice(0, 50)) lines.push(`  ${o.key}  last changed ${new Date(o.mtimeMs).toISOString()}`);
    if (plan.orphans.length > 50) lines.push(`  … and ${plan.orphans.length - 50} more (--json lists every one)`);
  }
  if (plan.quarantined.length === 0) lines.push('Quarantine: empty.');
  else {
    lines.push(`Quarantine: ${plan.quarantined.length} folders`);
    for (const q of plan.quarantined.slice(0, 50)) {
      const days = Math.floor((now.getTime() - q.since.getTime()) / 86_400_000);
      const fate = q.referenced ? 'referenced by a row: goes back into the store' : now.getTime() - q.since.getTime() >= graceMs ? 'past the grace period: removed by --apply' : 'kept';
      lines.push(`  ${q.batch}/${q.key}  (${days} days)  ${fate}`);
    }
    if (plan.quarantined.length > 50) lines.push(`  … and ${plan.quarantined.length - 50} more`);
  }
  return lines;
}

/**
 * Runs `galleon gc` with `argv` (after the command name) and the environment.
 *
 * @returns the exit code
 */
export async function runGc(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        apply: { type: 'boolean', default: false },
        'grace-days': { type: 'string' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`galleon gc: ${(err as Error).message}\nRun "galleon gc --help".\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(GC_HELP);
    return 0;
  }
  const graceDays = args['grace-days'] === undefined ? SWEEP_DEFAULTS.graceMs / 86_400_000 : Number(args['grace-days']);
  if (!Number.isFinite(graceDays) || graceDays < 0) {
    process.stderr.write('galleon gc: --grace-days needs a number of days ≥ 0.\n');
    return 2;
  }
  let config;
  try {
    config = loadConfig({
      ...env,
      ...(args['data-dir'] ? { GALLEON_DATA_DIR: args['data-dir'] } : {}),
      ...(args['database-url'] ? { DATABASE_URL: args['database-url'] } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`galleon gc: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const embedded = !config.databaseUrl;
  let lock: { release(): Promise<void> } | null = null;
  try {
    lock = embedded ? await lockDataDir(config.dataDir, 'gc') : null;
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      process.stderr.write(`galleon gc: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, embeddedDir: embedded ? embeddedDbDir(config) : null });
    try {
      const { blobs, staging } = openPackageStorage(packagesDir(config));
      const repo = new PackageRepository(db.db);
      const messages: string[] = [];
      const log = { info: () => {}, warn: (_o: object, m: string) => void messages.push(m), error: (_o: object, m: string) => void messages.push(m) };
      const deps = { blobs, staging, repo, quarantineRoot: quarantineDir(config), log };
      const now = new Date();
      const graceMs = graceDays * 86_400_000;
      if (!args.json) process.stderr.write(`Checking the package folders under ${packagesDir(config)} against the database…\n`);
      const plan = await planSweep(deps, { olderThanMs: now.getTime() - config.sweepMinAgeMs });
      const result = args.apply ? await applySweep(deps, plan, { force: true, graceMs }) : null;
      if (args.json) {
        process.stdout.write(JSON.stringify({ plan, result }, null, 2) + '\n');
        return 0;
      }
      const out = describePlan(plan, graceMs, now);
      if (result) {
        out.push(
          `Applied: moved ${result.moved.length} folders to ${quarantineDir(config)}, moved ${result.restored.length} back into the store, removed ${result.purged.length} quarantined folders.`,
        );
        out.push(...messages);
      } else {
        const purgeable = plan.quarantined.filter((q) => !q.referenced && now.getTime() - q.since.getTime() >= graceMs).length;
        const back = plan.quarantined.filter((q) => q.referenced).length;
        out.push(
          plan.orphans.length || purgeable || back
            ? `This was a dry run. "galleon gc --apply" would move ${plan.orphans.length} folders to the quarantine, move ${back} back into the store and remove ${purgeable} quarantined folders.`
            : 'Nothing to do.',
        );
      }
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    } finally {
      await db.close();
    }
  } finally {
    await lock?.release();
  }
}
