/**
 * Differential test: feed/version.ts and feed/range.ts against the real NuGet.Versioning (the C# oracle in
 * test/versioning-oracle, built once and run once for all cases). Cases are generated from a seeded PRNG
 * (deterministic) plus every edge case from the protocol reference §8.1/§8.2 and MODULEFAST.md, and every
 * answer must agree: version validity/normalized/full string/flags, compare sign and equality, range
 * validity/"N"/short/legacy-short/float/bounds (with and without floats allowed), Satisfies (range and
 * float) and FindBestMatch.
 *
 * The one documented difference: VersionRange.parse('') / whitespace-only gives "(, )" here, where NuGet's
 * TryParse says invalid (feed/range.ts explains why); those inputs are checked against that rule instead.
 *
 * Skipped, with a warning, where `dotnet` is not on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NuGetVersion, compareVersions, dotNetTrim } from '../feed/version.ts';
import { VersionRange } from '../feed/range.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const oracleDir = path.join(here, 'versioning-oracle');
const oracleDll = path.join(oracleDir, 'bin', 'Release', 'net10.0', 'VersioningOracle.dll');

const hasDotnet = spawnSync('dotnet', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasDotnet) {
  console.warn('versioning-differential: `dotnet` is not on PATH; the NuGet.Versioning differential suite is skipped.');
}

// ---------------------------------------------------------------------------------------------------------
// deterministic generators

/** mulberry32: small seeded PRNG, returns floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(0x5eed1234);
const int = (n: number): number => Math.floor(rand() * n);
const chance = (p: number): boolean => rand() < p;
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const WHITESPACE = [' ', '  ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u0085', '\u2003', '\u3000', '\u2028', '\ufeff', '\u200b', '\u180e', '\0'];
const WORDS = ['alpha', 'Alpha', 'ALPHA', 'beta', 'Beta', 'rc', 'RC', 'preview', 'Preview', 'pre', 'dev', 'a', 'B', 'z', 'Z', 'rIsAfterP', 'prerelease', 'newerversion', 'aprerelease', 'bprerelease', 'x-y', '-', '--', 'a-', '-a', '0a', '1a', '00a', 'a0', 'build', 'ci', 'nightly', 'A1', 'sha'];

function randNumber(): string {
  const r = rand();
  let s: string;
  if (r < 0.55) s = String(int(12));
  else if (r < 0.7) s = String(int(1000));
  else if (r < 0.85) s = String(2147483647 - 3 + int(7)); // around Int32.MaxValue
  else if (r < 0.88) s = String(4294967290 + int(10)); // overflows even unsigned
  else if (r < 0.9) s = String(1 + int(100000)) + String(int(100000)) + String(int(100000)); // long
  else if (r < 0.96) s = '0'.repeat(1 + int(12)) + String(int(30)); // leading zeros
  else s = '0'.repeat(1 + int(3));
  if (chance(0.08)) s = '0'.repeat(1 + int(3)) + s;
  if (chance(0.015)) s = pick([' ', '\t']) + s;
  if (chance(0.015)) s = s + pick([' ', '\t', '\0']);
  if (chance(0.01)) s = '';
  if (chance(0.005)) s = pick(['x', '1x', '-1', '+1', '1e3', '٣', '１']);
  return s;
}

function randLabel(): string {
  const r = rand();
  let s: string;
  if (r < 0.45) s = pick(WORDS);
  else if (r < 0.7) s = String(int(r < 0.6 ? 12 : 3000));
  else if (r < 0.75) s = '0' + String(1 + int(9)); // leading zero numeric: invalid
  else if (r < 0.8) s = String(2147483647 - 2 + int(5)); // around Int32 (numeric vs alphanumeric compare)
  else if (r < 0.84) s = '-' + String(int(5)); // "-1" is numeric -1 for the comparer
  else if (r < 0.88) s = pick(WORDS) + String(int(20));
  else if (r < 0.92) s = pick(WORDS).toUpperCase() + '.' + String(int(3));
  else if (r < 0.95) s = '';
  else s = pick(['_', 'a_b', 'é', 'a b', '*', 'a+b', '!', '0', '00', '-0', '-00', '99999999999']);
  return s;
}

function randMetadata(): string {
  const n = 1 + int(3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) parts.push(pick(['sha', 'build', 'Git', 'abc123', 'x-y', '-', 'r3456']));
    else if (r < 0.8) parts.push('0'.repeat(int(3)) + String(int(500)));
    else if (r < 0.9) parts.push(pick(['', '_', 'a b', '+', 'é']));
    else parts.push(pick(WORDS));
  }
  return parts.join('.');
}

function randVersionCore(): string {
  const r = rand();
  const count = r < 0.1 ? 1 : r < 0.3 ? 2 : r < 0.7 ? 3 : r < 0.96 ? 4 : r < 0.98 ? 5 : 0;
  const nums: string[] = [];
  for (let i = 0; i < count; i++) nums.push(randNumber());
  let s = nums.join('.');
  if (chance(0.45)) {
    const n = 1 + int(chance(0.7) ? 1 : 4);
    const labels: string[] = [];
    for (let i = 0; i < n; i++) labels.push(randLabel());
    s += '-' + labels.join('.');
  }
  if (chance(0.2)) s += '+' + randMetadata();
  return s;
}

function garbage(alphabet: string, max: number): string {
  const n = int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
  return s;
}

function withWhitespace(s: string): string {
  if (chance(0.08)) s = pick(WHITESPACE) + s;
  if (chance(0.08)) s = s + pick(WHITESPACE);
  return s;
}

function randVersionText(): string {
  if (chance(0.04)) return garbage('0123456789.-+abcXYZ *\t', 10);
  return withWhitespace(randVersionCore());
}

/** A valid version close to `v` (to make equal and near-equal comparisons common). */
function mutate(v: NuGetVersion): string {
  const nums = [v.major, v.minor, v.patch, v.revision];
  let labels = [...v.releaseLabels];
  let metadata = v.metadata;
  switch (int(9)) {
    case 0:
      labels = labels.map((l) => (chance(0.5) ? l.toUpperCase() : l.toLowerCase()));
      break;
    case 1: {
      const i = int(4);
      nums[i] = Math.max(0, Math.min(2147483647, nums[i]! + pick([-1, 1])));
      break;
    }
    case 2:
      labels = labels.length ? labels.slice(0, -1) : ['alpha'];
      break;
    case 3:
      labels = [...labels, pick(['0', '1', 'a', 'A', '-1', 'zz'])];
      break;
    case 4:
      metadata = metadata ? null : randMetadata().replace(/[^0-9A-Za-z.-]|\.\.|^\.|\.$/g, '') || 'm';
      break;
    case 5:
      labels = [];
      break;
    case 6:
      if (labels.length) labels[labels.length - 1] = pick(['0', '1', '2', '10', 'alpha', 'ALPHA', 'beta', '-1', '2147483647']);
      break;
    default:
      break;
  }
  const partCount = nums[3] !== 0 ? 4 : pick([1, 2, 3, 3, 4]);
  let numText = nums.slice(0, partCount).map((n) => (chance(0.1) ? '0' + n : String(n)));
  if (partCount < 3 && (nums[1] !== 0 || nums[2] !== 0)) numText = nums.slice(0, 3).map(String);
  if (partCount < 2 && nums[1] !== 0) numText = nums.slice(0, 2).map(String);
  let s = numText.join('.');
  if (labels.length) s += '-' + labels.join('.');
  if (metadata) s += '+' + metadata;
  return NuGetVersion.tryParse(s) ? s : v.originalString;
}

