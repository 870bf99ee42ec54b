/**
 * `galleon sync <spec.yaml>` end to end (seed 002, Validate3rdPartyModules): a project-local module
 * folder kept in line with a YAML spec against a real Galleon (embedded backend) seeded with the
 * ModuleFast fixtures it needs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientCommand } from '../client/cli.ts';
import { MODULEFAST_GENERATED_MODULES } from './support/generated-modules.ts';
import { buildFixtureSet, seedGallery } from './support/psgallery.ts';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { TEST_API_KEY, pushPackage, startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'galleon-sync-e2e-'));
  server = await startTestServer('embedded');
  const wanted = new Set(['PrereleaseTest', 'Az.Accounts', 'Az.Compute', 'Plaster']);
  const packages = await buildFixtureSet({ modules: ['Plaster', 'Pester@5.4.0', 'Pester@5.4.1'], extra: MODULEFAST_GENERATED_MODULES.filter((m) => wanted.has(m.name)), withDependencies: false });
  await seedGallery(server.url, TEST_API_KEY, packages, { concurrency: 4 });
  // a NuGet package that is not a PowerShell module (no Zz.NotAModule.psd1): installing it fails
  const lib = await makeNupkg({ nuspec: nuspecXml({ id: 'Zz.NotAModule', version: '1.0.0' }), entries: [{ name: 'lib/net8.0/Zz.NotAModule.dll', data: 'MZ' }] });
  const pushed = await pushPackage(server.url, lib);
  if (pushed.status !== 201) throw new Error(`push Zz.NotAModule: ${pushed.status} ${pushed.text}`);
});

afterAll(async () => {
  await server?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

let n = 0;
const project = async () => {
  const cwd = join(scratch, `project-${++n}`);
  await mkdir(cwd, { recursive: true });
  return cwd;
};

const sync = async (cwd: string, yaml: string | null, args: string[] = []) => {
  if (yaml !== null) await writeFile(join(cwd, 'modules.yaml'), yaml);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClientCommand('sync', [...(yaml !== null ? ['modules.yaml'] : []), '--source', `${server.url}/v3/index.json`, ...args], {
    stdout: { write: (c: string) => (out.push(c), true) },
    stderr: { write: (c: string) => (err.push(c), true), isTTY: false },
    env: { PSModulePath: '', HOME: cwd },
    cwd,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
};
const folders = async (cwd: string, name: string) => (existsSync(join(cwd, 'Modules', name)) ? (await readdir(join(cwd, 'Modules', name))).sort() : []);

describe('galleon sync', () => {
  it('installs what is missing into ./Modules, with dependencies, and reports each change', async () => {
    const cwd = await project();
    const r = await sync(
      cwd,
      `- Name: Plaster
  Version: 1.1.3
  Repository: PSGallery
- Name: Pester
  VersionMIN: 5.4.0
  VersionMAX: 5.4.1
- Name: PrereleaseTest
- Name: Az.Compute
  Version: 5.0.0
`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.3']);
    expect(await folders(cwd, 'Pester')).toEqual(['5.4.1']);
    expect(await folders(cwd, 'PrereleaseTest')).toEqual(['0.0.1']);
    expect(await folders(cwd, 'Az.Compute')).toEqual(['5.0.0']);
    expect(await folders(cwd, 'Az.Accounts')).toEqual(['2.10.2']);
    expect(r.stdout).toMatch(/^installed\s+Plaster 1\.1\.3\s+\(missing\)/m);
    expect(r.stdout).toMatch(/^installed\s+Az\.Accounts 2\.10\.2\s+\(dependency of Az\.Compute 5\.0\.0\)/m);
    const outs: string[] = [];

    const again = await runClientCommand('sync', ['modules.yaml', '--source', `${server.url}/v3/index.json`], {
      stdout: { write: (c: string) => (outs.push(c), true) },
      stderr: { write: () => true, isTTY: false },
      env: { PSModulePath: '', HOME: cwd },
      cwd,
    });
    expect(again).toBe(0);
    expect(outs.join('')).toContain('Nothing to change');
  });

  it('disables versions that leave the spec, re-enables them when they come back, and changes nothing when in line', async () => {
    const cwd = await project();
    expect((await sync(cwd, '- Name: Plaster\n  Version: 1.1.3\n')).code).toBe(0);

    const down = await sync(cwd, '- Name: Plaster\n  Version: 1.1.1\n');
    expect(down.code, down.stderr).toBe(0);
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.1', '1.1.3.disabled']);
    expect(down.stdout).toMatch(/^disabled\s+Plaster 1\.1\.3\s+\(outside the spec\) -> .*1\.1\.3\.disabled$/m);
    expect(down.stdout).toMatch(/^installed\s+Plaster 1\.1\.1/m);

    const both = await sync(cwd, '- Name: Plaster\n  Version:\n    - 1.1.1\n    - 1.1.3\n');
    expect(both.stdout).toMatch(/^enabled\s+Plaster 1\.1\.3\s+\(back in the spec\)/m);
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.1', '1.1.3']);

    const range = await sync(cwd, '- Name: Plaster\n  VersionMIN: 1.1.2\n  VersionMAX: 1.1.4\n');
    expect(range.stdout).toMatch(/^disabled\s+Plaster 1\.1\.1/m);
    expect(range.stdout).not.toMatch(/^installed/m);
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.1.disabled', '1.1.3']);

    const same = await sync(cwd, '- Name: Plaster\n  VersionMIN: 1.1.2\n  VersionMAX: 1.1.4\n');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('Nothing to change');
  });

  it('disables a dependency installed outside its own entry, with a warning', async () => {
    const cwd = await project();
    const r = await sync(cwd, '- Name: Az.Compute\n  Version: 5.0.0\n- Name: Az.Accounts\n  VersionMAX: 2.7.4\n');
    expect(r.code, r.stderr).toBe(0);
    expect(await folders(cwd, 'Az.Accounts')).toEqual(['2.10.2.disabled', '2.7.4']);
    expect(r.stderr).toContain('Az.Accounts 2.10.2 was installed as a dependency but is outside the spec');
  });

  it('uses an entry’s Repository when it is a service index URL, and --destination', async () => {
    const cwd = await project();
    const r = await sync(cwd, `- Name: PrereleaseTest\n  Version: 0.0.2-prerelease\n  Repository: ${server.url}/v3/dependencies/index.json\n`, ['--source', 'http://127.0.0.1:9/index.json', '--destination', 'vendor/modules']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'vendor', 'modules', 'PrereleaseTest', '0.0.2', 'PrereleaseTest.psd1'))).toBe(true);
  });

  it('when one entry fails to install, prints what it disabled, enabled and installed before the error, and leaves no empty module folder', async () => {
    const cwd = await project();
    expect((await sync(cwd, '- Name: Plaster\n  Version: 1.1.3\n- Name: Pester\n  Version: 5.4.1\n')).code).toBe(0);
    expect((await sync(cwd, '- Name: Plaster\n  Version: 1.1.3\n- Name: Pester\n  Version: 5.4.0\n')).code).toBe(0);
    expect(await folders(cwd, 'Pester')).toEqual(['5.4.0', '5.4.1.disabled']);
    // one download at a time, in plan order (by name): Plaster 1.1.1 and PrereleaseTest install, then Zz.NotAModule fails
    const r = await sync(
      cwd,
      '- Name: Plaster\n  Version: 1.1.1\n- Name: Pester\n  Version: 5.4.1\n- Name: PrereleaseTest\n- Name: Zz.NotAModule\n',
      ['--throttle-limit', '1'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Zz.NotAModule 1.0.0: the package from');
    expect(r.stderr).toContain('has no Zz.NotAModule.psd1 at its root');
    expect(r.stdout).toMatch(/^disabled\s+Plaster 1\.1\.3\s+\(outside the spec\)/m);
    expect(r.stdout).toMatch(/^disabled\s+Pester 5\.4\.0\s+\(outside the spec\)/m);
    expect(r.stdout).toMatch(/^enabled\s+Pester 5\.4\.1\s+\(back in the spec\)/m);
    expect(r.stdout).toMatch(/^installed\s+Plaster 1\.1\.1\s+\(missing\)/m);
    expect(r.stdout).toMatch(/^installed\s+PrereleaseTest 0\.0\.1\s+\(missing\)/m);
    expect(r.stdout).not.toContain('Zz.NotAModule');
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.1', '1.1.3.disabled']);
    expect(await folders(cwd, 'PrereleaseTest')).toEqual(['0.0.1']);
    expect(existsSync(join(cwd, 'Modules', 'Zz.NotAModule'))).toBe(false);
  });

  it('fails with exit code 1 on a broken spec or an unknown module, and 2 on usage errors', async () => {
    const cwd = await project();
    const broken = await sync(cwd, '- Name: X\n  Version: banana\n');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('"banana" is not a version');
    const unknown = await sync(cwd, '- Name: No.Such.Module\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No.Such.Module: module was not found');
    expect((await sync(cwd, null)).code).toBe(2);
    const help = await runClientCommand('sync', ['--help'], { stdout: { write: () => true }, stderr: { write: () => true } });
    expect(help).toBe(0);
  });
});

describe('galleon install when one module fails', () => {
  it('names the modules that did install before the error, and lists them with --passthru --json', async () => {
    const cwd = await project();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runClientCommand(
      'install',
      ['Plaster=1.1.1', 'Zz.NotAModule', '--destination', join(cwd, 'Modules'), '--destination-only', '--throttle-limit', '1', '--passthru', '--json', '--source', `${server.url}/v3/index.json`],
      { stdout: { write: (c: string) => (out.push(c), true) }, stderr: { write: (c: string) => (err.push(c), true), isTTY: false }, env: { PSModulePath: '', HOME: cwd }, cwd },
    );
    expect(code).toBe(1);
    expect(err.join('')).toContain('Installed 1 of 2 modules before the failure: Plaster 1.1.1');
    expect(err.join('')).toContain('has no Zz.NotAModule.psd1 at its root');
    const listed = JSON.parse(out.join(''));
    expect(listed.map((p: { name: string; version: string }) => `${p.name} ${p.version}`)).toEqual(['Plaster 1.1.1']);
    expect(await folders(cwd, 'Plaster')).toEqual(['1.1.1']);
    expect(existsSync(join(cwd, 'Modules', 'Zz.NotAModule'))).toBe(false);
  });
});
