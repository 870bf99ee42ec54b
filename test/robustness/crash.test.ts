/**
 * Crash safety (issue 4): `galleon serve` runs in a child process on a fixed data folder and database
 * and is SIGKILLed at random moments while a stream of pushes is running, then restarted. Every push
 * that was acknowledged with 201 must be intact (listed in the flat container, the registration, the
 * dependency-only hive and search; nupkg byte-identical, nuspec served); a push whose answer was lost may have committed or not, but never
 * partially: it is either fully there or fully absent. Start-up removes temp files and moves blob folders
 * without a row to the quarantine. Runs on every backend of `backends()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { PackageRepository } from '../../db/packages.ts';
import { FsBlobStore } from '../../server/storage/fs.ts';
import { startChildServer, type ChildServer } from '../support/crash-child.ts';
import { makeNupkg, nuspecXml } from '../support/make-nupkg.ts';
import { backends, createTestDatabase, pushPackage } from '../support/server.ts';

const ID = 'Crash.Package';
const LOWER = ID.toLowerCase();
const KILLS = 3;
/** one process per data folder here: the sweep may look at everything older than the start */
const SWEEP_NOW = { GALLEON_SWEEP_MIN_AGE_MINUTES: '0' };
const WORKERS = 4;

type Outcome = 'acknowledged' | 'unknown';

/** Leaf versions of a registration-shaped index (full or dependency-only hive), linked pages followed. */
async function leafVersions(indexUrl: string): Promise<Set<string>> {
  const versions = new Set<string>();
  const res = await fetch(indexUrl);
  if (res.status === 404) return versions;
  expect(res.status, indexUrl).toBe(200);
  for (const page of ((await res.json()) as any).items) {
    let items = page.items;
    if (!items) {
      const p = await fetch(page['@id']);
      expect(p.status, page['@id']).toBe(200);
      items = ((await p.json()) as any).items;
    }
    for (const leaf of items) versions.add(leaf.catalogEntry.version.toLowerCase());
  }
  return versions;
}

/** What every document shows for one id: flat container, registration, dependency-only hive and search. */
async function listings(base: string): Promise<Record<'flat' | 'registration' | 'dependencies' | 'search', Set<string>>> {
  const flatRes = await fetch(`${base}/v3/flatcontainer/${LOWER}/index.json`);
  const flat = new Set<string>(flatRes.status === 404 ? [] : ((await flatRes.json()) as any).versions);
  const registration = await leafVersions(`${base}/v3/registration/${LOWER}/index.json`);
  const dependencies = await leafVersions(`${base}/v3/dependencies/${LOWER}/index.json`);
  const searchRes = await fetch(`${base}/v3/search?q=packageid:${LOWER}&prerelease=true&semVerLevel=2.0.0`);
  expect(searchRes.status).toBe(200);
  const hit = ((await searchRes.json()) as any).data[0];
  const search = new Set<string>(hit ? hit.versions.map((v: any) => String(v.version).toLowerCase()) : []);
  return { flat, registration, dependencies, search };
}

