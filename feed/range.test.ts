import { describe, expect, it } from 'vitest';
import { NuGetVersion } from './version.ts';
import { FloatRange, InvalidRangeError, VersionRange, intersectRanges } from './range.ts';

const v = (s: string): NuGetVersion => NuGetVersion.parse(s);
const r = (s: string): VersionRange => VersionRange.parse(s);

describe('VersionRange.parse: the §8.2 table', () => {
  it.each([
    ['1.0', '[1.0.0, )', '1.0.0'],
    ['[1.0,)', '[1.0.0, )', '1.0.0'],
    ['(1.0,)', '(1.0.0, )', '(1.0.0, )'],
    ['[1.0]', '[1.0.0, 1.0.0]', '[1.0.0]'],
    ['(,1.0]', '(, 1.0.0]', '(, 1.0.0]'],
    ['(,1.0)', '(, 1.0.0)', '(, 1.0.0)'],
    ['[1.0,2.0]', '[1.0.0, 2.0.0]', '[1.0.0, 2.0.0]'],
    ['(1.0,2.0)', '(1.0.0, 2.0.0)', '(1.0.0, 2.0.0)'],
    ['[1.0,2.0)', '[1.0.0, 2.0.0)', '[1.0.0, 2.0.0)'],
    ['(, )', '(, )', '(, )'],
    ['(,2)', '(, 2.0.0)', '(, 2.0.0)'],
    ['[ 1.0 , 2.0 ]', '[1.0.0, 2.0.0]', '[1.0.0, 2.0.0]'],
    ['  [1.0,2.0)  ', '[1.0.0, 2.0.0)', '[1.0.0, 2.0.0)'],
    ['[0.4.15.0]', '[0.4.15, 0.4.15]', '[0.4.15]'],
    ['(7.0.0, 7.2.1-preview]', '(7.0.0, 7.2.1-preview]', '(7.0.0, 7.2.1-preview]'],
    ['[1.0.0-beta.1+meta, 2.0.0]', '[1.0.0-beta.1, 2.0.0]', '[1.0.0-beta.1, 2.0.0]'],
    ['[1.0,]', '[1.0.0, )', '1.0.0'],
  ])('%j → normalized %s, short %s', (text, normalized, short) => {
    const range = r(text);
    expect(range.toNormalizedString()).toBe(normalized);
    expect(range.toString()).toBe(normalized);
    expect(range.toShortString()).toBe(short);
    expect(range.originalString).toBe(text);
  });

  it.each([
    '(1.0)',
    '[1.0)',
    '(1.0]',
    '[2.0,1.0]',
    '(1.0,1.0]',
    '[1.0,1.0)',
    '(,]',
    '[,]',
    '()',
    '[]',
    '[1.0,2.0,3.0]',
    '[1.0,2.*]', // the upper bound cannot float
    '[1.0',
    '1.0]',
    'x',
    '1.0.0-beta.01',
    '[1.0.0-01, 2.0]',
  ])('%j is not a range', (text) => {
    expect(VersionRange.tryParse(text)).toBeNull();
    expect(() => VersionRange.parse(text)).toThrow(InvalidRangeError);
  });

  it('reports invalid ranges with a typed error naming the text', () => {
    try {
      r('(1.0)');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidRangeError).code).toBe('invalid_range');
      expect((e as Error).message).toContain('(1.0)');
    }
  });

  it('reads empty or blank text as any version (a dependency without a version)', () => {
    for (const text of ['', '   ', '\t']) {
      const range = r(text);
      expect(range.toNormalizedString()).toBe('(, )');
      expect(range.hasLowerBound || range.hasUpperBound).toBe(false);
    }
    expect(VersionRange.all.toNormalizedString()).toBe('(, )');
    expect(VersionRange.all.satisfies(v('0.0.1-alpha'))).toBe(true);
  });

  it('accepts (1.0, 1.0) as NuGet does: a valid range that nothing satisfies', () => {
    const range = r('(1.0,1.0)');
    expect(range.toNormalizedString()).toBe('(1.0.0, 1.0.0)');
    expect(range.satisfies(v('1.0.0'))).toBe(false);
  });

  it('exposes bounds and inclusiveness the way NuGet does (no bound is never inclusive)', () => {
    const range = r('[1.0, )');
    expect(range.minVersion?.toString()).toBe('1.0.0');
    expect(range.isMinInclusive).toBe(true);
    expect(range.maxVersion).toBeNull();
    expect(range.isMaxInclusive).toBe(false);
    expect(range.hasLowerBound).toBe(true);
    expect(range.hasUpperBound).toBe(false);
    const exact = VersionRange.exact(v('2.7.3'));
    expect(exact.toNormalizedString()).toBe('[2.7.3, 2.7.3]');
    expect(exact.toShortString()).toBe('[2.7.3]');
  });

  it('flags a range whose bounds are SemVer 2', () => {
    expect(r('[1.0.0-alpha.1, )').isSemVer2).toBe(true);
    expect(r('(, 2.0.0+build]').isSemVer2).toBe(true);
    expect(r('[1.0.0-alpha, 2.0.0]').isSemVer2).toBe(false);
  });
});

