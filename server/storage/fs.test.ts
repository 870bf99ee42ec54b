/**
 * FsBlobStore on real files in a temp folder, behind the small-file memory cache as serve.ts wires it
 * (storage/index.ts): storing a new version's files at once (bytes and a staged upload), reading them
 * back (from disk and from the small-file memory copy), refusing a reused key, listing and removing.
 */
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newBlobKey } from './blob-store.ts';
import { FsBlobStore } from './fs.ts';
import { MemoryCachedBlobStore } from './memory-cache.ts';
import { UploadStaging } from '../upload/staging.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('FsBlobStore', () => {
  let root: string;
  let blobs: MemoryCachedBlobStore;
  let staging: UploadStaging;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'galleon-blobs-'));
    const files = new FsBlobStore(root);
    await files.init();
    blobs = new MemoryCachedBlobStore(files, { maxFileBytes: 16 });
    staging = new UploadStaging(files.stagingDir);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores bytes and a moved-in temp file under a new key, consuming the temp file', async () => {
    const key = newBlobKey('contoso.core', '1.2.0');
    const temp = staging.tempPath();
    const nupkg = Buffer.alloc(100_000, 3);
    await writeFile(temp, nupkg);
    await blobs.storeFiles(key, [
      { name: 'package.nuspec', bytes: Buffer.from('<package/>') },
      { name: 'package.nupkg', tempPath: temp },
      { name: 'readme', bytes: Buffer.from('# Contoso') },
    ]);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await readFile(join(root, key, 'package.nupkg'))).toEqual(nupkg);
    expect(await blobs.size(key, 'package.nuspec')).toBe(10);
    const big = await blobs.open(key, 'package.nupkg');
    expect(await readAll(big!.stream)).toEqual(nupkg);
    const small = await blobs.open(key, 'readme');
    expect((await readAll(small!.stream)).toString()).toBe('# Contoso');
    // a second read of a small file comes from memory
    expect(blobs.cached(key, 'readme')?.toString()).toBe('# Contoso');
    expect(await blobs.open(key, 'icon')).toBeNull();
    expect(await blobs.listKeys()).toEqual([key]);
  });

  it('refuses to overwrite a file under a key that already exists, leaving the stored bytes intact', async () => {
    const key = newBlobKey('contoso.core', '1.2.0');
    await blobs.storeFiles(key, [{ name: 'package.nuspec', bytes: Buffer.from('first') }]);
    await expect(blobs.storeFiles(key, [{ name: 'package.nuspec', bytes: Buffer.from('second') }])).rejects.toThrow();
    expect((await readFile(join(root, key, 'package.nuspec'))).toString()).toBe('first');
  });

  it('removes every file of a key, and its memory copies', async () => {
    const a = newBlobKey('contoso.core', '1.2.0');
    const b = newBlobKey('contoso.core', '1.3.0');
    await blobs.storeFiles(a, [{ name: 'readme', bytes: Buffer.from('a') }]);
    await blobs.storeFiles(b, [{ name: 'readme', bytes: Buffer.from('b') }]);
    await blobs.open(a, 'readme');
    await blobs.remove(a);
    expect(blobs.cached(a, 'readme')).toBeUndefined();
    expect(await blobs.open(a, 'readme')).toBeNull();
    expect(await blobs.listKeys()).toEqual([b]);
  });
});
