import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeedClient, ModuleNotFoundError, type CatalogDependencyGroup } from './feed-client.ts';
import { ModuleInventory } from './installed.ts';
import { NuGetVersion } from '../feed/version.ts';
import {
  ConflictingRequirementsError,
  NoMatchingVersionError,
  ScriptNotSupportedError,
  formatPlanEntry,
  getModuleFastPlan,
  dependencySpecs,
  planEntryKey,
  planEntrySpec,
  samePlanEntry,
  type PlanEntry,
} from './plan.ts';
import { parseModuleSpec } from './spec.ts';

/** A hand-written feed: `docs` maps a path to the JSON served there; everything else is 404. */
let server: Server;
let base: string;
let docs: Record<string, unknown> = {};
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    const doc = req.url === '/index.json' ? { version: '3.0.0', resources: [{ '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' }] } : docs[req.url!];
    if (doc === undefined) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  hits.length = 0;
  docs = {};
});

interface V {
  version: string;
  deps?: [string, string][];
  groups?: CatalogDependencyGroup[];
  listed?: boolean;
  tags?: string[];
}
const leaf = (id: string, v: V) => ({
  packageContent: `${base}/pkg/${id.toLowerCase()}.${v.version}.nupkg`,
  catalogEntry: {
    id,
    version: v.version,
    tags: v.tags ?? [],
    ...(v.listed === false ? { listed: false } : {}),
    dependencyGroups: v.groups ?? (v.deps ? [{ dependencies: v.deps.map(([d, range]) => ({ id: d, range })) }] : []),
  },
});
/** Registers an id whose versions all sit in one inlined page. */
const addModule = (id: string, versions: V[]) => {
  docs[`/reg/${id.toLowerCase()}/index.json`] = {
    count: 1,
    items: [{ '@id': `${base}/reg/${id.toLowerCase()}/index.json#page`, lower: versions[0]!.version, upper: versions.at(-1)!.version, items: versions.map((v) => leaf(id, v)) }],
  };
};
const client = () => new FeedClient({ source: `${base}/index.json`, retryBaseDelayMs: 1 });
const plan = async (specs: string[], opts: Parameters<typeof getModuleFastPlan>[1] extends infer O ? Partial<O> : never = {}) => {
  const c = client();
  try {
    return await getModuleFastPlan(specs.map(parseModuleSpec), { client: c, ...opts });
  } finally {
    await c.close();
  }
};
const names = (p: Awaited<ReturnType<typeof plan>>) => p.entries.map((e) => `${e.name} ${e.version}`);