const FLOATS = ['*', '1.*', '1.0.*', '1.0.0.*', '1.0.0-*', '1.0.0-beta*', '1.0.0-beta.*', '1.0.0-beta-*', '*-*', '1.*-*', '1.0.*-*', '1.0.0.*-*', '1.*-rc*', '1.0.*-RC.*', '*-rc*', '*-rc.*', '1*', '1.0*', '10.*', '**', '1.**', '*.1', '1.*.1', '1.0.0-*+meta', '1.0.0-*.*', '*-', '-*', '1.0.0--*', '1.0.0-a-b*', '1.0-*', '2.2.*', '7.*', '0.*', '1.0.0.0.*', '1.0.0.0.*-*', '1.2147483647.*', '2147483648.*', '1.*-a*b*', ' 1.*', '1.* ', '1.0.0-beta.01*', '1.0.0-0*', '1.0.0-00*', '*-0', '1.0.0-*-*'];

function randRangeBound(): string {
  const r = rand();
  if (r < 0.12) return '';
  if (r < 0.18) return pick([' ', '  ', '\t']);
  if (r < 0.26) return pick(FLOATS);
  return withWhitespace(randVersionCore());
}

function randRangeText(pool: readonly NuGetVersion[]): string {
  const r = rand();
  if (r < 0.04) return garbage('0123456789.-+*[](), abc\t', 12);
  if (r < 0.16) return withWhitespace(randVersionCore());
  if (r < 0.24) return withWhitespace(pick(FLOATS));
  const open = chance(0.5) ? '[' : '(';
  const close = chance(0.5) ? ']' : ')';
  let body: string;
  const shape = rand();
  if (shape < 0.12) body = randRangeBound(); // single
  else if (shape < 0.2) body = [randRangeBound(), randRangeBound(), randRangeBound()].join(','); // 3 parts
  else if (shape < 0.45 && pool.length) {
    // bounds drawn from real versions, often equal or reversed
    const a = pick(pool);
    const b = chance(0.3) ? a : chance(0.5) ? pick(pool) : NuGetVersion.parse(mutate(a));
    const [lo, hi] = chance(0.85) && compareVersions(a, b) > 0 ? [b, a] : [a, b];
    body = `${chance(0.9) ? lo.originalString : ''}${pick([',', ', ', ' , ', ' ,'])}${chance(0.9) ? hi.originalString : ''}`;
  } else body = `${randRangeBound()}${pick([',', ', ', ' , ', ',  '])}${randRangeBound()}`;
  let s = open + body + close;
  if (chance(0.03)) s = s.slice(0, -1); // missing close
  if (chance(0.02)) s = s.slice(1); // missing open
  return withWhitespace(s);
}

