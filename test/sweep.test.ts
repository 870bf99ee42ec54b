/**
 * The blob sweep (server/sweep.ts) against a real database and real folders, on every backend of
 * `backends()`: unreferenced folders go to the quarantine (never away), a referenced one never moves even
 * when the batch lookup lies, too many unreferenced folders move nothing, quarantined folders come back
 * when a row references them and go after the grace period when none does, and nothing newer than the
 * cut-off is looked at.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PackageRepository } from '../db/packages.ts';
import { FsBlobStore } from '../server/storage/fs.ts';
import { UploadStaging } from '../server/upload/staging.ts';
import { applySweep, batchName, planSweep, runStartupSweep, sweepLimit, type SweepDeps } from '../server/sweep.ts';
import { insertSynthetic, syntheticVersion } from './support/synthetic-rows.ts';
import { backends, openTestDatabase } from './support/server.ts';

const DAY = 86_400_000;

/** a log that keeps what it was told */
function memoryLog() {
  const entries: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void entries.push({ level, obj, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('sweepLimit', () => {
  it('is 1 % of the folders, at most 100, at least 5', () => {
    expect(sweepLimit(0)).toBe(5);
    expect(sweepLimit(350)).toBe(5);
    expect(sweepLimit(5_000)).toBe(50);
    expect(sweepLimit(100_000)).toBe(100);
  });
  it('names quarantine batches by UTC second', () => {
    expect(batchName(new Date('2026-12-04T19:56:22.123Z'))).toBe('20261204T195622Z');
  });
});

describe.each(backends())('the blob sweep (%s database)', (backend) => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let repo: PackageRepository;
  let dir: string;
  let blobs: FsBlobStore;
  let log: ReturnType<typeof memoryLog>;
  let deps: SweepDeps;
  const ID = 'Sweep.Pkg';
  const lower = ID.toLowerCase();
  const VERSIONS = 600;
  /** the blob key the seeded row of version i names */
  const referencedKey = (i: number) => `${lower}/${syntheticVersion(i).toLowerCase()}/seed`;
  const past = new Date(Date.now() - 3 * DAY);

  async function plant(key: string, when = past): Promise<void> {
    const d = join(dir, 'packages', key);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'package.nupkg'), `bytes of ${key}`);
    await utimes(d, when, when);
  }
  async function exists(path: string): Promise<boolean> {
    return readdir(path).then(() => true, () => false);
  }

  beforeAll(async () => {
    handle = await openTestDatabase(backend);
    repo = new PackageRepository(handle.db.db);
    await insertSynthetic(handle.db.db, [{ id: ID, versions: VERSIONS, n: 1 }]);
  }, 120_000);
  afterAll(async () => {
    await handle?.dispose();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'galleon-sweep-'));
    blobs = new FsBlobStore(join(dir, 'packages'));
    await blobs.init();
    log = memoryLog();
    deps = { blobs, staging: new UploadStaging(blobs.stagingDir), repo, quarantineRoot: join(dir, 'quarantine'), log };
    // every seeded version has its folder, as after 600 real pushes
    for (let i = 0; i < VERSIONS; i++) await plant(referencedKey(i));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('moves unreferenced folders to the quarantine and leaves every referenced one in place', async () => {
    const orphans = [`${lower}/9.9.9/00000000-0000-4000-8000-000000000001`, `${lower}/${syntheticVersion(3).toLowerCase()}/another-upload`];
    for (const o of orphans) await plant(o);
    const plan = await planSweep(deps, { olderThanMs: Date.now() });
    expect(plan.folders).toBe(VERSIONS + 2);
    expect(plan.orphans.map((o) => o.key).sort()).toEqual([...orphans].sort());
    const result = await applySweep(deps, plan);
    expect(result.refused).toBe(false);
    expect(result.moved.sort()).toEqual([...orphans].sort());
    // referenced folders all still there, with their bytes
    for (let i = 0; i < VERSIONS; i++) expect(await readFile(join(dir, 'packages', referencedKey(i), 'package.nupkg'), 'utf8')).toBe(`bytes of ${referencedKey(i)}`);
    const [batch] = (await readdir(deps.quarantineRoot)).filter((n) => n !== 'README.txt');
    for (const o of orphans) expect(await readFile(join(deps.quarantineRoot, batch, o, 'package.nupkg'), 'utf8')).toBe(`bytes of ${o}`);
    expect(await readFile(join(deps.quarantineRoot, 'README.txt'), 'utf8')).toMatch(/removes a folder from here 7 days after/);
    expect(await exists(join(dir, 'packages', lower, '9.9.9'))).toBe(false);
  });

  it('moves nothing when more folders look unreferenced than its limit, and says how to go further', async () => {
    // a database that does not know these files: 10 orphans among 610 folders (limit 6)
    for (let i = 0; i < 10; i++) await plant(`other.pkg/1.0.${i}/u`);
    const plan = await planSweep(deps, { olderThanMs: Date.now() });
    expect(plan.limit).toBe(6);
    const result = await applySweep(deps, plan);
    expect(result).toMatchObject({ refused: true, moved: [] });
    expect(await exists(deps.quarantineRoot)).toBe(false);
    for (let i = 0; i < 10; i++) expect(await exists(join(dir, 'packages', `other.pkg/1.0.${i}/u`))).toBe(true);
    const error = log.entries.find((e) => e.level === 'error')!;
    expect(error.msg).toMatch(/10 of 610 package folders are not referenced .* nothing was moved.*galleon gc/);
    // gc --apply goes further
    const forced = await applySweep(deps, plan, { force: true });
    expect(forced.moved).toHaveLength(10);
  });

  it('never moves a referenced folder, even when the batch lookup comes back short', async () => {
    // the issue 9 failure: a lookup that answers "nothing is referenced"
    const lying = Object.create(repo) as PackageRepository;
    lying.referencedBlobKeys = async () => new Set<string>();
    const small = { ...deps, repo: lying };
    // within the limit (a gallery of 600 may move 6): the first per-key proof stops the sweep
    const plan = await planSweep(small, { olderThanMs: Date.now() });
    expect(plan.orphans).toHaveLength(VERSIONS);
    const result = await applySweep(small, plan, { force: true });
    expect(result.moved).toEqual([]);
    expect(log.entries.some((e) => e.level === 'error' && /batch lookup missed a row/.test(e.msg))).toBe(true);
    for (let i = 0; i < VERSIONS; i++) expect(await exists(join(dir, 'packages', referencedKey(i)))).toBe(true);
  });

  it('leaves folders and temp files newer than the cut-off alone (a push in flight)', async () => {
    const fresh = `${lower}/9.9.8/fresh-upload`;
    await plant(fresh, new Date());
    const oldTemp = join(dir, 'packages', '.tmp', 'old.upload');
    const newTemp = join(dir, 'packages', '.tmp', 'new.upload');
    await writeFile(oldTemp, 'half');
    await utimes(oldTemp, past, past);
    await writeFile(newTemp, 'in flight');
    const result = await runStartupSweep(deps, { olderThanMs: Date.now() - 60_000 });
    expect(result?.moved).toEqual([]);
    expect(await exists(join(dir, 'packages', fresh))).toBe(true);
    expect(await readdir(join(dir, 'packages', '.tmp'))).toEqual(['new.upload']);
  });

  it('moves a quarantined folder back when a row references it, and removes unreferenced ones after the grace period only', async () => {
    // a referenced folder found in an old batch (a restored database), an unreferenced one past grace, one within it
    const oldBatch = join(deps.quarantineRoot, batchName(new Date(Date.now() - 8 * DAY)));
    const newBatch = join(deps.quarantineRoot, batchName(new Date(Date.now() - 1 * DAY)));
    const back = referencedKey(7);
    await rm(join(dir, 'packages', back), { recursive: true });
    for (const [root, key] of [[oldBatch, back], [oldBatch, 'gone.pkg/1.0.0/u'], [newBatch, 'kept.pkg/1.0.0/u']] as const) {
      await mkdir(join(root, key), { recursive: true });
      await writeFile(join(root, key, 'package.nupkg'), `bytes of ${key}`);
    }
    const plan = await planSweep(deps, { olderThanMs: Date.now() });
    expect(plan.quarantined.map((q) => [q.key, q.referenced]).sort()).toEqual([
      ['gone.pkg/1.0.0/u', false],
      ['kept.pkg/1.0.0/u', false],
      [back, true],
    ]);
    const result = await applySweep(deps, plan);
    expect(result.restored).toEqual([back]);
    expect(result.purged).toEqual(['gone.pkg/1.0.0/u']);
    expect(await readFile(join(dir, 'packages', back, 'package.nupkg'), 'utf8')).toBe(`bytes of ${back}`);
    expect(await exists(join(newBatch, 'kept.pkg/1.0.0/u'))).toBe(true);
    expect(await exists(oldBatch)).toBe(false);
  });
});