describe('version selection', () => {
  it('picks the highest satisfying stable version', async () => {
    addModule('Mod', [{ version: '1.0.0' }, { version: '1.5.0' }, { version: '2.0.0-beta' }, { version: '1.9.0+build' }]);
    expect(names(await plan(['Mod']))).toEqual(['Mod 1.5.0']);
    expect(names(await plan(['Mod<1.5']))).toEqual(['Mod 1.0.0']);
    expect(names(await plan(['Mod!']))).toEqual(['Mod 2.0.0-beta']);
    expect(names(await plan(['Mod'], { prerelease: true }))).toEqual(['Mod 2.0.0-beta']);
  });

  it('applies the friendly exclusive-upper-bound rule unless strict', async () => {
    addModule('Mod', [{ version: '1.0.0' }, { version: '2.0.0-alpha' }]);
    expect(names(await plan(['Mod!<2.0.0']))).toEqual(['Mod 1.0.0']);
    expect(names(await plan(['Mod!<2.0.0'], { strictSemVer: true }))).toEqual(['Mod 2.0.0-alpha']);
  });

  it('skips unlisted versions unless the spec pins that version', async () => {
    addModule('Mod', [{ version: '1.0.0' }, { version: '1.1.0', listed: false }]);
    expect(names(await plan(['Mod']))).toEqual(['Mod 1.0.0']);
    expect(names(await plan(['Mod=1.1.0']))).toEqual(['Mod 1.1.0']);
  });

  it('reads only the overlapping linked pages, highest first, when no inlined leaf matches', async () => {
    const id = 'paged';
    const page = (lower: string, upper: string, versions: string[]) => {
      docs[`/reg/${id}/page/${lower}/${upper}.json`] = { '@id': `${base}/reg/${id}/page/${lower}/${upper}.json`, items: versions.map((v) => leaf('Paged', { version: v })) };
      return { '@id': `${base}/reg/${id}/page/${lower}/${upper}.json`, lower, upper, count: versions.length };
    };
    docs[`/reg/${id}/index.json`] = {
      count: 3,
      items: [
        page('1.0.0', '1.9.0', ['1.0.0', '1.9.0']),
        page('2.0.0', '2.5.0', ['2.0.0', '2.5.0']),
        { '@id': `${base}/reg/${id}/index.json#page/3.0.0/3.0.0`, lower: '3.0.0', upper: '3.0.0', items: [leaf('Paged', { version: '3.0.0' })] },
      ],
    };
    expect(names(await plan(['Paged']))).toEqual(['Paged 3.0.0']);
    expect(hits.filter((h) => h.includes('/page/'))).toEqual([]);

    hits.length = 0;
    expect(names(await plan(['Paged<3.0.0']))).toEqual(['Paged 2.5.0']);
    expect(hits.filter((h) => h.includes('/page/'))).toEqual([`/reg/${id}/page/2.0.0/2.5.0.json`]);

    hits.length = 0;
    expect(names(await plan(['Paged<2.0.0']))).toEqual(['Paged 1.9.0']);
    expect(hits.filter((h) => h.includes('/page/'))).toEqual([`/reg/${id}/page/1.0.0/1.9.0.json`]);
  });

  it('reports a range nothing satisfies, naming the module, the source and the highest version', async () => {
    addModule('Mod', [{ version: '1.0.0' }]);
    const err = await plan(['Mod>=5']).catch((e) => e);
    expect(err).toBeInstanceOf(NoMatchingVersionError);
    expect(err.message).toContain('Mod');
    expect(err.message).toContain('a matching module was not found');
    expect(err.message).toContain(`${base}/index.json`);
    expect(err.message).toContain('1.0.0');
  });

  it('refuses PowerShell scripts', async () => {
    addModule('Script', [{ version: '1.0.0', tags: ['ItemType:Script'] }]);
    await expect(plan(['Script'])).rejects.toBeInstanceOf(ScriptNotSupportedError);
  });
});

describe('dependencies', () => {
  it('walks dependencies and lets one planned version satisfy several requirements', async () => {
    addModule('App', [{ version: '1.0.0', deps: [['Core', '[1.0.0, )'], ['Util', '']] }]);
    addModule('Util', [{ version: '2.0.0', deps: [['Core', '[1.2.0, 2.0.0)']] }]);
    addModule('Core', [{ version: '1.0.0' }, { version: '1.5.0' }, { version: '2.1.0' }]);
    const p = await plan(['App']);
    // Core [1.0.0, ) resolves first to 2.1.0; Util's [1.2.0, 2.0.0) is not met by it, so 1.5.0 is added too
    expect(names(p)).toEqual(['App 1.0.0', 'Core 1.5.0', 'Core 2.1.0', 'Util 2.0.0']);
    expect(p.entries.find((e) => e.name === 'Core' && e.version.toString() === '1.5.0')!.requiredBy).toEqual(['Util 2.0.0']);
  });

  it('lets the user spec decide before dependencies (breadth-first, in the order given)', async () => {
    addModule('App', [{ version: '1.0.0', deps: [['Core', '[1.0.0, )']] }]);
    addModule('Core', [{ version: '1.0.0' }, { version: '2.0.0' }]);
    expect(names(await plan(['App', 'Core=1.0.0']))).toEqual(['App 1.0.0', 'Core 1.0.0']);
  });

  it('ends cycles', async () => {
    addModule('A', [{ version: '1.0.0', deps: [['B', '']] }]);
    addModule('B', [{ version: '1.0.0', deps: [['C', '[1.0.0, )']] }]);
    addModule('C', [{ version: '1.0.0', deps: [['A', '[1.0.0, )'], ['B', '']] }]);
    expect(names(await plan(['A']))).toEqual(['A 1.0.0', 'B 1.0.0', 'C 1.0.0']);
  });

  it('merges dependency groups of every target framework, intersecting ranges of one id', async () => {
    addModule('Lib', [
      {
        version: '1.0.0',
        groups: [
          { targetFramework: 'net472', dependencies: [{ id: 'Dep', range: '[1.0.0, )' }] },
          { targetFramework: 'netstandard2.0', dependencies: [{ id: 'dep', range: '(, 2.0.0)' }, { id: 'Other', range: '' }] },
        ],
      },
    ]);
    addModule('Dep', [{ version: '1.5.0' }, { version: '2.5.0' }]);
    addModule('Other', [{ version: '3.0.0' }]);
    expect(names(await plan(['Lib']))).toEqual(['Dep 1.5.0', 'Lib 1.0.0', 'Other 3.0.0']);
  });

  it('reports conflicting dependency requirements naming both requirers', async () => {
    addModule('Left', [{ version: '1.0.0', deps: [['Shared', '[1.0.0]']] }]);
    addModule('Right', [{ version: '2.0.0', deps: [['Shared', '[2.0.0]']] }]);
    addModule('Shared', [{ version: '1.0.0' }, { version: '2.0.0' }]);
    const err = await plan(['Left', 'Right']).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictingRequirementsError);
    expect(err.code).toBe('conflicting_requirements');
    expect(err.message).toContain('Left 1.0.0 requires Shared [1.0.0]');
    expect(err.message).toContain('Right 2.0.0 requires Shared [2.0.0]');
  });

  it('allows the user to ask for two versions side by side', async () => {
    addModule('Shared', [{ version: '1.0.0' }, { version: '2.0.0' }]);
    expect(names(await plan(['Shared=1.0.0', 'Shared=2.0.0']))).toEqual(['Shared 1.0.0', 'Shared 2.0.0']);
  });

  it('names the requiring package when a dependency does not exist', async () => {
    addModule('App', [{ version: '1.0.0', deps: [['Ghost', '']] }]);
    const err = await plan(['App']).catch((e) => e);
    expect(err).toBeInstanceOf(ModuleNotFoundError);
    expect(err.message).toContain('Ghost (required by App 1.0.0): module was not found');
  });

  it('warns about a spec given twice and plans it once', async () => {
    addModule('Mod', [{ version: '1.0.0' }]);
    const warnings: string[] = [];
    const p = await plan(['Mod', 'Mod'], { onWarning: (m) => warnings.push(m) });
    expect(names(p)).toEqual(['Mod 1.0.0']);
    expect(warnings.some((w) => w.includes('specified twice'))).toBe(true);
  });
});