// ---------------------------------------------------------------------------------------------------------
// spec edge cases (§8.1, §8.2, MODULEFAST.md)

const EDGE_VERSIONS = [
  '1', '1.2', '1.2.3', '1.2.3.4', '1.2.3.4.5', '1.01.1', '1.00', '1.0.0.0', '1.0.01.0', '1.0.7+r3456', '1.0.0-Beta',
  '1.0.0-beta.01', '1.0.0-beta.1', '1.0.0-rc.1', '1.0.0-alpha.1', '1.0.0+sha.0001', ' 1.0.0 ', '\t1.0.0\n', '1.0',
  '3.2.1.15', '0.4.15.0', '12.6.0.19600125', '13.2.0.22746353', '13.2.0.22643733', '0.9.0.6', '2.7.3', '2.7.4',
  '0.0.1', '0.0.1-prerelease', '0.0.1-aprerelease', '0.0.1-bprerelease', '0.0.2-newerversion', '0.0.2-prerelease',
  '0.0.2-rIsAfterP', '7.2.1-preview', '2.0.0-alpha', '2147483647.2147483647.2147483647.2147483647', '2147483648',
  '1.0.0-', '1.0.0+', '1.0.0-+x', '1.0.0-a..b', '1.0.0+a..b', '-1.0', '+1.0', '1..0', '.1', '1.', '', ' ', 'a',
  '1.0.0-0', '1.0.0-00', '1.0.0-0a', '1.0.0--', '1.0.0--1', '1.0.0-a+b+c', '1.0.0-a-b+c-d', 'v1.0', '1,0', '1.0 .0',
  '1 .0', '1. 0', '1.0\0', '\ufeff1.0', '1.0.0-\u00e9', '1.0.0-ALPHA.Beta.rc.1', '1.0.0-2147483648', '1.0.0-99999999999',
];
const EDGE_RANGES = [
  '1.0', '[1.0,)', '(1.0,)', '[1.0]', '(,1.0]', '(,1.0)', '[1.0,2.0]', '(1.0,2.0)', '[1.0,2.0)', '(1.0)', '(, )',
  '', ' ', '1.*', '1.0.*', '*', '1.0.0-*', '1.0.0-beta.*', '*-*', '1.*-*', '[1.0 , 2.0]', '[ 1.0, 2.0 ]', '(,2)',
  '[1.0)', '(1.0]', '[2.0,1.0]', '(1.0,1.0]', '[1.0,1.0)', '(1.0,1.0)', '[1.0,1.0]', '(,]', '[,]', '[,)', '()', '[]',
  '[1.0,2.0,3.0]', '[1.0,2.*]', '[1.*,2.0]', '(1.*,)', '[2.7.3]', '(2.7.3, )', '(, 2.7.3)', '(, 2.7.3]', '[2.7.3, )',
  '[0.0.2-prerelease]', '[0.0.1-prerelease, )', '(7.0.0, 7.2.1-preview]', '2.2.*', '[0.4.15.0]', '(0.0.2-rIsAfterP,0.0.2)',
  '(0.0.2-alpha,0.0.2-prerelease)', '(, 0.0.2-prerelease)', '(, 0.0.1]', '[1.3.1,2.0)', '[4.10.1,5.0)', '7.*', '2.0.4',
  '0.0.20', '[1.1.1, 2.2.2]', '[1.2.3,1.2.4]', '[1.2.1,1.2.4]', '[1.2.3,)', '(,1.2.4]', '1.0.0+meta', '[1.0.0+a, 1.0.0+b]',
  '(,2.0.0)', '[1.0.0-beta.1+meta, 2.0.0]', '1.0.0-beta', '[1.0.0', '1.0.0]', '[(1.0,2.0)]', '[1.0, 2.0) ', ' (1.0, ]',
];

