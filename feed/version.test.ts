import { describe, expect, it } from 'vitest';
import { InvalidVersionError, NuGetVersion, compareVersions, tryVersionKey, versionKey } from './version.ts';

const v = (s: string): NuGetVersion => NuGetVersion.parse(s);
const norm = (s: string): string => v(s).toNormalizedString();

describe('NuGetVersion.parse: what is a version (§8.1)', () => {
  it.each([
    ['1', '1.0.0'],
    ['1.2', '1.2.0'],
    ['1.2.3', '1.2.3'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.01.1', '1.1.1'],
    ['1.00', '1.0.0'],
    ['1.0.0.0', '1.0.0'],
    ['1.0.01.0', '1.0.1'],
    ['0001.00002', '1.2.0'],
    ['3.2.1.15', '3.2.1.15'],
    ['0.4.15.0', '0.4.15'],
    ['12.6.0.19600125', '12.6.0.19600125'],
    ['1.0.7+r3456', '1.0.7'],
    ['1.0.0-Beta', '1.0.0-Beta'],
    ['1.0.0-rc.1', '1.0.0-rc.1'],
    ['1.0-beta', '1.0.0-beta'],
    ['1.0.0-0a', '1.0.0-0a'],
    ['1.0.0-0', '1.0.0-0'],
    ['1.0.0--1', '1.0.0--1'],
    ['1.0.0+sha.0001', '1.0.0'],
    ['2147483647.2147483647.2147483647.2147483647', '2147483647.2147483647.2147483647.2147483647'],
    [' 1.0.0 ', '1.0.0'],
    ['\t1.0\n', '1.0.0'],
    ['1.0\u00a0', '1.0.0'],
    ['1 .0', '1.0.0'], // System.Version tolerates blanks around a number part, and so does NuGet
  ])('%j normalizes to %s', (text, expected) => {
    expect(norm(text)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'a',
    'v1.0',
    '1.2.3.4.5',
    '1.',
    '.1',
    '1..0',
    '-1.0',
    '+1.0',
    '1,0',
    '2147483648',
    '1.2147483648',
    '1.0.0-beta.01', // numeric labels may not have leading zeros
    '1.0.0-00',
    '1.0.0-',
    '1.0.0+',
    '1.0.0-+meta',
    '1.0.0-a..b',
    '1.0.0+a..b',
    '1.0.0-a_b',
    '1.0.0-\u00e9',
    '1.0.0-a+b+c',
    '\ufeff1.0', // U+FEFF is not whitespace for .NET's Trim
    '1.0\0',
    '1.*',
  ])('%j is not a version', (text) => {
    expect(NuGetVersion.tryParse(text)).toBeNull();
    expect(() => NuGetVersion.parse(text)).toThrow(InvalidVersionError);
  });

  it('throws a typed error that names the text', () => {
    try {
      NuGetVersion.parse('1.0.0-beta.01');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidVersionError);
      expect((e as InvalidVersionError).code).toBe('invalid_version');
      expect((e as Error).message).toContain('1.0.0-beta.01');
    }
  });

  it('exposes the parts, labels, metadata and the trimmed original text', () => {
    const x = v('  01.2.3.4-Beta.1+Sha.007 ');
    expect([x.major, x.minor, x.patch, x.revision]).toEqual([1, 2, 3, 4]);
    expect(x.releaseLabels).toEqual(['Beta', '1']);
    expect(x.release).toBe('Beta.1');
    expect(x.metadata).toBe('Sha.007');
    expect(x.originalString).toBe('01.2.3.4-Beta.1+Sha.007');
    expect(x.toNormalizedString()).toBe('1.2.3.4-Beta.1');
    expect(x.toFullString()).toBe('1.2.3.4-Beta.1+Sha.007');
    expect(x.toString()).toBe('1.2.3.4-Beta.1');
    const y = v('1.0');
    expect(y.releaseLabels).toEqual([]);
    expect(y.release).toBe('');
    expect(y.metadata).toBeNull();
    expect(y.hasMetadata).toBe(false);
  });

  it('flags prerelease, SemVer 2 and legacy (4-part) versions', () => {
    expect(v('1.0.0-alpha').isPrerelease).toBe(true);
    expect(v('1.0.0').isPrerelease).toBe(false);
    expect(v('1.0.0+meta').isPrerelease).toBe(false);
    expect(v('1.0.0-alpha').isSemVer2).toBe(false);
    expect(v('1.0.0-alpha.1').isSemVer2).toBe(true);
    expect(v('1.0.0+meta').isSemVer2).toBe(true);
    expect(v('1.0.0').isSemVer2).toBe(false);
    expect(v('3.2.1.15').isLegacyVersion).toBe(true);
    expect(v('1.0.0.0').isLegacyVersion).toBe(false);
  });
});

describe('ordering and equality (VersionComparer.Default)', () => {
  it('sorts by SemVer 2 precedence with the 4th part compared numerically', () => {
    const ordered = [
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.0.1',
      '1.0.0.2',
      '1.0.0.10',
      '1.0.1',
      '1.2',
      '1.10',
      '2147483647.0',
    ];
    const shuffled = [...ordered].reverse().map(v);
    expect(shuffled.sort(compareVersions).map((x) => x.originalString)).toEqual(ordered);
  });

  it('treats 1.0, 1.0.0 and 1.0.0.0 as one version, and ignores metadata', () => {
    expect(v('1.0').compareTo(v('1.0.0.0'))).toBe(0);
    expect(v('1.0').equals(v('1.0.0.0'))).toBe(true);
    expect(v('1.0.0+a').equals(v('1.0.0+b'))).toBe(true);
    expect(compareVersions(v('1.0.0+a'), v('1.0.0'))).toBe(0);
  });

  it('compares labels case-insensitively, numeric labels as numbers and before alphanumeric ones', () => {
    expect(v('1.0.0-Beta').equals(v('1.0.0-BETA'))).toBe(true);
    expect(compareVersions(v('1.0.0-Beta'), v('1.0.0-beta'))).toBe(0);
    expect(compareVersions(v('1.0.0-2'), v('1.0.0-10'))).toBeLessThan(0);
    expect(compareVersions(v('1.0.0-999'), v('1.0.0-a'))).toBeLessThan(0);
    expect(compareVersions(v('1.0.0-a'), v('1.0.0-B'))).toBeLessThan(0);
    // a label too big for Int32 is compared as text, after every numeric label
    expect(compareVersions(v('1.0.0-99999999999'), v('1.0.0-5'))).toBeGreaterThan(0);
  });

  it('orders the PrereleaseTest fixture versions like ModuleFast expects', () => {
    const sorted = ['0.0.2-rIsAfterP', '0.0.1', '0.0.2-prerelease', '0.0.1-bprerelease', '0.0.2-newerversion', '0.0.1-prerelease', '0.0.1-aprerelease']
      .map(v)
      .sort(compareVersions)
      .map(String);
    expect(sorted).toEqual([
      '0.0.1-aprerelease',
      '0.0.1-bprerelease',
      '0.0.1-prerelease',
      '0.0.1',
      '0.0.2-newerversion',
      '0.0.2-prerelease',
      '0.0.2-rIsAfterP',
    ]);
  });

  it('sorts 1.2.5, 1.2.3, 1.2.4 ascending', () => {
    expect(['1.2.5', '1.2.3', '1.2.4'].map(v).sort(compareVersions).map(String)).toEqual(['1.2.3', '1.2.4', '1.2.5']);
  });
});

describe('versionKey', () => {
  it('is the normalized, lower-cased version without metadata', () => {
    expect(versionKey('1.00.0.0-Beta+x')).toBe('1.0.0-beta');
    expect(versionKey('1.0')).toBe('1.0.0');
    expect(versionKey('1.0.0.0')).toBe(versionKey('1.0'));
    expect(versionKey('3.2.1.15-RC.1')).toBe('3.2.1.15-rc.1');
  });

  it('rejects non-versions', () => {
    expect(() => versionKey('1.0.0-01')).toThrow(InvalidVersionError);
  });

  it('gives a parsed version the same key as its text', () => {
    expect(versionKey(NuGetVersion.parse('1.00.0.0-Beta+x'))).toBe('1.0.0-beta');
    expect(versionKey(NuGetVersion.parse('2.0.0.1'))).toBe(versionKey('2.0.0.1'));
  });

  it('tryVersionKey answers null instead of throwing (URL segments, page bounds)', () => {
    expect(tryVersionKey('1.0.0.0-RC')).toBe('1.0.0-rc');
    expect(tryVersionKey('1.0.0-01')).toBeNull();
    expect(tryVersionKey('index.json')).toBeNull();
    expect(tryVersionKey('')).toBeNull();
  });
});
