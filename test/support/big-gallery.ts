/**
 * Test helper: a gallery at the size users reach, for the restart and crash suites (issue 9). Builds
 * thousands of small, distinct nupkgs (a few ids with many versions plus many ids with one), pushes them
 * through a real server with several pushes in flight, and checks afterwards that **every** version is
 * downloadable byte for byte (not a sample), that no version appears that was never pushed, and that a
 * push whose answer was lost is either fully there or fully absent.
 *
 * ```ts
 * const gallery = await buildGallery({ bigIds: 3, versionsPerBigId: 1000, smallIds: 2000 });
 * await gallery.pushAll(child.url, gallery.packages);            // records 'acknowledged' per version
 * await gallery.verify(child.url);                                // throws with the first few failures
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import { makeNupkg, nuspecXml } from './make-nupkg.ts';
import { TEST_API_KEY } from './server.ts';

/** One package of the gallery. */
export interface GalleryPackage {
  id: string;
  version: string;
  bytes: Buffer;
  sha512: string;
}

/** What the gallery knows of a push: answered 201, or sent without an answer (the server died). */
export type PushOutcome = 'acknowledged' | 'unknown';

export interface Gallery {
  /** the packages pushed by `pushAll` at seeding time */
  packages: GalleryPackage[];
  /** outcome per `lower id/version` of every push attempted so far */
  outcomes: Map<string, PushOutcome>;
  /** every package attempted so far, by `lower id/version` */
  attempted: Map<string, GalleryPackage>;
  /**
   * Pushes `pkgs` with `concurrency` in flight; resolves when all are answered, or at the first
   * connection failure of each worker once the server is gone (then the unanswered ones are 'unknown').
   * @throws when the server answers anything but 201
   */
  pushAll(baseUrl: string, pkgs: GalleryPackage[], concurrency?: number): Promise<{ acknowledged: number; unknown: number }>;
  /** makes `count` new packages (new versions of the big ids), for pushes during kills */
  more(count: number): Promise<GalleryPackage[]>;
  /**
   * Downloads every attempted version: acknowledged ones must be there byte for byte, unknown ones there
   * byte for byte or 404, and every big id's flat-container version list must hold exactly the versions
   * that are there.
   * @returns how many versions are present
   * @throws Error listing the first failures
   */
  verify(baseUrl: string): Promise<number>;
}

const keyOf = (p: { id: string; version: string }) => `${p.id.toLowerCase()}/${p.version}`;

async function makePackage(id: string, version: string): Promise<GalleryPackage> {
  const bytes = await makeNupkg({
    nuspec: nuspecXml({ id, version, description: `Package ${id} ${version} of the restart suite.` }),
    entries: [{ name: 'content/payload.bin', data: randomBytes(256 + Math.floor(Math.random() * 1024)), compress: false }],
  });
  return { id, version, bytes, sha512: createHash('sha512').update(bytes).digest('base64') };
}

/** The multipart body `dotnet nuget push` sends. */
function pushBody(bytes: Buffer): FormData {
  const form = new FormData();
  form.append('package', new Blob([bytes as any], { type: 'application/octet-stream' }), 'package.nupkg');
  return form;
}

/**
 * Builds the packages of a gallery of `bigIds × versionsPerBigId + smallIds` versions (ids
 * `Restart.Big<n>` and `Restart.Small<n>`), nothing pushed yet.
 */
