/**
 * First start of the embedded database (issue 9, db/connection.ts): a new data folder gets a copy of
 * the build's template and ends up with exactly the schema PGlite's initdb and every migration give; a
 * template that is missing, stale (another PGlite version, a changed migration) or that the folder's
 * migrations do not start with is refused with a reason and initdb runs instead; a template older than
 * db/migrations is copied and the newer migrations applied; a folder made before 1 MB WAL segments
 * (16 MB) still opens; and the embedded database checkpoints on its own, so its write-ahead log stays
 * small. The template is the one test/support/global-setup.ts made from these sources.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkEmbeddedTemplate,
  createEmbeddedTemplate,
  defaultEmbeddedTemplateDir,
  listMigrations,
  openDatabase,
  type DatabaseHandle,
  type DatabaseLog,
  type EmbeddedTemplateManifest,
} from '../db/connection.ts';
import { startChildServer } from './support/crash-child.ts';
import { makeNupkg, nuspecXml } from './support/make-nupkg.ts';
import { pushPackage } from './support/server.ts';

const MIGRATIONS = join(import.meta.dirname, '..', 'db', 'migrations');

/** A logger that keeps every line: `{ msg, ...fields }`. */
function capture(): DatabaseLog & { lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const keep = (obj: object, msg: string) => void lines.push({ ...obj, msg });
  return { lines, info: keep, warn: keep, debug: keep };
}

/** Everything about the schema a user's data depends on, in a stable order. */
async function schemaOf(handle: DatabaseHandle): Promise<Record<string, unknown[]>> {
  const q = async (text: string) => {
    const r: any = await handle.db.execute(sql.raw(text));
    return (Array.isArray(r) ? r : r.rows) as unknown[];
  };
  return {
    migrations: await q('select hash, created_at::text from drizzle.__drizzle_migrations order by created_at'),
    columns: await q(`select table_schema, table_name, column_name, data_type, is_nullable, column_default, ordinal_position
      from information_schema.columns where table_schema in ('public', 'drizzle') order by 1, 2, 7`),
    indexes: await q(`select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname in ('public', 'drizzle') order by 1, 2, 3`),
    constraints: await q(`select c.conrelid::regclass::text as rel, c.conname, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('public', 'drizzle') order by 1, 2`),
    views: await q(`select schemaname, viewname, definition from pg_views where schemaname = 'public' order by 1, 2`),
    extensions: await q('select extname, extversion from pg_extension order by 1'),
    settings: await q(`select name, setting from pg_settings where name in ('wal_segment_size', 'min_wal_size', 'max_wal_size', 'server_encoding', 'lc_collate') order by 1`),
  };
}

/** A template folder whose manifest is `change(manifest)` and whose cluster is the run's (a symlink, no copy). */
function fakeTemplate(root: string, name: string, change: (m: EmbeddedTemplateManifest) => void): string {
  const source = inject('embeddedTemplateDir');
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')) as EmbeddedTemplateManifest;
  change(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  symlinkSync(join(source, 'db'), join(dir, 'db'));
  return dir;
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) total += e.isDirectory() ? duBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return total;
}

