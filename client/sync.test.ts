import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NuGetVersion } from '../feed/version.ts';
import { SyncRenameError, SyncSpecError, parseSyncSpec, syncEntryAllows, syncEntrySource, syncEntrySpec, syncModules, type SyncEntry } from './sync.ts';

const v = (s: string) => NuGetVersion.parse(s);

describe('parseSyncSpec', () => {
  it('reads names, one or several exact versions, bounds and repositories, keeping versions as text', () => {
    const entries = parseSyncSpec(`
- Name: PSSQLite
  Version: 1.10
  Repository: PSGallery
- Name: Pester
  Version:
    - 5.4.0
    - 5.4.1
- name: Plaster
  VersionMIN: 1.1.1
  VersionMAX: 1.1.3
  Repository: https://example.com/v3/index.json
- Name: Anything
`);
    expect(entries.map((e) => e.name)).toEqual(['PSSQLite', 'Pester', 'Plaster', 'Anything']);
    expect(entries[0]!.versions.map(String)).toEqual(['1.10.0']);
    expect(entries[1]!.versions.map(String)).toEqual(['5.4.0', '5.4.1']);
    expect([entries[2]!.min?.toString(), entries[2]!.max?.toString()]).toEqual(['1.1.1', '1.1.3']);
    expect(syncEntrySource(entries[0]!)).toBeNull();
    expect(syncEntrySource(entries[2]!)).toBe('https://example.com/v3/index.json');
    expect(parseSyncSpec('')).toEqual([]);
  });

  it('rejects what it cannot use, naming the file and entry', () => {
    expect(() => parseSyncSpec('Name: X', 's.yaml')).toThrow(/s\.yaml: the spec must be a YAML list/);
    expect(() => parseSyncSpec('- Version: 1.0', 's.yaml')).toThrow(/entry 1 has no Name/);
    expect(() => parseSyncSpec('- Name: X\n  Version: banana', 's.yaml')).toThrow(/entry 1 \(X\): Version "banana" is not a version/);
    expect(() => parseSyncSpec('- Name: X\n  VersionMIN: 2.0\n  VersionMAX: 1.0', 's.yaml')).toThrow(SyncSpecError);
    expect(() => parseSyncSpec('- Name: [unclosed', 's.yaml')).toThrow(/not valid YAML/);
  });
});

describe('syncEntryAllows / syncEntrySpec (seed 002 Test-VersionInSpec)', () => {
  const e = (x: Partial<SyncEntry>): SyncEntry => ({ name: 'M', versions: [], min: null, max: null, repository: null, ...x });
  it('allows exact versions, inclusive bounds, either one, or everything', () => {
    expect(syncEntryAllows(e({ versions: [v('1.1.0')] }), v('1.1.0.0'))).toBe(true);
    expect(syncEntryAllows(e({ versions: [v('1.1.0')] }), v('1.2.0'))).toBe(false);
    expect(syncEntryAllows(e({ min: v('1.0.0'), max: v('2.0.0') }), v('2.0.0'))).toBe(true);
    expect(syncEntryAllows(e({ min: v('1.0.0'), max: v('2.0.0') }), v('2.1.0'))).toBe(false);
    expect(syncEntryAllows(e({ min: v('1.5.0') }), v('9.0.0'))).toBe(true);
    expect(syncEntryAllows(e({ versions: [v('0.5.0')], min: v('1.0.0') }), v('0.5.0'))).toBe(true);
    expect(syncEntryAllows(e({}), v('0.0.1'))).toBe(true);
  });
  it('installs the highest listed version, else the highest within the bounds', () => {
    expect(syncEntrySpec(e({ versions: [v('1.1.0'), v('1.2.0')] })).toString()).toBe('M(1.2.0)');
    expect(syncEntrySpec(e({ min: v('1.0.0'), max: v('2.0.0') })).toString()).toBe('M [1.0.0, 2.0.0]');
    expect(syncEntrySpec(e({})).toString()).toBe('M');
  });
});

describe('syncModules on disk (no downloads needed)', () => {
  let dest: string;
  const noFeed = () => {
    throw new Error('no feed should be needed');
  };
  const installed = (name: string, folder: string) =>
    mkdir(join(dest, name, folder), { recursive: true }).then(() => writeFile(join(dest, name, folder, `${name}.psd1`), `@{ ModuleVersion = '${folder.replace(/\.disabled$/, '')}' }`));

  beforeEach(async () => {
    dest = await mkdtemp(join(tmpdir(), 'galleon-sync-'));
  });
  afterEach(() => rm(dest, { recursive: true, force: true }));

  it('disables versions outside the spec and re-enables those back in it', async () => {
    await installed('PSSQLite', '1.1.0');
    await installed('PSSQLite', '2.1.0');
    await installed('PSSQLite', '1.0.0.disabled');
    const entries = parseSyncSpec('- Name: PSSQLite\n  VersionMIN: 1.0.0\n  VersionMAX: 2.0.0\n');
    const changes = await syncModules(entries, { destination: dest, clientFor: noFeed });
    expect(changes.map((c) => `${c.action} ${c.version}`)).toEqual(['disabled 2.1.0', 'enabled 1.0.0']);
    expect((await readdir(join(dest, 'PSSQLite'))).sort()).toEqual(['1.0.0', '1.1.0', '2.1.0.disabled']);
    expect(await syncModules(entries, { destination: dest, clientFor: noFeed })).toEqual([]);
  });

  it('retries a locked rename, then gives up with SyncRenameError', async () => {
    await installed('Mod', '3.0.0');
    await installed('Mod', '1.0.0');
    const entries = parseSyncSpec('- Name: Mod\n  Version: 1.0.0\n');
    let calls = 0;
    const flaky = async (from: string, to: string) => {
      if (++calls < 3) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      await rename(from, to);
    };
    const changes = await syncModules(entries, { destination: dest, clientFor: noFeed, renameFn: flaky, renameDelayMs: 1 });
    expect(calls).toBe(3);
    expect(changes.map((c) => c.action)).toEqual(['disabled']);
    expect(existsSync(join(dest, 'Mod', '3.0.0.disabled'))).toBe(true);

    await installed('Mod', '4.0.0');
    const locked = async () => {
      throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
    };
    await expect(syncModules(entries, { destination: dest, clientFor: noFeed, renameFn: locked, renameDelayMs: 1, renameAttempts: 2 })).rejects.toBeInstanceOf(SyncRenameError);
    expect(existsSync(join(dest, 'Mod', '4.0.0'))).toBe(true);
  });

  it('leaves a disabled copy alone when the same version is also enabled', async () => {
    await installed('Mod', '1.0.0');
    await installed('Mod', '1.0.0.disabled');
    const warnings: string[] = [];
    const changes = await syncModules(parseSyncSpec('- Name: Mod\n'), { destination: dest, clientFor: noFeed, onWarning: (w) => warnings.push(w) });
    expect(changes).toEqual([]);
    expect(warnings[0]).toContain('leaving it disabled');
  });
});
