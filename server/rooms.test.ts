/**
 * The arrows between the server's rooms point inward: the raw fast path never reaches the route table
 * or the handlers (it must stay a few function calls), and the package services and blob stores never
 * reach HTTP (they throw domain errors, and an S3 store must not need a request to exist). Read from
 * the import lines of the sources, followed transitively.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;

/** every source file (repository-relative) that `file` reaches through relative imports, itself included */
function reach(file: string): Set<string> {
  const seen = new Set<string>();
  const todo = [resolve(ROOT, file)];
  while (todo.length) {
    const f = todo.pop()!;
    const rel = relative(ROOT, f);
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) todo.push(join(dirname(f), m[1]!));
  }
  return seen;
}

describe('server rooms', () => {
  it('the fast path reaches neither the route table, the handlers nor the package services', () => {
    const reached = [...reach('server/fast-path.ts')];
    expect(reached).toContain('server/http/files.ts');
    // (the error mapping, reached through http/params.ts, knows the services' error classes only)
    const services = (f: string) => f.startsWith('server/services/') && f !== 'server/services/errors.ts';
    expect(reached.filter((f) => f === 'server/app.ts' || f.startsWith('server/routes/') || services(f))).toEqual([]);
  });

  it('the package services and the storage reach no HTTP code (no HttpError, no routes)', () => {
    for (const entry of ['server/services/packages.ts', 'server/storage/index.ts']) {
      const reached = [...reach(entry)];
      expect(reached.filter((f) => f === 'server/errors.ts' || f === 'server/app.ts' || f.startsWith('server/http/') || f.startsWith('server/routes/')), entry).toEqual([]);
    }
  });
});
