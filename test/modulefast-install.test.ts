/**
 * MODULEFAST.md §2e (install behaviour) and the lockfile rows as tests: `galleon install` (through
 * `runClientCommand`, the function `bin/galleon.js install` runs) against a real Galleon seeded with the
 * fixtures those rows name, over the full hive (`/v3/index.json`) and the dependency-only hive
 * (`/v3/dependencies/index.json`). Every test gets its own destination, working directory and
 * PSModulePath. The Az 12.0.0 tree (90 packages) is planned and installed end to end.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModuleManifest } from '../feed/psd1/index.ts';
import { runClientCommand } from '../client/cli.ts';
import { MODULEFAST_GENERATED_MODULES, PRERELEASE_TEST_GUID, modulefastFixtureSelection } from './fixtures/generated-modules.ts';
import { buildFixtureSet, buildGeneratedModule, seedGallery } from './fixtures/psgallery.ts';
import { startBasicAuthProxy, type BasicAuthProxy } from './helpers/basic-auth-proxy.ts';
import { TEST_API_KEY, pushPackage, startTestServer, type TestServer } from './helpers/server.ts';

const REQUIRES = join(import.meta.dirname, 'fixtures', 'requires');

let server: TestServer;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'galleon-mf-install-'));
  server = await startTestServer('embedded');
  const packages = await buildFixtureSet(modulefastFixtureSelection());
  // PSDepend.psd1 (test/fixtures/requires) also pins PSReadLine 2.4.0-beta0, which the data does not have
  packages.push(await buildGeneratedModule({ name: 'PSReadLine', moduleVersion: '2.4.0', prerelease: 'beta0', note: 'PSDepend.psd1 pins 2.4.0-beta0' }));
  await seedGallery(server.url, TEST_API_KEY, packages, { concurrency: 4 });
});

afterAll(async () => {
  await server?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const HIVES = [
  { hive: 'full', path: '/v3/index.json', userAgent: 'galleon-tests (full hive)' as string | undefined },
  { hive: 'dependency-only', path: '/v3/dependencies/index.json', userAgent: undefined as string | undefined },
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let counter = 0;

describe.each(HIVES)('MODULEFAST.md §2e install rows on the $hive hive', ({ hive, path, userAgent }) => {
  /** A fresh destination, working directory and "other" module path for one test. */
  const fresh = async () => {
    const root = join(scratch, `${hive}-${++counter}`);
    const ctx = { root, dest: join(root, 'dest'), cwd: join(root, 'cwd'), other: join(root, 'other') };
    await mkdir(ctx.cwd, { recursive: true });
    return ctx;
  };
  type Ctx = Awaited<ReturnType<typeof fresh>>;

  /** `galleon install <args>` with this hive's source and the context's destination. */
  const install = async (ctx: Ctx, args: string[], opts: { psModulePath?: string[]; destination?: boolean } = {}): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const full = [...args, '--source', `${server.url}${path}`];
    if (userAgent) full.push('--user-agent', userAgent);
    if (opts.destination !== false) full.push('--destination', ctx.dest);
    const code = await runClientCommand('install', full, {
      stdout: { write: (c: string) => (out.push(c), true) },
      stderr: { write: (c: string) => (err.push(c), true), isTTY: false },
      env: { PSModulePath: (opts.psModulePath ?? []).join(':'), HOME: ctx.root },
      cwd: ctx.cwd,
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const ok = async (ctx: Ctx, args: string[], opts?: Parameters<typeof install>[2]) => {
    const r = await install(ctx, args, opts);
    expect(r.code, `galleon install ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r;
  };
  const planJson = async (ctx: Ctx, args: string[], opts?: Parameters<typeof install>[2]) =>
    JSON.parse((await ok(ctx, [...args, '--plan', '--json'], opts)).stdout) as { name: string; version: string; source: string }[];
  const passthru = async (ctx: Ctx, args: string[], opts?: Parameters<typeof install>[2]) =>
    JSON.parse((await ok(ctx, [...args, '--passthru', '--json'], opts)).stdout) as { name: string; version: string; path: string }[];
  const folders = async (dir: string, name: string) => (existsSync(join(dir, name)) ? (await readdir(join(dir, name))).sort() : []);
  const manifestOf = async (dir: string) => {
    const file = (await readdir(dir)).find((f) => f.toLowerCase().endsWith('.psd1'))!;
    return readModuleManifest(await readFile(join(dir, file)));
  };
  const cmpVersion = (a: string, b: string) => {
    const pa = a.split(/[.-]/).map(Number);
    const pb = b.split(/[.-]/).map(Number);
    for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  };

  it('install Az.Accounts → <dest>/Az.Accounts/<ver>/Az.Accounts.psd1', async () => {
    const ctx = await fresh();
    await ok(ctx, ['Az.Accounts']);
    const [v] = await folders(ctx.dest, 'Az.Accounts');
    expect(existsSync(join(ctx.dest, 'Az.Accounts', v!, 'Az.Accounts.psd1'))).toBe(true);
    expect((await readdir(join(ctx.dest, 'Az.Accounts', v!))).some((f) => f.endsWith('.nuspec') || f === '_rels' || f === 'package' || f === '[Content_Types].xml')).toBe(false);
  });

  it('VMware.VimAutomation.Common=13.2.0.22643733 → 2 modules, each folder named as its manifest ModuleVersion', async () => {
    const ctx = await fresh();
    const done = await passthru(ctx, ['VMware.VimAutomation.Common=13.2.0.22643733']);
    expect(done.map((d) => d.name).sort()).toEqual(['VMware.VimAutomation.Common', 'VMware.VimAutomation.Sdk']);
    for (const d of done) expect(d.path.split('/').at(-1)).toBe((await manifestOf(d.path)).moduleVersion);
  });

  it('xDSCResourceDesigner=1.13.0.0 → folder 1.13.0.0', async () => {
    const ctx = await fresh();
    await ok(ctx, ['xDSCResourceDesigner=1.13.0.0']);
    expect(await folders(ctx.dest, 'xDSCResourceDesigner')).toEqual(['1.13.0.0']);
  });

  it('ConnectWiseManageApi=0.4.15.0 → folder 0.4.15.0', async () => {
    const ctx = await fresh();
    await ok(ctx, ['ConnectWiseManageApi=0.4.15.0']);
    expect(await folders(ctx.dest, 'ConnectWiseManageAPI')).toEqual(['0.4.15.0']);
  });

  it('{Az.Accounts, RequiredVersion 2.7.4} → 2.7.4; then the latest as well → both side by side', async () => {
    const ctx = await fresh();
    await ok(ctx, ["@{ModuleName='Az.Accounts'; RequiredVersion='2.7.4'}"]);
    expect(await folders(ctx.dest, 'Az.Accounts')).toEqual(['2.7.4']);
    await ok(ctx, ['Az.Accounts', '--update']);
    expect(await folders(ctx.dest, 'Az.Accounts')).toHaveLength(2);
  });

  it('latest Az.Accounts, then RequiredVersion 2.7.4 → 2 installed', async () => {
    const ctx = await fresh();
    await ok(ctx, ['Az.Accounts']);
    await ok(ctx, ["@{ModuleName='Az.Accounts'; RequiredVersion='2.7.4'}"]);
    const got = await folders(ctx.dest, 'Az.Accounts');
    expect(got).toHaveLength(2);
    expect(got).toContain('2.7.4');
  });

  it('latest Az.Accounts, then MaximumVersion 2.7.3 → 2.7.3 also installed', async () => {
    const ctx = await fresh();
    await ok(ctx, ['Az.Accounts']);
    await ok(ctx, ["@{ModuleName='Az.Accounts'; MaximumVersion='2.7.3'}"]);
    expect(await folders(ctx.dest, 'Az.Accounts')).toContain('2.7.3');
  });

  it('Az.Accounts --update twice → the second run finds the best remote candidate installed and installs nothing', async () => {
    const ctx = await fresh();
    expect(await passthru(ctx, ['Az.Accounts', '--update'])).toHaveLength(1);
    const second = await ok(ctx, ['Az.Accounts', '--update', '--verbose', '--passthru', '--json']);
    expect(second.stderr).toContain('best remote candidate matches what is locally installed');
    expect(JSON.parse(second.stdout)).toEqual([]);
  });

  it("'Az.Compute','Az.CosmosDB' --update twice → the second plan is empty", async () => {
    const ctx = await fresh();
    await ok(ctx, ['Az.Compute', 'Az.CosmosDB', '--update']);
    expect(await planJson(ctx, ['Az.Compute', 'Az.CosmosDB', '--update'])).toEqual([]);
  });

  it('Plaster=1.1.1, Plaster=1.1.3, then Plaster --update → installs a version above 1.1.3', async () => {
    const ctx = await fresh();
    await ok(ctx, ['Plaster=1.1.1']);
    await ok(ctx, ['Plaster=1.1.3']);
    const [p] = await passthru(ctx, ['Plaster', '--update']);
    expect(cmpVersion(p!.version, '1.1.3')).toBeGreaterThan(0);
    expect(await folders(ctx.dest, 'Plaster')).toHaveLength(3);
  });

  it('Az.Accounts 2.10.2 + Az.Compute 5.0.0 installed: Az.Compute Az.Accounts installs nothing; Az.Compute --update updates both', async () => {
    const ctx = await fresh();
    await ok(ctx, ['Az.Accounts=2.10.2', 'Az.Compute=5.0.0']);
    expect(await passthru(ctx, ['Az.Compute', 'Az.Accounts'])).toEqual([]);
    const updated = await passthru(ctx, ['Az.Compute', '--update']);
    const by = Object.fromEntries(updated.map((u) => [u.name, u.version]));
    expect(cmpVersion(by['Az.Accounts']!, '2.10.2')).toBeGreaterThan(0);
    expect(cmpVersion(by['Az.Compute']!, '5.0.0')).toBeGreaterThan(0);
  });

  it('a module installed in another PSModulePath entry → the second install returns nothing; with --destination-only 1 then 0', async () => {
    const ctx = await fresh();
    const otherCtx = { ...ctx, dest: ctx.other };
    expect(await passthru(otherCtx, ['PrereleaseTest'])).toHaveLength(1);
    expect(await passthru(ctx, ['PrereleaseTest'], { psModulePath: [ctx.other] })).toEqual([]);
    expect(await passthru(ctx, ['PrereleaseTest', '--destination-only'], { psModulePath: [ctx.other] })).toHaveLength(1);
    expect(await passthru(ctx, ['PrereleaseTest', '--destination-only'], { psModulePath: [ctx.other] })).toEqual([]);
  });

  it('Az.Compute --destination-only on an empty destination → 2 installed', async () => {
    const ctx = await fresh();
    expect(await passthru(ctx, ['Az.Compute', '--destination-only'])).toHaveLength(2);
  });

  it('PrereleaseTest=0.0.1 installed, then =0.0.1-prerelease → "is newer than the requested prerelease version"', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1']);
    const r = await install(ctx, ['PrereleaseTest=0.0.1-prerelease']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is newer than the requested prerelease version');
    expect((await manifestOf(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).prerelease).toBeNull();
  });

  it('0.0.1-prerelease installed, then 0.0.1 → "is newer than existing prerelease version", overwritten', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1-prerelease']);
    const r = await ok(ctx, ['PrereleaseTest=0.0.1']);
    expect(r.stderr).toContain('is newer than existing prerelease version');
    expect((await manifestOf(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).prerelease).toBeNull();
  });

  it('0.0.1-aprerelease installed, then 0.0.1-bprerelease → same warning, overwritten', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1-aprerelease']);
    const r = await ok(ctx, ['PrereleaseTest=0.0.1-bprerelease']);
    expect(r.stderr).toContain('is newer than existing prerelease version');
    expect((await manifestOf(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).prerelease).toBe('bprerelease');
  });

  it('0.0.1-prerelease installed, then the same again --plan → empty', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1-prerelease']);
    expect(await planJson(ctx, ['PrereleaseTest=0.0.1-prerelease'])).toEqual([]);
  });

  it.each([
    'ModuleFast.requires.psd1',
    'ModuleFast.requires.json',
    'ModuleFastArray.requires.json',
    'RequiresScript.ps1',
    'RequiresModule.psm1',
    'Dynamic.psd1',
    'ModuleBuilder-RequiredModules.psd1',
    'PSDepend.psd1',
  ])('--path %s → a non-empty plan', async (file) => {
    const ctx = await fresh();
    expect((await planJson(ctx, ['--path', join(REQUIRES, file)])).length).toBeGreaterThan(0);
  });

  it.each([
    ['PSDepend-NotSupported.psd1', 'DependencyType'],
    ['NoRequires.ps1', 'The script does not have a #Requires'],
    ['ManifestNoRequiredModules.psd1', 'The manifest does not have a RequiredModules key'],
  ])('--path %s → an error mentioning "%s"', async (file, text) => {
    const ctx = await fresh();
    const r = await install(ctx, ['--path', join(REQUIRES, file), '--plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(text);
  });

  it("manifest RequiredModules 'PreReleaseTest' + {Az.Accounts, ModuleVersion 2.7.0} → a plan of 2", async () => {
    const ctx = await fresh();
    expect((await planJson(ctx, ['--path', join(REQUIRES, 'ManifestRequiredModules.psd1')])).map((e) => e.name)).toEqual(['Az.Accounts', 'PrereleaseTest']);
  });

  it('#requires with the PrereleaseTest GUID → installs 0.0.1 (GUID checked after install)', async () => {
    const ctx = await fresh();
    const r = await ok(ctx, ['--path', join(REQUIRES, 'RequiresGuid.ps1')]);
    expect(r.stderr).toContain('GUID');
    expect(await folders(ctx.dest, 'PrereleaseTest')).toEqual(['0.0.1']);
    expect((await manifestOf(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).guid).toBe(PRERELEASE_TEST_GUID);
  });

  it('the same with another GUID → "Expected 3cb1a381-… but found 7c279caf-…" and the folder is removed', async () => {
    const ctx = await fresh();
    const script = join(ctx.cwd, 'WrongGuid.ps1');
    await writeFile(script, "#requires -Module @{ModuleName='PreReleaseTest';Guid='3cb1a381-5d96-4b56-843e-dd97cf4c6545';ModuleVersion='0.0.1';MaximumVersion='0.0.2'}\n");
    const r = await install(ctx, ['--path', script]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Expected 3cb1a381-5d96-4b56-843e-dd97cf4c6545 but found ${PRERELEASE_TEST_GUID}`);
    expect(await folders(ctx.dest, 'PrereleaseTest')).toEqual([]);
  });

  it('--ci PreReleaseTest → requires.lock.json written in the working directory', async () => {
    const ctx = await fresh();
    await ok(ctx, ['--ci', 'PreReleaseTest']);
    expect(JSON.parse(await readFile(join(ctx.cwd, 'requires.lock.json'), 'utf8'))).toEqual({ PrereleaseTest: '0.0.1' });
  });

  it('--ci PreReleaseTest=0.0.1-prerelease, wipe the destination, --ci with no spec → reinstalls 0.0.1-prerelease although 0.0.2 exists', async () => {
    const ctx = await fresh();
    await ok(ctx, ['--ci', 'PreReleaseTest=0.0.1-prerelease']);
    await rm(ctx.dest, { recursive: true, force: true });
    const r = await ok(ctx, ['--ci', 'PrereleaseTest!', '--update', '--passthru', '--json']);
    expect(r.stderr).toContain('Using the lockfile');
    expect(JSON.parse(r.stdout).map((x: { version: string }) => x.version)).toEqual(['0.0.1-prerelease']);
    expect(await folders(ctx.dest, 'PrereleaseTest')).toEqual(['0.0.1']);
    expect((await manifestOf(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).prerelease).toBe('prerelease');
    // the lockfile keeps what it locked when everything is already installed
    await ok(ctx, ['--ci']);
    expect(JSON.parse(await readFile(join(ctx.cwd, 'requires.lock.json'), 'utf8'))).toEqual({ PrereleaseTest: '0.0.1-prerelease' });
  });

  it('--ci with a custom --ci-lockfile path honours it', async () => {
    const ctx = await fresh();
    const lock = join(ctx.root, 'locks', 'mods.lock.json');
    await mkdir(join(ctx.root, 'locks'));
    await writeFile(lock, JSON.stringify({ PrereleaseTest: '0.0.1-aprerelease', PendingReboot: '0.9.0.6' }));
    const done = await passthru(ctx, ['--ci', '--ci-lockfile', lock, 'Something.Else']);
    expect(done.map((d) => `${d.name} ${d.version}`).sort()).toEqual(['PendingReboot 0.9.0.6', 'PrereleaseTest 0.0.1-aprerelease']);
  });

  it('an .incomplete marker left in PrereleaseTest/0.0.1 → warning, removed, reinstalled, marker gone', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1']);
    await writeFile(join(ctx.dest, 'PrereleaseTest', '0.0.1', '.incomplete'), '');
    const r = await ok(ctx, ['PrereleaseTest=0.0.1', '--passthru', '--json']);
    expect(r.stderr).toContain('incomplete installation detected');
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(existsSync(join(ctx.dest, 'PrereleaseTest', '0.0.1', '.incomplete'))).toBe(false);
    expect(existsSync(join(ctx.dest, 'PrereleaseTest', '0.0.1', 'PrereleaseTest.psd1'))).toBe(true);
  });

  it('install, drop .incomplete into the version folder, then --plan → non-empty plan and the folder is gone', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest']);
    await writeFile(join(ctx.dest, 'PrereleaseTest', '0.0.1', '.incomplete'), '');
    expect(await planJson(ctx, ['PrereleaseTest'])).toHaveLength(1);
    expect(existsSync(join(ctx.dest, 'PrereleaseTest', '0.0.1'))).toBe(false);
  });

  it('--passthru PrereleaseTest=0.0.1 ImportExcel=7.8.6 PendingReboot=0.9.0.6 → 0.0.1, 7.8.6, 0.9.0.6', async () => {
    const ctx = await fresh();
    const done = await passthru(ctx, ['PrereleaseTest=0.0.1', 'ImportExcel=7.8.6', 'PendingReboot=0.9.0.6']);
    expect(Object.fromEntries(done.map((d) => [d.name, d.version]))).toEqual({ PrereleaseTest: '0.0.1', ImportExcel: '7.8.6', PendingReboot: '0.9.0.6' });
    const table = await ok(await fresh(), ['PendingReboot=0.9.0.6', '--passthru']);
    expect(table.stdout).toMatch(/^Name\s+Version\s+Path\n/);
    expect(table.stdout).toMatch(/PendingReboot\s+0\.9\.0\.6\s+\//);
  });

  it("'Pester=5.4.0','Pester=5.4.1' --passthru twice → 2, then 0", async () => {
    const ctx = await fresh();
    expect(await passthru(ctx, ['Pester=5.4.0', 'Pester=5.4.1'])).toHaveLength(2);
    expect(await passthru(ctx, ['Pester=5.4.0', 'Pester=5.4.1'])).toHaveLength(0);
  });

  it('PrereleaseTest --plan → mentions PrereleaseTest, nothing on disk', async () => {
    const ctx = await fresh();
    const r = await ok(ctx, ['PrereleaseTest', '--plan']);
    expect(r.stdout).toContain('PrereleaseTest');
    expect(existsSync(ctx.dest)).toBe(false);
  });

  it('PrereleaseTest=0.0.1 → folder 0.0.1 (3 parts); a second --plan is empty', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1']);
    expect(await folders(ctx.dest, 'PrereleaseTest')).toEqual(['0.0.1']);
    expect(await planJson(ctx, ['PrereleaseTest=0.0.1'])).toEqual([]);
  });

  it('an installed module whose .psd1 was removed → non-empty plan', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest']);
    await rm(join(ctx.dest, 'PrereleaseTest', '0.0.1', 'PrereleaseTest.psd1'));
    expect(await planJson(ctx, ['PrereleaseTest'])).toHaveLength(1);
  });

  it('the --plan output fed back into install --passthru → 1 module at PrereleaseTest/<v>/PrereleaseTest.psd1', async () => {
    const ctx = await fresh();
    const plan = await planJson(ctx, ['PrereleaseTest']);
    const done = await passthru(ctx, plan.map((p) => `${p.name}=${p.version}`));
    expect(done).toHaveLength(1);
    expect(existsSync(join(done[0]!.path, 'PrereleaseTest.psd1'))).toBe(true);
    expect(done[0]!.path).toBe(join(ctx.dest, 'PrereleaseTest', '0.0.1'));
  });

  it("a working directory holding ModuleFast.requires.psd1 = @{ 'PrereleaseTest' = 'latest' }, no arguments --plan → PrereleaseTest", async () => {
    const ctx = await fresh();
    await writeFile(join(ctx.cwd, 'ModuleFast.requires.psd1'), "@{ 'PrereleaseTest' = 'latest' }\n");
    expect((await planJson(ctx, [])).map((p) => p.name)).toEqual(['PrereleaseTest']);
  });

  it('--path <directory of *.requires.* files> → non-empty plan', async () => {
    const ctx = await fresh();
    await cp(join(REQUIRES, 'dir'), join(ctx.cwd, 'mocks'), { recursive: true });
    expect((await planJson(ctx, ['--path', 'mocks'])).length).toBeGreaterThan(0);
  });

  it('PrereleaseTest installed at 0.0.1, then PrereleaseTest --update --plan → empty (0.0.1 is still the newest stable)', async () => {
    const ctx = await fresh();
    await ok(ctx, ['PrereleaseTest=0.0.1']);
    expect(await planJson(ctx, ['PrereleaseTest', '--update'])).toEqual([]);
  });

  it('Az.Compute=5.0.0 installs its Az.Accounts dependency at the highest satisfying version', async () => {
    const ctx = await fresh();
    const done = await passthru(ctx, ['Az.Compute=5.0.0']);
    expect(done.map((d) => `${d.name} ${d.version}`).sort()).toEqual(['Az.Accounts 4.0.2', 'Az.Compute 5.0.0']);
  });

  it('Az 12.0.0: plans 90 packages and installs every one, each folder named by its manifest ModuleVersion, no .incomplete left', async () => {
    const ctx = await fresh();
    const plan = await planJson(ctx, ['Az=12.0.0']);
    expect(plan).toHaveLength(90);
    const done = await passthru(ctx, ['Az=12.0.0', '--throttle-limit', '4']);
    expect(done).toHaveLength(90);
    expect(done.map((d) => d.name).sort()).toEqual(plan.map((p) => p.name).sort());
    expect((await readdir(ctx.dest)).filter((n) => n === 'Az' || n.startsWith('Az.')).length).toBe(90);
    for (const p of plan) {
      const versions = await folders(ctx.dest, p.name);
      expect(versions, p.name).toHaveLength(1);
      const dir = join(ctx.dest, p.name, versions[0]!);
      const files = await readdir(dir);
      expect(files, p.name).not.toContain('.incomplete');
      expect(files.map((f) => f.toLowerCase()), p.name).toContain(`${p.name.toLowerCase()}.psd1`);
      const manifest = await manifestOf(dir);
      expect(versions[0], p.name).toBe(manifest.moduleVersion);
      expect(cmpVersion(versions[0]!, p.version), p.name).toBe(0);
    }
    // everything is in place now
    expect(await planJson(ctx, ['Az=12.0.0'])).toEqual([]);
  });
});

