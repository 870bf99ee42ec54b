/**
 * MODULEFAST.md §2d (plan resolution) as tests: every row runs through the reference client's planner
 * against a real Galleon seeded with the fixtures those rows name (test/support/generated-modules.ts, built
 * by the fixture generator), once over the full registration hive (`/v3/index.json`) and once over the
 * dependency-only hive (`/v3/dependencies/index.json`). Nothing is installed (an empty inventory, as
 * upstream runs with an empty PSModulePath). Az 12.0.0 (90 packages) stands in for Az 11.1.0 (86), which
 * the manifest data does not have.
 *
 * Also here: the dependency cycles and the conflicting requirements of the real corpus (OneGet's
 * ModuleA→{B,C}, B→D, D→C, C→B and ModuleWithDependenciesLoop↔RequiredModuleLoop; chocolatey's
 * conflictingdependency/hasdependency), and `galleon install --plan` through the CLI.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NuGetVersion } from '../feed/version.ts';
import { runClientCommand } from '../client/cli.ts';
import { FeedClient } from '../client/feed-client.ts';
import { ConflictingRequirementsError, NoMatchingVersionError, getModuleFastPlan, type ModuleFastPlan, type PlanOptions } from '../client/plan.ts';
import { ModuleFastSpec, parseModuleSpec } from '../client/spec.ts';
import {
  MODULEFAST_AZ_VERSION,
  VMWARE_POWERCLI_TREE,
  VMWARE_POWERCLI_TREE_SIZE,
  VMWARE_POWERCLI_VERSION,
  modulefastFixtureSelection,
} from './support/generated-modules.ts';
import { CORPUS_DIR } from './support/fixture-data.ts';
import { buildFixtureSet, buildGeneratedModule, seedGallery } from './support/psgallery.ts';
import { TEST_API_KEY, pushPackage, startTestServer, type TestServer } from './support/server.ts';

const CORPUS = join(CORPUS_DIR, 'nupkgs');
/** Real corpus packages with dependency cycles and conflicting exact dependencies (corpus README). */
const GRAPH_PACKAGES = [
  'modulea.1.0.nupkg',
  'moduleb.1.0.nupkg',
  'modulec.1.0.nupkg',
  'moduled.1.0.nupkg',
  'modulewithdependenciesloop.1.0.nupkg',
  'requiredmoduleloop.1.0.nupkg',
  'conflictingdependency.1.0.1.nupkg',
  'hasdependency.1.1.0.nupkg',
  'isdependency.1.0.1.nupkg',
  'isdependency.1.1.0.nupkg',
  'isexactversiondependency.1.0.0.nupkg',
  'isexactversiondependency.1.1.0.nupkg',
];

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('embedded');
  const packages = await buildFixtureSet(modulefastFixtureSelection());
  // 130 versions of one module: the full hive links its registration pages instead of inlining them (§4.3)
  for (let i = 0; i < 130; i++) packages.push(await buildGeneratedModule({ name: 'Paging.Test', moduleVersion: `1.0.${i}` }));
  await seedGallery(server.url, TEST_API_KEY, packages, { concurrency: 4 });
  for (const file of GRAPH_PACKAGES) {
    const res = await pushPackage(server.url, readFileSync(join(CORPUS, file)));
    if (res.status !== 201) throw new Error(`push ${file}: ${res.status} ${res.text}`);
  }
});

afterAll(async () => {
  await server?.dispose();
});

/** The two hives: the full one is read with a User-Agent that does not start with "ModuleFast". */
const HIVES = [
  { hive: 'full', path: '/v3/index.json', userAgent: 'galleon-tests (full hive)', registrationBase: '/v3/registration' },
  { hive: 'dependency-only', path: '/v3/dependencies/index.json', userAgent: undefined, registrationBase: '/v3/dependencies' },
] as const;

type Check = string | ((v: NuGetVersion) => boolean);
const gt = (x: string): Check => Object.assign((v: NuGetVersion) => v.compareTo(NuGetVersion.parse(x)) > 0, { text: `> ${x}` });
const lt = (x: string): Check => Object.assign((v: NuGetVersion) => v.compareTo(NuGetVersion.parse(x)) < 0, { text: `< ${x}` });
const any: Check = Object.assign(() => true, { text: 'any' });

interface Row {
  /** MODULEFAST.md §2d "spec input" */
  specs: string[];
  options?: Pick<PlanOptions, 'prerelease' | 'strictSemVer'>;
  /** the whole plan: module name → expected version (text = exact normalized version) */
  plan: Record<string, Check>;
  /** when the row asserts the order of the plan */
  ordered?: boolean;
}

