/**
 * The one place that decides which blob store a server uses: serve.ts (and `galleon gc`) ask here and
 * depend on the `BlobStore` interface only, so another store (S3) plugs in here without touching
 * them. Today: the file system store under the package folder, behind the small-file memory cache,
 * with uploads staged in its `.tmp` folder (same file system: a staged file moves in with one rename).
 */
import { UploadStaging } from '../upload/staging.ts';
import type { BlobStore } from './blob-store.ts';
import { FsBlobStore } from './fs.ts';
import { MemoryCachedBlobStore, type SmallFileCacheOptions } from './memory-cache.ts';

/** A server's package storage: where package files live, and where uploads wait before they move in. */
export interface PackageStorage {
  blobs: BlobStore;
  staging: UploadStaging;
}

/**
 * @param packagesRoot the package folder (config.ts `packagesDir`)
 * @param cache limits of the small-file memory cache (defaults: files up to 128 KiB, 32 MiB in all)
 */
export function openPackageStorage(packagesRoot: string, cache: SmallFileCacheOptions = {}): PackageStorage {
  const files = new FsBlobStore(packagesRoot);
  return { blobs: new MemoryCachedBlobStore(files, cache), staging: new UploadStaging(files.stagingDir) };
}
