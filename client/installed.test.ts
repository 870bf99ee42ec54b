import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INCOMPLETE_MARKER, ModuleInventory, defaultDestination, psModulePaths, versionAllowed } from './installed.ts';
import { parseModuleSpec } from './spec.ts';
import { NuGetVersion } from '../feed/version.ts';

describe('defaultDestination (ModuleFast: the user PowerShell modules folder)', () => {
  it('uses XDG_DATA_HOME, else ~/.local/share, on Linux', () => {
    expect(defaultDestination({ XDG_DATA_HOME: '/xdg', HOME: '/home/u' }, 'linux')).toBe('/xdg/powershell/Modules');
    expect(defaultDestination({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.local/share/powershell/Modules');
    expect(defaultDestination({ XDG_DATA_HOME: 'relative', HOME: '/home/u' }, 'linux')).toBe('/home/u/.local/share/powershell/Modules');
  });
  it('uses Documents\\PowerShell\\Modules on Windows', () => {
    expect(defaultDestination({ USERPROFILE: '/Users/u' }, 'win32')).toBe(join('/Users/u', 'Documents', 'PowerShell', 'Modules'));
  });
});

describe('psModulePaths', () => {
  it('splits on the delimiter and drops empty entries', () => {
    expect(psModulePaths('/a::/b/ :', ':')).toEqual(['/a', '/b']);
    expect(psModulePaths(undefined)).toEqual([]);
  });
});

describe('versionAllowed', () => {
  it('needs a prerelease-acceptable spec (or --prerelease) for prereleases and build metadata', () => {
    const v = NuGetVersion.parse('1.0.0-beta');
    expect(versionAllowed(parseModuleSpec('M'), v)).toBe(false);
    expect(versionAllowed(parseModuleSpec('M!'), v)).toBe(true);
    expect(versionAllowed(parseModuleSpec('M'), v, { prerelease: true })).toBe(true);
    expect(versionAllowed(parseModuleSpec('M'), NuGetVersion.parse('1.0.0+sha'))).toBe(false);
    expect(versionAllowed(parseModuleSpec('M>=1.0.0-alpha'), v)).toBe(true);
  });
});

describe('ModuleInventory', () => {
  let root: string;
  let dest: string;
  let other: string;
  const manifest = (dir: string, name: string, version: string, extra = '') =>
    mkdir(dir, { recursive: true }).then(() => writeFile(join(dir, `${name}.psd1`), `@{ ModuleVersion = '${version}'; GUID = '7C279CAF-00BC-40AE-A1ED-184AD07BE1B0'; ${extra} }`));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'galleon-inv-'));
    dest = join(root, 'dest');
    other = join(root, 'other');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('finds versioned folders case-insensitively, with the manifest prerelease label and GUID', async () => {
    await manifest(join(dest, 'prereleasetest', '0.0.1'), 'PrereleaseTest', '0.0.1', "PrivateData = @{ PSData = @{ Prerelease = 'prerelease' } }");
    await manifest(join(dest, 'prereleasetest', '0.0.2'), 'prereleasetest', '0.0.2');
    await mkdir(join(dest, 'prereleasetest', '0.0.3'), { recursive: true }); // no manifest: not installed
    await manifest(join(dest, 'prereleasetest', '0.0.4.disabled'), 'PrereleaseTest', '0.0.4'); // not a version folder
    const inv = new ModuleInventory({ destination: dest });
    const found = await inv.find('PrereleaseTest');
    expect(found.map((m) => m.version.toString())).toEqual(['0.0.2', '0.0.1-prerelease']);
    expect(found[0]!.guid).toBe('7c279caf-00bc-40ae-a1ed-184ad07be1b0');
    expect((await inv.findSatisfying(parseModuleSpec('PrereleaseTest<0.0.2')))).toBeNull();
    expect((await inv.findSatisfying(parseModuleSpec('PrereleaseTest!<0.0.2')))!.version.toString()).toBe('0.0.1-prerelease');
    expect((await inv.findSatisfying(parseModuleSpec("@{ModuleName='PrereleaseTest'; ModuleVersion='0.0.1'; Guid='3cb1a381-5d96-4b56-843e-dd97cf4c6545'}")))).toBeNull();
  });

  it('reads a classic module (manifest directly in the module folder)', async () => {
    await manifest(join(other, 'Classic'), 'Classic', '2.1');
    const inv = new ModuleInventory({ destination: dest, modulePaths: [other] });
    const [m] = await inv.find('classic');
    expect(m!.version.toString()).toBe('2.1.0');
    expect(m!.folderVersion).toBeNull();
    expect(m!.root).toBe(other);
  });

  it('searches the destination first, then the other module paths', async () => {
    await manifest(join(other, 'Mod', '2.0.0'), 'Mod', '2.0.0');
    await manifest(join(dest, 'Mod', '1.0.0'), 'Mod', '1.0.0');
    const inv = new ModuleInventory({ destination: dest, modulePaths: [other, dest] });
    expect(inv.roots).toEqual([dest, other]);
    expect((await inv.find('Mod')).map((m) => m.root)).toEqual([dest, other]);
    expect((await inv.findSatisfying(parseModuleSpec('Mod')))!.version.toString()).toBe('2.0.0');
  });

  it('removes broken installs in the destination and only skips them elsewhere', async () => {
    await manifest(join(dest, 'Mod', '1.0.0'), 'Mod', '1.0.0');
    await writeFile(join(dest, 'Mod', '1.0.0', INCOMPLETE_MARKER), '');
    await manifest(join(other, 'Mod', '1.0.0'), 'Mod', '1.0.0');
    await writeFile(join(other, 'Mod', '1.0.0', INCOMPLETE_MARKER), '');
    const warnings: string[] = [];
    const inv = new ModuleInventory({ destination: dest, modulePaths: [other], onWarning: (w) => warnings.push(w) });
    expect(await inv.find('Mod')).toEqual([]);
    expect(existsSync(join(dest, 'Mod', '1.0.0'))).toBe(false);
    expect(existsSync(join(other, 'Mod', '1.0.0'))).toBe(true);
    expect(warnings.filter((w) => w.includes('incomplete installation detected'))).toHaveLength(2);
  });

  it('skips an unreadable manifest with a warning', async () => {
    await mkdir(join(dest, 'Bad', '1.0.0'), { recursive: true });
    await writeFile(join(dest, 'Bad', '1.0.0', 'Bad.psd1'), '@{ ModuleVersion = ');
    const warnings: string[] = [];
    const inv = new ModuleInventory({ destination: dest, onWarning: (w) => warnings.push(w) });
    expect(await inv.find('Bad')).toEqual([]);
    expect(warnings[0]).toContain('cannot read the module manifest');
  });
});
