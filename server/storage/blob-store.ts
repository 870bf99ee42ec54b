/**
 * The blob store: where package files live, behind one interface so that a store other than the
 * local file system (S3 later) plugs in without touching serve.ts, the routes or the fast path. One
 * folder (prefix) per stored version, named by a blob key `<lower id>/<version key>/<upload id>` that
 * the database row records; the upload id makes two concurrent pushes of one identity write to
 * different places, so the loser of the race can remove its own files without touching the winner's
 * (write path step 3). Files under a key never change: a new push gets a new upload id.
 *
 * Implementations: `storage/fs.ts` (`FsBlobStore`, local folders); decorator: `storage/memory-cache.ts`
 * (small files kept in memory, over any store). Temp files of uploads in progress are not the store's:
 * they belong to the upload staging (`server/upload/staging.ts`).
 */
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';

/** The files a stored version may have. */
export type BlobName = 'package.nupkg' | 'package.nuspec' | 'readme' | 'icon';

/** Every {@link BlobName}, for iterating over a key's files. */
export const BLOB_NAMES: readonly BlobName[] = ['package.nupkg', 'package.nuspec', 'readme', 'icon'];

/** One file of {@link BlobStore.storeFiles}: its bytes, or a finished staged upload file to move in. */
export type StoredFileInput = { name: BlobName; bytes: Buffer } | { name: BlobName; tempPath: string };

/** A stored file opened for reading: its bytes as a stream and its size in bytes. */
export interface OpenedBlob {
  stream: Readable;
  size: number;
}

/** Creates a blob key for a new upload of (lower id, version key). */
export function newBlobKey(lowerId: string, versionKey: string): string {
  return `${lowerId}/${versionKey}/${randomUUID()}`;
}

export interface BlobStore {
  /** writes bytes under `key/name` (durable when it resolves) */
  write(key: string, name: BlobName, bytes: Buffer): Promise<void>;
  /**
   * Stores every file of a new version under a fresh `key` at once (the push path): bytes are written
   * and staged files moved in, durable when it resolves. `key` must be new (newBlobKey); nothing is
   * replaced. It settles only when no write of it is in flight any more.
   *
   * @throws when a file exists already under `key` or on any I/O error; the caller removes the key
   */
  storeFiles(key: string, files: readonly StoredFileInput[]): Promise<void>;
  /** size in bytes, or null when absent */
  size(key: string, name: BlobName): Promise<number | null>;
  /** a read stream of the file's bytes, or null when absent */
  open(key: string, name: BlobName): Promise<OpenedBlob | null>;
  /**
   * The bytes of the file when the store already holds them in memory, without any I/O (what the raw
   * download fast path asks on every request); undefined otherwise (then use `open`). A store without
   * memory always answers undefined.
   */
  cached(key: string, name: BlobName): Buffer | undefined;
  /** removes every file under `key` (no error if absent) */
  remove(key: string): Promise<void>;
  /** every stored blob key */
  listKeys(): Promise<string[]>;
  /** every stored blob key with the time its files were stored (epoch ms), for the start-up sweep's age rule */
  listKeyTimes(): Promise<{ key: string; mtimeMs: number }[]>;
  /**
   * Moves the files of `key` out of the store to `<targetRoot>/<key>` (the sweep's quarantine), durable
   * when it resolves; never deletes a file.
   * @throws when the target exists already or the move fails
   */
  moveOut(key: string, targetRoot: string): Promise<void>;
  /**
   * Moves `<sourceRoot>/<key>` back into the store as `key` (a quarantined folder a row references).
   * @throws when the store has `key` already or the move fails
   */
  restoreFrom(key: string, sourceRoot: string): Promise<void>;
  /**
   * Checks that the store accepts new files.
   * @throws Error naming the location and the system's reason, with the fix
   */
  checkWritable(): Promise<void>;
}
