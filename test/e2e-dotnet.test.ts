/**
 * End-to-end with the real .NET CLI against a running Galleon (protocol reference §0-§3): `dotnet nuget
 * push` (409 and `--skip-duplicate`), `dotnet pack` + push of a class library with a dependency group,
 * `dotnet restore` of a real dependency graph (xunit and everything it needs, taken from the machine's
 * NuGet package folder) with Galleon as the only source, `dotnet add package` without a version (the
 * registration hive), `dotnet package search`, and `dotnet nuget delete` (unlist) followed by a restore
 * pinned to the unlisted version.
 *
 * Every CLI run is isolated (NuGet.Config with only Galleon, its own global packages folder and HTTP
 * cache): see helpers/dotnet.ts. Skipped, with a warning, where `dotnet` is not on PATH.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NuGetVersion, versionKey } from '../feed/version.ts';
import {
  buildLibraryNupkg,
  createDotnetSandbox,
  dotnetSdkVersion,
  packageReferencesOf,
  parseCliSearchJson,
  runDotnet,
  writeProject,
  type DotnetResult,
  type DotnetSandbox,
} from './helpers/dotnet.ts';
import { backends, pushPackage, startTestServer, TEST_API_KEY, type Backend, type TestServer } from './helpers/server.ts';

const SDK = dotnetSdkVersion();
if (!SDK) console.warn('dotnet is not on PATH: the end-to-end tests with the .NET CLI (test/e2e-dotnet.test.ts) are skipped.');
/** the framework the SDK targets by default, e.g. "net10.0" (what the class library fixture uses too) */
const TFM = SDK ? `net${SDK.split('.')[0]}.0` : 'net8.0';

const CORPUS_NUPKGS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'nupkgs');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'dotnet');
/** a plain library of the corpus, no dependencies */
const CORPUS_PACKAGE = { file: 'microsoft.web.xdt.2.1.1.nupkg', id: 'Microsoft.Web.Xdt', version: '2.1.1' };
/** what `dotnet new xunit` references; the suite restores the ones the machine's package folder holds */
const XUNIT_TEMPLATE_REFERENCES = ['Microsoft.NET.Test.Sdk', 'xunit', 'xunit.runner.visualstudio', 'coverlet.collector'];
/** the xunit family every restore of `xunit` must resolve */
const XUNIT_GRAPH = ['xunit', 'xunit.core', 'xunit.assert', 'xunit.analyzers', 'xunit.abstractions', 'xunit.extensibility.core', 'xunit.extensibility.execution'];

/** One `.nupkg` of the machine's NuGet package folder (`<id-lower>/<version-lower>/<id-lower>.<version-lower>.nupkg`). */
interface LocalPackage {
  lowerId: string;
  /** normalized, lower-case (the folder name) */
  version: string;
  file: string;
}

/**
 * The machine's NuGet package folder holding xunit: GALLEON_TEST_NUGET_FOLDER, /opt/nuget/packages,
 * NUGET_PACKAGES or ~/.nuget/packages, the first that has an `xunit` folder.
 */
function machinePackageFolder(): string | null {
  const candidates = [process.env.GALLEON_TEST_NUGET_FOLDER, '/opt/nuget/packages', process.env.NUGET_PACKAGES, join(homedir(), '.nuget', 'packages')];
  return candidates.find((d): d is string => !!d && existsSync(join(d, 'xunit'))) ?? null;
}

function localPackages(folder: string): LocalPackage[] {
  const found: LocalPackage[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const lowerId = entry.name;
    for (const version of readdirSync(join(folder, lowerId))) {
      const file = join(folder, lowerId, version, `${lowerId}.${version}.nupkg`);
      if (existsSync(file)) found.push({ lowerId, version, file });
    }
  }
  return found;
}

const lowerVersion = (v: string) => versionKey(v);