// ---------------------------------------------------------------------------------------------------------
// oracle I/O

function escapeField(s: string): string {
  let out = '';
  for (const ch of s) {
    for (let i = 0; i < ch.length; i++) {
      const c = ch.charCodeAt(i);
      if (c === 0x5c) out += '\\\\';
      else if (c === 0x09) out += '\\t';
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0) out += '\\0';
      else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
      else out += ch[i];
    }
  }
  return out;
}

const b01 = (b: boolean): string => (b ? '1' : '0');
const pascal = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

function ourVersion(text: string): string {
  const v = NuGetVersion.tryParse(text);
  if (!v) return 'INVALID';
  return [escapeField(v.toNormalizedString()), escapeField(v.toFullString()), b01(v.isPrerelease), b01(v.isSemVer2), b01(v.isLegacyVersion)].join('\t');
}

function ourCompare(a: string, b: string): string {
  const x = NuGetVersion.parse(a);
  const y = NuGetVersion.parse(b);
  return `${Math.sign(compareVersions(x, y))}\t${b01(x.equals(y))}`;
}

function rangeLine(r: VersionRange): string {
  return [
    escapeField(r.toNormalizedString()), escapeField(r.toShortString()), escapeField(r.toLegacyShortString()),
    b01(r.isFloating), r.float ? pascal(r.float.floatBehavior) : '-', r.float ? escapeField(r.float.toString()) : '-',
    b01(r.hasLowerBound), b01(r.isMinInclusive), b01(r.hasUpperBound), b01(r.isMaxInclusive),
  ].join('\t');
}

function ourRange(allowFloating: boolean, text: string): string {
  const r = VersionRange.tryParse(text, { allowFloating });
  return r ? rangeLine(r) : 'INVALID';
}

function ourSatisfies(range: string, version: string): string {
  const r = VersionRange.parse(range);
  const v = NuGetVersion.parse(version);
  return `${b01(r.satisfies(v))}\t${r.float ? b01(r.float.satisfies(v)) : '-'}`;
}

function ourBest(range: string, versions: string[]): string {
  const r = VersionRange.parse(range);
  const parsed = versions.map((v) => NuGetVersion.parse(v));
  const best = r.findBestMatch(parsed);
  return String(best === null ? -1 : parsed.indexOf(best));
}

interface Case {
  kind: 'version' | 'compare' | 'range' | 'satisfies' | 'best';
  fields: string[]; // raw (unescaped) texts after the command
  line: string; // what the oracle reads
  ours: () => string;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const add = (kind: Case['kind'], cmd: string, fields: string[], ours: () => string, raw: string[] = fields): void => {
    cases.push({ kind, fields: raw, line: [cmd, ...fields.map((f, i) => (cmd === 'r' && i === 0 ? f : escapeField(f)))].join('\t'), ours });
  };

