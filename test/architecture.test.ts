/**
 * The rooms' arrows point inward: a small checker over the import statements of every TypeScript
 * source (static, type-only, re-exports and dynamic `import()`, as TypeScript's own pre-processor reads
 * them), then one test per rule. The rules, from the outside in:
 *
 * - `cli/` (the `galleon` dispatcher) may import every room; no room imports it.
 * - `server/` never imports `client/`; `client/` never imports `server/`.
 * - `protocol/` (the NuGet v3 HTTP reader the client and the upstream mirror share) imports neither.
 * - `db/` never imports `server/`, `client/`, `cli/` or `protocol/`.
 * - `feed/` (the pure NuGet domain) imports nothing of ours outside feed/.
 * - The fast path answers before Hono: `server/fast-path.ts` never imports `server/app.ts`.
 * - No runtime source imports `test/` or `bench/`.
 *
 * Tests (`*.test.ts`) are not runtime code and are left out of the graph. The checker is tested on
 * a made-up graph first, so a rule that could never fail would show.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The rooms whose sources are runtime code (bin/ is plain JavaScript and imports only cli/). */
const ROOMS = ['feed', 'db', 'server', 'client', 'cli', 'protocol'];

/** Repository-relative file → the repository-relative files it imports (relative specifiers only). */
type ImportGraph = Map<string, string[]>;

/**
 * One rule: no file under `from` (a folder ending in `/`, or one file) imports a file under any of
 * `to`; `'*'` in `to` means every file of the repository outside `from`.
 */
interface Rule {
  name: string;
  from: string;
  to: string[];
}

interface Arrow {
  rule: string;
  from: string;
  to: string;
}

/** The relative specifiers `source` imports, exports from or loads with `import()`, in order. */
function importSpecifiers(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((f) => f.startsWith('./') || f.startsWith('../'));
}

/** The import graph of every non-test `.ts` file under `rooms` of `root`. */
function readGraph(root: string, rooms: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return; // a room not created yet (protocol/ on an older branch)
    }
    for (const e of entries) {
      const path = posix.join(rel, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const specifiers = importSpecifiers(readFileSync(join(root, path), 'utf8'));
        graph.set(path, specifiers.map((s) => posix.normalize(posix.join(posix.dirname(path), s))));
      }
    }
  };
  for (const room of rooms) walk(room);
  return graph;
}

const under = (path: string, prefix: string) => (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix);

/** Every arrow of `graph` that breaks one of `rules`. */
function outwardArrows(graph: ImportGraph, rules: Rule[]): Arrow[] {
  const found: Arrow[] = [];
  for (const rule of rules) {
    for (const [from, targets] of graph) {
      if (!under(from, rule.from)) continue;
      for (const to of targets) {
        const forbidden = rule.to.some((t) => (t === '*' ? !under(to, rule.from) : under(to, t)));
        if (forbidden) found.push({ rule: rule.name, from, to });
      }
    }
  }
  return found;
}

const RULES: Rule[] = [
  { name: 'server/ imports neither client/ nor cli/', from: 'server/', to: ['client/', 'cli/'] },
  { name: 'client/ imports neither server/ nor cli/', from: 'client/', to: ['server/', 'cli/'] },
  { name: 'protocol/ imports neither client/, server/, cli/ nor db/', from: 'protocol/', to: ['client/', 'server/', 'cli/', 'db/'] },
  { name: 'db/ imports neither server/, client/, cli/ nor protocol/', from: 'db/', to: ['server/', 'client/', 'cli/', 'protocol/'] },
  { name: 'feed/ imports nothing of ours outside feed/', from: 'feed/', to: ['*'] },
  { name: 'server/fast-path.ts does not import server/app.ts', from: 'server/fast-path.ts', to: ['server/app.ts'] },
  ...ROOMS.map((room) => ({ name: `${room}/ imports neither test/ nor bench/`, from: `${room}/`, to: ['test/', 'bench/'] })),
];

describe('the import-graph checker', () => {
  it('reads static, type-only, re-exported and dynamic imports, not comments or strings', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import { B } from '../db/b.ts';",
      "export * from './c.ts';",
      "// import { no } from '../client/commented.ts';",
      "const text = \"import { no } from '../client/in-a-string.ts'\";",
      "import pino from 'pino';",
      "async function later() { return import('../client/cli.ts'); }",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.ts', '../db/b.ts', './c.ts', '../client/cli.ts']);
  });

  it('finds every outward arrow of a made-up graph, and none of the inward ones', () => {
    const graph: ImportGraph = new Map([
      ['server/serve.ts', ['server/app.ts', 'db/packages.ts', 'feed/version.ts', 'client/cli.ts']],
      ['server/fast-path.ts', ['server/app.ts', 'server/http/etag.ts']],
      ['server/http/etag.ts', ['cli/main.ts']],
      ['client/install.ts', ['protocol/reader.ts', 'feed/version.ts', 'server/config.ts']],
      ['protocol/reader.ts', ['feed/v3/wire.ts', 'client/feed-client.ts']],
      ['db/packages.ts', ['feed/version.ts', 'server/errors.ts']],
      ['feed/range.ts', ['feed/version.ts', 'db/schema.ts']],
      ['feed/psd1/parser.ts', ['feed/psd1/values.ts', 'feed/text.ts']],
      ['cli/main.ts', ['server/serve.ts', 'client/cli.ts']],
      ['server/gc.ts', ['test/support/x.ts']],
    ]);
    const rules: Rule[] = [...RULES, { name: 'server/ imports neither test/ nor bench/', from: 'server/', to: ['test/', 'bench/'] }];
    expect(outwardArrows(graph, rules).map((a) => `${a.from} -> ${a.to}`).sort()).toEqual(
      [
        'server/serve.ts -> client/cli.ts',
        'server/fast-path.ts -> server/app.ts',
        'server/http/etag.ts -> cli/main.ts',
        'client/install.ts -> server/config.ts',
        'protocol/reader.ts -> client/feed-client.ts',
        'db/packages.ts -> server/errors.ts',
        'feed/range.ts -> db/schema.ts',
        'server/gc.ts -> test/support/x.ts',
        // the made-up rule list holds the server/ test rule twice
        'server/gc.ts -> test/support/x.ts',
      ].sort(),
    );
  });
});

describe('the rooms of this repository', () => {
  const graph = readGraph(ROOT, ROOMS);

  it('has sources in every room it checks (the checker reads the real tree)', () => {
    for (const room of ['feed', 'db', 'server', 'client', 'cli']) expect([...graph.keys()].some((f) => f.startsWith(`${room}/`)), room).toBe(true);
    expect(graph.get('cli/main.ts')?.length).toBeGreaterThan(0);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      expect(outwardArrows(graph, [rule]).map((a) => `${a.from} -> ${a.to}`)).toEqual([]);
    });
  }

  it('resolves every relative import to a file that exists (no arrow escapes the checker unresolved)', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !existsSync(join(ROOT, t))).map((t) => `${from} -> ${t}`));
    expect(missing).toEqual([]);
  });
});
