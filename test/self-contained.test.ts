/**
 * A clone must run its suites and benchmarks with nothing beside it: no source, test or benchmark file
 * may name the team's shared folder (`../shared`), a machine path such as a project checkout under the root folder or `/home/…`, or
 * build a path from its own folder that climbs out of the repository. The data the suites read is
 * vendored in test/support/data/ (see its README.txt) and found through test/support/fixture-data.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, FIXTURE_DATA_DIR, PSGALLERY_DATA_DIR } from './support/fixture-data.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Folders never scanned: installed packages, build output, runtime data, the vendored data itself. */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'data', 'coverage', 'results', 'bin', 'obj']);
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** This file: it spells the forbidden forms as detector samples. */
const SELF = relative(ROOT, import.meta.filename);

/**
 * Absolute paths that are test *inputs*, never read from disk (file, the literal as written, why).
 * Anything else naming a machine path fails the test.
 */
const ALLOWED: { file: string; literal: string; why: string }[] = [
  { file: 'client/installed.test.ts', literal: '/home/u', why: 'HOME value handed to defaultDestination' },
  { file: 'client/installed.test.ts', literal: '/Users/u', why: 'USERPROFILE value handed to defaultDestination' },
  { file: 'client/requires.test.ts', literal: "'C:\\\\Modules'", why: 'PSDepend Target text inside a requirements file' },
  { file: 'test/support/hostile.ts', literal: "'C:\\\\evil.dll'", why: 'hostile zip entry name' },
  { file: 'test/e2e-dotnet.test.ts', literal: '/opt/nuget/packages', why: "the .NET SDK's package folder, probed like ~/.nuget/packages" },
];

/** Every code file of the repository (relative paths), e.g. `feed/psd1.test.ts`, `bin/galleon.js`. */
function codeFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // top-level bin/ holds the CLI (scanned); bin/ and obj/ deeper down are .NET build output
      if (SKIP_DIRS.has(entry.name) && !(entry.name === 'bin' && dir === ROOT)) continue;
      out.push(...codeFiles(path));
    } else if (CODE.test(entry.name)) {
      out.push(relative(ROOT, path));
    }
  }
  return out;
}

// Patterns are spelled in pieces so that this file does not match itself.
const SHARED = new RegExp(['\\.\\.', '[\\\\/]shared\\b'].join(''));
const MACHINE_PATH = new RegExp(`['"\`\\s(]/(${['work', 'home', 'root', 'mnt', 'srv', 'opt', 'Users', 'data', 'var/lib'].join('|')})/`);
const WINDOWS_PATH = /['"`][A-Za-z]:\\\\/;
/** `join(import.meta.dirname, '..', 'x')` and the like, with literal segments only. */
const FROM_OWN_FOLDER =
  /(?:join|resolve)\(\s*(import\.meta\.dirname|__dirname|dirname\(fileURLToPath\(import\.meta\.url\)\))((?:\s*,\s*'[^'\n]*')+)\s*\)/g;

/**
 * The places in `text` (the content of repository file `file`) that name data outside the repository:
 * `{ line, why }`, 1-based lines.
 */
export function outsidePaths(file: string, text: string): { line: number; why: string }[] {
  const found: { line: number; why: string }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const allowed = ALLOWED.filter((a) => a.file === file.split(sep).join('/'));
  text.split('\n').forEach((line, i) => {
    if (SHARED.test(line)) found.push({ line: i + 1, why: 'names the shared folder beside the checkout' });
    const rest = allowed.reduce((l, a) => l.split(a.literal).join(''), line);
    if (MACHINE_PATH.test(rest) || WINDOWS_PATH.test(rest)) found.push({ line: i + 1, why: 'names an absolute machine path' });
  });
  for (const m of text.matchAll(FROM_OWN_FOLDER)) {
    const segments = [...m[2]!.matchAll(/'([^']*)'/g)].map((s) => s[1]!);
    const target = resolve(ROOT, dirname(file), ...segments);
    if (target !== ROOT && !target.startsWith(ROOT + sep)) {
      found.push({ line: lineOf(m.index), why: `resolves outside the repository (${target})` });
    }
  }
  return found;
}

describe('the repository is self-contained', () => {
  it('the detector flags the forms the suites used to have, and not ordinary paths', () => {
    const bad = [
      `const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');`,
      `const PSGALLERY = '${['', 'work', 'shared', 'psgallery'].join('/')}';`,
      `// every nupkg of ${['..', 'shared', 'corpus'].join('/')}`,
      `readFileSync('${['', 'home', 'me', 'x.nupkg'].join('/')}')`,
      `const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'elsewhere');`,
    ];
    for (const text of bad) expect(outsidePaths('test/corpus.test.ts', text), text).not.toEqual([]);
    const good = [
      `const FIXTURES = join(import.meta.dirname, '..', 'test', 'support', 'data', 'requires');`,
      `const GALLEON_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'galleon.js');`,
      `await fetch(\`\${url}/v3/index.json\`); readdirSync('/proc/self/fd'); open('/dev/null')`,
    ];
    for (const text of good) expect(outsidePaths('test/support/x.ts', text), text).toEqual([]);
  });

  it('no source, test or benchmark file names data outside the repository', () => {
    const files = codeFiles().filter((f) => f !== SELF);
    // the scan covers every room and the suites that used to read the shared folder
    for (const f of ['feed/psd1/manifest.test.ts', 'feed/nupkg.test.ts', 'test/corpus.test.ts', 'bench/scenarios/pushes.ts', 'test/support/psgallery.ts']) {
      expect(files).toContain(f.split('/').join(sep));
    }
    const offences = files.flatMap((f) => outsidePaths(f, readFileSync(join(ROOT, f), 'utf8')).map((o) => `${f}:${o.line}: ${o.why}`));
    expect(offences).toEqual([]);
  });

  it('the vendored data is in the repository and stays under 30 MB', () => {
    for (const f of ['corpus/MANIFEST.tsv', 'corpus/METADATA.json', 'psgallery/MODULES.tsv', 'psgallery/manifests.tar.gz', 'README.txt']) {
      expect(statSync(join(FIXTURE_DATA_DIR, f)).isFile(), f).toBe(true);
    }
    expect(readdirSync(join(CORPUS_DIR, 'nupkgs'))).toHaveLength(200);
    const size = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
        const p = join(dir, e.name);
        // the unpacked manifests (git-ignored) and .NET build output are not part of the repository
        if (e.isDirectory()) return p === join(PSGALLERY_DATA_DIR, 'manifests') || e.name === 'bin' || e.name === 'obj' ? sum : sum + size(p);
        return sum + statSync(p).size;
      }, 0);
    expect(size(FIXTURE_DATA_DIR)).toBeLessThan(30 * 1024 * 1024);
  });
});
