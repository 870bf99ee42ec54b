/**
 * Blob store: where package files live. One folder per stored version, named by a blob key
 * `<lower id>/<version key>/<upload id>` that the database row records; the upload id makes two
 * concurrent pushes of one identity write to different places, so the loser of the race can remove
 * its own files without touching the winner's (write path step 3).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, dirname } from 'node:path';

/** The files a stored version may have. */
export type BlobName = 'package.nupkg' | 'package.nuspec' | 'readme' | 'icon';

export interface BlobStore {
  /** a fresh path for an upload in progress, on the same file system as the store */
  tempPath(): string;
  /** moves a finished temp file into place under `key/name` (durable when it resolves) */
  moveIn(key: string, name: BlobName, tempPath: string): Promise<void>;
  /** writes bytes under `key/name` (durable when it resolves) */
  write(key: string, name: BlobName, bytes: Buffer): Promise<void>;
  /** size in bytes, or null when absent */
  size(key: string, name: BlobName): Promise<number | null>;
  /** a read stream, or null when absent */
  open(key: string, name: BlobName): Promise<{ stream: ReadStream; size: number } | null>;
  /** removes every file under `key` (no error if absent) */
  remove(key: string): Promise<void>;
  /** every stored blob key */
  listKeys(): Promise<string[]>;
  /** removes leftover temp files of interrupted uploads; returns how many */
  cleanTemp(): Promise<number>;
}

/** Creates a blob key for a new upload of (lower id, version key). */
export function newBlobKey(lowerId: string, versionKey: string): string {
  return `${lowerId}/${versionKey}/${randomUUID()}`;
}

/** Blob store on the local file system: `<root>/<key>/<name>`, temp files in `<root>/.tmp`. */
export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = join(root, '.tmp');
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

  async moveIn(key: string, name: BlobName, tempPath: string): Promise<void> {
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

  async size(key: string, name: BlobName): Promise<number | null> {
    try {
      return (await stat(this.path(key, name))).size;
    } catch {
      return null;
    }
  }

  async open(key: string, name: BlobName): Promise<{ stream: ReadStream; size: number } | null> {
    const p = this.path(key, name);
    let handle;
    try {
      handle = await open(p, 'r');
    } catch {
      return null;
    }
    const { size } = await handle.stat();
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

  async cleanTemp(): Promise<number> {
    const names = await readdir(this.tmpDir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => rm(join(this.tmpDir, n), { force: true, recursive: true })));
    return names.length;
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