describe('floating ranges', () => {
  it.each([
    ['*', '[*, )', 'major', '0.0.0', '0.0.0'],
    ['1.*', '[1.*, )', 'minor', '1.0.0', '1.0.0'],
    ['1.0.*', '[1.0.*, )', 'patch', '1.0.0', '1.0.0'],
    ['2.2.*', '[2.2.*, )', 'patch', '2.2.0', '2.2.0'],
    ['1.0.0.*', '[1.0.0.*, )', 'revision', '1.0.0', '1.0.0'],
    ['1.0.0-*', '[1.0.0-*, )', 'prerelease', '1.0.0-0', '1.0.0-0'],
    ['1.0.0-beta.*', '[1.0.0-beta.*, )', 'prerelease', '1.0.0-beta.0', '1.0.0-beta.0'],
    ['1.0.0-beta*', '[1.0.0-beta*, )', 'prerelease', '1.0.0-beta', '1.0.0-beta'],
    ['*-*', '[*-*, )', 'absoluteLatest', '0.0.0-0', '0.0.0-0'],
    ['1.*-*', '[1.*-*, )', 'prereleaseMinor', '1.0.0-0', '1.0.0-0'],
    ['1.0.*-rc*', '[1.0.*-rc*, )', 'prereleasePatch', '1.0.0-rc', '1.0.0-rc'],
    ['[1.*, 2.0)', '[1.*, 2.0.0)', 'minor', '1.0.0', '[1.0.0, 2.0.0)'],
  ])('%j → %s (%s from %s; legacy short %s)', (text, normalized, behavior, min, legacyShort) => {
    const range = r(text);
    expect(range.toNormalizedString()).toBe(normalized);
    expect(range.isFloating).toBe(true);
    expect(range.float?.floatBehavior).toBe(behavior);
    expect(range.minVersion?.toString()).toBe(min);
    expect(range.toLegacyShortString()).toBe(legacyShort);
  });

  it('refuses floats when allowFloating is false (nuspec dependencies)', () => {
    expect(VersionRange.tryParse('1.*', { allowFloating: false })).toBeNull();
    expect(VersionRange.tryParse('*', { allowFloating: false })).toBeNull();
    expect(VersionRange.parse('1.0', { allowFloating: false }).toNormalizedString()).toBe('[1.0.0, )');
  });

  it('keeps NuGet quirks: "1*" is the plain version 10, "1.0*" floats like "1.*"', () => {
    const tenish = r('1*');
    expect(tenish.isFloating).toBe(false);
    expect(tenish.toNormalizedString()).toBe('[10.0.0, )');
    expect(r('1.0*').toNormalizedString()).toBe('[1.*, )');
  });

  it('FloatRange.satisfies matches only versions inside the float', () => {
    const minor = FloatRange.parse('1.*');
    expect(minor.satisfies(v('1.9.3'))).toBe(true);
    expect(minor.satisfies(v('2.0.0'))).toBe(false);
    expect(minor.satisfies(v('1.5.0-beta'))).toBe(false);
    const pre = FloatRange.parse('1.0.0-beta.*');
    expect(pre.originalReleasePrefix).toBe('beta.');
    expect(pre.satisfies(v('1.0.0-BETA.7'))).toBe(true);
    expect(pre.satisfies(v('1.0.0'))).toBe(true); // the stable version matches a prerelease float
    expect(pre.satisfies(v('1.0.0-alpha.1'))).toBe(false);
    expect(pre.satisfies(v('1.0.1-beta.1'))).toBe(false);
    expect(FloatRange.parse('*').satisfies(v('9.0.0-rc'))).toBe(false);
    expect(FloatRange.parse('*-*').satisfies(v('9.0.0-rc'))).toBe(true);
    expect(pre.toString()).toBe('1.0.0-beta.*');
  });
});