  // versions
  const versionTexts = [...EDGE_VERSIONS];
  while (versionTexts.length < 12_000) versionTexts.push(randVersionText());
  const valid: NuGetVersion[] = [];
  for (const t of versionTexts) {
    add('version', 'v', [t], () => ourVersion(t));
    const v = NuGetVersion.tryParse(t);
    if (v) valid.push(v);
  }
  for (const t of EDGE_VERSIONS) {
    const v = NuGetVersion.tryParse(t);
    if (v) valid.push(v);
  }

  // compare pairs: many near-equal ones
  for (let i = 0; i < 12_000; i++) {
    const a = pick(valid);
    const bText = chance(0.6) ? mutate(a) : pick(valid).originalString;
    const aText = a.originalString;
    add('compare', 'c', [aText, bText], () => ourCompare(aText, bText));
  }

  // ranges (both with and without floats allowed)
  const rangeTexts = [...EDGE_RANGES, ...FLOATS];
  while (rangeTexts.length < 15_000) rangeTexts.push(randRangeText(valid));
  const validRanges: string[] = [];
  for (const t of rangeTexts) {
    for (const allow of [true, false]) {
      if (dotNetTrim(t) === '') continue; // documented difference, checked in its own test
      add('range', 'r', [allow ? '1' : '0', t], () => ourRange(allow, t), [t, String(allow)]);
    }
    if (dotNetTrim(t) !== '' && VersionRange.tryParse(t)) validRanges.push(t);
  }

  // satisfies: versions near the bounds
  const near = (r: VersionRange): string => {
    const bound = chance(0.5) ? r.minVersion ?? r.maxVersion : r.maxVersion ?? r.minVersion;
    if (bound && chance(0.75)) return mutate(bound);
    return pick(valid).originalString;
  };
  for (let i = 0; i < 12_000; i++) {
    const rt = pick(validRanges);
    const r = VersionRange.parse(rt);
    const vt = near(r);
    add('satisfies', 's', [rt, vt], () => ourSatisfies(rt, vt));
  }