async function download(base: string, version: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${base}/v3/flatcontainer/${LOWER}/${version}/${LOWER}.${version}.nupkg`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe.each(backends())('crash safety (%s database)', (backend) => {
  let dataDir: string;
  let databaseUrl: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  let child: ChildServer | null = null;
  const packages: { version: string; bytes: Buffer }[] = [];
  const outcomes = new Map<string, Outcome>();
  let next = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'galleon-crash-'));
    if (backend === 'postgres') {
      const db = await createTestDatabase();
      databaseUrl = db.url;
      dropDatabase = db.drop;
    }
    // incompressible payloads of 16–96 KiB, so that a kill often lands in the middle of an upload
    for (let i = 0; i < 800; i++) {
      const version = `1.${Math.floor(i / 100)}.${i % 100}`;
      const bytes = await makeNupkg({
        nuspec: nuspecXml({ id: ID, version }),
        entries: [{ name: 'content/payload.bin', data: randomBytes(16 * 1024 + Math.floor(Math.random() * 80 * 1024)), compress: false }],
      });
      packages.push({ version, bytes });
    }
  }, 120_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    if (child) await child.exited;
    if (dropDatabase) await dropDatabase();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * pushes from WORKERS loops until the server dies; records each attempt's outcome. When this round's
   * share of the prepared packages (`until`, an index) is used up before the timer fires (a fast
   * machine), the kill comes then, with the other workers' pushes still in flight.
   */
  async function pushUntilKilled(server: ChildServer, until: number): Promise<void> {
    const workers = Array.from({ length: WORKERS }, async () => {
      for (;;) {
        if (next >= until) {
          server.kill('SIGKILL');
          return;
        }
        const pkg = packages[next++]!;
        try {
          const res = await pushPackage(server.url, pkg.bytes);
          // any answer is the server's last word: only 201 may leave the version behind
          expect(res.status, res.text).toBe(201);
          outcomes.set(pkg.version, 'acknowledged');
        } catch (err) {
          if ((err as Error).name === 'AssertionError') throw err;
          outcomes.set(pkg.version, 'unknown');
          return;
        }
      }
    });
    await Promise.all(workers);
  }

  /** every acknowledged push intact; every unacknowledged one fully there or fully absent; nothing else */
  async function verify(base: string): Promise<{ committedWithoutAnswer: number }> {
    const docs = await listings(base);
    const { flat, registration } = docs;
    let committedWithoutAnswer = 0;
    for (const pkg of packages.slice(0, next)) {
      const outcome = outcomes.get(pkg.version);
      const got = await download(base, pkg.version);
      const nuspec = await fetch(`${base}/v3/flatcontainer/${LOWER}/${pkg.version}/${LOWER}.nuspec`);
      const nuspecText = await nuspec.text();
      const shown = Object.entries(docs).map(([doc, versions]) => `${doc}=${versions.has(pkg.version)}`);
      const state = `${pkg.version} (${outcome}): ${shown.join(' ')} download=${got.status} nuspec=${nuspec.status}`;
      const inEvery = Object.values(docs).every((versions) => versions.has(pkg.version));
      const inNone = Object.values(docs).every((versions) => !versions.has(pkg.version));
      const fullyThere = inEvery && got.status === 200 && got.bytes.equals(pkg.bytes) && nuspec.status === 200 && nuspecText.includes(`<version>${pkg.version}</version>`);
      const fullyAbsent = inNone && got.status === 404 && nuspec.status === 404;
      if (outcome === 'acknowledged') expect(fullyThere, state).toBe(true);
      else {
        expect(fullyThere || fullyAbsent, state).toBe(true);
        if (fullyThere) committedWithoutAnswer++;
        const leaf = await fetch(`${base}/v3/registration/${LOWER}/${pkg.version}.json`);
        await leaf.arrayBuffer();
        expect(leaf.status, state).toBe(fullyThere ? 200 : 404);
      }
    }
    const attempted = new Set(packages.slice(0, next).map((p) => p.version));
    expect([...flat].filter((v) => !attempted.has(v))).toEqual([]);
    expect([...registration].filter((v) => !attempted.has(v))).toEqual([]);
    expect([...docs.dependencies, ...docs.search].filter((v) => !attempted.has(v))).toEqual([]);
    return { committedWithoutAnswer };
  }

  it(`keeps every acknowledged push intact and no partial push visible across ${KILLS} SIGKILLs, and start-up removes leftovers`, async () => {
    const blobRoot = join(dataDir, 'packages');
    for (let kill = 0; kill < KILLS; kill++) {
      child = await startChildServer({ dataDir, databaseUrl, env: SWEEP_NOW });
      if (kill > 0) await verify(child.url);
      const server = child;
      const delay = 300 + Math.floor(Math.random() * 1200);
      const timer = setTimeout(() => server.kill('SIGKILL'), delay);
      await pushUntilKilled(server, Math.floor((packages.length * (kill + 1)) / KILLS));
      clearTimeout(timer);
      server.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      child = null;
    }
    const acknowledged = [...outcomes.values()].filter((o) => o === 'acknowledged').length;
    expect(acknowledged).toBeGreaterThan(0);

    // what a crash between "files stored" and "row committed" leaves, planted so the clean-up is always exercised
    const orphanDir = join(blobRoot, LOWER, '9.9.9', '00000000-0000-4000-8000-000000000000');
    await mkdir(orphanDir, { recursive: true });
    await writeFile(join(orphanDir, 'package.nupkg'), 'orphan');
    await mkdir(join(blobRoot, '.tmp'), { recursive: true });
    await writeFile(join(blobRoot, '.tmp', 'interrupted.upload'), 'half an upload');

    child = await startChildServer({ dataDir, databaseUrl, env: SWEEP_NOW });
    const sweep = await child.waitForLog('start-up sweep done');
    const { committedWithoutAnswer } = await verify(child.url);
    expect(await readdir(join(blobRoot, '.tmp'))).toEqual([]);
    // the orphan went to the quarantine, not away (server/sweep.ts)
    expect(await readdir(join(blobRoot, LOWER, '9.9.9')).catch(() => [])).toEqual([]);
    expect(sweep.refused).toBe(false);
    const batches = (await readdir(join(dataDir, 'quarantine'))).filter((n) => n !== 'README.txt');
    const quarantined = await Promise.all(batches.map((b) => readdir(join(dataDir, 'quarantine', b, LOWER, '9.9.9')).catch(() => [] as string[])));
    expect(quarantined.flat()).toContain('00000000-0000-4000-8000-000000000000');
    console.info(
      `crash safety (${backend}): ${next} pushes attempted, ${acknowledged} acknowledged, ${next - acknowledged} unanswered of which ${committedWithoutAnswer} had committed`,
    );

    // after a clean stop, the blob folders on disk are exactly the ones the rows reference
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    child = null;
    const db = await openDatabase({ databaseUrl, embeddedDir: databaseUrl ? null : join(dataDir, 'db') });
    try {
      const referenced = [...(await new PackageRepository(db.db).allBlobKeys())].sort();
      const onDisk = (await new FsBlobStore(blobRoot).listKeys()).sort();
      expect(onDisk).toEqual(referenced);
      expect(referenced.length).toBeGreaterThanOrEqual(acknowledged);
    } finally {
      await db.close();
    }
  }, 180_000);
});