describe('VersionRange.satisfies (bounds only, metadata ignored)', () => {
  it.each([
    ['[1.0.0]', '1.0.0', true],
    ['[1.0.0]', '2.0.0', false],
    ['[1.0.0]', '1.0.0+build', true],
    ['[1.0.0, )', '1.0.0', true],
    ['[1.0.0, )', '2.0.0', true],
    ['[1.0.0, )', '0.9.0', false],
    ['[1.0.0, )', '1.1.0-beta', true], // NuGet's Satisfies does not filter prereleases
    ['[1.0.0, )', '1.0.0-beta', false],
    ['(1.0.0, )', '1.0.0', false],
    ['(1.0.0, )', '1.0.0.1', true],
    ['(, 2.0.0)', '2.0.0-alpha', true], // plain NuGet rules (ModuleFast's "friendly rule" is the client's)
    ['(, 2.0.0)', '2.0.0', false],
    ['(, 2.0.0]', '2.0.0', true],
    ['(0.0.2-rIsAfterP, 0.0.2)', '0.0.2-prerelease', false],
    ['(0.0.2-alpha, 0.0.2-prerelease)', '0.0.2-newerversion', true],
    ['1.*', '2.0.0', true], // the float does not narrow Satisfies
  ])('%s satisfied by %s: %s', (range, version, expected) => {
    expect(r(range).satisfies(v(version))).toBe(expected);
  });

  it('matches partial versions against [1.1.1, 2.2.2] (ModuleFast v0.0.1 data)', () => {
    const range = r('[1.1.1, 2.2.2]');
    const table: Record<string, boolean> = {
      '1': false, '2': true, '3': false, '1.0': false, '1.1': false, '1.2': true, '2.0': true, '2.2': true,
      '2.3': false, '3.0': false, '1.1.0': false, '1.1.1': true, '1.1.2': true, '2.2.2': true, '2.2.3': false,
      '3.0.0': false,
    };
    for (const [text, expected] of Object.entries(table)) expect([text, range.satisfies(v(text))]).toEqual([text, expected]);
  });
});

describe('VersionRange.findBestMatch (NuGet IsBetter)', () => {
  const versions = (...xs: string[]): NuGetVersion[] => xs.map(v);
  const best = (range: string, xs: NuGetVersion[]): string | null => r(range).findBestMatch(xs)?.toString() ?? null;

  it('picks the lowest satisfying stable version when not floating', () => {
    expect(best('[1.0, )', versions('2.0.0', '1.5.0', '0.9.0', '1.0.0-beta'))).toBe('1.5.0');
    expect(best('[1.0]', versions('2.0.0', '1.0.0'))).toBe('1.0.0');
    expect(best('(, 1.0)', versions('2.0.0', '1.0.0'))).toBeNull();
  });

  it('allows prereleases only when a bound or the float is a prerelease', () => {
    const fixture = versions('0.0.1', '0.0.1-prerelease', '0.0.1-aprerelease', '0.0.1-bprerelease', '0.0.2-newerversion', '0.0.2-prerelease');
    expect(best('[0.0.1-prerelease, )', fixture)).toBe('0.0.1-prerelease');
    expect(best('(0.0.1, )', fixture)).toBeNull();
    expect(best('(, 0.0.2-prerelease)', fixture)).toBe('0.0.1-aprerelease');
  });

  it('picks the highest version inside the float, else the nearest one above it', () => {
    expect(best('1.*', versions('0.9.0', '1.0.0', '1.5.0', '2.0.0', '1.6.0-beta'))).toBe('1.5.0');
    expect(best('1.*', versions('3.0.0', '2.0.0'))).toBe('2.0.0');
    expect(best('*', versions('1.0.0', '3.0.0', '4.0.0-rc'))).toBe('3.0.0');
    expect(best('*-*', versions('1.0.0', '3.0.0', '4.0.0-rc'))).toBe('4.0.0-rc');
    expect(best('1.0.0-beta.*', versions('1.0.0-beta.1', '1.0.0-beta.2', '1.0.0-alpha.9'))).toBe('1.0.0-beta.2');
  });

  it('returns null for no candidates', () => {
    expect(r('*').findBestMatch([])).toBeNull();
  });
});

