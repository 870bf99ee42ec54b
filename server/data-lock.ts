/**
 * One process per embedded database: PGlite has no lock of its own, and two processes opening one
 * cluster corrupt it. `galleon serve` (embedded database) and `galleon gc` hold `<data dir>/galleon.lock`
 * while they run: a JSON file with the holder's pid, host and start time, created exclusively. A lock
 * whose process is gone (SIGKILL, power loss) is stale and taken over.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown when another live process holds the data folder. */
export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
}

interface LockBody {
  pid: number;
  host: string;
  since: string;
  command: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dataDir` for `command` ("serve", "gc").
 *
 * @returns release(), which removes the lock file (idempotent)
 * @throws DataDirInUseError naming the holder when a live process on this host holds it
 */
export async function lockDataDir(dataDir: string, command: string): Promise<{ release(): Promise<void> }> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'galleon.lock');
  const body: LockBody = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const h = await open(path, 'wx');
      try {
        await h.writeFile(JSON.stringify(body) + '\n');
        await h.sync();
      } finally {
        await h.close();
      }
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => {});
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: Partial<LockBody> = {};
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as Partial<LockBody>;
    } catch {
      // unreadable or half-written: treated as stale
    }
    const sameHost = holder.host === undefined || holder.host === hostname();
    if (typeof holder.pid === 'number' && holder.pid !== process.pid && sameHost && alive(holder.pid)) {
      throw new DataDirInUseError(
        `The data folder ${dataDir} is in use by another Galleon (pid ${holder.pid}, "galleon ${holder.command ?? '?'}" since ${holder.since ?? '?'}): the embedded database allows one process at a time. Stop it first, or use PostgreSQL (DATABASE_URL) to run several.`,
      );
    }
    if (!sameHost && typeof holder.pid === 'number') {
      throw new DataDirInUseError(
        `The data folder ${dataDir} is locked by pid ${holder.pid} on host ${holder.host}; if that process is gone, remove ${path}.`,
      );
    }
    // stale: move it aside atomically (two takers cannot both win the rename) and try again
    await rename(path, `${path}.stale-${process.pid}`).catch(() => {});
    await unlink(`${path}.stale-${process.pid}`).catch(() => {});
  }
  throw new DataDirInUseError(`Could not take the lock ${path}; another process keeps taking it.`);
}
