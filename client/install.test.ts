import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeNupkg, nuspecXml } from '../test/helpers/make-nupkg.ts';
import { NuGetVersion } from '../feed/version.ts';
import { FeedClient } from './feed-client.ts';
import {
  GuidMismatchError,
  InstallFailedError,
  InstalledVersionNewerError,
  NotAModuleError,
  ORIGINAL_VERSION_FILE,
  UnsafePackageError,
  extractNupkg,
  initialFolderVersion,
  installModule,
  installModules,
  isPackagingEntry,
  safeEntryPath,
} from './install.ts';
import { INCOMPLETE_MARKER } from './installed.ts';
import type { PlanEntry } from './plan.ts';

const GUID = '7c279caf-00bc-40ae-a1ed-184ad07be1b0';

/** The files PowerShellGet puts in a module nupkg (NUGET-V3.md §9.1). */
const modulePackage = (name: string, version: string, opts: { moduleVersion?: string; prerelease?: string; guid?: string; extra?: { name: string; data: string }[] } = {}) => {
  const pd = opts.prerelease ? `PrivateData = @{ PSData = @{ Prerelease = '${opts.prerelease}' } }` : '';
  return makeNupkg({
    nuspec: nuspecXml({ id: name, version, tags: 'PSModule' }),
    entries: [
      { name: `${name}.psd1`, data: `@{ ModuleVersion = '${opts.moduleVersion ?? version.split('-')[0]}'; GUID = '${opts.guid ?? GUID}'; RootModule = '${name}.psm1'; ${pd} }` },
      { name: `${name}.psm1`, data: 'function Get-It { 1 }' },
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: '_rels/.rels', data: '<Relationships/>' },
      { name: 'package/services/metadata/core-properties/abc.psmdcp', data: '<coreProperties/>' },
      ...(opts.extra ?? []),
    ],
  });
};

describe('initialFolderVersion (ModuleFast v0.6.1 folder names)', () => {
  it('keeps 4 parts only when the feed wrote 4, and drops labels', () => {
    expect(initialFolderVersion('1.13.0.0', NuGetVersion.parse('1.13.0.0'))).toBe('1.13.0.0');
    expect(initialFolderVersion('0.4.15', NuGetVersion.parse('0.4.15'))).toBe('0.4.15');
    expect(initialFolderVersion('1.99', NuGetVersion.parse('1.99'))).toBe('1.99.0');
    expect(initialFolderVersion('0.0.2-prerelease', NuGetVersion.parse('0.0.2-prerelease'))).toBe('0.0.2');
    expect(initialFolderVersion('13.2.0.22643733', NuGetVersion.parse('13.2.0.22643733'))).toBe('13.2.0.22643733');
  });
});

