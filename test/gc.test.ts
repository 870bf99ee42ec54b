/**
 * `galleon gc` as a user runs it (`node bin/galleon.js gc`), on a data folder with pushed packages and
 * planted leftovers, on every backend of `backends()`: the dry run lists and changes nothing, `--apply`
 * moves the unreferenced folders to the quarantine (beyond the start-up sweep's limit) and never a
 * referenced one, and on the embedded database it refuses to run beside a serving Galleon.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startChildServer } from './support/crash-child.ts';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { backends, createTestDatabase, pushPackage } from './support/server.ts';

const GALLEON = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'galleon.js');

function gc(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GALLEON, 'gc', ...args], { env: { ...process.env, GALLEON_LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(backends())('galleon gc (%s database)', (backend) => {
  let dataDir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | null = null;
  const pushed: string[] = [];
  const orphans = Array.from({ length: 12 }, (_, i) => `gc.pkg/1.0.${i}/00000000-0000-4000-8000-00000000000${i % 10}`);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'galleon-gc-'));
    env = { GALLEON_DATA_DIR: dataDir, GALLEON_SWEEP_MIN_AGE_MINUTES: '0' };
    if (backend === 'postgres') {
      const db = await createTestDatabase();
      env.DATABASE_URL = db.url;
      drop = db.drop;
    } else {
      await cp(inject('embeddedTemplate'), join(dataDir, 'db'), { recursive: true });
    }
    const child = await startChildServer({ dataDir, databaseUrl: env.DATABASE_URL ?? null });
    for (let i = 0; i < 20; i++) {
      const version = `2.0.${i}`;
      expect((await pushPackage(child.url, await makeNupkg({ nuspec: nuspecXml({ id: 'Gc.Kept', version }) }))).status).toBe(201);
      pushed.push(version);
    }
    if (backend === 'embedded') {
      const refused = await gc([], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/in use by another Galleon \(pid \d+, "galleon serve"/);
    }
    child.kill('SIGTERM');
    await child.exited;
    // 12 leftovers: more than the start-up sweep's limit of 5 for 32 folders
    const past = new Date(Date.now() - 3600_000);
    for (const key of orphans) {
      const d = join(dataDir, 'packages', key);
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'package.nupkg'), 'leftover');
      await utimes(d, past, past);
    }
  }, 120_000);
  afterAll(async () => {
    if (drop) await drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the unreferenced folders in a dry run and changes nothing', async () => {
    const r = await gc([], env);
    expect(r.stderr).toMatch(/Checking the package folders/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Package folders: 32/);
    expect(r.stdout).toMatch(/Not referenced by any row: 12 \(more than the start-up sweep moves on its own: 5\)/);
    for (const key of orphans) expect(r.stdout).toContain(key);
    expect(r.stdout).toMatch(/This was a dry run\. "galleon gc --apply" would move 12 folders to the quarantine/);
    expect((await readdir(join(dataDir, 'packages', 'gc.pkg'))).length).toBe(12);
    expect(await readdir(join(dataDir, 'quarantine')).catch(() => null)).toBeNull();
  }, 60_000);

  it('with --apply moves them to the quarantine, keeps every pushed package, and then has nothing to do', async () => {
    const r = await gc(['--apply'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Applied: moved 12 folders to .*quarantine/);
    expect(await readdir(join(dataDir, 'packages', 'gc.pkg')).catch(() => [])).toEqual([]);
    const kept = await readdir(join(dataDir, 'packages', 'gc.kept'));
    expect(kept.sort()).toEqual([...pushed].sort());
    const json = JSON.parse((await gc(['--json'], env)).stdout);
    expect(json.plan.orphans).toEqual([]);
    expect(json.plan.quarantined).toHaveLength(12);
    expect(json.plan.quarantined.every((q: { referenced: boolean }) => !q.referenced)).toBe(true);
    // a restart serves every pushed version
    const child = await startChildServer({ dataDir, databaseUrl: env.DATABASE_URL ?? null });
    try {
      for (const v of pushed) expect((await fetch(`${child.url}/v3/flatcontainer/gc.kept/${v}/gc.kept.${v}.nupkg`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
    }
  }, 60_000);

  it('refuses unknown options with usage help', async () => {
    const r = await gc(['--delete-everything'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--delete-everything'.*\n.*galleon gc --help/);
  });
});
