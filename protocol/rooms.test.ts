/**
 * protocol/ is reused by the upstream mirror (server side), so its arrows point inward only: it may
 * import protocol/, feed/ and libraries, never client/, server/ or db/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const root = resolve(here, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** The rooms (top-level folders) a file's relative imports land in. */
function importedRooms(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(join(file, '..'), s)).split(/[\\/]/)[0]!);
}

describe('protocol/ imports', () => {
  it('reach only protocol/ and feed/ among our rooms', () => {
    const files = sources(here);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const outward = files.flatMap((f) => importedRooms(f).filter((r) => r !== 'protocol' && r !== 'feed').map((r) => `${relative(root, f)} → ${r}/`));
    expect(outward).toEqual([]);
  });

  it('are not imported by feed/ (feed/ imports nothing of ours)', () => {
    const back = sources(join(root, 'feed')).flatMap((f) => importedRooms(f).filter((r) => r !== 'feed').map((r) => `${relative(root, f)} → ${r}/`));
    expect(back).toEqual([]);
  });
});
