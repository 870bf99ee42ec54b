/**
 * Restarts at the size users reach (issue 9), defined once and run per database by
 * restart-at-scale.embedded.test.ts and restart-at-scale.postgres.test.ts (two files, so vitest runs
 * them side by side). `galleon serve` runs as a child process on one data folder that grows to 5,000
 * package versions (3 ids × 1,000 versions and 2,000 ids with one), pushed 8 at a time, and is then:
 *
 * 1. stopped with SIGTERM and started again: every version downloadable byte for byte, the sweep finds
 *    no unreferenced folder and moves nothing (before the fix the embedded database lost every file here);
 * 2. killed with SIGKILL 20 times at random moments while pushes are in flight: after every restart every
 *    acknowledged push is downloadable byte for byte, every unanswered one fully there or fully absent,
 *    the version lists show exactly what is downloadable;
 * 3. started on a package folder that cannot be written to: it refuses with a clear message and changes
 *    nothing;
 * 4. started by a build with one more migration: it migrates and keeps every version.
 *
 * Every check downloads every version, not a sample.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { PackageRepository } from '../../db/packages.ts';
import { FsBlobStore } from '../../server/storage/fs.ts';
import { buildGallery, type Gallery } from '../support/big-gallery.ts';
import { startChildServer, type ChildServer } from '../support/crash-child.ts';
import { createTestDatabase, type Backend } from '../support/server.ts';
// @ts-expect-error plain JavaScript module of bin/ (no type declarations)
import { SOURCE_DIRS } from '../../bin/source-stamp.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KILLS = 20;
/** one process per data folder here: the sweep may look at everything older than the start */
const ENV = { GALLEON_SWEEP_MIN_AGE_MINUTES: '0', GALLEON_LOG_LEVEL: 'info' };

/** Makes `path` impossible to create entries in, even for root; returns the undo, or null when the file system cannot. */
function makeReadOnly(path: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    if (spawnSync('chmod', ['a-w', path]).status === 0) return () => void spawnSync('chmod', ['u+w', path]);
    return null;
  }
  // root ignores permission bits; the immutable attribute stops it (ext4, xfs, btrfs)
  if (spawnSync('chattr', ['+i', path]).status === 0) return () => void spawnSync('chattr', ['-i', path]);
  return null;
}

async function countRows(dataDir: string, databaseUrl: string | null): Promise<{ versions: number; blobKeys: Set<string> }> {
  const db = await openDatabase({ databaseUrl, embeddedDir: databaseUrl ? null : join(dataDir, 'db') });
  try {
    const repo = new PackageRepository(db.db);
    return { versions: await repo.countVersions(), blobKeys: await repo.allBlobKeys() };
  } finally {
    await db.close();
  }
}