describe('a source that requires HTTP Basic authentication (MODULEFAST.md §2e, the GitHub Packages row)', () => {
  let proxy: BasicAuthProxy;
  let privateFeed: TestServer;
  let source: string;

  beforeAll(async () => {
    proxy = await startBasicAuthProxy({ username: 'u', password: 'p' });
    // the Galleon writes its links with the proxy's URL, so every link the client follows goes through the proxy
    privateFeed = await startTestServer('embedded', { env: { GALLEON_BASE_URL: proxy.url } });
    proxy.setTarget(privateFeed.url);
    const packages = await buildFixtureSet({ extra: MODULEFAST_GENERATED_MODULES.filter((m) => m.name === 'PrereleaseTest'), withDependencies: false });
    // pushed straight to the Galleon (seedGallery would follow the service index's push link to the proxy)
    for (const p of packages) {
      const res = await pushPackage(privateFeed.url, p.bytes);
      if (res.status !== 201) throw new Error(`push ${p.id} ${p.version}: ${res.status} ${res.text}`);
    }
    source = `${proxy.url}/index.json`;
  });
  afterAll(async () => {
    await proxy?.close();
    await privateFeed?.dispose();
  });

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run & { dest: string }> => {
    const root = join(scratch, `basic-auth-${++counter}`);
    const dest = join(root, 'dest');
    await mkdir(root, { recursive: true });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runClientCommand('install', [...args, '--destination', dest], {
      stdout: { write: (c: string) => (out.push(c), true) },
      stderr: { write: (c: string) => (err.push(c), true), isTTY: false },
      env: { PSModulePath: '', HOME: root, ...env },
      cwd: root,
    });
    return { code, stdout: out.join(''), stderr: err.join(''), dest };
  };

  it('PrereleaseTest=0.0.1 --plan --json --username u --password p → PrereleaseTest 0.0.1, every request through the proxy authorized', async () => {
    const before = proxy.requests.length;
    const r = await run(['PrereleaseTest=0.0.1', '--plan', '--json', '--source', source, '--username', 'u', '--password', 'p']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; version: string; source: string }[];
    expect(rows.map((x) => `${x.name} ${x.version}`)).toEqual(['PrereleaseTest 0.0.1']);
    expect(rows[0]!.source.startsWith(`${proxy.url}/`)).toBe(true);
    const seen = proxy.requests.slice(before);
    expect(seen.map((q) => q.path)).toContain('/index.json');
    expect(seen.some((q) => /prereleasetest\/index\.json$/.test(q.path))).toBe(true);
    expect(seen.every((q) => q.authorized)).toBe(true);
  });

  it('installs through the proxy too (the package download carries the credentials)', async () => {
    const r = await run(['PrereleaseTest=0.0.1', '--source', source, '--username', 'u', '--password', 'p']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(r.dest, 'PrereleaseTest', '0.0.1', 'PrereleaseTest.psd1'))).toBe(true);
  });

  it('takes the credentials from GALLEON_USERNAME / GALLEON_PASSWORD (and the source from GALLEON_SOURCE)', async () => {
    const r = await run(['PrereleaseTest=0.0.1', '--plan', '--json'], { GALLEON_SOURCE: source, GALLEON_USERNAME: 'u', GALLEON_PASSWORD: 'p' });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((x) => x.name)).toEqual(['PrereleaseTest']);
  });

  it('without credentials → exit 1, naming the source and saying authentication is required', async () => {
    const r = await run(['PrereleaseTest=0.0.1', '--plan', '--json', '--source', source]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(source);
    expect(r.stderr).toMatch(/requires authentication/);
    expect(r.stderr).toContain('--username');
  });

  it('with a wrong password → exit 1, naming the source and saying authentication failed', async () => {
    const r = await run(['PrereleaseTest=0.0.1', '--plan', '--source', source, '--username', 'u', '--password', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(source);
    expect(r.stderr).toMatch(/authentication failed/i);
    expect(r.stderr).not.toContain('wrong');
  });
});
