#!/usr/bin/env node
// Entry point of the `galleon` command. Runs the compiled JavaScript in dist/ when `npm run build`
// (run by `npm ci` as `prepare`) made it from the current sources, else the TypeScript sources
// through tsx, so an edited checkout never runs stale code (bin/build.js). The command itself is
// cli/main.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSourceMtime } from './source-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function builtIsCurrent() {
  if (process.env.GALLEON_FROM_SOURCE === '1') return false;
  try {
    const { sourceMtimeMs } = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8'));
    return typeof sourceMtimeMs === 'number' && newestSourceMtime(root) <= sourceMtimeMs;
  } catch {
    return false;
  }
}

let main;
if (builtIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