export function restartSuite(backend: Backend): void {
  describe(`restarts at 5,000 versions (${backend} database)`, () => {
    let dataDir: string;
    let databaseUrl: string | null = null;
    let dropDatabase: (() => Promise<void>) | null = null;
    let child: ChildServer | null = null;
    let gallery: Gallery;
    let present = 0;

    const start = async (opts: { bin?: string } = {}) => {
      const t0 = Date.now();
      child = await startChildServer({ dataDir, databaseUrl, env: ENV, timeoutMs: 120_000, ...opts });
      return Date.now() - t0;
    };
    const stop = async (signal: NodeJS.Signals) => {
      const c = child!;
      c.kill(signal);
      const exit = await c.exited;
      child = null;
      return exit;
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'galleon-restart-'));
      if (backend === 'postgres') {
        const db = await createTestDatabase();
        databaseUrl = db.url;
        dropDatabase = db.drop;
      }
      gallery = await buildGallery({ bigIds: 3, versionsPerBigId: 1000, smallIds: 2000 });
    }, 120_000);

    afterAll(async () => {
      child?.kill('SIGKILL');
      if (child) await child.exited;
      if (dropDatabase) await dropDatabase();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('keeps every one of 5,000 versions across a SIGTERM restart, and the sweep moves nothing', async () => {
      await start();
      const t0 = Date.now();
      const pushed = await gallery.pushAll(child!.url, gallery.packages, 8);
      expect(pushed).toEqual({ acknowledged: 5000, unknown: 0 });
      console.info(`restart suite (${backend}): pushed 5,000 versions in ${Date.now() - t0} ms, 8 in flight`);
      expect(await gallery.verify(child!.url)).toBe(5000);
      expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });

      const ms = await start();
      const sweep = await child!.waitForLog('start-up sweep done');
      expect(sweep).toMatchObject({ folders: 5000, unreferenced: 0, moved: 0, refused: false });
      expect(await gallery.verify(child!.url)).toBe(5000);
      console.info(`restart suite (${backend}): restart to serving in ${ms} ms at 5,000 versions`);
      expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(await readdir(join(dataDir, 'quarantine')).catch(() => null)).toBeNull();
    }, 600_000);

    it(`keeps every acknowledged push intact across ${KILLS} SIGKILLs at random moments during pushes`, async () => {
      let unknown = 0;
      const startMs: number[] = [];
      const verifyMs: number[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        startMs.push(await start());
        const v0 = Date.now();
        present = await gallery.verify(child!.url);
        verifyMs.push(Date.now() - v0);
        const server = child!;
        const batch = await gallery.more(80);
        const timer = setTimeout(() => server.kill('SIGKILL'), 50 + Math.floor(Math.random() * 700));
        const r = await gallery.pushAll(server.url, batch, 4);
        unknown += r.unknown;
        clearTimeout(timer);
        expect((await stop('SIGKILL')).signal).toBe('SIGKILL');
      }
      await start();
      const sweep = await child!.waitForLog('start-up sweep done');
      expect(sweep.refused).toBe(false);
      present = await gallery.verify(child!.url);
      const acknowledged = [...gallery.outcomes.values()].filter((o) => o === 'acknowledged').length;
      expect(present).toBeGreaterThanOrEqual(acknowledged);
      expect(present).toBeLessThanOrEqual(acknowledged + unknown);
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.info(
        `restart suite (${backend}): ${KILLS} SIGKILLs, ${acknowledged} acknowledged versions intact, ${unknown} unanswered pushes of which ${present - acknowledged} had committed; ` +
          `restart after SIGKILL to serving: median ${med(startMs)} ms, max ${Math.max(...startMs)} ms; checking every download: median ${med(verifyMs)} ms`,
      );
      expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
      // every row's files are in the store; what no row references is in the quarantine, not gone
      const rows = await countRows(dataDir, databaseUrl);
      expect(rows.versions).toBe(present);
      const onDisk = new Set(await new FsBlobStore(join(dataDir, 'packages')).listKeys());
      expect([...rows.blobKeys].filter((k) => !onDisk.has(k))).toEqual([]);
      expect([...onDisk].filter((k) => !rows.blobKeys.has(k))).toEqual([]);
    }, 900_000);

    it('refuses to start on a package folder it cannot write to, and changes nothing', async (ctx) => {
      const packages = join(dataDir, 'packages');
      const before = await countRows(dataDir, databaseUrl);
      const undo = makeReadOnly(packages);
      if (!undo) {
        ctx.skip(true, 'this file system cannot make a folder read-only for this user (chattr +i / chmod)');
        return;
      }
      try {
        const err = await start().then(() => null, (e: Error) => e);
        expect(err?.message).toMatch(/exited \(code 1.*before serving/s);
        expect(err?.message).toMatch(/The package folder .*packages is not writable \((EPERM|EACCES|EROFS)\).*Nothing was changed/);
      } finally {
        undo();
      }
      const after = await countRows(dataDir, databaseUrl);
      expect(after.versions).toBe(before.versions);
      expect((await new FsBlobStore(packages).listKeys()).length).toBe(before.versions);
      await start();
      expect(await gallery.verify(child!.url)).toBe(present);
      expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }, 300_000);

    it('starts a build with one more migration on the same data, migrates, and keeps every version', async () => {
      // a copy of this checkout's sources with one additive migration, as the next release would ship
      const build = await mkdtemp(join(tmpdir(), 'galleon-next-build-'));
      try {
        for (const d of ['bin', ...(SOURCE_DIRS as string[])]) await cp(join(ROOT, d), join(build, d), { recursive: true });
        for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(ROOT, f), join(build, f));
        await symlink(join(ROOT, 'node_modules'), join(build, 'node_modules'), 'dir');
        const journalPath = join(build, 'db', 'migrations', 'meta', '_journal.json');
        const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
        const last = journal.entries[journal.entries.length - 1];
        const tag = `${String(last.idx + 1).padStart(4, '0')}_restart_suite_note`;
        journal.entries.push({ ...last, idx: last.idx + 1, when: Math.max(Date.now(), last.when + 1), tag });
        await writeFile(journalPath, JSON.stringify(journal, null, 2));
        await writeFile(
          join(build, 'db', 'migrations', `${tag}.sql`),
          'ALTER TABLE "package_versions" ADD COLUMN "restart_suite_note" text;--> statement-breakpoint\nCREATE INDEX "package_versions_restart_suite_note_idx" ON "package_versions" ("restart_suite_note");',
        );
        await mkdir(join(build, 'dist'), { recursive: true }); // no build stamp: the copy runs its sources
        await start({ bin: join(build, 'bin', 'galleon.js') });
        expect(await gallery.verify(child!.url)).toBe(present);
        expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
      } finally {
        await rm(build, { recursive: true, force: true });
      }
      const db = await openDatabase({ databaseUrl, embeddedDir: databaseUrl ? null : join(dataDir, 'db') }).catch(async () => null);
      // the released build (this checkout) opens the migrated data too: it ignores the newer column
      if (db) {
        const cols = await db.db.execute(sql`select column_name from information_schema.columns where table_name = 'package_versions' and column_name = 'restart_suite_note'`);
        expect(Array.isArray(cols) ? cols.length : (cols as unknown as { rows: unknown[] }).rows.length).toBe(1);
        await db.close();
      }
      await start();
      expect(await gallery.verify(child!.url)).toBe(present);
      expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }, 300_000);
  });
}
