/**
 * In-memory cache of hot protocol documents (read path in ARCHITECTURE.md): the serialized JSON,
 * its gzip form (made on first demand), and a strong ETag. Entries are grouped by a tag (the lower
 * package id, or "*" for documents spanning ids such as search) so that a write invalidates exactly
 * the documents it changes. A generation counter per tag stops a read that started before a write
 * from storing its stale document after the write's invalidation.
 */
import { createHash } from 'node:crypto';
import { gzipSync, constants as zlibConstants } from 'node:zlib';

export interface CachedDocument {
  body: Buffer;
  etag: string;
  contentType: string;
  cacheControl: string;
  /** gzip of body, made on first request that accepts gzip */
  gzip: Buffer | null;
  /** extra headers sent with this document (e.g. Vary) */
  headers: Record<string, string>;
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

export class DocumentCache {
  private readonly entries = new Map<string, { doc: CachedDocument; tag: string }>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  private bytes = 0;

  /** @param maxBytes upper bound on cached plain bytes; oldest entries are dropped beyond it */
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
    this.delete(key);
    this.entries.set(key, { doc, tag });
    let keys = this.byTag.get(tag);
    if (!keys) this.byTag.set(tag, (keys = new Set()));
    keys.add(key);
    this.bytes += doc.body.length;
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
    this.bytes -= e.doc.body.length;
    this.byTag.get(e.tag)?.delete(key);
  }

  /** drops every document of `tag` and makes in-flight builds of it unstorable */
  invalidate(tag: string): void {
    this.generations.set(tag, this.generation(tag) + 1);
    const keys = this.byTag.get(tag);
    if (!keys) return;
    for (const k of [...keys]) this.delete(k);
    this.byTag.delete(tag);
  }

  get size(): number {
    return this.entries.size;
  }
}