/** Full suite on the embedded database; on PostgreSQL too (the whole run stays around two minutes). */
describe.skipIf(!SDK)('the .NET CLI against Galleon', () => {
  const folder = machinePackageFolder();
  const local = folder ? localPackages(folder) : [];

  describe.each(backends())('%s database', (backend: Backend) => {
    let server: TestServer;
    let source: string;
    const sandboxes: DotnetSandbox[] = [];
    const localPush = new Map<string, { status: number; text: string }>();
    const timings: string[] = [];

    /** a fresh isolated NuGet world for one test */
    const sandbox = async () => {
      const sb = await createDotnetSandbox(source);
      sandboxes.push(sb);
      return sb;
    };
    /** runs dotnet and remembers how long it took (printed after the suite) */
    const dotnet = async (args: string[], opts: Parameters<typeof runDotnet>[1]): Promise<DotnetResult> => {
      const r = await runDotnet(args, opts);
      timings.push(`${args.filter((a) => /^[a-z][a-z-]*$/.test(a)).slice(0, 2).join(' ')} ${(r.ms / 1000).toFixed(1)}s`);
      return r;
    };
    const push = (sb: DotnetSandbox, files: string[], extra: string[] = []) =>
      dotnet(['nuget', 'push', ...files, '--source', sb.source, '--api-key', TEST_API_KEY, '--configfile', sb.configFile, ...extra], { sandbox: sb });
    const search = (sb: DotnetSandbox, term: string, extra: string[] = [], env?: Record<string, string>) =>
      dotnet(['package', 'search', term, '--source', sb.source, '--configfile', sb.configFile, '--format', 'json', ...extra], { sandbox: sb, env });
    const getJson = async (path: string): Promise<any> => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      return res.json();
    };
    const registrationLeaves = async (lowerId: string): Promise<any[]> =>
      (await getJson(`/v3/registration/${lowerId}/index.json`)).items.flatMap((p: any) => p.items ?? []);

    beforeAll(async () => {
      server = await startTestServer(backend);
      source = `${server.url}/v3/index.json`;
      // the machine's packages go in over plain HTTP: they are the feed the restore tests pull from
      for (const p of local) localPush.set(`${p.lowerId}/${p.version}`, await pushPackage(server.url, readFileSync(p.file)));
    }, 300_000);

    afterAll(async () => {
      console.log(`[${backend}] dotnet ${SDK}: ${timings.join(', ')}`);
      for (const sb of sandboxes) await sb.dispose();
      await server?.dispose();
    });

    it('dotnet nuget push: refuses a wrong key, accepts the package, answers a re-push 409, and --skip-duplicate exits 0', async () => {
      const sb = await sandbox();
      const file = join(CORPUS_NUPKGS, CORPUS_PACKAGE.file);
      const lowerId = CORPUS_PACKAGE.id.toLowerCase();

      const wrongKey = await dotnet(['nuget', 'push', file, '--source', sb.source, '--api-key', 'not-the-key', '--configfile', sb.configFile], { sandbox: sb });
      expect(wrongKey.code, wrongKey.output).not.toBe(0);
      expect(wrongKey.output).toMatch(/403/);
      expect((await fetch(`${server.url}/v3/flatcontainer/${lowerId}/index.json`)).status).toBe(404);

      const first = await push(sb, [file]);
      expect(first.code, first.output).toBe(0);
      expect(first.stdout).toMatch(/Your package was pushed/);

      const again = await push(sb, [file]);
      expect(again.code, again.output).not.toBe(0);
      expect(again.output).toMatch(/409/);
      expect(again.output).toMatch(/already exists/i);
      expect(again.output).toMatch(/--skip-duplicate/);

      const skipped = await push(sb, [file], ['--skip-duplicate']);
      expect(skipped.code, skipped.output).toBe(0);
      expect(skipped.output).toMatch(/already exists/i);

      const dl = await fetch(`${server.url}/v3/flatcontainer/${lowerId}/${CORPUS_PACKAGE.version}/${lowerId}.${CORPUS_PACKAGE.version}.nupkg`);
      expect(dl.status).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    }, 300_000);

    it('dotnet pack of a class library with a PackageReference, pushed with dotnet nuget push, shows up in flat container and registration with its dependency group', async () => {
      expect(localPush.get('newtonsoft.json/13.0.3')?.status, 'Newtonsoft.Json 13.0.3 from the machine package folder must be on the feed').toBe(201);
      const sb = await sandbox();
      const dir = await sb.newDir('classlib');
      for (const name of await readdir(join(FIXTURES, 'classlib'))) await copyFile(join(FIXTURES, 'classlib', name), join(dir, name));
      const out = join(dir, 'out');

      const pack = await dotnet(['pack', '-c', 'Release', '-o', out, '--source', sb.source, '--disable-build-servers'], { sandbox: sb, cwd: dir });
      expect(pack.code, pack.output).toBe(0);
      const nupkg = join(out, 'Galleon.E2E.ClassLib.1.2.3.nupkg');
      expect(existsSync(nupkg), pack.output).toBe(true);

      const pushed = await push(sb, [nupkg]);
      expect(pushed.code, pushed.output).toBe(0);

      const versions = await getJson('/v3/flatcontainer/galleon.e2e.classlib/index.json');
      expect(versions.versions).toEqual(['1.2.3']);
      const dl = await fetch(`${server.url}/v3/flatcontainer/galleon.e2e.classlib/1.2.3/galleon.e2e.classlib.1.2.3.nupkg`);
      expect(dl.status).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer()).equals(readFileSync(nupkg))).toBe(true);
      const nuspec = await (await fetch(`${server.url}/v3/flatcontainer/galleon.e2e.classlib/1.2.3/galleon.e2e.classlib.nuspec`)).text();
      expect(nuspec).toMatch(new RegExp(`<group targetFramework="${TFM.replace('.', '\\.')}">\\s*<dependency id="Newtonsoft.Json" version="13.0.3"`));

      const leaves = await registrationLeaves('galleon.e2e.classlib');
      expect(leaves.map((l) => l.catalogEntry.version)).toEqual(['1.2.3']);
      const entry = leaves[0].catalogEntry;
      expect(entry.id).toBe('Galleon.E2E.ClassLib');
      expect(entry.authors).toBe('Galleon Tests');
      expect(entry.description).toMatch(/tiny class library/);
      expect(entry.listed ?? true).toBe(true);
      expect(entry.dependencyGroups).toHaveLength(1);
      expect([TFM, `.NETCoreApp${TFM.slice(3)}`].map((f) => f.toLowerCase())).toContain(entry.dependencyGroups[0].targetFramework.toLowerCase());
      expect(entry.dependencyGroups[0].dependencies.map((d: any) => [d.id, d.range])).toEqual([['Newtonsoft.Json', '[13.0.3, )']]);
      expect((await fetch(leaves[0].packageContent)).status).toBe(200);

      // a consumer restores it and gets the dependency through the dependency group
      const consumer = await sb.newDir('consumer');
      await writeProject(consumer, 'Consumer', { targetFramework: TFM, references: [{ id: 'Galleon.E2E.ClassLib', version: '1.2.3' }] });
      const restore = await dotnet(['restore', '--source', sb.source, '--no-http-cache'], { sandbox: sb, cwd: consumer });
      expect(restore.code, restore.output).toBe(0);
      expect(existsSync(join(sb.packagesDir, 'galleon.e2e.classlib', '1.2.3', 'galleon.e2e.classlib.1.2.3.nupkg'))).toBe(true);
      expect(existsSync(join(sb.packagesDir, 'newtonsoft.json', '13.0.3', 'newtonsoft.json.13.0.3.nupkg'))).toBe(true);
    }, 400_000);

    it('dotnet restore pulls xunit and its whole dependency graph from Galleon as the only source', async () => {
      expect(folder, 'no NuGet package folder with xunit on this machine (set GALLEON_TEST_NUGET_FOLDER)').not.toBeNull();
      // every package of the machine folder is a valid package: all accepted
      expect([...localPush].filter(([, r]) => r.status !== 201)).toEqual([]);
      const byKey = new Map(local.map((p) => [`${p.lowerId}/${p.version}`, p]));
      const newest = (lowerId: string) =>
        local.filter((p) => p.lowerId === lowerId).sort((a, b) => NuGetVersion.parse(b.version).compareTo(NuGetVersion.parse(a.version)))[0];
      const references = XUNIT_TEMPLATE_REFERENCES.filter((id) => newest(id.toLowerCase())).map((id) => ({ id, version: newest(id.toLowerCase())!.version }));
      console.log(`[${backend}] restoring ${references.map((r) => `${r.id} ${r.version}`).join(', ')} from ${folder}`);

      const sb = await sandbox();
      const dir = await sb.newDir('xunit-tests');
      await writeProject(dir, 'Galleon.E2E.Tests', { targetFramework: TFM, references, properties: { IsPackable: 'false', IsTestProject: 'true' } });
      const restore = await dotnet(['restore', '--source', sb.source, '--no-http-cache'], { sandbox: sb, cwd: dir });
      const missing = [...restore.output.matchAll(/(NU1101|NU1102|NU1103)[^\n]*/g)].map((m) => m[0]);
      expect(missing, restore.output).toEqual([]);
      expect(restore.code, restore.output).toBe(0);
      for (const m of restore.output.matchAll(/warning (NU\d+)[^\n]*/g)) console.log(`[${backend}] restore warning: ${m[0].trim()}`);

      // every package of the resolved graph was downloaded from Galleon, byte-identical to what was pushed
      const assets = JSON.parse(await readFile(join(dir, 'obj', 'project.assets.json'), 'utf8'));
      const resolved = Object.entries(assets.libraries as Record<string, { type: string }>)
        .filter(([, lib]) => lib.type === 'package')
        .map(([key]) => {
          const [id, version] = key.split('/');
          return { lowerId: id.toLowerCase(), version: lowerVersion(version) };
        });
      const resolvedVersion = new Map(resolved.map((r) => [r.lowerId, r.version]));
      for (const id of XUNIT_GRAPH) expect(resolvedVersion.get(id), `${id} resolved`).toBe(newest(id)?.version);
      for (const ref of references) expect(resolvedVersion.get(ref.id.toLowerCase()), ref.id).toBe(ref.version);
      for (const r of resolved) {
        const pushedFrom = byKey.get(`${r.lowerId}/${r.version}`);
        expect(pushedFrom, `${r.lowerId} ${r.version} was resolved but is not in ${folder}`).toBeTruthy();
        const metadata = JSON.parse(await readFile(join(sb.packagesDir, r.lowerId, r.version, '.nupkg.metadata'), 'utf8'));
        expect(metadata.source, `${r.lowerId} ${r.version} source`).toBe(sb.source);
        const installed = readFileSync(join(sb.packagesDir, r.lowerId, r.version, `${r.lowerId}.${r.version}.nupkg`));
        expect(installed.equals(readFileSync(pushedFrom!.file)), `${r.lowerId} ${r.version} bytes`).toBe(true);
      }
      console.log(`[${backend}] restored ${resolved.length} packages: ${resolved.map((r) => `${r.lowerId} ${r.version}`).join(', ')}`);
    }, 400_000);

    it('dotnet add package without a version writes the latest listed stable version (registration hive)', async () => {
      const id = 'Galleon.E2E.Latest';
      for (const v of ['1.0.0', '1.2.0', '1.10.0', '2.0.0-beta.1', '3.0.0']) {
        expect((await pushPackage(server.url, await buildLibraryNupkg({ id, version: v }))).status, v).toBe(201);
      }
      const unlist = await fetch(`${server.url}/api/v2/package/${id}/3.0.0`, { method: 'DELETE', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
      expect(unlist.status).toBe(204);

      const sb = await sandbox();
      const dir = await sb.newDir('add-package');
      const csproj = await writeProject(dir, 'Consumer', { targetFramework: TFM });
      const add = await dotnet(['add', csproj, 'package', id], { sandbox: sb, cwd: dir });
      expect(add.code, add.output).toBe(0);
      // 1.10.0 > 1.2.0 by version precedence; 2.0.0-beta.1 is a prerelease; 3.0.0 is unlisted
      expect(packageReferencesOf(await readFile(csproj, 'utf8')).get(id), add.output).toBe('1.10.0');
      expect(existsSync(join(sb.packagesDir, 'galleon.e2e.latest', '1.10.0', 'galleon.e2e.latest.1.10.0.nupkg')), add.output).toBe(true);
    }, 300_000);

    it('dotnet package search finds a pushed package by a word of its description, and respects --prerelease and --exact-match', async () => {
      const sb = await sandbox();
      const id = 'Galleon.E2E.Searchable';
      const files: string[] = [];
      const dir = await sb.newDir('search-packages');
      for (const v of ['0.9.0', '1.0.0', '1.1.0-rc.1']) {
        const file = join(dir, `${id}.${v}.nupkg`);
        const bytes = await buildLibraryNupkg({ id, version: v, description: 'A periwinkle-coloured widget for the search test.', tags: 'galleon-e2e search' });
        await writeFile(file, bytes);
        files.push(file);
      }
      const pushed = await push(sb, files);
      expect(pushed.code, pushed.output).toBe(0);

      const byWord = await search(sb, 'periwinkle');
      expect(byWord.code, byWord.output).toBe(0);
      const found = parseCliSearchJson(byWord.stdout);
      expect(found.problems).toEqual([]);
      expect(found.packages.map((p) => [p.id, p.latestVersion])).toEqual([[id, '1.0.0']]);

      const pre = parseCliSearchJson((await search(sb, 'periwinkle', ['--prerelease'])).stdout);
      expect(pre.packages.map((p) => [p.id, p.latestVersion])).toEqual([[id, '1.1.0-rc.1']]);

      const exact = parseCliSearchJson((await search(sb, id, ['--exact-match'])).stdout);
      expect(exact.packages.map((p) => p.version)).toEqual(['0.9.0', '1.0.0']);

      const none = await search(sb, 'zzqx-no-such-package-anywhere');
      expect(none.code, none.output).toBe(0);
      expect(parseCliSearchJson(none.stdout).packages).toEqual([]);
    }, 300_000);

    it('dotnet nuget delete unlists: search stops showing the version, a restore pinned to it still succeeds', async () => {
      const id = 'Galleon.E2E.Unlisted';
      const lowerId = id.toLowerCase();
      for (const v of ['1.0.0', '2.0.0']) expect((await pushPackage(server.url, await buildLibraryNupkg({ id, version: v }))).status, v).toBe(201);
      const sb = await sandbox();

      const before = parseCliSearchJson((await search(sb, id)).stdout);
      expect(before.packages.map((p) => [p.id, p.latestVersion])).toEqual([[id, '2.0.0']]);

      const del = await dotnet(['nuget', 'delete', id, '2.0.0', '--non-interactive', '--source', sb.source, '--api-key', TEST_API_KEY], { sandbox: sb });
      expect(del.code, del.output).toBe(0);
      expect(del.stdout).toMatch(/deleted successfully/);

      // a fresh HTTP cache: NuGet keeps search and registration answers 30 minutes on disk (§3)
      const fresh = { NUGET_HTTP_CACHE_PATH: await sb.newDir('http-cache-after-delete') };
      const after = parseCliSearchJson((await search(sb, id, [], fresh)).stdout);
      expect(after.packages.map((p) => [p.id, p.latestVersion])).toEqual([[id, '1.0.0']]);
      const exact = parseCliSearchJson((await search(sb, id, ['--exact-match'], fresh)).stdout);
      expect(exact.packages.map((p) => p.version)).toEqual(['1.0.0']);
      const hits = await getJson(`/v3/search?q=packageid:${id}&prerelease=true&semVerLevel=2.0.0`);
      expect(hits.data.flatMap((d: any) => d.versions.map((v: any) => v.version))).toEqual(['1.0.0']);
      const leaf = (await registrationLeaves(lowerId)).find((l) => l.catalogEntry.version === '2.0.0');
      expect(leaf.catalogEntry.listed).toBe(false);
      expect((await getJson(`/v3/flatcontainer/${lowerId}/index.json`)).versions).toEqual(['1.0.0', '2.0.0']);

      const dir = await sb.newDir('pinned');
      await writeProject(dir, 'Pinned', { targetFramework: TFM, references: [{ id, version: '[2.0.0]' }] });
      const restore = await dotnet(['restore', '--source', sb.source, '--no-http-cache'], { sandbox: sb, cwd: dir });
      expect(restore.code, restore.output).toBe(0);
      const metadata = JSON.parse(await readFile(join(sb.packagesDir, lowerId, '2.0.0', '.nupkg.metadata'), 'utf8'));
      expect(metadata.source).toBe(sb.source);
    }, 300_000);
  });
});
