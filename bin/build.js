#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so `npm ci` / `npm install` run it): compiles the TypeScript sources
 * of feed/, db/, server/ and client/ to plain JavaScript in dist/ (tsconfig.build.json), copies the SQL
 * migrations beside the compiled db/, and records the newest source modification time in
 * dist/build.json. `bin/galleon.js` runs dist/ only while that stamp is current, and the sources through
 * tsx otherwise, so an edited checkout never runs stale code; the build only saves start-up time
 * (about half a second of tsx per command).
 *
 * Without TypeScript installed (`npm ci --omit=dev`) or without the sources (a Docker dependency
 * stage), it says so and exits 0: the command then runs the sources through tsx.
 * Exit codes: 0 built or skipped, 1 the compiler failed (dist/ removed).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSourceMtime, SOURCE_DIRS } from './source-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

if (!SOURCE_DIRS.every((d) => existsSync(join(root, d)))) {
  console.log('galleon build: sources not present here; skipped.');
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('galleon build: TypeScript is not installed (production install); skipped, the sources run through tsx.');
  process.exit(0);
}

const stamp = newestSourceMtime(root);
const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error('galleon build: the TypeScript compiler failed; dist/ removed (the command runs the sources through tsx).');
  process.exit(1);
}
cpSync(join(root, 'db', 'migrations'), join(dist, 'db', 'migrations'), { recursive: true });
writeFileSync(join(dist, 'build.json'), JSON.stringify({ sourceMtimeMs: stamp, builtAt: new Date().toISOString() }, null, 2) + '\n');
console.log(`galleon build: compiled to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
