/**
 * Upload staging: the folder where a push body that outgrows memory is written while it arrives
 * (upload/receive.ts), before the package service moves it into the blob store or removes it. Not
 * part of the blob store: a store elsewhere (S3) still stages uploads on a local disk. For the file
 * system store the staging folder is `<packages>/.tmp`, on the same file system, so that moving a
 * staged file in is one rename.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class UploadStaging {
  /** @param dir the staging folder, e.g. `<data>/packages/.tmp` */
  constructor(readonly dir: string) {}

  /** creates the folder; call once before use */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** a fresh path for an upload in progress (`<dir>/<uuid>.upload`); nothing is created */
  tempPath(): string {
    return join(this.dir, `${randomUUID()}.upload`);
  }

  /**
   * Removes leftover files of interrupted uploads last modified before `olderThanMs` (epoch ms; default:
   * every one, which only a process that is not yet serving may ask for); returns how many.
   */
  async cleanTemp(olderThanMs = Infinity): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let removed = 0;
    await Promise.all(
      names.map(async (n) => {
        const path = join(this.dir, n);
        if (olderThanMs !== Infinity) {
          const st = await stat(path).catch(() => null);
          if (!st || st.mtimeMs >= olderThanMs) return;
        }
        await rm(path, { force: true, recursive: true });
        removed++;
      }),
    );
    return removed;
  }
}
