/**
 * Concurrency (issue 4): many pushes of one identity race to exactly one winner; hundreds of pushes
 * of distinct versions all land; and readers running during the pushes never see a version listed
 * (flat container or registration) whose nupkg cannot be downloaded. Runs on every backend of
 * `backends()`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageRepository } from '../../db/packages.ts';
import { FsBlobStore } from '../../server/storage/fs.ts';
import { packagesDir } from '../../server/config.ts';
import { makeNupkg, nuspecXml } from '../support/make-nupkg.ts';
import { backends, pushPackage, startTestServer, type TestServer } from '../support/server.ts';

/** Versions listed by the flat container (§3), [] while the id is unknown. */
async function flatVersions(base: string, lowerId: string): Promise<string[]> {
  const res = await fetch(`${base}/v3/flatcontainer/${lowerId}/index.json`);
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  return ((await res.json()) as { versions: string[] }).versions;
}

/** What one look at the registration (§4) found: version → packageContent URL, and linked pages that failed. */
interface RegistrationView {
  leaves: Map<string, string>;
  /** linked page URLs that did not answer 200 */
  brokenPages: string[];
}

/** Reads the registration index and every page it links (§4.1, §4.3). */
async function registrationView(base: string, lowerId: string): Promise<RegistrationView> {
  const leaves = new Map<string, string>();
  const brokenPages: string[] = [];
  const res = await fetch(`${base}/v3/registration/${lowerId}/index.json`);
  if (res.status === 404) return { leaves, brokenPages };
  expect(res.status).toBe(200);
  const index = (await res.json()) as any;
  for (const page of index.items) {
    let items = page.items;
    if (!items) {
      const p = await fetch(page['@id']);
      if (p.status !== 200) {
        await p.arrayBuffer();
        brokenPages.push(`${page['@id']} answered ${p.status}`);
        continue;
      }
      items = ((await p.json()) as any).items;
    }
    for (const leaf of items) leaves.set(leaf.catalogEntry.version.toLowerCase(), leaf.packageContent);
  }
  return { leaves, brokenPages };
}

/**
 * Reads the flat container and the registration; every version seen listed for the first time must
 * download with 200 at once (versions are immutable, so later looks need not download it again).
 */
class Reader {
  /** listed versions whose nupkg did not download */
  readonly undownloadable: string[] = [];
  /** registration pages linked from an index that did not answer 200 */
  readonly brokenPages: string[] = [];
  /** views that showed some but not all of the versions being pushed */
  partialViews = 0;
  private readonly verified = new Set<string>();

  constructor(
    private readonly base: string,
    private readonly lowerId: string,
    private readonly total: number,
  ) {}

  /** one look at the flat container and the registration */
  async look(): Promise<{ flat: string[]; leaves: Map<string, string> }> {
    const { base, lowerId } = this;
    const flat = await flatVersions(base, lowerId);
    await Promise.all(flat.map((v) => this.check(v, `${base}/v3/flatcontainer/${lowerId}/${v}/${lowerId}.${v}.nupkg`, 'flat container')));
    const { leaves, brokenPages } = await registrationView(base, lowerId);
    this.brokenPages.push(...brokenPages);
    await Promise.all([...leaves].map(([v, url]) => this.check(v, url, 'registration')));
    if ((flat.length > 0 && flat.length < this.total) || (leaves.size > 0 && leaves.size < this.total)) this.partialViews++;
    return { flat, leaves };
  }

  /** looks again and again until `done()` */
  async loop(done: () => boolean): Promise<void> {
    while (!done()) await this.look();
  }