describe('VersionRange.intersectsInterval (registration page bounds)', () => {
  it.each([
    ['[1.0.0, 2.0.0]', '0.1.0', '0.9.0', false],
    ['[1.0.0, 2.0.0]', '0.1.0', '1.0.0', true],
    ['(1.0.0, 2.0.0]', '0.1.0', '1.0.0', false],
    ['[1.0.0, 2.0.0)', '2.0.0', '3.0.0', false],
    ['[1.0.0, 2.0.0]', '2.0.0', '3.0.0', true],
    ['[1.0.0, 2.0.0]', '1.2.0', '1.3.0', true],
    ['[1.0.0, 2.0.0]', '0.1.0', '9.0.0', true],
    ['(, 1.0.0)', '1.0.0', '2.0.0', false],
    ['[1.0.0, )', '0.1.0', '1.0.0', true],
    ['[2.0]', '1.0.0', '3.0.0', true],
    ['1.*', '2.0.0', '3.0.0', true], // findBestMatch may pick above the float
    ['(, )', '0.0.1', '0.0.1', true],
  ])('%s vs page [%s, %s]: %s', (range, lower, upper, expected) => {
    expect(r(range).intersectsInterval(v(lower), v(upper))).toBe(expected);
  });

  it('is false for an upside-down interval', () => {
    expect(VersionRange.all.intersectsInterval(v('2.0.0'), v('1.0.0'))).toBe(false);
  });
});

describe('intersectRanges and VersionRange.commonSubSet (merging one id\'s dependency ranges)', () => {
  it('intersectRanges handles exclusive bounds at equal versions', () => {
    expect(intersectRanges(['[1.0.0, )', '(1.0.0, )'])).toBe('(1.0.0, )');
    expect(intersectRanges(['(, 2.0.0]', '(, 2.0.0)'])).toBe('(, 2.0.0)');
    expect(intersectRanges(['[1.0.0]', '[1.0.0, 2.0.0]'])).toBe('[1.0.0, 1.0.0]');
    expect(intersectRanges(['(, )', ''])).toBe('(, )');
    expect(intersectRanges(['(1.0.0, 2.0.0)', '[2.0.0, 3.0.0]'])).toBeNull();
  });


  it('takes the highest lower bound and the lowest upper bound of any number of ranges', () => {
    expect(intersectRanges(['[1.0.0, )', '[1.5.0, 3.0.0)', '(, 2.0.0]'])).toBe('[1.5.0, 2.0.0]');
    expect(intersectRanges([])).toBe('(, )');
    expect(intersectRanges(['[1.0.0, )', '1.*'])).toBeNull(); // floating ranges are not accepted in nuspecs
  });

  it('commonSubSet answers null for disjoint ranges and ignores floats but not their bounds', () => {
    expect(VersionRange.commonSubSet([r('[1.0.0, 2.0.0)'), r('[2.0.0, )')])).toBeNull();
    expect(VersionRange.commonSubSet([r('[2.0.0]'), r('[2.0.0]')])?.toNormalizedString()).toBe('[2.0.0, 2.0.0]');
    expect(VersionRange.commonSubSet([r('1.*'), r('(, 1.5.0)')])?.toNormalizedString()).toBe('[1.0.0, 1.5.0)');
    expect(VersionRange.commonSubSet([r('2.*'), r('(, 1.5.0)')])).toBeNull();
    expect(VersionRange.commonSubSet([])?.toNormalizedString()).toBe('(, )');
  });
});