describe('first start of the embedded database', () => {
  let root: string;
  const open: DatabaseHandle[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'galleon-first-start-'));
  });
  afterAll(async () => {
    for (const h of open) await h.close();
    await rm(root, { recursive: true, force: true });
  });

  let fromTemplate: Record<string, unknown[]>;

  it("copies the template into a new folder, with the template's migrations and nothing to apply", async () => {
    const log = capture();
    const dir = join(root, 'from-template', 'db');
    const handle = await openDatabase({ embeddedDir: dir, embeddedTemplate: inject('embeddedTemplateDir'), log });
    open.push(handle);
    expect(log.lines.map((l) => l.msg)).toContain("creating the embedded database from the build's template");
    expect(log.lines.find((l) => l.msg === 'database ready')).toMatchObject({ created: 'template', applied: 0 });
    expect(readdirSync(join(root, 'from-template'))).toEqual(['db']); // the sibling it was built in is gone
    fromTemplate = await schemaOf(handle);
    expect(fromTemplate.migrations).toHaveLength(listMigrations().length);
    expect(fromTemplate.columns.length).toBeGreaterThan(20);
    expect(fromTemplate.indexes.length).toBeGreaterThan(5);
    expect(fromTemplate.extensions).toContainEqual(expect.objectContaining({ extname: 'pg_trgm' }));
    // it takes writes like any database
    await handle.db.execute(sql`insert into package_registrations (lower_id, id, created) values ('first.start', 'First.Start', now())`);
  });

  it('refuses a template made by another PGlite version, runs initdb instead, and ends with the same schema', async () => {
    const stale = fakeTemplate(root, 'other-pglite', (m) => (m.pglite = '0.0.1'));
    const log = capture();
    const handle = await openDatabase({ embeddedDir: join(root, 'initdb', 'db'), embeddedTemplate: stale, log });
    open.push(handle);
    const initdb = log.lines.find((l) => l.msg.startsWith('creating the embedded database with initdb'));
    expect(initdb?.reason).toMatch(/made by PGlite 0\.0\.1, this is PGlite \d/);
    expect(log.lines.find((l) => l.msg === 'database ready')).toMatchObject({ created: 'initdb', applied: listMigrations().length });
    expect(await schemaOf(handle)).toEqual(fromTemplate);
  });

  it('says why a template cannot be used: missing, other format, other initdb, changed or unknown migration', () => {
    expect(checkEmbeddedTemplate(join(root, 'nothing-here'))).toMatchObject({ usable: false, reason: expect.stringMatching(/^no template at .*npm run build/) });
    expect(checkEmbeddedTemplate(fakeTemplate(root, 'format', (m) => (m.format = 99)))).toMatchObject({ usable: false, reason: expect.stringMatching(/format/) });
    expect(checkEmbeddedTemplate(fakeTemplate(root, 'initdb-params', (m) => (m.initdb = [])))).toMatchObject({ usable: false, reason: expect.stringMatching(/initdb/) });
    const changed = fakeTemplate(root, 'changed', (m) => (m.migrations[0]!.hash = 'f'.repeat(64)));
    expect(checkEmbeddedTemplate(changed)).toMatchObject({ usable: false, reason: expect.stringMatching(/migration 0000_init of the template differs/) });
    const unknown = fakeTemplate(root, 'unknown', (m) => m.migrations.push({ tag: '9999_future', hash: '0'.repeat(64), when: Date.now() }));
    expect(checkEmbeddedTemplate(unknown)).toMatchObject({ usable: false, reason: expect.stringMatching(/9999_future/) });
    expect(checkEmbeddedTemplate(inject('embeddedTemplateDir'))).toMatchObject({ usable: true, newer: [] });
  });

  it('copies a template older than db/migrations and applies only the newer migrations', async () => {
    // a migrations folder holding only the first migration, as an older checkout had it
    const older = join(root, 'migrations-first-only');
    cpSync(MIGRATIONS, older, { recursive: true });
    const journal = JSON.parse(readFileSync(join(older, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.slice(0, 1);
    writeFileSync(join(older, 'meta', '_journal.json'), JSON.stringify(journal));
    const template = join(root, 'older-template');
    const { manifest } = await createEmbeddedTemplate(template, { migrationsFolder: older });
    expect(manifest.migrations.map((m) => m.tag)).toEqual([journal.entries[0].tag]);
    const check = checkEmbeddedTemplate(template);
    expect(check).toMatchObject({ usable: true, newer: listMigrations().slice(1).map((m) => m.tag) });

    const log = capture();
    const handle = await openDatabase({ embeddedDir: join(root, 'from-older', 'db'), embeddedTemplate: template, log });
    open.push(handle);
    expect(log.lines.find((l) => l.msg === 'database ready')).toMatchObject({ created: 'template', applied: listMigrations().length - 1 });
    expect(log.lines.find((l) => l.msg === 'database schema migrated')?.migrations).toEqual(listMigrations().slice(1).map((m) => m.tag));
    expect(await schemaOf(handle)).toEqual(fromTemplate);
  });

  it('opens a folder made before 1 MB WAL segments (16 MB), with settings PostgreSQL accepts for it', async () => {
    const dir = join(root, 'sixteen', 'db');
    mkdirSync(join(root, 'sixteen'));
    const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const made = spawnSync(process.execPath, ['-e', `const { PGlite } = require(${JSON.stringify(pglite)}); (async () => { const db = new PGlite(${JSON.stringify(dir)}); await db.waitReady; await db.close(); })()`], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const handle = await openDatabase({ embeddedDir: dir, log: capture() });
    open.push(handle);
    const settings = Object.fromEntries(((await schemaOf(handle)).settings as { name: string; setting: string }[]).map((s) => [s.name, s.setting]));
    expect(settings).toMatchObject({ wal_segment_size: String(16 * 1024 * 1024), min_wal_size: '32' });
  });

  it('checkpoints on its own, so the write-ahead log stays small however much is written', async () => {
    const dir = join(root, 'from-template', 'db');
    const handle = open[0]!;
    const redo = async () => ((await handle.db.execute(sql`select redo_lsn::text as lsn from pg_control_checkpoint()`)) as any).rows[0].lsn as string;
    const before = await redo();
    // ~40 MB of WAL in a few statements (PGlite alone would keep all of it until the next clean stop)
    await handle.db.execute(sql`create table filler (t text)`);
    for (let i = 0; i < 4; i++) await handle.db.execute(sql`insert into filler select repeat(md5(g::text), 8) from generate_series(1, 30000) g`);
    const deadline = Date.now() + 30_000;
    while ((await redo()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await redo()).not.toBe(before);
    expect(duBytes(join(dir, 'pg_wal'))).toBeLessThan(20 * 1024 * 1024);
  });
});

describe('galleon serve on an empty data folder', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'galleon-first-serve-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("creates the embedded database from the build's template when the build made one (else with initdb, saying why), then serves and takes pushes", async () => {
    const build = checkEmbeddedTemplate(defaultEmbeddedTemplateDir());
    const child = await startChildServer({ dataDir: join(root, 'data') });
    try {
      const ready = await child.waitForLog('database ready');
      if (build.usable) {
        await child.waitForLog("creating the embedded database from the build's template");
        expect(ready).toMatchObject({ created: 'template', applied: build.newer.length });
      } else {
        console.info(`the build's template is not usable here (${build.reason}): checking the initdb fallback instead`);
        const initdb = await child.waitForLog('creating the embedded database with initdb (no usable template; this takes 5-15 s, once)');
        expect(initdb.reason).toBe(build.reason);
        expect(ready).toMatchObject({ created: 'initdb' });
      }
      expect((await fetch(`${child.url}/v3/index.json`)).status).toBe(200);
      const nupkg = await makeNupkg({ nuspec: nuspecXml({ id: 'First.Start', version: '1.0.0', description: 'first start', authors: 'test' }) });
      expect((await pushPackage(child.url, nupkg)).status).toBe(201);
      expect((await fetch(`${child.url}/v3/flatcontainer/first.start/index.json`)).status).toBe(200);
      expect(existsSync(join(root, 'data', 'db', 'PG_VERSION'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
    }
  }, 90_000);
});
