/**
 * Blob store: where package files live. One folder per stored version, named by a blob key
 * `<lower id>/<version key>/<upload id>` that the database row records; the upload id makes two
 * concurrent pushes of one identity write to different places, so the loser of the race can remove
 * its own files without touching the winner's (write path step 3).
 *
 * Files under a key never change (a new push gets a new upload id), so the file-system store keeps
 * small files it has read in memory (bounded, oldest dropped first): a download of a small nupkg,
 * nuspec or readme then costs no open/fstat/read/close (`npm run bench -- downloads`, 1 KB case).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, dirname } from 'node:path';

/** The files a stored version may have. */
export type BlobName = 'package.nupkg' | 'package.nuspec' | 'readme' | 'icon';

export interface BlobStore {
  /** a fresh path for an upload in progress, on the same file system as the store */
  tempPath(): string;
  /** writes bytes under `key/name` (durable when it resolves) */
  write(key: string, name: BlobName, bytes: Buffer): Promise<void>;
  /**
   * Stores every file of a new version under a fresh `key` at once (the push path): bytes are written
   * and temp files moved in concurrently, durable when it resolves (files, their folder and every
   * folder created for the key). `key` must be new (newBlobKey); nothing is replaced. It settles only
   * when no write of it is in flight any more.
   */
  storeFiles(key: string, files: readonly StoredFileInput[]): Promise<void>;
  /** size in bytes, or null when absent */
  size(key: string, name: BlobName): Promise<number | null>;
  /** a read stream of the file's bytes, or null when absent */
  open(key: string, name: BlobName): Promise<{ stream: Readable; size: number } | null>;
  /** removes every file under `key` (no error if absent) */
  remove(key: string): Promise<void>;
  /** every stored blob key */
  listKeys(): Promise<string[]>;
  /** removes leftover temp files of interrupted uploads (modified before `olderThanMs`, default all); returns how many */
  cleanTemp(olderThanMs?: number): Promise<number>;
}

/** One file of {@link BlobStore.storeFiles}: its bytes, or a finished temp file to move in. */
export type StoredFileInput = { name: BlobName; bytes: Buffer } | { name: BlobName; tempPath: string };

/** Creates a blob key for a new upload of (lower id, version key). */
export function newBlobKey(lowerId: string, versionKey: string): string {
  return `${lowerId}/${versionKey}/${randomUUID()}`;
}

/** Limits of the in-memory copy of small files kept by {@link FsBlobStore}. */
export interface SmallFileCacheOptions {
  /** files up to this size are kept, bytes (default 128 KiB; 0 disables the cache) */
  maxFileBytes?: number;
  /** total bytes kept; beyond it the files least recently read through `open` are dropped first (default 32 MiB) */
  maxTotalBytes?: number;
}

/** A readable stream of bytes already in memory (one chunk, not object mode). */
function bufferStream(bytes: Buffer): Readable {
  let sent = false;
  return new Readable({
    highWaterMark: Math.max(1, bytes.length),
    read() {
      if (sent) return;
      sent = true;
      this.push(bytes);
      this.push(null);
    },
  });
}

/** Blob store on the local file system: `<root>/<key>/<name>`, temp files in `<root>/.tmp`. */
export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private readonly small = new Map<string, Buffer>();
  private smallBytes = 0;
  private readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;

  constructor(
    private readonly root: string,
    cache: SmallFileCacheOptions = {},
  ) {
    this.tmpDir = join(root, '.tmp');
    this.maxFileBytes = cache.maxFileBytes ?? 128 * 1024;
    this.maxTotalBytes = cache.maxTotalBytes ?? 32 * 1024 * 1024;
  }

  /** creates the folders; call once before use */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
  }

  tempPath(): string {
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
    const tmp = this.tempPath();
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
   *         nothing of it is in flight; the caller removes the key (ingest.ts does on every failure)
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

  /**
   * The bytes of a small file this store has already read and still keeps in memory, without any
   * I/O (the raw download fast path); undefined otherwise (then use `open`).
   */
  cached(key: string, name: BlobName): Buffer | undefined {
    return this.small.get(`${key}/${name}`);
  }

  async open(key: string, name: BlobName): Promise<{ stream: Readable; size: number } | null> {
    const p = this.path(key, name);
    const cacheKey = `${key}/${name}`;
    const kept = this.small.get(cacheKey);
    if (kept) {
      // most recently read last: the oldest entry is the first one dropped
      this.small.delete(cacheKey);
      this.small.set(cacheKey, kept);
      return { stream: bufferStream(kept), size: kept.length };
    }
    let handle;
    try {
      handle = await open(p, 'r');
    } catch {
      return null;
    }
    let size: number;
    try {
      size = (await handle.stat()).size;
      if (size <= this.maxFileBytes) {
        const bytes = await handle.readFile();
        await handle.close();
        this.keep(cacheKey, bytes);
        return { stream: bufferStream(bytes), size: bytes.length };
      }
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    return { stream: createReadStream('', { fd: handle, autoClose: true, highWaterMark: 256 * 1024 }), size };
  }

  private keep(cacheKey: string, bytes: Buffer): void {
    if (bytes.length > this.maxFileBytes || bytes.length > this.maxTotalBytes) return;
    this.small.set(cacheKey, bytes);
    this.smallBytes += bytes.length;
    while (this.smallBytes > this.maxTotalBytes) {
      const [oldest, b] = this.small.entries().next().value as [string, Buffer];
      this.small.delete(oldest);
      this.smallBytes -= b.length;
    }
  }

  async remove(key: string): Promise<void> {
    this.forget(key);
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
   * Removes temp files of interrupted uploads last modified before `olderThanMs` (epoch ms; default: every
   * one, which only a process that is not yet serving may ask for); returns how many.
   */
  async cleanTemp(olderThanMs = Infinity): Promise<number> {
    const names = await readdir(this.tmpDir).catch(() => [] as string[]);
    let removed = 0;
    await Promise.all(
      names.map(async (n) => {
        const path = join(this.tmpDir, n);
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

  /**
   * Moves the folder of `key` to `<targetRoot>/<key>` (the quarantine) with one rename, durable when it
   * resolves (both parents fsynced), and drops its files from the small-file cache; then removes the
   * emptied `<id>/<version>` parents. Never deletes a file.
   *
   * @throws when `targetRoot/key` exists already or the rename fails (EXDEV: another file system)
   */
  async moveOut(key: string, targetRoot: string): Promise<void> {
    const from = this.path(key);
    const to = join(targetRoot, key);
    await mkdir(dirname(to), { recursive: true });
    if (await stat(to).then(() => true, () => false)) throw new Error(`${to} exists already`);
    this.forget(key);
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

  private forget(key: string): void {
    for (const name of ['package.nupkg', 'package.nuspec', 'readme', 'icon'] as const) {
      const b = this.small.get(`${key}/${name}`);
      if (b) {
        this.small.delete(`${key}/${name}`);
        this.smallBytes -= b.length;
      }
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
