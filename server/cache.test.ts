/**
 * The read cache keeps within its byte bound (plain and gzip forms counted), never stores a document
 * built from data read before a write invalidated its id, and forgets stored-version locations with it.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { StoredVersion } from '../db/packages.ts';
import { DocumentCache, StoredVersionCache, makeJsonDocument } from './cache.ts';

/** a document that compresses poorly: ~`size` bytes plain, ~3/4 of that gzip (base64 of random bytes) */
function incompressible(size: number) {
  return makeJsonDocument({ data: randomBytes((size * 3) / 4).toString('base64') });
}

describe('DocumentCache', () => {
  it('counts the gzip form against the bound and drops the oldest documents first', () => {
    const cache = new DocumentCache(100_000);
    // 4 × ~20 KB plain would fit in 100 KB; with their ~15 KB gzip forms only two do
    for (let i = 0; i < 4; i++) cache.set(`k${i}`, `id${i}`, 0, incompressible(20_000));
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')!.gzip).not.toBeNull();
    expect(cache.get('k3')).toBeDefined();
  });

  it('refuses a document built before its id was invalidated', () => {
    const cache = new DocumentCache();
    const generation = cache.generation('contoso.core');
    cache.invalidate('contoso.core');
    cache.set('k', 'contoso.core', generation, makeJsonDocument({ stale: true }));
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', 'contoso.core', cache.generation('contoso.core'), makeJsonDocument({ fresh: true }));
    expect(JSON.parse(cache.get('k')!.body.toString())).toEqual({ fresh: true });
  });
});

describe('StoredVersionCache', () => {
  const row: StoredVersion = { id: 'Contoso.Core', version: '1.2.0', versionKey: '1.2.0', blobKey: 'contoso.core/1.2.0/u1', listed: true, hasReadme: false, hasIcon: false, packageSize: 1 };

  it('asks the database once per version and again after the id is invalidated', async () => {
    const cache = new DocumentCache();
    let queries = 0;
    const stored = new StoredVersionCache(async (id, key) => {
      queries++;
      return id === 'contoso.core' && key === '1.2.0' ? row : null;
    }, cache);
    expect(await stored.get('contoso.core', '1.2.0')).toEqual(row);
    expect(await stored.get('contoso.core', '1.2.0')).toEqual(row);
    expect(stored.peek('contoso.core', '1.2.0')).toEqual(row);
    expect(queries).toBe(1);
    // unknown versions are not remembered
    expect(await stored.get('contoso.core', '9.9.9')).toBeNull();
    expect(await stored.get('contoso.core', '9.9.9')).toBeNull();
    expect(queries).toBe(3);
    cache.invalidate('contoso.core');
    expect(stored.peek('contoso.core', '1.2.0')).toBeUndefined();
    expect(stored.size).toBe(0);
    await stored.get('contoso.core', '1.2.0');
    expect(queries).toBe(4);
  });

  it('does not remember an answer read while the id was being invalidated', async () => {
    const cache = new DocumentCache();
    const stored = new StoredVersionCache(async () => {
      cache.invalidate('contoso.core');
      return row;
    }, cache);
    expect(await stored.get('contoso.core', '1.2.0')).toEqual(row);
    expect(stored.peek('contoso.core', '1.2.0')).toBeUndefined();
  });
});
