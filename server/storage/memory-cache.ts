/**
 * The small-file memory cache, as a decorator over any blob store: files up to a size that have been
 * read once are kept in memory (bounded, least recently read dropped first), so a download of a small
 * nupkg, nuspec or readme then costs no I/O at all (`npm run bench -- downloads`, 1 KB case) and the raw
 * fast path answers it from `cached()` synchronously. Files under a key never change, so an entry is
 * only dropped when the key is removed or moved out, or for room.
 */
import { Readable } from 'node:stream';
import { BLOB_NAMES, type BlobName, type BlobStore, type OpenedBlob, type StoredFileInput } from './blob-store.ts';

/** Limits of the in-memory copy of small files. */
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

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** A blob store that keeps the small files it has read in memory, in front of `inner`. */
export class MemoryCachedBlobStore implements BlobStore {
  private readonly small = new Map<string, Buffer>();
  private smallBytes = 0;
  private readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;

  constructor(
    readonly inner: BlobStore,
    opts: SmallFileCacheOptions = {},
  ) {
    this.maxFileBytes = opts.maxFileBytes ?? 128 * 1024;
    this.maxTotalBytes = opts.maxTotalBytes ?? 32 * 1024 * 1024;
  }

  /** the kept bytes of `key/name`, without any I/O; undefined when not kept */
  cached(key: string, name: BlobName): Buffer | undefined {
    return this.small.get(`${key}/${name}`) ?? this.inner.cached(key, name);
  }

  async open(key: string, name: BlobName): Promise<OpenedBlob | null> {
    const cacheKey = `${key}/${name}`;
    const kept = this.small.get(cacheKey);
    if (kept) {
      // most recently read last: the oldest entry is the first one dropped
      this.small.delete(cacheKey);
      this.small.set(cacheKey, kept);
      return { stream: bufferStream(kept), size: kept.length };
    }
    const opened = await this.inner.open(key, name);
    if (!opened || opened.size > this.maxFileBytes || opened.size > this.maxTotalBytes) return opened;
    let bytes: Buffer;
    try {
      bytes = await readAll(opened.stream);
    } finally {
      opened.stream.destroy();
    }
    this.keep(cacheKey, bytes);
    return { stream: bufferStream(bytes), size: bytes.length };
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

  private forget(key: string): void {
    for (const name of BLOB_NAMES) {
      const b = this.small.get(`${key}/${name}`);
      if (b) {
        this.small.delete(`${key}/${name}`);
        this.smallBytes -= b.length;
      }
    }
  }

  write(key: string, name: BlobName, bytes: Buffer): Promise<void> {
    return this.inner.write(key, name, bytes);
  }
  storeFiles(key: string, files: readonly StoredFileInput[]): Promise<void> {
    return this.inner.storeFiles(key, files);
  }
  size(key: string, name: BlobName): Promise<number | null> {
    return this.inner.size(key, name);
  }
  async remove(key: string): Promise<void> {
    this.forget(key);
    await this.inner.remove(key);
  }
  listKeys(): Promise<string[]> {
    return this.inner.listKeys();
  }
  listKeyTimes(): Promise<{ key: string; mtimeMs: number }[]> {
    return this.inner.listKeyTimes();
  }
  async moveOut(key: string, targetRoot: string): Promise<void> {
    this.forget(key);
    await this.inner.moveOut(key, targetRoot);
  }
  restoreFrom(key: string, sourceRoot: string): Promise<void> {
    return this.inner.restoreFrom(key, sourceRoot);
  }
  checkWritable(): Promise<void> {
    return this.inner.checkWritable();
  }
}