  // best match
  for (let i = 0; i < 4_000; i++) {
    const rt = pick(validRanges);
    const r = VersionRange.parse(rt);
    const n = 1 + int(8);
    const vs: string[] = [];
    for (let j = 0; j < n; j++) vs.push(near(r));
    add('best', 'b', [rt, ...vs], () => ourBest(rt, vs));
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------

describe.skipIf(!hasDotnet)('NuGet.Versioning differential (feed/version.ts, feed/range.ts vs the C# oracle)', () => {
  let cases: Case[] = [];
  let answers: string[] = [];
  // dotnet's own temporary folders (NuGetScratch<user>, MSBuild's) go here and are removed afterwards
  let dotnetTmp = '';
  const dotnetEnv = () => ({ ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', TMPDIR: dotnetTmp });
  afterAll(() => rmSync(dotnetTmp, { recursive: true, force: true }));

  beforeAll(() => {
    dotnetTmp = mkdtempSync(path.join(tmpdir(), 'galleon-oracle-'));
    const t0 = Date.now();
    const build = spawnSync('dotnet', ['build', '-c', 'Release', '--nologo', '-v', 'q'], {
      cwd: oracleDir,
      encoding: 'utf8',
      env: dotnetEnv(),
    });
    if (build.status !== 0 || !existsSync(oracleDll)) {
      throw new Error(`oracle build failed:\n${build.stdout}\n${build.stderr}`);
    }
    const t1 = Date.now();
    cases = buildCases();
    const input = cases.map((c) => c.line).join('\n') + '\n';
    const run = spawnSync('dotnet', [oracleDll], { input, encoding: 'utf8', maxBuffer: 1 << 28, env: dotnetEnv() });
    if (run.status !== 0) throw new Error(`oracle run failed (${run.status}):\n${run.stderr}`);
    answers = run.stdout.split('\n');
    if (answers[answers.length - 1] === '') answers.pop();
    const t2 = Date.now();
    console.log(
      `versioning oracle (NuGet.Versioning 8.0.0): build ${t1 - t0} ms, ${cases.length} cases answered in ${t2 - t1} ms`,
    );
  }, 600_000);

  function disagreements(kind: Case['kind']): { total: number; diffs: string[] } {
    expect(answers.length).toBe(cases.length);
    let total = 0;
    const diffs: string[] = [];
    cases.forEach((c, i) => {
      if (c.kind !== kind) return;
      total++;
      let ours: string;
      try {
        ours = c.ours();
      } catch (e) {
        ours = `OUR THROW ${(e as Error).message}`;
      }
      if (ours !== answers[i]) diffs.push(`${JSON.stringify(c.fields)}\n    nuget: ${answers[i]}\n    ours:  ${ours}`);
    });
    if (diffs.length) console.error(`${kind}: ${diffs.length} disagreements of ${total}; first 20:\n` + diffs.slice(0, 20).join('\n'));
    return { total, diffs };
  }

  for (const [kind, min] of [
    ['version', 10_000],
    ['compare', 10_000],
    ['range', 25_000],
    ['satisfies', 10_000],
    ['best', 4_000],
  ] as const) {
    it(`${kind}: zero disagreements with NuGet.Versioning`, () => {
      const { total, diffs } = disagreements(kind);
      expect(total).toBeGreaterThanOrEqual(min);
      expect(diffs.length, diffs.slice(0, 20).join('\n')).toBe(0);
    });
  }

  it('the generated cases exercise both outcomes', () => {
    const versionAnswers = cases.map((c, i) => (c.kind === 'version' ? answers[i]! : null)).filter((a) => a !== null);
    const invalid = versionAnswers.filter((a) => a === 'INVALID').length;
    expect(invalid).toBeGreaterThan(1000);
    expect(versionAnswers.length - invalid).toBeGreaterThan(5000);
    const sat = cases.map((c, i) => (c.kind === 'satisfies' ? answers[i]!.split('\t')[0] : null)).filter((a) => a !== null);
    expect(sat.filter((a) => a === '1').length).toBeGreaterThan(2000);
    expect(sat.filter((a) => a === '0').length).toBeGreaterThan(2000);
    const cmp = cases.map((c, i) => (c.kind === 'compare' ? answers[i]!.split('\t')[0] : null)).filter((a) => a !== null);
    expect(cmp.filter((a) => a === '0').length).toBeGreaterThan(500);
    const of = (kind: Case['kind']): string[] => cases.map((c, i) => (c.kind === kind ? answers[i]! : null)).filter((a) => a !== null);
    const ranges = of('range');
    const stats = {
      versionsValid: versionAnswers.length - invalid,
      versionsInvalid: invalid,
      compareEqual: cmp.filter((a) => a === '0').length,
      rangesValid: ranges.filter((a) => a !== 'INVALID').length,
      rangesInvalid: ranges.filter((a) => a === 'INVALID').length,
      rangesFloating: ranges.filter((a) => a.split('\t')[3] === '1').length,
      satisfiesTrue: sat.filter((a) => a === '1').length,
      floatSatisfiesTrue: of('satisfies').filter((a) => a.endsWith('\t1')).length,
      floatSatisfiesFalse: of('satisfies').filter((a) => a.endsWith('\t0')).length,
      bestFound: of('best').filter((a) => a !== '-1').length,
      bestNone: of('best').filter((a) => a === '-1').length,
    };
    console.log('versioning differential coverage:', JSON.stringify(stats));
    expect(stats.rangesValid).toBeGreaterThan(8000);
    expect(stats.rangesInvalid).toBeGreaterThan(2000);
    expect(stats.rangesFloating).toBeGreaterThan(500);
    expect(stats.floatSatisfiesTrue).toBeGreaterThan(200);
    expect(stats.floatSatisfiesFalse).toBeGreaterThan(200);
    expect(stats.bestFound).toBeGreaterThan(1000);
    expect(stats.bestNone).toBeGreaterThan(200);
  });

  it('empty or whitespace range text: NuGet rejects it, VersionRange.parse gives "(, )" (documented difference)', () => {
    const run = spawnSync('dotnet', [oracleDll], { input: 'r\t1\t\nr\t1\t \\t \n', encoding: 'utf8', env: dotnetEnv() });
    expect(run.stdout).toBe('INVALID\nINVALID\n');
    expect(VersionRange.parse('').toNormalizedString()).toBe('(, )');
    expect(VersionRange.parse(' \t ').toNormalizedString()).toBe('(, )');
  });
});
