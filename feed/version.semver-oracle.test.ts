/**
 * A second oracle for NuGet version order: the `semver` package (SemVer 2.0.0, §11 precedence) over
 * generated strict SemVer 2.0.0 versions, where NuGet's `VersionComparer.Default` (feed/version.ts) and
 * SemVer must give the same order, the same equality and the same prerelease-ness.
 *
 * NuGet versions are not SemVer 2.0.0 (four parts, leading zeros, 1–2 part forms are NuGet-only), and
 * even on strict SemVer text the two orders differ in three places, which the generator stays out of:
 *
 * - case: NuGet compares prerelease labels case-insensitively (`1.0.0-Alpha` = `1.0.0-alpha`), SemVer by
 *   ASCII (`Alpha` < `alpha`) — labels are generated lower-case (build metadata, ignored by both, keeps
 *   upper case);
 * - numeric labels: NuGet reads a label as a number when .NET's `Int32.TryParse` does (so `-1` is
 *   numeric and `2147483648` is not), SemVer when it is all digits — numeric labels are ≤ 2147483647 and
 *   alphanumeric ones hold at least one letter;
 * - size: NuGet's parts are Int32 — major, minor and patch are ≤ 2147483647.
 *
 * Pinned by the last test here so that the restriction stays honest.
 */
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareVersions, NuGetVersion } from './version.ts';

/** mulberry32: a small deterministic PRNG, so a failure names a version that reproduces. */
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

const INT32_MAX = 2147483647;

/** Generates strict SemVer 2.0.0 versions in the subset where NuGet and SemVer order alike. */
function generator(seed: number): () => string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // Small values most of the time so that many versions tie on a part, the edges some of the time.
  const number = (): number => {
    const r = rnd();
    if (r < 0.6) return Math.floor(rnd() * 3);
    if (r < 0.9) return Math.floor(rnd() * 20);
    if (r < 0.97) return Math.floor(rnd() * 100_000);
    return pick([INT32_MAX, INT32_MAX - 1, 2 ** 30, 999_999_999]);
  };
  const words = ['alpha', 'beta', 'rc', 'preview', 'a', 'b', 'x-y', 'a1', '1a', '0x0', 'rc-1', 'z', 'beta-', 'dev'];
  const alnum = (): string => {
    if (rnd() < 0.7) return pick(words);
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    let s = '';
    for (let n = 1 + Math.floor(rnd() * 6); n > 0; n--) s += chars[Math.floor(rnd() * chars.length)];
    return /[a-z]/.test(s) ? s : `${s}q`;
  };
  const label = (): string => (rnd() < 0.4 ? String(number()) : alnum());
  const build = (): string => {
    const chars = 'ABCDEFabcdef0123456789-';
    const ids: string[] = [];
    for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
      let s = '';
      for (let k = 1 + Math.floor(rnd() * 5); k > 0; k--) s += chars[Math.floor(rnd() * chars.length)];
      ids.push(s);
    }
    return ids.join('.');
  };
  return () => {
    let v = `${number()}.${number()}.${number()}`;
    if (rnd() < 0.6) {
      const labels: string[] = [];
      for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) labels.push(label());
      v += `-${labels.join('.')}`;
    }
    if (rnd() < 0.2) v += `+${build()}`;
    return v;
  };
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('NuGet version order against semver (strict SemVer 2.0.0 subset)', () => {
  const next = generator(20261204);
  const texts = Array.from({ length: 12_000 }, next);
  const nuget = texts.map((t) => NuGetVersion.parse(t));

  it('generates 12,000 strict SemVer 2.0.0 versions, which both parse to the same normalized text', () => {
    expect(new Set(texts).size).toBeGreaterThan(10_000);
    for (let i = 0; i < texts.length; i++) {
      const s = semver.parse(texts[i]!);
      expect(s, texts[i]).not.toBeNull();
      expect(nuget[i]!.toNormalizedString(), texts[i]).toBe(s!.version);
    }
  });

  it('agrees on prerelease-ness', () => {
    for (let i = 0; i < texts.length; i++) {
      expect(nuget[i]!.isPrerelease, texts[i]).toBe(semver.prerelease(texts[i]!) !== null);
    }
  });

  it('agrees on the order of every adjacent pair of the NuGet-sorted list (hence on the whole order)', () => {
    const order = nuget.map((v, i) => ({ v, t: texts[i]! })).sort((a, b) => compareVersions(a.v, b.v));
    let ties = 0;
    for (let i = 1; i < order.length; i++) {
      const a = order[i - 1]!;
      const b = order[i]!;
      const ours = sign(compareVersions(a.v, b.v));
      if (ours === 0) ties++;
      expect(sign(semver.compare(a.t, b.t)), `${a.t} vs ${b.t}`).toBe(ours);
    }
    // the list holds equal versions (same precedence, different build metadata or the same text)
    expect(ties).toBeGreaterThan(100);
  });

  it('agrees on order, equality and antisymmetry for 100,000 random pairs', () => {
    const rnd = prng(7);
    for (let k = 0; k < 100_000; k++) {
      const i = Math.floor(rnd() * texts.length);
      const j = Math.floor(rnd() * texts.length);
      const ours = sign(compareVersions(nuget[i]!, nuget[j]!));
      const theirs = sign(semver.compare(texts[i]!, texts[j]!));
      if (ours !== theirs) expect(`${texts[i]} vs ${texts[j]}: NuGet ${ours}`).toBe(`${texts[i]} vs ${texts[j]}: NuGet ${theirs}`);
      if (nuget[i]!.equals(nuget[j]!) !== (theirs === 0)) expect(`${texts[i]} equals ${texts[j]}: ${nuget[i]!.equals(nuget[j]!)}`).toBe(`equal: ${theirs === 0}`);
      if (sign(compareVersions(nuget[j]!, nuget[i]!)) !== -ours) expect(`${texts[j]} vs ${texts[i]}`).toBe('antisymmetric');
    }
  });

  it('differs from SemVer exactly where the generator stays out (NuGet rules, not a SemVer bug)', () => {
    const cmp = (a: string, b: string) => sign(compareVersions(NuGetVersion.parse(a), NuGetVersion.parse(b)));
    // labels are case-insensitive in NuGet, ASCII-ordered in SemVer
    expect(cmp('1.0.0-Alpha', '1.0.0-alpha')).toBe(0);
    expect(semver.compare('1.0.0-Alpha', '1.0.0-alpha')).toBe(-1);
    expect(cmp('1.0.0-B', '1.0.0-a')).toBe(1);
    expect(semver.compare('1.0.0-B', '1.0.0-a')).toBe(-1);
    // a label beyond Int32 is alphanumeric for NuGet (after every numeric label), a number for SemVer
    expect(cmp('1.0.0-2147483648', '1.0.0-3')).toBe(1);
    expect(cmp('1.0.0-99999999999', '1.0.0-2147483648')).toBe(1);
    expect(semver.compare('1.0.0-99999999999', '1.0.0-2147483648')).toBe(1);
    expect(cmp('1.0.0-10000000000', '1.0.0-9999999999')).toBe(-1); // ordinal text order
    expect(semver.compare('1.0.0-10000000000', '1.0.0-9999999999')).toBe(1);
  });
});
