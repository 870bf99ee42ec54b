import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileError, formatLockfile, parseLockfile, readLockfile, writeLockfile } from './lockfile.ts';

describe('lockfile (requires.lock.json)', () => {
  it('round-trips names and exact versions, sorted by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galleon-lock-'));
    const path = join(dir, 'requires.lock.json');
    await writeLockfile(path, [
      { name: 'PrereleaseTest', version: '0.0.1-prerelease' },
      { name: 'Az.Accounts', version: '2.7.3' },
      { name: 'PendingReboot', version: '0.9.0.6' },
    ]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ 'Az.Accounts': '2.7.3', PendingReboot: '0.9.0.6', PrereleaseTest: '0.0.1-prerelease' });
    const specs = (await readLockfile(path))!;
    expect(specs.map((s) => s.toString())).toEqual(['Az.Accounts(2.7.3)', 'PendingReboot(0.9.0.6)', 'PrereleaseTest(0.0.1-prerelease)']);
    expect(specs[2]!.prerelease).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an array when one module is locked at several versions, and reads it back', () => {
    const text = formatLockfile([
      { name: 'Pester', version: '5.4.1' },
      { name: 'Pester', version: '5.4.0' },
      { name: 'pester', version: '5.4.1' },
    ]);
    expect(JSON.parse(text)).toEqual({ Pester: ['5.4.0', '5.4.1'] });
    expect(parseLockfile(text).map((s) => s.toString())).toEqual(['Pester(5.4.0)', 'Pester(5.4.1)']);
  });

  it('reads ModuleFast lockfiles (with a BOM) and reports a missing file as null', async () => {
    expect(parseLockfile('\uFEFF{ "ImportExcel": "7.8.6" }').map((s) => s.toString())).toEqual(['ImportExcel(7.8.6)']);
    expect(await readLockfile(join(tmpdir(), 'galleon-no-such-dir', 'requires.lock.json'))).toBeNull();
  });

  it('rejects malformed lockfiles naming the file', async () => {
    for (const bad of ['[]', '{ "A": 1 }', '{ "A": "not-a-version" }', '{ "A": [] }', '{']) {
      expect(() => parseLockfile(bad, 'x.lock.json'), bad).toThrow(LockfileError);
    }
    const dir = await mkdtemp(join(tmpdir(), 'galleon-lock-'));
    await writeFile(join(dir, 'l.json'), '{ "A": "1.0.0", "B": "x" }');
    await expect(readLockfile(join(dir, 'l.json'))).rejects.toThrow(/l\.json has an invalid version for B/);
    await rm(dir, { recursive: true, force: true });
  });
});
