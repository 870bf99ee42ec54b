/**
 * The compiled-code switch of bin/galleon.js: `newestSourceMtime` sees every runtime source (tests
 * excluded), so dist/ is used only while no source is newer than its build stamp; and the command
 * answers the same whether it runs dist/ or the sources.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of bin/ (no type declarations)
import { newestSourceMtime } from '../bin/source-stamp.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'galleon.js');

describe('bin/galleon.js and its build stamp', () => {
  let root: string | null = null;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = null;
  });

  it('takes the newest runtime source, ignoring tests and folders outside feed/db/server/client/cli', async () => {
    root = await mkdtemp(join(tmpdir(), 'galleon-stamp-'));
    for (const d of ['feed', 'db/migrations', 'server', 'client', 'cli', 'test']) await mkdir(join(root, d), { recursive: true });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const files: [string, number][] = [
      ['feed/version.ts', 10],
      ['db/migrations/0001.sql', 20],
      ['server/app.ts', 15],
      ['server/app.test.ts', 90],
      ['client/cli.ts', 5],
      ['cli/main.ts', 3],
      ['test/e2e.test.ts', 99],
    ];
    for (const [f, s] of files) {
      await writeFile(join(root, f), '');
      await utimes(join(root, f), at(s), at(s));
    }
    expect(newestSourceMtime(root)).toBe(at(20).getTime());
    await utimes(join(root, 'client/cli.ts'), at(30), at(30));
    expect(newestSourceMtime(root)).toBe(at(30).getTime());
    await utimes(join(root, 'cli/main.ts'), at(40), at(40));
    expect(newestSourceMtime(root)).toBe(at(40).getTime());
  });

  it('answers --help the same from the sources as from whatever dist/ holds', async () => {
    const fromSource = await run(process.execPath, [BIN, 'install', '--help'], { env: { ...process.env, GALLEON_FROM_SOURCE: '1' } });
    const either = await run(process.execPath, [BIN, 'install', '--help']);
    expect(fromSource.stdout).toMatch(/Usage: galleon install/);
    expect(either.stdout).toBe(fromSource.stdout);
  }, 30_000);
});