describe('installed modules', () => {
  let dest: string;
  let other: string;
  const install = async (root: string, name: string, folder: string, prerelease?: string) => {
    await mkdir(join(root, name, folder), { recursive: true });
    const pd = prerelease ? `PrivateData = @{ PSData = @{ Prerelease = '${prerelease}' } }` : '';
    await writeFile(join(root, name, folder, `${name}.psd1`), `@{ ModuleVersion = '${folder}'; GUID = '11111111-2222-3333-4444-555555555555'; ${pd} }`);
  };
  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'galleon-plan-'));
    dest = join(root, 'dest');
    other = join(root, 'other');
  });
  afterEach(async () => {
    await rm(dest, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  });

  it('skips requirements met by an installed module, in the destination or another module path', async () => {
    addModule('App', [{ version: '1.0.0', deps: [['Core', '[1.0.0, )']] }]);
    addModule('Core', [{ version: '1.0.0' }, { version: '2.0.0' }]);
    await install(other, 'Core', '1.0.0');
    const inventory = new ModuleInventory({ destination: dest, modulePaths: [other] });
    const p = await plan(['App'], { inventory });
    expect(names(p)).toEqual(['App 1.0.0']);
    expect(p.satisfied.map((s) => `${s.module.name} ${s.module.version}`)).toEqual(['Core 1.0.0']);
    expect(hits).not.toContain('/reg/core/index.json');

    const destOnly = await plan(['App'], { inventory: new ModuleInventory({ destination: dest }) });
    expect(names(destOnly)).toEqual(['App 1.0.0', 'Core 2.0.0']);
  });

  it('with update asks the feed, and plans nothing when the best candidate is installed', async () => {
    addModule('Core', [{ version: '1.0.0' }, { version: '2.0.0' }]);
    await install(dest, 'Core', '1.0.0');
    const verbose: string[] = [];
    const updated = await plan(['Core'], { inventory: new ModuleInventory({ destination: dest }), update: true });
    expect(names(updated)).toEqual(['Core 2.0.0']);
    await install(dest, 'Core', '2.0.0');
    const again = await plan(['Core'], { inventory: new ModuleInventory({ destination: dest }), update: true, onVerbose: (m) => verbose.push(m) });
    expect(names(again)).toEqual([]);
    expect(verbose.some((m) => m.includes('best remote candidate matches what is locally installed'))).toBe(true);
    // an exact spec met by an installed version needs no request even with update
    hits.length = 0;
    expect(names(await plan(['Core=1.0.0'], { inventory: new ModuleInventory({ destination: dest }), update: true }))).toEqual([]);
    expect(hits.filter((h) => h.startsWith('/reg/'))).toEqual([]);
  });

  it('reads the prerelease label of an installed module from its manifest', async () => {
    addModule('Pre', [{ version: '0.0.1-prerelease' }, { version: '0.0.1' }]);
    await install(dest, 'Pre', '0.0.1', 'prerelease');
    const inventory = () => new ModuleInventory({ destination: dest });
    expect(names(await plan(['Pre=0.0.1-prerelease'], { inventory: inventory() }))).toEqual([]);
    expect(names(await plan(['Pre=0.0.1'], { inventory: inventory() }))).toEqual(['Pre 0.0.1']);
    // an installed prerelease does not satisfy a stable-only spec
    expect(names(await plan(['Pre'], { inventory: inventory() }))).toEqual(['Pre 0.0.1']);
  });
});

