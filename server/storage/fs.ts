/**
 * The blob store on the local file system (`BlobStore`, storage/blob-store.ts): `<root>/<key>/<name>`,
 * one folder per stored version. Every write is durable when it resolves (files and the folders that
 * name them fsynced), so a power loss after a push was acknowledged loses nothing. It keeps nothing
 * in memory: wrap it in storage/memory-cache.ts for that. Its staging folder `<root>/.tmp` (on the
 * same file system, so that a staged upload moves in with one rename) is handed to the upload staging.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, dirname } from 'node:path';
import type { BlobName, BlobStore, OpenedBlob, StoredFileInput } from './blob-store.ts';

/** Blob store on the local file system: `<root>/<key>/<name>`; `<root>/.tmp` is the staging folder. */
export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;

  /** @param root the package folder, e.g. `<data>/packages` */
  constructor(private readonly root: string) {
    this.tmpDir = join(root, '.tmp');
  }

  /** the folder for staged uploads and this store's own partial writes: `<root>/.tmp`, never listed as a key */
  get stagingDir(): string {
    return this.tmpDir;
  }

  /** creates the folders; call once before use */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
  }

  /** a fresh path in the staging folder for a partial write of this store */
  private scratchPath(): string {
    return join(this.tmpDir, `${randomUUID()}.upload`);
  }

  private path(key: string, name?: BlobName): string {
    if (key.includes('..') || key.startsWith('/') || key.includes('\\')) throw new Error(`unsafe blob key ${key}`);
    return name ? join(this.root, key, name) : join(this.root, key);
  }

  /** moves a finished temp file into place under `key/name` (durable when it resolves) */
  private async moveIn(key: string, name: BlobName, tempPath: string): Promise<void> {
    const target = this.path(key, name);
    await mkdir(dirname(target), { recursive: true });
    await fsyncFile(tempPath);
    await rename(tempPath, target);
    await fsyncDir(dirname(target));
  }

  async write(key: string, name: BlobName, bytes: Buffer): Promise<void> {
    const target = this.path(key, name);
    await mkdir(dirname(target), { recursive: true });
    const tmp = this.scratchPath();
    await writeFile(tmp, bytes);
    await this.moveIn(key, name, tmp);
  }

  /**
   * Creates the key's folder and puts every file into it concurrently (bytes written to a new file,
   * temp files renamed in), then fsyncs, in one concurrent round, every file, the key's folder and the
   * parent of every folder `mkdir` created (their new entries), so that a power loss after it resolves
   * cannot lose a file the database row will name.
   *
   * @throws when a file exists already under `key` (a key is never reused) or on any I/O error, once
   *         nothing of it is in flight; the caller removes the key (services/packages.ts does on every failure)
   */
  async storeFiles(key: string, files: readonly StoredFileInput[]): Promise<void> {
    const dir = this.path(key);
    const firstCreated = await mkdir(dir, { recursive: true });
    // each file's entry first; the fsyncs all together afterwards (started earlier, fsyncs of the new
    // folders would hold the thread pool and the journal while the files are still being created)
    const placed = await Promise.allSettled(
      files.map(async (f) => {
        const target = join(dir, f.name);
        if ('tempPath' in f) {
          await rename(f.tempPath, target);
          return null;
        }
        const h = await open(target, 'wx');
        try {
          await h.writeFile(f.bytes);
        } catch (err) {
          await h.close();
          throw err;
        }
        return h;
      }),
    );
    const syncs: Promise<void>[] = [];
    placed.forEach((p, i) => {
      if (p.status !== 'fulfilled') return;
      const h = p.value;
      syncs.push(h ? h.sync().finally(() => h.close()) : fsyncFile(join(dir, files[i]!.name)));
    });
    const failed = placed.find((p) => p.status === 'rejected');
    if (!failed) {
      // the key's folder holds the new entries; each created folder is a new entry of its parent
      const dirs = [dir];
      if (firstCreated) {
        for (let d = dir; d.length >= firstCreated.length && d !== dirname(d); d = dirname(d)) dirs.push(dirname(d));
      }
      for (const d of new Set(dirs)) syncs.push(fsyncDir(d));
    }
    const done = await Promise.allSettled(syncs);
    const err = failed ?? done.find((d) => d.status === 'rejected');
    if (err) throw (err as PromiseRejectedResult).reason;
  }

  async size(key: string, name: BlobName): Promise<number | null> {
    try {
      return (await stat(this.path(key, name))).size;
    } catch {
      return null;
    }
  }

  /** always undefined: this store keeps nothing in memory (storage/memory-cache.ts does) */
  cached(_key: string, _name: BlobName): Buffer | undefined {
    return undefined;
  }

  async open(key: string, name: BlobName): Promise<OpenedBlob | null> {
    let handle;
    try {
      handle = await open(this.path(key, name), 'r');
    } catch {
      return null;
    }
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    return { stream: createReadStream('', { fd: handle, autoClose: true, highWaterMark: 256 * 1024 }), size };
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }

  async listKeys(): Promise<string[]> {
    const keys: string[] = [];
    const ids = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const idDir of ids) {
      if (!idDir.isDirectory() || idDir.name === '.tmp') continue;
      const versions = await readdir(join(this.root, idDir.name), { withFileTypes: true });
      for (const vDir of versions) {
        if (!vDir.isDirectory()) continue;
        const uploads = await readdir(join(this.root, idDir.name, vDir.name), { withFileTypes: true });
        for (const u of uploads) if (u.isDirectory()) keys.push(`${idDir.name}/${vDir.name}/${u.name}`);
      }
    }
    return keys;
  }

  /**
   * Every blob folder with the modification time of the folder (when its files were stored), for the
   * start-up sweep's age rule. Unreadable entries are skipped; keys in the order found.
   */
  async listKeyTimes(): Promise<{ key: string; mtimeMs: number }[]> {
    const keys = await this.listKeys();
    const out: { key: string; mtimeMs: number }[] = [];
    for (let i = 0; i < keys.length; i += 256) {
      const chunk = keys.slice(i, i + 256);
      const stats = await Promise.all(chunk.map((k) => stat(join(this.root, k)).then((st) => st.mtimeMs, () => null)));
      chunk.forEach((key, j) => {
        if (stats[j] !== null) out.push({ key, mtimeMs: stats[j]! });
      });
    }
    return out;
  }

  /**
   * Moves the folder of `key` to `<targetRoot>/<key>` (the quarantine) with one rename, durable when it
   * resolves (both parents fsynced); then removes the
   * emptied `<id>/<version>` parents. Never deletes a file.
   *
   * @throws when `targetRoot/key` exists already or the rename fails (EXDEV: another file system)
   */
  async moveOut(key: string, targetRoot: string): Promise<void> {
    const from = this.path(key);
    const to = join(targetRoot, key);
    await mkdir(dirname(to), { recursive: true });
    if (await stat(to).then(() => true, () => false)) throw new Error(`${to} exists already`);
    await rename(from, to);
    await Promise.all([fsyncDir(dirname(from)), fsyncDir(dirname(to))]);
    for (let d = dirname(from); d !== this.root && d.startsWith(this.root); d = dirname(d)) {
      if (!(await rmdir(d).then(() => true, () => false))) break;
    }
  }

  /**
   * Moves `<sourceRoot>/<key>` back into the store as `key` (a quarantined folder that a row turned
   * out to reference), durable when it resolves.
   *
   * @throws when the store has `key` already or the rename fails
   */
  async restoreFrom(key: string, sourceRoot: string): Promise<void> {
    const to = this.path(key);
    await mkdir(dirname(to), { recursive: true });
    if (await stat(to).then(() => true, () => false)) throw new Error(`${to} exists already`);
    await rename(join(sourceRoot, key), to);
    await Promise.all([fsyncDir(dirname(to)), fsyncDir(dirname(join(sourceRoot, key)))]);
  }

  /**
   * Checks that the store's folder accepts new files (creates, fsyncs and removes a probe in the root and
   * in `.tmp`).
   *
   * @throws Error naming the folder and the system's reason (EACCES, EROFS, ENOSPC …)
   */
  async checkWritable(): Promise<void> {
    try {
      await mkdir(this.tmpDir, { recursive: true });
      // uploads land in .tmp, new ids' folders in the root: both must take new entries
      for (const dir of [this.tmpDir, this.root]) {
        const probe = join(dir, `.probe-${process.pid}-${randomUUID()}`);
        const h = await open(probe, 'wx');
        try {
          await h.writeFile('galleon');
          await h.sync();
        } finally {
          await h.close();
        }
        await unlink(probe);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(
        `The package folder ${this.root} is not writable (${code}): Galleon stores every pushed package there. Fix its permissions or mount, or point GALLEON_DATA_DIR at a writable folder. Nothing was changed.`,
      );
    }
  }
}

async function fsyncFile(path: string): Promise<void> {
  const h = await open(path, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function fsyncDir(path: string): Promise<void> {
  try {
    const h = await open(path, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // some file systems refuse fsync on directories; the rename is still atomic
  }
}