  private async check(version: string, url: string, where: string): Promise<void> {
    const key = `${where} ${version}`;
    if (this.verified.has(key)) return;
    this.verified.add(key);
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) this.undownloadable.push(`${key} listed but ${url} answered ${res.status}`);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

describe.each(backends())('concurrent pushes (%s database)', (backend) => {
  let s: TestServer;
  let repo: PackageRepository;
  let blobs: FsBlobStore;

  beforeAll(async () => {
    s = await startTestServer(backend);
    repo = new PackageRepository(s.db.db);
    blobs = new FsBlobStore(packagesDir(s.config));
  });
  afterAll(async () => s?.dispose());

  /** every blob folder on disk belongs to a row and every row has its folder; no temp file */
  async function expectStoreMatchesRows(): Promise<void> {
    const onDisk = (await blobs.listKeys()).sort();
    const referenced = [...(await repo.allBlobKeys())].sort();
    expect(onDisk).toEqual(referenced);
    expect(await filesUnder(join(packagesDir(s.config), '.tmp'))).toEqual([]);
  }

  it('gives exactly one 201 and 99 409s to 100 concurrent pushes of one identity, and keeps the winner intact', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        makeNupkg({ nuspec: nuspecXml({ id: 'Race.Same', version: '1.0.0' }), entries: [{ name: 'content/which.txt', data: `contender ${i}` }] }),
      ),
    );
    let finished = false;
    const reader = new Reader(s.url, 'race.same', 1);
    const reading = reader.loop(() => finished);
    const results = await Promise.all(bodies.map((b) => pushPackage(s.url, b))).finally(() => {
      finished = true;
    });
    await reading;

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(99);
    for (const r of results.filter((x) => x.status === 409)) expect(r.text).toMatch(/already exists/);
    const winner = bodies[statuses.indexOf(201)];
    const download = await fetch(`${s.url}/v3/flatcontainer/race.same/1.0.0/race.same.1.0.0.nupkg`);
    expect(Buffer.from(await download.arrayBuffer()).equals(winner)).toBe(true);
    expect(await flatVersions(s.url, 'race.same')).toEqual(['1.0.0']);
    expect(reader.undownloadable).toEqual([]);
    expect((await blobs.listKeys()).filter((k) => k.startsWith('race.same/'))).toHaveLength(1);
    await expectStoreMatchesRows();
  });

  describe('500 concurrent pushes of distinct versions of one id', () => {
    const versions = Array.from({ length: 500 }, (_, i) => `${1 + (i % 5)}.${Math.floor(i / 5)}.0${i % 3 === 0 ? `-beta.${i}` : ''}`);
    const bodies = new Map<string, Buffer>();
    let results: { status: number; text: string }[];
    let readers: Reader[];
    let observer: Reader;
    /** "<version> flat container|registration" for each acknowledged version missing from a look taken right after its 201 */
    const unseen: string[] = [];

    beforeAll(async () => {
      for (const v of versions) {
        bodies.set(v, await makeNupkg({ nuspec: nuspecXml({ id: 'Race.Many', version: v }), entries: [{ name: 'content/v.txt', data: v }] }));
      }
      let finished = false;
      readers = [new Reader(s.url, 'race.many', 500), new Reader(s.url, 'race.many', 500)];
      const reading = readers.map((r) => r.loop(() => finished));
      // read-your-writes: right after every 10th 201 the version must be listed in both documents
      observer = new Reader(s.url, 'race.many', 500);
      results = await Promise.all(
        versions.map(async (v, i) => {
          const r = await pushPackage(s.url, bodies.get(v)!);
          if (r.status === 201 && i % 10 === 0) {
            const { flat, leaves } = await observer.look();
            if (!flat.includes(v.toLowerCase())) unseen.push(`${v} flat container`);
            if (!leaves.has(v.toLowerCase())) unseen.push(`${v} registration`);
          }
          return r;
        }),
      ).finally(() => {
        finished = true;
      });
      await Promise.all(reading);
    }, 240_000);

    it('acknowledges every push with 201 and then lists and serves every version byte-identical', async () => {
      expect(results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text}`)).toEqual([]);
      const expected = versions.map((v) => v.toLowerCase()).sort();
      expect((await flatVersions(s.url, 'race.many')).sort()).toEqual(expected);
      const { leaves, brokenPages } = await registrationView(s.url, 'race.many');
      expect(brokenPages).toEqual([]);
      expect([...leaves.keys()].sort()).toEqual(expected);
      for (const [v, url] of leaves) {
        const res = await fetch(url);
        expect(res.status, url).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(bodies.get(versions.find((x) => x.toLowerCase() === v)!)!), v).toBe(true);
      }
      await expectStoreMatchesRows();
    });

    it('never lists a version (flat container or registration) whose nupkg cannot be downloaded, while the pushes run', () => {
      for (const r of [...readers, observer]) expect(r.undownloadable).toEqual([]);
      // the readers really watched the id fill up, not only the end state
      expect(readers.reduce((n, r) => n + r.partialViews, observer.partialViews)).toBeGreaterThan(0);
    });

    it('lists every acknowledged version in the flat container right after its 201', () => {
      expect(unseen.filter((u) => u.endsWith('flat container'))).toEqual([]);
    });

    it('keeps every registration page linked from an index answering 200 while pushes re-cut the pages', () => {
      expect([...readers, observer].flatMap((r) => r.brokenPages).slice(0, 5)).toEqual([]);
      expect(unseen.filter((u) => u.endsWith('registration'))).toEqual([]);
    });
  });
});
