/**
 * receiveUpload keeps a package in memory up to its memory limit and streams a larger one to the temp
 * file (the bytes held so far first); either way the hash and size are of the whole body, and a failed
 * upload leaves no temp file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { receiveUpload, UPLOADS_MEMORY_BUDGET_BYTES } from './receive.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galleon-upload-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

/** a body arriving in chunks of `chunk` bytes */
function body(bytes: Buffer, chunk = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

function multipart(bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = 'galleontestboundary';
  return {
    body: Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

describe.each(['raw', 'multipart'] as const)('receiveUpload (%s body)', (kind) => {
  const send = (bytes: Buffer, memoryMax: number, maxBytes = 10 * 1024 * 1024) => {
    const path = join(dir, `u${++n}.upload`);
    const m = multipart(bytes);
    const headers = kind === 'raw' ? { 'content-type': 'application/octet-stream' } : { 'content-type': m.contentType };
    return { path, result: receiveUpload(body(kind === 'raw' ? bytes : m.body), headers, path, maxBytes, memoryMax) };
  };

  it('keeps a package within the memory limit in memory, with no temp file', async () => {
    const bytes = randomBytes(50_000);
    const { path, result } = send(bytes, 64 * 1024);
    const r = await result;
    expect(r.bytes?.equals(bytes)).toBe(true);
    expect(r).toMatchObject({ path, size: bytes.length, sha512: sha512(bytes) });
    expect(existsSync(path)).toBe(false);
  });

  it('streams a package over the memory limit to the temp file, whole', async () => {
    const bytes = randomBytes(300_000);
    const { path, result } = send(bytes, 64 * 1024);
    const r = await result;
    expect(r.bytes).toBeNull();
    expect(r).toMatchObject({ path, size: bytes.length, sha512: sha512(bytes) });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    await rm(path);
  });

  it('refuses a package over the size limit and leaves no temp file, in memory or spilled', async () => {
    for (const memoryMax of [1024 * 1024, 10_000]) {
      const { path, result } = send(randomBytes(200_000), memoryMax, 100_000);
      await expect(result).rejects.toMatchObject({ status: 413 });
      expect(existsSync(path)).toBe(false);
    }
  });
});

describe('receiveUpload memory budget', () => {
  it('sends small uploads to temp files once the uploads arriving hold the budget', async () => {
    const size = 1024 * 1024;
    const count = Math.ceil(UPLOADS_MEMORY_BUDGET_BYTES / size) + 2;
    const bytes = randomBytes(size);
    // every upload sends all but its last byte, and only then do they all end
    const bodies = Array.from({ length: count }, () => new PassThrough());
    const uploads = bodies.map((b, i) => {
      const path = join(dir, `budget${i}.upload`);
      return { path, result: receiveUpload(b, { 'content-type': 'application/octet-stream' }, path, 10 * size, size) };
    });
    for (const b of bodies) b.write(bytes.subarray(0, size - 1));
    await new Promise((r) => setTimeout(r, 50));
    for (const b of bodies) b.end(bytes.subarray(size - 1));
    const results = await Promise.all(uploads.map((u) => u.result));
    for (const r of results) expect(r).toMatchObject({ size, sha512: sha512(bytes) });
    const spilled = results.filter((r) => r.bytes === null);
    expect(spilled.length).toBeGreaterThan(0);
    expect(results.length - spilled.length).toBeLessThanOrEqual(UPLOADS_MEMORY_BUDGET_BYTES / (size - 1));
    for (const r of spilled) {
      expect(readFileSync(r.path).equals(bytes)).toBe(true);
      await rm(r.path);
    }
    // the budget is free again: a new small upload stays in memory
    const again = await receiveUpload(body(bytes), { 'content-type': 'application/octet-stream' }, join(dir, 'after.upload'), 10 * size, size);
    expect(again.bytes).not.toBeNull();
  });
});
