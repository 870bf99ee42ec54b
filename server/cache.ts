/**
 * In-memory cache of hot protocol documents (read path in ARCHITECTURE.md): the serialized JSON,
 * its gzip form (made on first demand), and a strong ETag. Entries are grouped by a tag (the lower
 * package id, or "*" for documents spanning ids such as search) so that a write invalidates exactly
 * the documents it changes. A generation counter per tag stops a read that started before a write
 * from storing its stale document after the write's invalidation.
 */
import { createHash } from 'node:crypto';
import { gzipSync, constants as zlibConstants } from 'node:zlib';
import type { StoredVersion } from '../db/packages.ts';

/** Tag of the cache entries that span package ids (search, autocomplete): every package change drops them. */
export const GLOBAL_CACHE_TAG = '*';

export interface CachedDocument {
  body: Buffer;
  etag: string;
  contentType: string;
  cacheControl: string;
  /** gzip of body, made on first request that accepts gzip */
  gzip: Buffer | null;
  /** extra headers sent with this document (e.g. Vary) */
  headers: Record<string, string>;
  /** response header sets of the raw fast path, made on first use (see `wireHeaders`) */
  wire?: WireHeaders;
}

/**
 * The three header sets a cached document is ever answered with, built once per document so the
 * fast path allocates nothing per request: 200 plain, 200 gzip (null below GZIP_MIN_BYTES), 304.
 * Every set carries ETag, Cache-Control and `Vary: [document's Vary, ]Accept-Encoding`.
 */
export interface WireHeaders {
  plain: Record<string, string>;
  gzip: Record<string, string> | null;
  notModified: Record<string, string>;
}

/** Serializes a JSON document and computes its strong ETag. */
export function makeJsonDocument(
  value: unknown,
  opts: { cacheControl?: string; headers?: Record<string, string> } = {},
): CachedDocument {
  const body = Buffer.from(JSON.stringify(value));
  return {
    body,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    contentType: 'application/json; charset=utf-8',
    cacheControl: opts.cacheControl ?? 'no-cache',
    gzip: null,
    headers: opts.headers ?? {},
  };
}

/** Bodies smaller than this are sent plain: gzip would not pay for itself. */
export const GZIP_MIN_BYTES = 1024;

/** Returns (and memoizes) the gzip form of a cached document. */
export function gzipOf(doc: CachedDocument): Buffer {
  if (!doc.gzip) doc.gzip = gzipSync(doc.body, { level: 6, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  return doc.gzip;
}

/** Returns (and memoizes) the response header sets of a cached document; the gzip body is made here too. */
export function wireHeaders(doc: CachedDocument): WireHeaders {
  if (doc.wire) return doc.wire;
  const common: Record<string, string> = { ...doc.headers, ETag: doc.etag, 'Cache-Control': doc.cacheControl };
  common.Vary = common.Vary ? `${common.Vary}, Accept-Encoding` : 'Accept-Encoding';
  const plain = { ...common, 'Content-Type': doc.contentType, 'Content-Length': String(doc.body.length) };
  let gzip: Record<string, string> | null = null;
  if (doc.body.length >= GZIP_MIN_BYTES) {
    gzip = { ...common, 'Content-Type': doc.contentType, 'Content-Encoding': 'gzip', 'Content-Length': String(gzipOf(doc).length) };
  }
  doc.wire = { plain, gzip, notModified: common };
  return doc.wire;
}

export class DocumentCache {
  private readonly entries = new Map<string, { doc: CachedDocument; tag: string; bytes: number }>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  private readonly invalidationListeners: ((tag: string) => void)[] = [];
  private bytes = 0;

  /** @param maxBytes upper bound on cached bytes, plain and gzip forms together; oldest entries are dropped beyond it */
  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  get(key: string): CachedDocument | undefined {
    return this.entries.get(key)?.doc;
  }

  /** the generation to pass to `set` for documents of `tag` built from data read after this call */
  generation(tag: string): number {
    return this.generations.get(tag) ?? 0;
  }

  /** stores `doc` unless `tag` was invalidated since `generation` was taken */
  set(key: string, tag: string, generation: number, doc: CachedDocument): void {
    if (this.generation(tag) !== generation) return;
    if (doc.body.length > this.maxBytes / 4) return;
    // every NuGet client asks for gzip: make it now so that the bound counts both forms
    const bytes = doc.body.length + (doc.body.length >= GZIP_MIN_BYTES ? gzipOf(doc).length : 0);
    this.delete(key);
    this.entries.set(key, { doc, tag, bytes });
    let keys = this.byTag.get(tag);
    if (!keys) this.byTag.set(tag, (keys = new Set()));
    keys.add(key);
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string | undefined;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
    this.byTag.get(e.tag)?.delete(key);
  }

  /** drops every document of `tag` and makes in-flight builds of it unstorable */
  invalidate(tag: string): void {
    this.generations.set(tag, this.generation(tag) + 1);
    for (const listener of this.invalidationListeners) listener(tag);
    const keys = this.byTag.get(tag);
    if (!keys) return;
    for (const k of [...keys]) this.delete(k);
    this.byTag.delete(tag);
  }

  /** calls `listener(tag)` on every invalidation (caches of other things kept per tag, e.g. StoredVersionCache) */
  onInvalidate(listener: (tag: string) => void): void {
    this.invalidationListeners.push(listener);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Where each stored version's files are (db/packages.ts `StoredVersion`: blob key, readme and icon
 * flags), remembered after the first lookup so that downloads need no query. Entries are grouped by
 * lower package id and dropped when the DocumentCache invalidates that id (push, unlist, relist,
 * delete); a lookup that started before such an invalidation does not store its answer. Only
 * versions that exist are remembered. Past `maxEntries` everything is dropped and refilled on demand.
 */
export class StoredVersionCache {
  private readonly byId = new Map<string, Map<string, StoredVersion>>();
  private entries = 0;

  /**
   * @param lookup the database query, e.g. `(id, key) => repo.getStoredVersion(id, key)`
   * @param cache the document cache whose invalidations (by lower id) this cache follows
   */
  constructor(
    private readonly lookup: (lowerId: string, versionKey: string) => Promise<StoredVersion | null>,
    private readonly cache: DocumentCache,
    private readonly maxEntries = 100_000,
  ) {
    cache.onInvalidate((tag) => {
      const versions = this.byId.get(tag);
      if (!versions) return;
      this.entries -= versions.size;
      this.byId.delete(tag);
    });
  }

  /** the remembered location of (lower id, version key), without a query; undefined when not remembered */
  peek(lowerId: string, versionKey: string): StoredVersion | undefined {
    return this.byId.get(lowerId)?.get(versionKey);
  }

  /** the location of (lower id, version key), from memory or the database; null when the version is unknown */
  async get(lowerId: string, versionKey: string): Promise<StoredVersion | null> {
    const hit = this.peek(lowerId, versionKey);
    if (hit) return hit;
    const generation = this.cache.generation(lowerId);
    const found = await this.lookup(lowerId, versionKey);
    if (found && this.cache.generation(lowerId) === generation) {
      if (this.entries >= this.maxEntries) {
        this.byId.clear();
        this.entries = 0;
      }
      let versions = this.byId.get(lowerId);
      if (!versions) this.byId.set(lowerId, (versions = new Map()));
      if (!versions.has(versionKey)) this.entries++;
      versions.set(versionKey, found);
    }
    return found;
  }

  /** number of remembered versions */
  get size(): number {
    return this.entries;
  }
}
