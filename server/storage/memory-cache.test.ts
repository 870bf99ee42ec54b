/**
 * The small-file memory cache over any blob store (here an object literal that counts its reads):
 * small files are read from the store once and then answered from memory, also synchronously through
 * `cached()`; large files always stream from the store; removed or quarantined keys are forgotten.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BlobName, BlobStore } from './blob-store.ts';
import { MemoryCachedBlobStore } from './memory-cache.ts';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

function countingStore(files: Record<string, string>): BlobStore & { reads: string[]; moved: string[] } {
  const reads: string[] = [];
  const moved: string[] = [];
  const unused = async () => {
    throw new Error('not used by this test');
  };
  return {
    reads,
    moved,
    open: async (key: string, name: BlobName) => {
      reads.push(`${key}/${name}`);
      const t = files[`${key}/${name}`];
      return t === undefined ? null : { stream: Readable.from([Buffer.from(t)]), size: Buffer.byteLength(t) };
    },
    cached: () => undefined,
    remove: async (key: string) => {
      for (const k of Object.keys(files)) if (k.startsWith(`${key}/`)) delete files[k];
    },
    moveOut: async (key: string) => {
      moved.push(key);
    },
    write: unused,
    storeFiles: unused,
    size: unused,
    listKeys: unused,
    listKeyTimes: unused,
    restoreFrom: unused,
    checkWritable: unused,
  };
}

describe('MemoryCachedBlobStore', () => {
  it('reads a small file from the store once, then from memory', async () => {
    const inner = countingStore({ 'a/1.0.0/u/readme': '# A', 'a/1.0.0/u/package.nupkg': 'x'.repeat(100) });
    const blobs = new MemoryCachedBlobStore(inner, { maxFileBytes: 10 });
    expect(blobs.cached('a/1.0.0/u', 'readme')).toBeUndefined();
    expect(await text((await blobs.open('a/1.0.0/u', 'readme'))!.stream)).toBe('# A');
    expect(blobs.cached('a/1.0.0/u', 'readme')?.toString()).toBe('# A');
    const again = await blobs.open('a/1.0.0/u', 'readme');
    expect([again!.size, await text(again!.stream)]).toEqual([3, '# A']);
    expect(inner.reads).toEqual(['a/1.0.0/u/readme']);
    // too large for memory: streamed from the store every time
    for (let i = 0; i < 2; i++) expect(await text((await blobs.open('a/1.0.0/u', 'package.nupkg'))!.stream)).toBe('x'.repeat(100));
    expect(blobs.cached('a/1.0.0/u', 'package.nupkg')).toBeUndefined();
    expect(inner.reads.filter((r) => r.endsWith('nupkg'))).toHaveLength(2);
    expect(await blobs.open('a/1.0.0/u', 'icon')).toBeNull();
  });

  it('forgets a removed or quarantined key, and drops the least recently read files beyond its total', async () => {
    const inner = countingStore({ 'a/1/u/readme': 'aaaa', 'b/1/u/readme': 'bbbb', 'c/1/u/readme': 'cccc' });
    const blobs = new MemoryCachedBlobStore(inner, { maxFileBytes: 10, maxTotalBytes: 8 });
    await blobs.open('a/1/u', 'readme');
    await blobs.open('b/1/u', 'readme');
    await blobs.open('a/1/u', 'readme'); // a is now the most recently read
    await blobs.open('c/1/u', 'readme');
    expect(blobs.cached('b/1/u', 'readme')).toBeUndefined();
    expect(blobs.cached('a/1/u', 'readme')?.toString()).toBe('aaaa');
    await blobs.moveOut('a/1/u', '/quarantine');
    expect(inner.moved).toEqual(['a/1/u']);
    expect(blobs.cached('a/1/u', 'readme')).toBeUndefined();
    await blobs.remove('c/1/u');
    expect(blobs.cached('c/1/u', 'readme')).toBeUndefined();
    expect(await blobs.open('c/1/u', 'readme')).toBeNull();
  });
});
