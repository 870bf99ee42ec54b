/**
 * The newest modification time of Galleon's runtime sources: every file under feed/, db/, server/,
 * client/, protocol/ and cli/ except tests (`*.test.ts`), in milliseconds since the epoch. Shared by bin/build.js
 * (which records it in dist/build.json) and bin/galleon.js (which runs dist/ only while no source is
 * newer). About 100 `stat` calls: a millisecond or two.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders compiled to dist/ (tsconfig.build.json `include`). */
export const SOURCE_DIRS = ['feed', 'db', 'server', 'client', 'protocol', 'cli'];

/** @param {string} root the checkout @returns {number} newest mtime in ms, 0 when there are no sources */
export function newestSourceMtime(root) {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return newest;
}