describe('zip entries', () => {
  it('recognises NuGet packaging files at the root only', () => {
    for (const n of ['_rels/.rels', 'package/services/metadata/core-properties/x.psmdcp', '[Content_Types].xml', 'Mod.nuspec']) expect(isPackagingEntry(n)).toBe(true);
    for (const n of ['Mod.psd1', 'docs/package/readme.md', 'sub/Other.nuspec', 'package.ps1']) expect(isPackagingEntry(n)).toBe(false);
  });

  it('refuses names that leave the module folder (zip slip)', () => {
    const root = '/tmp/x/root';
    for (const bad of ['../evil.ps1', 'a/../../evil.ps1', '/etc/passwd', 'C:/Windows/evil.dll', 'c:evil', '..\\evil.ps1', '%2e%2e/evil.ps1', 'a/%2E%2E/%2e%2e/evil']) {
      expect(() => safeEntryPath(root, bad, 'Mod'), bad).toThrow(UnsafePackageError);
    }
    expect(safeEntryPath(root, 'My%20File.ps1')).toBe('/tmp/x/root/My File.ps1');
    expect(safeEntryPath(root, 'en-US\\about_Mod.help.txt')).toBe('/tmp/x/root/en-US/about_Mod.help.txt');
    expect(safeEntryPath(root, 'a/./b/c.txt')).toBe('/tmp/x/root/a/b/c.txt');
    // any '..' segment is refused, as yauzl does, even one that would stay inside
    expect(() => safeEntryPath(root, 'a/b/../c.txt')).toThrow(UnsafePackageError);
  });

  it('refuses names Windows cannot hold, as the feed refuses them on push', () => {
    const root = '/tmp/x/root';
    for (const bad of ['nul.txt', 'en-US/CON', 'lib/com1.dll', '%4E%55%4C.ps1', 'Mod.psm1.', 'Private /x.ps1', 'a?.ps1', 'a:stream', '\\\\server\\share\\x.ps1', 'lib/.../x.ps1']) {
      expect(() => safeEntryPath(root, bad, 'Mod'), bad).toThrow(UnsafePackageError);
    }
    expect(() => safeEntryPath(root, 'lib/nul.txt', 'Mod')).toThrow(/Mod: the package entry "lib\/nul.txt" uses the reserved Windows device name "nul"; refusing to install it\./);
  });

  it('extracts module files and leaves the packaging files out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galleon-extract-'));
    const bytes = await modulePackage('Mod', '1.0.0', { extra: [{ name: 'en-US/about_Mod.help.txt', data: 'help' }, { name: 'Private%20Functions/Get-X.ps1', data: 'x' }] });
    const written = await extractNupkg(bytes, dir, 'Mod');
    expect(written.sort()).toEqual(['Mod.psd1', 'Mod.psm1', 'Private Functions/Get-X.ps1', 'en-US/about_Mod.help.txt']);
    expect((await readdir(dir)).sort()).toEqual(['Mod.psd1', 'Mod.psm1', 'Private Functions', 'en-US']);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an archive with a traversal entry and writes nothing outside', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'galleon-slip-'));
    const root = join(parent, 'root');
    const bytes = await makeNupkg({ nuspec: nuspecXml({ id: 'Mod', version: '1.0.0' }), entries: [{ name: '../escaped.txt', data: 'pwned' }] });
    await expect(extractNupkg(bytes, root, 'Mod')).rejects.toBeInstanceOf(UnsafePackageError);
    expect(existsSync(join(parent, 'escaped.txt'))).toBe(false);
    const encoded = await makeNupkg({ nuspec: nuspecXml({ id: 'Mod', version: '1.0.0' }), entries: [{ name: '%2e%2e/escaped2.txt', data: 'pwned' }] });
    await expect(extractNupkg(encoded, root, 'Mod')).rejects.toBeInstanceOf(UnsafePackageError);
    expect(existsSync(join(parent, 'escaped2.txt'))).toBe(false);
    const device = await makeNupkg({ nuspec: nuspecXml({ id: 'Mod', version: '1.0.0' }), entries: [{ name: 'Mod.psd1', data: '@{}' }, { name: 'en-US/aux.txt', data: 'x' }] });
    await expect(extractNupkg(device, root, 'Mod')).rejects.toThrow(/reserved Windows device name "aux"/);
    expect(existsSync(join(root, 'en-US', 'aux.txt'))).toBe(false);
    await rm(parent, { recursive: true, force: true });
  });

  it('refuses bytes that are not a zip', async () => {
    await expect(extractNupkg(Buffer.from('not a zip at all'), join(tmpdir(), 'galleon-never'), 'Mod')).rejects.toThrow(/not a readable zip/);
  });
});