describe('dependencySpecs (mergeDependencies of feed/v3/dependencies.ts, as specs)', () => {
  it('keeps the first range when ranges do not intersect, and treats an empty range as any', () => {
    const specs = dependencySpecs(
      {
        id: 'X',
        version: '1.0.0',
        dependencyGroups: [
          { targetFramework: 'a', dependencies: [{ id: 'D', range: '[1.0.0]' }, { id: 'E' }] },
          { targetFramework: 'b', dependencies: [{ id: 'D', range: '[2.0.0]' }] },
        ],
      },
      'src',
    );
    expect(specs.map((s) => s.toString())).toEqual(['D(1.0.0)', 'E']);
  });
  it('rejects an invalid range, naming the package', () => {
    expect(() => dependencySpecs({ id: 'X', version: '1.0.0', dependencyGroups: [{ dependencies: [{ id: 'D', range: '[oops' }] }] }, 'src')).toThrow(
      /X 1.0.0: dependency D has an invalid version range/,
    );
  });
});

describe('PlanEntry as ModuleFastInfo (MODULEFAST.md §2b)', () => {
  const info = (name: string, version: string, location: string): PlanEntry => ({
    name,
    version: NuGetVersion.parse(version),
    feedVersion: version,
    packageContent: location,
    guid: null,
    requiredBy: ['(specified)'],
    dependencies: [],
  });

  it("new('TestModule','1.2.3','https://example.com/package'): name, version, location, ToString, ModuleSpecification cast", () => {
    const e = info('TestModule', '1.2.3', 'https://example.com/package');
    expect([e.name, e.version.toNormalizedString(), e.packageContent]).toEqual(['TestModule', '1.2.3', 'https://example.com/package']);
    expect(formatPlanEntry(e)).toBe('TestModule(1.2.3)');
    const ms = planEntrySpec(e).toModuleSpecification();
    expect(ms.name).toBe('TestModule');
    expect(ms.requiredVersion).toBe('1.2.3.0');
    expect(formatPlanEntry(info('VMware.VimAutomation.Sdk', '13.2.0.22643732', 'x'))).toBe('VMware.VimAutomation.Sdk(13.2.0.22643732)');
  });

  it('PreRelease: 1.0.0-beta → true, 1.0.0 → false', () => {
    expect(info('T', '1.0.0-beta', 'x').version.isPrerelease).toBe(true);
    expect(info('T', '1.0.0', 'x').version.isPrerelease).toBe(false);
    expect(formatPlanEntry(info('T', '1.0.0-beta', 'x'))).toBe('T(1.0.0-beta)');
  });

  it('equal name + version + location → equal, with the same key; any of them different → not equal', () => {
    const a = info('TestModule', '1.2.3', 'https://example.com/package');
    const same = [info('TestModule', '1.2.3', 'https://example.com/package'), info('testmodule', '1.2.3.0', 'https://example.com/package')];
    for (const b of same) {
      expect(samePlanEntry(a, b)).toBe(true);
      expect(planEntryKey(b)).toBe(planEntryKey(a));
    }
    const different = [info('TestModule', '1.2.4', 'https://example.com/package'), info('Other', '1.2.3', 'https://example.com/package'), info('TestModule', '1.2.3', 'https://example.com/other')];
    for (const b of different) {
      expect(samePlanEntry(a, b)).toBe(false);
      expect(planEntryKey(b)).not.toBe(planEntryKey(a));
    }
    expect(new Set([a, ...same, ...different].map(planEntryKey)).size).toBe(4);
  });
});