export async function buildGallery(opts: { bigIds: number; versionsPerBigId: number; smallIds: number }): Promise<Gallery> {
  const packages: GalleryPackage[] = [];
  for (let b = 0; b < opts.bigIds; b++) {
    for (let v = 0; v < opts.versionsPerBigId; v++) packages.push(await makePackage(`Restart.Big${b}`, `1.${Math.floor(v / 100)}.${v % 100}`));
  }
  for (let s = 0; s < opts.smallIds; s++) packages.push(await makePackage(`Restart.Small${s}`, '1.0.0'));
  // interleave ids, as a real push history would
  for (let i = packages.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [packages[i], packages[j]] = [packages[j], packages[i]];
  }
  const outcomes = new Map<string, PushOutcome>();
  const attempted = new Map<string, GalleryPackage>();
  let extra = 0;

  const gallery: Gallery = {
    packages,
    outcomes,
    attempted,
    async pushAll(baseUrl, pkgs, concurrency = 8) {
      let next = 0;
      let acknowledged = 0;
      let unknown = 0;
      const worker = async () => {
        for (;;) {
          const pkg = pkgs[next++];
          if (!pkg) return;
          attempted.set(keyOf(pkg), pkg);
          let res: Response;
          try {
            res = await fetch(`${baseUrl}/api/v2/package/`, { method: 'PUT', headers: { 'X-NuGet-ApiKey': TEST_API_KEY }, body: pushBody(pkg.bytes) });
          } catch {
            outcomes.set(keyOf(pkg), 'unknown');
            unknown++;
            // the server is gone: every later package of this worker stays unattempted
            return;
          }
          const text = await res.text().catch(() => null);
          if (text === null) {
            outcomes.set(keyOf(pkg), 'unknown');
            unknown++;
            return;
          }
          if (res.status !== 201) throw new Error(`push of ${keyOf(pkg)} answered ${res.status}: ${text}`);
          outcomes.set(keyOf(pkg), 'acknowledged');
          acknowledged++;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { acknowledged, unknown };
    },
    async more(count) {
      const out: GalleryPackage[] = [];
      for (let i = 0; i < count; i++, extra++) out.push(await makePackage(`Restart.Big${extra % Math.max(1, opts.bigIds)}`, `9.${Math.floor(extra / 100)}.${extra % 100}`));
      return out;
    },
    async verify(baseUrl) {
      const failures: string[] = [];
      const present = new Map<string, Set<string>>();
      const limit = pLimit(32);
      const agent = new Agent({ connections: 32 });
      await Promise.all(
        [...attempted.values()].map((pkg) =>
          limit(async () => {
            const lower = pkg.id.toLowerCase();
            const res = await request(`${baseUrl}/v3/flatcontainer/${lower}/${pkg.version}/${lower}.${pkg.version}.nupkg`, { dispatcher: agent });
            const bytes = Buffer.from(await res.body.arrayBuffer());
            const outcome = outcomes.get(keyOf(pkg));
            const status = res.statusCode;
            const intact = status === 200 && createHash('sha512').update(bytes).digest('base64') === pkg.sha512;
            if (intact) {
              if (!present.has(lower)) present.set(lower, new Set());
              present.get(lower)!.add(pkg.version);
            }
            if (outcome === 'acknowledged' && !intact) failures.push(`${keyOf(pkg)} (acknowledged): ${status}, ${bytes.length} bytes`);
            if (outcome !== 'acknowledged' && !intact && status !== 404) failures.push(`${keyOf(pkg)} (${outcome}): ${status}, neither intact nor absent`);
          }),
        ),
      );
      await agent.close();
      // the version lists show exactly what is downloadable: nothing unpushed, nothing half there
      const bigIds = [...new Set([...attempted.values()].filter((p) => p.id.startsWith('Restart.Big')).map((p) => p.id.toLowerCase()))];
      for (const lower of bigIds) {
        const res = await fetch(`${baseUrl}/v3/flatcontainer/${lower}/index.json`);
        const listed = new Set<string>(res.status === 200 ? ((await res.json()) as { versions: string[] }).versions : []);
        const expected = present.get(lower) ?? new Set<string>();
        const extraListed = [...listed].filter((v) => !expected.has(v));
        const missing = [...expected].filter((v) => !listed.has(v));
        if (extraListed.length || missing.length) failures.push(`${lower} version list: ${extraListed.length} listed but not downloadable (${extraListed.slice(0, 3)}), ${missing.length} downloadable but not listed (${missing.slice(0, 3)})`);
      }
      if (failures.length) throw new Error(`${failures.length} versions failed the check:\n${failures.slice(0, 20).join('\n')}`);
      return [...present.values()].reduce((n, s) => n + s.size, 0);
    },
  };
  return gallery;
}