describe('installModule against a feed', () => {
  let server: Server;
  let base: string;
  const packages = new Map<string, Buffer>();
  let dest: string;
  let client: FeedClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = packages.get(req.url!);
      if (!body) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new FeedClient({ source: `${base}/index.json`, retryBaseDelayMs: 1 });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    dest = await mkdtemp(join(tmpdir(), 'galleon-install-'));
  });

  const entry = async (name: string, feedVersion: string, opts: Parameters<typeof modulePackage>[2] & { guid?: string; specGuid?: string } = {}): Promise<PlanEntry> => {
    const path = `/pkg/${name.toLowerCase()}.${feedVersion}.nupkg`;
    packages.set(path, await modulePackage(name, feedVersion, opts));
    return {
      name,
      version: NuGetVersion.parse(feedVersion),
      feedVersion,
      packageContent: `${base}${path}`,
      guid: opts.specGuid ?? null,
      requiredBy: ['(specified)'],
      dependencies: [],
    };
  };

  it('installs into <dest>/<Name>/<version> without packaging files or marker', async () => {
    const r = await installModule(await entry('Mod', '1.2.3'), { client, destination: dest });
    expect(r.path).toBe(join(dest, 'Mod', '1.2.3'));
    expect((await readdir(r.path)).sort()).toEqual(['Mod.psd1', 'Mod.psm1']);
  });

  it('renames the folder to the manifest ModuleVersion and records the first name', async () => {
    const r = await installModule(await entry('ConnectWiseManageAPI', '0.4.15', { moduleVersion: '0.4.15.0' }), { client, destination: dest });
    expect(r.folderVersion).toBe('0.4.15.0');
    expect(await readdir(join(dest, 'ConnectWiseManageAPI'))).toEqual(['0.4.15.0']);
    expect((await readFile(join(r.path, ORIGINAL_VERSION_FILE), 'utf8')).trim()).toBe('0.4.15');
  });

  it('checks the GUID and removes the folder on a mismatch', async () => {
    const wrong = '3cb1a381-5d96-4b56-843e-dd97cf4c6545';
    const e = await entry('Pre', '0.0.1', { specGuid: wrong });
    const err = await installModule(e, { client, destination: dest }).catch((x) => x);
    expect(err).toBeInstanceOf(GuidMismatchError);
    expect(err.message).toContain(`Expected ${wrong} but found ${GUID}`);
    expect(existsSync(join(dest, 'Pre', '0.0.1'))).toBe(false);
    const ok = await installModule(await entry('Pre', '0.0.1', { specGuid: GUID }), { client, destination: dest });
    expect(existsSync(join(ok.path, 'Pre.psd1'))).toBe(true);
  });

  it('refuses a package without <Name>.psd1 and cleans up', async () => {
    packages.set('/pkg/lib.1.0.0.nupkg', await makeNupkg({ nuspec: nuspecXml({ id: 'Lib', version: '1.0.0' }), entries: [{ name: 'lib/net8.0/Lib.dll', data: 'MZ' }] }));
    const e: PlanEntry = { name: 'Lib', version: NuGetVersion.parse('1.0.0'), feedVersion: '1.0.0', packageContent: `${base}/pkg/lib.1.0.0.nupkg`, guid: null, requiredBy: [], dependencies: [] };
    await expect(installModule(e, { client, destination: dest })).rejects.toBeInstanceOf(NotAModuleError);
    expect(existsSync(join(dest, 'Lib', '1.0.0'))).toBe(false);
    // the module folder this install created goes too: no empty <dest>/Lib/ is left behind
    expect(existsSync(join(dest, 'Lib'))).toBe(false);
    expect(await readdir(dest)).toEqual([]);
  });

  it('keeps a module folder that existed before a failed install, with its other versions', async () => {
    await installModule(await entry('Mod', '1.0.0'), { client, destination: dest });
    packages.set('/pkg/mod.2.0.0.nupkg', await makeNupkg({ nuspec: nuspecXml({ id: 'Mod', version: '2.0.0' }), entries: [{ name: 'lib/Mod.dll', data: 'MZ' }] }));
    const broken: PlanEntry = { name: 'Mod', version: NuGetVersion.parse('2.0.0'), feedVersion: '2.0.0', packageContent: `${base}/pkg/mod.2.0.0.nupkg`, guid: null, requiredBy: [], dependencies: [] };
    await expect(installModule(broken, { client, destination: dest })).rejects.toBeInstanceOf(NotAModuleError);
    expect(await readdir(join(dest, 'Mod'))).toEqual(['1.0.0']);
    // an empty module folder that was already there is not ours to remove either
    await mkdir(join(dest, 'Lib'));
    packages.set('/pkg/lib.1.0.0.nupkg', await makeNupkg({ nuspec: nuspecXml({ id: 'Lib', version: '1.0.0' }), entries: [{ name: 'lib/Lib.dll', data: 'MZ' }] }));
    const lib: PlanEntry = { ...broken, name: 'Lib', version: NuGetVersion.parse('1.0.0'), feedVersion: '1.0.0', packageContent: `${base}/pkg/lib.1.0.0.nupkg` };
    await expect(installModule(lib, { client, destination: dest })).rejects.toBeInstanceOf(NotAModuleError);
    expect(existsSync(join(dest, 'Lib'))).toBe(true);
  });

  it('a failed run still tells which packages did install (InstallFailedError.installed)', async () => {
    const good = await Promise.all([entry('A', '1.0.0'), entry('B', '1.0.0')]);
    const missing: PlanEntry = { ...good[0]!, name: 'Gone', packageContent: `${base}/pkg/gone.nupkg` };
    const err = await installModules([...good, missing], { client, destination: dest, throttle: 1 }).catch((x) => x);
    expect(err).toBeInstanceOf(InstallFailedError);
    expect(err.installed.map((p: { name: string }) => p.name)).toEqual(['A', 'B']);
    expect((await readdir(dest)).sort()).toEqual(['A', 'B']);
  });

  it('replaces a broken install (with .incomplete) and finishes without the marker', async () => {
    await mkdir(join(dest, 'Mod', '1.2.3'), { recursive: true });
    await writeFile(join(dest, 'Mod', '1.2.3', INCOMPLETE_MARKER), '');
    await writeFile(join(dest, 'Mod', '1.2.3', 'half.txt'), '');
    const warnings: string[] = [];
    const r = await installModule(await entry('Mod', '1.2.3'), { client, destination: dest, onWarning: (m) => warnings.push(m) });
    expect((await readdir(r.path)).sort()).toEqual(['Mod.psd1', 'Mod.psm1']);
    expect(warnings.some((w) => w.includes('incomplete installation detected'))).toBe(true);
  });

  it('overwrites an older prerelease in the same folder, refuses to replace a newer version', async () => {
    const warnings: string[] = [];
    await installModule(await entry('Pre', '0.0.1-aprerelease', { prerelease: 'aprerelease' }), { client, destination: dest });
    await installModule(await entry('Pre', '0.0.1-bprerelease', { prerelease: 'bprerelease' }), { client, destination: dest, onWarning: (m) => warnings.push(m) });
    expect(warnings.some((w) => w.includes('is newer than existing prerelease version'))).toBe(true);
    expect(await readFile(join(dest, 'Pre', '0.0.1', 'Pre.psd1'), 'utf8')).toContain('bprerelease');
    await installModule(await entry('Pre', '0.0.1'), { client, destination: dest });
    const err = await installModule(await entry('Pre', '0.0.1-prerelease', { prerelease: 'prerelease' }), { client, destination: dest }).catch((x) => x);
    expect(err).toBeInstanceOf(InstalledVersionNewerError);
    expect(err.message).toContain('is newer than the requested prerelease version');
    expect(await readFile(join(dest, 'Pre', '0.0.1', 'Pre.psd1'), 'utf8')).not.toContain('Prerelease');
  });

  it('uses the existing module folder spelling on a case-sensitive file system', async () => {
    await mkdir(join(dest, 'mod'), { recursive: true });
    const r = await installModule(await entry('Mod', '2.0.0'), { client, destination: dest });
    expect(r.path).toBe(join(dest, 'mod', '2.0.0'));
  });

  it('installs several in parallel and reports every failure', async () => {
    const good = await Promise.all([entry('A', '1.0.0'), entry('B', '1.0.0'), entry('C', '1.0.0')]);
    const done = await installModules(good, { client, destination: dest, throttle: 2 });
    expect(done.map((d) => d.name)).toEqual(['A', 'B', 'C']);
    const missing: PlanEntry = { ...good[0]!, name: 'Gone', packageContent: `${base}/pkg/gone.nupkg` };
    const err = await installModules([missing], { client, destination: dest }).catch((x) => x);
    expect(err).toBeInstanceOf(InstallFailedError);
    expect(err.message).toContain('404');
  });
});