/** MODULEFAST.md §2d, row by row. */
const ROWS: Row[] = [
  { specs: ['Az.Accounts'], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ["@{ModuleName='Az.Accounts'; ModuleVersion='0.0.0'}"], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ["@{ModuleName='Az.Accounts'; RequiredVersion='2.7.3'}"], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ["@{ModuleName='Az.Accounts'; MaximumVersion='2.7.3'}"], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ['Az.Accounts=2.7.3'], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ['Az.Accounts>2.7.3'], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ['Az.Accounts<2.7.3'], plan: { 'Az.Accounts': lt('2.7.3') } },
  { specs: ['Az.Accounts<=2.7.3'], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ['Az.Accounts>=2.7.3'], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ['Az.Accounts:2.7.3'], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ['Az.Accounts:[2.7.3]'], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ['Az.Accounts:(,2.7.3)'], plan: { 'Az.Accounts': lt('2.7.3') } },
  { specs: ["@{ModuleName = 'Az.Accounts'; ModuleVersion = '2.7.3'}"], plan: { 'Az.Accounts': gt('2.7.3') } },
  { specs: ["@{ModuleName = 'Az.Accounts'; RequiredVersion = '2.7.3'}"], plan: { 'Az.Accounts': '2.7.3' } },
  { specs: ['PrereleaseTest'], plan: { PrereleaseTest: '0.0.1' } },
  { specs: ['PrereleaseTest!'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['!PrereleaseTest'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest!<=0.0.1'], plan: { PrereleaseTest: '0.0.1' } },
  { specs: ['PrereleaseTest>=0.0.1-prerelease'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest:*'], plan: { PrereleaseTest: any } },
  { specs: ['ImportExcel<2'], plan: { ImportExcel: '1.99.0' } },
  { specs: ['PrereleaseTest!<0.0.2'], plan: { PrereleaseTest: '0.0.1' } },
  { specs: ['PrereleaseTest!<0.0.2'], options: { strictSemVer: true }, plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest!<=0.0.2'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest!<0.0.2-prerelease'], plan: { PrereleaseTest: '0.0.2-newerversion' } },
  { specs: ['PrereleaseTest!:(0.0.2-alpha,0.0.2)'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest!:(0.0.2-alpha,0.0.2-prerelease)'], plan: { PrereleaseTest: '0.0.2-newerversion' } },
  { specs: ['PnP.PowerShell:2.2.*'], plan: { 'PnP.PowerShell': '2.2.0' } },
  { specs: ['ConnectWiseManageAPI=0.4.15.0'], plan: { ConnectWiseManageAPI: '0.4.15' } },
  { specs: ['PrereleaseTest'], options: { prerelease: true }, plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['PrereleaseTest=0.0.2-prerelease'], plan: { PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['Az.Accounts', 'Az.Compute', 'ImportExcel'], plan: { 'Az.Accounts': gt('1.0'), 'Az.Compute': gt('1.0'), ImportExcel: gt('1.0') } },
  {
    specs: ['Az.Accounts', '@{ModuleName = "Az.Compute"; ModuleVersion = "1.0.0" }', "@{ModuleName='ImportExcel'; ModuleVersion='0.0'}"],
    plan: { 'Az.Accounts': gt('1.0'), 'Az.Compute': gt('1.0'), ImportExcel: gt('1.0') },
  },
  {
    specs: ['Az.Accounts>1', '@{ModuleName = "Az.Compute"; ModuleVersion = "1.0.0" }', "@{ModuleName='ImportExcel'; ModuleVersion='0.0'}"],
    plan: { 'Az.Accounts': gt('1.0'), 'Az.Compute': gt('1.0'), ImportExcel: gt('1.0') },
  },
  { specs: ['Az.Compute', 'Az.Accounts'], plan: { 'Az.Accounts': gt('1.0'), 'Az.Compute': gt('1.0') }, ordered: true },
  { specs: ['Az.Accounts!', 'PrereleaseTest'], plan: { 'Az.Accounts': gt('1.0'), PrereleaseTest: '0.0.1' } },
  { specs: ['Az.Accounts!', 'PrereleaseTest'], options: { prerelease: true }, plan: { 'Az.Accounts': gt('1.0'), PrereleaseTest: '0.0.2-prerelease' } },
  { specs: ['Az.Compute'], plan: { 'Az.Accounts': any, 'Az.Compute': any } },
  { specs: ['VMware.VimAutomation.Common'], plan: { 'VMware.VimAutomation.Common': '13.2.0.22643733', 'VMware.VimAutomation.Sdk': '13.2.0.22643732' } },
  { specs: ['PrereleaseTest', 'PrereleaseTest=0.0.1'], plan: { PrereleaseTest: '0.0.1' } },
];

const rowName = (r: Row) =>
  `${r.specs.join(', ')}${r.options?.prerelease ? ' -Prerelease' : ''}${r.options?.strictSemVer ? ' -StrictSemVer' : ''} → ` +
  Object.entries(r.plan)
    .map(([n, c]) => `${n} ${typeof c === 'string' ? c : (c as unknown as { text: string }).text}`)
    .join(', ');

function checkPlan(plan: ModuleFastPlan, row: Row): void {
  const got = plan.entries.map((e) => e.name);
  const want = Object.keys(row.plan);
  if (row.ordered) expect(got).toEqual(want);
  else expect([...got].sort()).toEqual([...want].sort());
  for (const e of plan.entries) {
    const check = row.plan[e.name]!;
    if (typeof check === 'string') expect(e.version.toNormalizedString(), e.name).toBe(check);
    else expect(check(e.version), `${e.name} ${e.version} should be ${(check as unknown as { text: string }).text}`).toBe(true);
  }
}

describe.each(HIVES)('MODULEFAST.md §2d plan rows on the $hive hive', ({ path, userAgent, registrationBase }) => {
  let client: FeedClient;
  beforeAll(() => {
    client = new FeedClient({ source: `${server.url}${path}`, userAgent });
  });
  afterAll(() => client?.close());

  const plan = (specs: string[], options: Partial<PlanOptions> = {}) => getModuleFastPlan(specs.map(parseModuleSpec), { client, ...options });

  it(`reads registrations from ${registrationBase}`, async () => {
    expect(await client.getRegistrationBase()).toBe(`${server.url}${registrationBase}`);
  });

  it.each(ROWS.map((r) => [rowName(r), r] as const))('%s', async (_name, row) => {
    checkPlan(await plan(row.specs, row.options), row);
  });

  it('finds old versions of a module with 130 versions (linked registration pages on the full hive)', async () => {
    const index = await client.getRegistrationIndex('Paging.Test');
    const inlined = index.items.every((p) => Array.isArray(p.items) && p.items.length > 0);
    expect(inlined).toBe(registrationBase === '/v3/dependencies');
    expect((await plan(['Paging.Test'])).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.129']);
    expect((await plan(['Paging.Test=1.0.3'])).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.3']);
    expect((await plan(['Paging.Test<1.0.70'])).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.69']);
    expect((await plan(['Paging.Test:(1.0.63,1.0.65)'])).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.64']);
  });

  it('PrereleaseTest!:(0.0.2-rIsAfterP,0.0.2) → "a matching module was not found" (labels compare lexically)', async () => {
    const err = await plan(['PrereleaseTest!:(0.0.2-rIsAfterP,0.0.2)']).catch((e) => e);
    expect(err).toBeInstanceOf(NoMatchingVersionError);
    expect(err.message).toContain('a matching module was not found');
    expect(err.message).toContain(`${server.url}${path}`);
  });

  it(`{ModuleName='Az'; RequiredVersion='${MODULEFAST_AZ_VERSION}'} → 90 modules (Az 11.1.0 → 86 upstream)`, async () => {
    const p = await plan([`@{ModuleName='Az'; RequiredVersion='${MODULEFAST_AZ_VERSION}'}`]);
    expect(p.entries).toHaveLength(90);
    expect(new Set(p.entries.map((e) => e.name.toLowerCase())).size).toBe(90);
    expect(p.entries.find((e) => e.name === 'Az')!.version.toNormalizedString()).toBe(MODULEFAST_AZ_VERSION);
    expect(p.entries.every((e) => e.name === 'Az' || e.name.startsWith('Az.'))).toBe(true);
  });

  it(`Az=${MODULEFAST_AZ_VERSION} + {ModuleName='VMWare.PowerCli'; RequiredVersion='${VMWARE_POWERCLI_VERSION}'} → 90 + ${VMWARE_POWERCLI_TREE_SIZE} modules, 4-part versions kept (Az 11.1.0 + the real PowerCLI → 170/122 upstream)`, async () => {
    const p = await plan([`Az=${MODULEFAST_AZ_VERSION}`, `@{ModuleName='VMWare.PowerCli'; RequiredVersion='${VMWARE_POWERCLI_VERSION}'}`]);
    expect(p.entries).toHaveLength(90 + VMWARE_POWERCLI_TREE_SIZE);
    expect(new Set(p.entries.map((e) => e.name.toLowerCase())).size).toBe(p.entries.length);
    const vmware = p.entries.filter((e) => e.name.toLowerCase().startsWith('vmware.'));
    // the feed's spelling wins over the spec's 'VMWare.PowerCli'
    expect(Object.fromEntries(vmware.map((e) => [e.name, e.version.toNormalizedString()]))).toEqual(VMWARE_POWERCLI_TREE);
    for (const e of vmware) {
      expect(e.version.revision, `${e.name} ${e.version}`).toBeGreaterThan(0);
      expect(e.feedVersion, e.name).toBe(VMWARE_POWERCLI_TREE[e.name]);
      expect(e.feedVersion.split('.'), e.name).toHaveLength(4);
    }
    expect(p.entries.filter((e) => e.name === 'Az' || e.name.startsWith('Az.'))).toHaveLength(90);
    expect(p.entries.find((e) => e.name === 'VMware.PowerCLI')!.requiredBy).toEqual(['(specified)']);
  });

  it("(plan of 'Az.Accounts') as a ModuleSpecification → RequiredVersion > 2.7.3", async () => {
    const [entry] = (await plan(['Az.Accounts'])).entries;
    const ms = ModuleFastSpec.exact(entry!.name, entry!.version).toModuleSpecification();
    expect(ms.name).toBe('Az.Accounts');
    expect(NuGetVersion.parse(ms.requiredVersion!).compareTo(NuGetVersion.parse('2.7.3'))).toBeGreaterThan(0);
  });

  it("'PrereleaseTest','PrereleaseTest' → a warning containing \"specified twice\"", async () => {
    const warnings: string[] = [];
    const p = await plan(['PrereleaseTest', 'PrereleaseTest'], { onWarning: (w) => warnings.push(w) });
    expect(p.entries).toHaveLength(1);
    expect(warnings.join('\n')).toContain('specified twice');
  });

  it('resolves the corpus dependency cycles (ModuleA→{B,C}, B→D, D→C, C→B; ModuleWithDependenciesLoop↔RequiredModuleLoop)', async () => {
    expect((await plan(['ModuleA'])).entries.map((e) => e.name)).toEqual(['ModuleA', 'ModuleB', 'ModuleC', 'ModuleD']);
    expect((await plan(['RequiredModuleLoop'])).entries.map((e) => e.name)).toEqual(['ModuleWithDependenciesLoop', 'RequiredModuleLoop']);
  });

  it('reports conflicting exact dependencies (corpus conflictingdependency vs hasdependency), naming both', async () => {
    const err = await plan(['conflictingdependency=1.0.1', 'hasdependency=1.1.0']).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictingRequirementsError);
    expect(err.message).toContain('isexactversiondependency');
    expect(err.message).toContain('conflictingdependency 1.0.1 requires isexactversiondependency [1.0.0]');
    expect(err.message).toContain('hasdependency 1.1.0 requires isexactversiondependency [1.1.0]');
    expect(err.message).toContain(`${server.url}${path}`);
  });
});

describe('galleon install --plan (CLI)', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const cwd = await mkdtemp(join(tmpdir(), 'galleon-cli-'));
    const code = await runClientCommand('install', args, {
      stdout: { write: (c: string) => (out.push(c), true) },
      stderr: { write: (c: string) => (err.push(c), true), isTTY: false },
      env: { PSModulePath: '', HOME: cwd, ...env },
      cwd,
    });
    await rm(cwd, { recursive: true, force: true });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it('prints the plan as JSON {name, version, source}, sorted by name', async () => {
    const r = await run(['Az.Compute', 'PrereleaseTest=0.0.1', '--plan', '--json', '--source', `${server.url}/v3/dependencies/index.json`]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; version: string; source: string }[];
    expect(rows.map((x) => x.name)).toEqual(['Az.Accounts', 'Az.Compute', 'PrereleaseTest']);
    expect(rows[2]).toEqual({ name: 'PrereleaseTest', version: '0.0.1', source: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/.*\.nupkg$/) });
  });

  it('prints a table mentioning the module, and takes the source from GALLEON_SOURCE', async () => {
    const r = await run(['PrereleaseTest', '--plan'], { GALLEON_SOURCE: `${server.url}/index.json` });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name\s+Version\s+Source\n/);
    expect(r.stdout).toMatch(/PrereleaseTest\s+0\.0\.1\s+http/);
  });

  it('exits 1 naming the module and the source when a module does not exist', async () => {
    const r = await run(['No.Such.Module', '--plan', '--source', `${server.url}/v3/index.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No.Such.Module');
    expect(r.stderr).toContain(`${server.url}/v3/index.json`);
    expect(r.stderr).toContain('not found');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['--no-such-option'])).code).toBe(2);
    expect((await run(['X', '--timeout', 'soon'])).code).toBe(2);
    expect((await run(['X', '--throttle-limit', '0'])).code).toBe(2);
    expect((await run(['X', '--username', 'only-me'])).code).toBe(2);
    expect((await run(['@{ModuleName="X"; BadKey="Bad"}', '--plan'])).stderr).toContain('not valid ModuleSpecification syntax');
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no module specification given');
  });

  it.each(HIVES)('keeps no cache across runs (MODULEFAST.md §2e Clear-ModuleFastCache row): a version pushed between two runs is planned on the $hive hive', async ({ hive, path, userAgent }) => {
    const name = `Cache.Test.${hive === 'full' ? 'Full' : 'Deps'}`;
    const push = async (v: string) => {
      const res = await pushPackage(server.url, (await buildGeneratedModule({ name, moduleVersion: v })).bytes);
      expect(res.status, res.text).toBe(201);
    };
    const planned = async () => {
      const r = await run([name, '--plan', '--json', '--source', `${server.url}${path}`, ...(userAgent ? ['--user-agent', userAgent] : [])]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { name: string; version: string }[]).map((x) => `${x.name} ${x.version}`);
    };
    await push('1.0.0');
    // one client = one run: it memoizes what it read for its own lifetime only
    const client = new FeedClient({ source: `${server.url}${path}`, userAgent });
    try {
      expect((await getModuleFastPlan([parseModuleSpec(name)], { client })).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.0']);
      expect(await planned()).toEqual([`${name} 1.0.0`]);
      await push('1.0.1');
      expect(await planned()).toEqual([`${name} 1.0.1`]);
      const fresh = new FeedClient({ source: `${server.url}${path}`, userAgent });
      try {
        expect((await getModuleFastPlan([parseModuleSpec(name)], { client: fresh })).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.1']);
      } finally {
        await fresh.close();
      }
      // the run that started before the push still answers from what it read
      expect((await getModuleFastPlan([parseModuleSpec(name)], { client })).entries.map((e) => e.version.toNormalizedString())).toEqual(['1.0.0']);
    } finally {
      await client.close();
    }
  });

  it('explains every option in --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--path', '--spec-file-type', '--destination', '--destination-only', '--source', '--username', '--password', '--plan', '--json', '--passthru', '--prerelease', '--update', '--strict-semver', '--ci', '--ci-lockfile', '--throttle-limit', '--timeout', '--user-agent', '--verbose', '--help']) {
      expect(r.stdout, opt).toContain(opt);
    }
  });
});

describe('the service index at /index.json', () => {
  it('sends the default (ModuleFast) User-Agent the dependency-only hive', async () => {
    const client = new FeedClient({ source: `${server.url}/index.json` });
    expect(await client.getRegistrationBase()).toBe(`${server.url}/v3/dependencies`);
    await client.close();
  });
});

describe('unlisted versions (psake 5.0.0 unlisted)', () => {
  beforeAll(async () => {
    const res = await fetch(`${server.url}/api/v2/package/psake/5.0.0`, { method: 'DELETE', headers: { 'X-NuGet-ApiKey': TEST_API_KEY } });
    expect(res.status).toBeLessThan(300);
  });

  it.each(HIVES)('are skipped unless pinned on the $hive hive (the dependency-only hive leaves them out entirely)', async ({ hive, path, userAgent }) => {
    const client = new FeedClient({ source: `${server.url}${path}`, userAgent });
    try {
      const plan = (spec: string) => getModuleFastPlan([parseModuleSpec(spec)], { client });
      expect((await plan('psake')).entries.map((e) => e.version.toNormalizedString())).toEqual(['4.9.1']);
      expect((await plan('psake!')).entries.map((e) => e.version.toNormalizedString())).toEqual(['5.0.0-alpha']);
      if (hive === 'full') expect((await plan('psake=5.0.0')).entries.map((e) => e.version.toNormalizedString())).toEqual(['5.0.0']);
      else await expect(plan('psake=5.0.0')).rejects.toBeInstanceOf(NoMatchingVersionError);
    } finally {
      await client.close();
    }
  });
});
