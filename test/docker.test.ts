/**
 * The Docker files and the README's docker lines agree (no Docker engine runs where the suites run, so
 * this reads them): a supported Node LTS, the `npm ci` layer cached by copying the lockfile first, a
 * non-root user, a health check that fetches the service index with Node, the data volume where
 * `GALLEON_DATA_DIR` points, a context without tests or local state, and `GALLEON_BASE_URL` set
 * wherever the image is started (it listens on 0.0.0.0, where Galleon cannot guess its URL).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
/** The rooms compiled to dist/ (tsconfig.build.json `include`, the same list as bin/source-stamp.js). */
const SOURCE_DIRS: string[] = JSON.parse(read('tsconfig.build.json')).include;

/** Dockerfile instructions in order, continuation lines joined, comments dropped: `{ op, args }`. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ') };
    });
}

describe('Dockerfile, .dockerignore, docker-compose.yml and README agree', () => {
  const steps = instructions(read('Dockerfile'));
  const stages = steps.reduce<{ op: string; args: string }[][]>((acc, s) => (s.op === 'FROM' ? [...acc, [s]] : (acc.at(-1)!.push(s), acc)), []);
  const final = stages.at(-1)!;
  const env = new Map(
    final.filter((s) => s.op === 'ENV').flatMap((s) => [...s.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as [string, string])),
  );

  it('builds on Node 22 or 24 LTS in every stage', () => {
    const bases = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(' ')[0]!);
    expect(bases.length).toBeGreaterThan(0);
    for (const b of bases) expect(b).toMatch(/^node:(22|24)(\.\d+)*-(bookworm|trixie)-slim$/);
  });

  it('installs from the lockfile before copying the sources, so the npm ci layer stays cached', () => {
    const build = stages[0]!.map((s) => `${s.op} ${s.args}`);
    const lock = build.findIndex((s) => /^COPY package\.json package-lock\.json \.\/$/.test(s));
    const ci = build.findIndex((s) => /^RUN npm ci\b/.test(s));
    const sources = build.findIndex((s, i) => i > ci && s.startsWith('COPY ') && !s.includes('package'));
    expect(lock).toBeGreaterThan(0);
    expect(ci).toBeGreaterThan(lock);
    expect(build.slice(lock + 1, ci).every((s) => !s.startsWith('COPY'))).toBe(true);
    expect(sources).toBeGreaterThan(ci);
    expect(build.some((s) => /^RUN npm run build\b.*npm prune --omit=dev/.test(s))).toBe(true);
  });

  it('runs as a non-root user, with the data volume where GALLEON_DATA_DIR points and a Node health check of the service index', () => {
    const user = final.filter((s) => s.op === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args.split(':')[0]);
    expect(final.findIndex((s) => s.op === 'USER')).toBeLessThan(final.findIndex((s) => s.op === 'CMD'));
    expect(env.get('HOST')).toBe('0.0.0.0');
    expect(env.has('GALLEON_BASE_URL')).toBe(false); // must come from whoever runs the image
    const volume = final.find((s) => s.op === 'VOLUME')!;
    expect(volume.args).toContain(`"${env.get('GALLEON_DATA_DIR')}"`);
    const health = final.find((s) => s.op === 'HEALTHCHECK')!.args;
    expect(health).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/v3\/index\.json/);
    expect(health).not.toMatch(/curl|wget/);
    expect(final.find((s) => s.op === 'EXPOSE')!.args).toBe(env.get('PORT'));
  });

  it('.dockerignore keeps tests, benchmarks and local state out, and every runtime room in', () => {
    const ignored = read('.dockerignore').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['.git', 'node_modules', 'dist', 'data', 'test', 'bench', '**/*.test.ts']) expect(ignored).toContain(p);
    for (const room of [...SOURCE_DIRS, 'bin', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(ignored.filter((p) => p === room || p.startsWith(`${room}/`) || p === `/${room}`), room).toEqual([]);
    }
  });

  it('docker-compose.yml sets GALLEON_BASE_URL and mounts the data volume the image declares', () => {
    const compose = YAML.parse(read('docker-compose.yml'));
    const galleon = compose.services.galleon;
    expect(galleon.build).toBe('.');
    expect(galleon.environment.GALLEON_BASE_URL).toMatch(/^\$\{GALLEON_BASE_URL:\?/); // required, no silent default
    expect(galleon.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(galleon.volumes.map((v: string) => v.split(':')[1])).toContain(env.get('GALLEON_DATA_DIR'));
    expect(galleon.ports).toContain(`${env.get('PORT')}:${env.get('PORT')}`);
  });

  it("the README's docker run and docker compose lines set GALLEON_BASE_URL", () => {
    const lines = read('README.md').replace(/\\\r?\n/g, ' ').split(/\r?\n/);
    const starts = lines.filter((l) => /\bdocker (run|compose up)\b/.test(l));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    for (const l of starts) expect(l).toMatch(/GALLEON_BASE_URL=/);
  });
});
