#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so `npm ci` / `npm install` run it): compiles the TypeScript sources
 * of feed/, db/, server/, client/, protocol/ and cli/ to plain JavaScript in dist/ (tsconfig.build.json), copies the SQL
 * migrations beside the compiled db/, and records the newest source modification time in
 * dist/build.json. `bin/galleon.js` runs dist/ only while that stamp is current, and the sources through
 * tsx otherwise, so an edited checkout never runs stale code; the build only saves start-up time
 * (about half a second of tsx per command).
 *
 * Then it creates the embedded database's template, dist/embedded-template/ (db/connection.ts
 * `createEmbeddedTemplate`: a migrated, empty PGlite cluster and its manifest; about 5-10 s), which a
 * first start on an empty data folder copies instead of running initdb and every migration. A template
 * still current (same PGlite version, same migrations) is kept as it is. Without TypeScript it is made
 * through tsx from the sources; when it cannot be made the build says so and first starts run initdb.
 *
 * Without TypeScript installed (`npm ci --omit=dev`) the compilation is skipped with a message and the
 * command runs the sources through tsx; without the sources (a Docker dependency stage) everything is.
 * Exit codes: 0 built or skipped, 1 the compiler failed (dist/ removed).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestSourceMtime, SOURCE_DIRS } from './source-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

if (!SOURCE_DIRS.every((d) => existsSync(join(root, d)))) {
  console.log('galleon build: sources not present here; skipped.');
  process.exit(0);
}
const TEMPLATE = 'embedded-template';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('galleon build: TypeScript is not installed (production install); compilation skipped, the sources run through tsx.');
  await buildTemplate(false);
  process.exit(0);
}

const stamp = newestSourceMtime(root);
const started = Date.now();
// everything but the template, which is kept while it is current (see buildTemplate)
for (const entry of existsSync(dist) ? readdirSync(dist) : []) if (entry !== TEMPLATE) rmSync(join(dist, entry), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error('galleon build: the TypeScript compiler failed; dist/ removed (the command runs the sources through tsx).');
  process.exit(1);
}
cpSync(join(root, 'db', 'migrations'), join(dist, 'db', 'migrations'), { recursive: true });
writeFileSync(join(dist, 'build.json'), JSON.stringify({ sourceMtimeMs: stamp, builtAt: new Date().toISOString() }, null, 2) + '\n');
console.log(`galleon build: compiled to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
await buildTemplate(true);

/**
 * Creates dist/embedded-template/ with the compiled db/connection.js (or, `compiled` false, the sources
 * through tsx), keeping a current one. Never fails the build: without a template first starts run initdb.
 * @param {boolean} compiled
 */
async function buildTemplate(compiled) {
  const t = Date.now();
  try {
    let connection;
    if (compiled) connection = await import(pathToFileURL(join(dist, 'db', 'connection.js')).href);
    else {
      const { register } = await import('tsx/esm/api');
      register();
      connection = await import(pathToFileURL(join(root, 'db', 'connection.ts')).href);
    }
    const dir = join(dist, TEMPLATE);
    const { manifest, kept } = await connection.createEmbeddedTemplate(dir, { reuse: true });
    const what = `PGlite ${manifest.pglite}, ${manifest.migrations.length} migrations, ${(manifest.bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      kept
        ? `galleon build: the embedded database template in dist/${TEMPLATE}/ is current (${what}); kept.`
        : `galleon build: created the embedded database template in dist/${TEMPLATE}/ in ${((Date.now() - t) / 1000).toFixed(1)} s (${what}).`,
    );
  } catch (err) {
    console.warn(`galleon build: could not create the embedded database template (${err?.message ?? err}); a first start on an empty data folder will run initdb instead (5-15 s).`);
  }
}
