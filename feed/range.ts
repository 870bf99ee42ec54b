/**
 * NuGet version ranges and floating versions (protocol reference §8.2), a faithful port of NuGet.Client's
 * `VersionRange` (VersionRangeFactory.TryParse, VersionRangeBase.Satisfies, FindBestMatch/IsBetter),
 * `FloatRange` and `VersionRangeFormatter` ("N", "A", "T"), checked against NuGet.Versioning 8.0.0 by
 * `test/versioning-differential.test.ts`.
 *
 * One deliberate difference: {@link VersionRange.parse} maps an empty or whitespace-only text to the
 * "any version" range `(, )` (a nuspec dependency without a version means any version, §8.2), where
 * NuGet's `VersionRange.TryParse` rejects it.
 */

import { NuGetVersion, compareVersions, dotNetTrim, isDotNetWhiteSpaceOnly } from './version.ts';

/** Thrown when a text is not a NuGet version range (§8.2); `code` lets the server map it to 400. */
export class InvalidRangeError extends Error {
  readonly code = 'invalid_range';
  /** The text that failed to parse, as given. */
  readonly text: string;
  constructor(text: string, message?: string) {
    super(message ?? `'${text}' is not a valid version range.`);
    this.name = 'InvalidRangeError';
    this.text = text;
  }
}

/** NuGet's `NuGetVersionFloatBehavior`: which part of the version floats. */
export type FloatBehavior =
  | 'none'
  | 'prerelease'
  | 'revision'
  | 'patch'
  | 'minor'
  | 'major'
  | 'absoluteLatest'
  | 'prereleaseRevision'
  | 'prereleasePatch'
  | 'prereleaseMinor'
  | 'prereleaseMajor';

function countParts(line: string): number {
  let count = 1;
  for (let i = 0; i < line.length; i++) if (line[i] === '.') count++;
  return count;
}

function startsWithIgnoreCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toUpperCase() === prefix.toUpperCase();
}

/**
 * The floating part of a version range (NuGet `FloatRange`, PackageReference only, §8.2): `1.*`, `1.0.*`,
 * `*`, `1.0.0-*`, `1.0.0-beta.*`, `*-*`, `1.*-*`, `1.0.*-rc*`, ... `minVersion` is the lowest version the
 * float stands for (e.g. `1.0.0` for `1.*`, `1.0.0-beta.0` for `1.0.0-beta.*`).
 */
export class FloatRange {
  readonly floatBehavior: FloatBehavior;
  readonly minVersion: NuGetVersion | null;
  /** The prerelease prefix as written before the '*' (may be '' or end in '.' or '-'); null for stable floats. */
  readonly originalReleasePrefix: string | null;

  constructor(floatBehavior: FloatBehavior, minVersion: NuGetVersion | null = null, releasePrefix: string | null = null) {
    this.floatBehavior = floatBehavior;
    this.minVersion = minVersion;
    this.originalReleasePrefix =
      releasePrefix === null && minVersion !== null && minVersion.isPrerelease ? minVersion.release : releasePrefix;
  }

  /** True when a minimum version exists (always, for parsed floats). */
  get hasMinVersion(): boolean {
    return this.minVersion !== null;
  }

  /**
   * Parses a float the way `FloatRange.TryParse` does; a plain version gives behaviour 'none'.
   * @returns null when the text is not a float or version
   */
  static tryParse(versionString: string): FloatRange | null {
    if (typeof versionString !== 'string' || isDotNetWhiteSpaceOnly(versionString)) return null;
    const firstStar = versionString.indexOf('*');
    const lastStar = versionString.lastIndexOf('*');
    const hasPlus = versionString.indexOf('+') !== -1;
    let releasePrefix: string | null = null;

    if (versionString.length === 1 && firstStar === 0) {
      return new FloatRange('major', new NuGetVersion(0, 0, 0));
    }
    if (versionString === '*-*') {
      return new FloatRange('absoluteLatest', NuGetVersion.parse('0.0.0-0'), '');
    }
    if (firstStar !== lastStar && lastStar !== -1 && !hasPlus) {
      // two stars: only "<stable>*-<prefix>*"
      let behavior: FloatBehavior = 'none';
      const dash = versionString.indexOf('-');
      let actualVersion: string | null = null;
      if (dash !== -1 && lastStar === versionString.length - 1 && firstStar === dash - 1) {
        const stablePart = versionString.substring(0, dash - 1) + '0';
        switch (countParts(stablePart)) {
          case 1:
            behavior = 'prereleaseMajor';
            break;
          case 2:
            behavior = 'prereleaseMinor';
            break;
          case 3:
            behavior = 'prereleasePatch';
            break;
          case 4:
            behavior = 'prereleaseRevision';
            break;
        }
        const releaseVersion = versionString.substring(dash + 1);
        releasePrefix = releaseVersion.substring(0, releaseVersion.length - 1);
        let releasePart = releasePrefix;
        if (releasePrefix.length === 0 || releasePrefix.endsWith('.')) releasePart += '0';
        actualVersion = stablePart + '-' + releasePart;
      }
      const version = actualVersion === null ? null : NuGetVersion.tryParse(actualVersion);
      return version ? new FloatRange(behavior, version, releasePrefix) : null;
    }
    if (lastStar === versionString.length - 1 && !hasPlus) {
      // one star, at the end
      let behavior: FloatBehavior = 'none';
      let actualVersion = versionString.substring(0, versionString.length - 1);
      if (versionString.indexOf('-') === -1) {
        actualVersion += '0';
        const parts = countParts(actualVersion);
        if (parts === 2) behavior = 'minor';
        else if (parts === 3) behavior = 'patch';
        else if (parts === 4) behavior = 'revision';
      } else {
        behavior = 'prerelease';
        if (versionString.indexOf('-') === versionString.lastIndexOf('-')) {
          releasePrefix = actualVersion.substring(versionString.lastIndexOf('-') + 1);
          if (releasePrefix.length === 0 || actualVersion.endsWith('.')) {
            actualVersion += '0'; // 1.0.0-* : an empty label is not a valid version
          } else if (actualVersion.endsWith('-')) {
            actualVersion += '-';
          }
        }
      }
      const version = NuGetVersion.tryParse(actualVersion);
      return version ? new FloatRange(behavior, version, releasePrefix) : null;
    }
    const version = NuGetVersion.tryParse(versionString);
    return version ? new FloatRange('none', version) : null;
  }

  /**
   * Parses a float; see {@link FloatRange.tryParse}.
   * @throws InvalidRangeError when the text is not a float or version
   */
  static parse(versionString: string): FloatRange {
    const r = FloatRange.tryParse(versionString);
    if (r === null) throw new InvalidRangeError(String(versionString), `'${versionString}' is not a valid floating version.`);
    return r;
  }

  /** True when `version` falls into the floating part (NuGet `FloatRange.Satisfies`). */
  satisfies(version: NuGetVersion): boolean {
    const b = this.floatBehavior;
    if (b === 'absoluteLatest') return true;
    if (b === 'major' && !version.isPrerelease) return true;
    const min = this.minVersion;
    if (min === null) return false;
    const prefix = this.originalReleasePrefix ?? '';
    const labelOk = (version.isPrerelease && startsWithIgnoreCase(version.release, prefix)) || !version.isPrerelease;
    switch (b) {
      case 'prereleaseRevision':
        return min.major === version.major && min.minor === version.minor && min.patch === version.patch && labelOk;
      case 'prereleasePatch':
        return min.major === version.major && min.minor === version.minor && labelOk;
      case 'prereleaseMinor':
        return min.major === version.major && labelOk;
      case 'prereleaseMajor':
        return labelOk;
      case 'prerelease':
        return (
          min.major === version.major &&
          min.minor === version.minor &&
          min.patch === version.patch &&
          min.revision === version.revision &&
          labelOk
        );
      case 'revision':
        return min.major === version.major && min.minor === version.minor && min.patch === version.patch && !version.isPrerelease;
      case 'patch':
        return min.major === version.major && min.minor === version.minor && !version.isPrerelease;
      case 'minor':
        return min.major === version.major && !version.isPrerelease;
      default:
        return false;
    }
  }

  /** The float text NuGet writes (`FloatRange.ToString`): "1.*", "1.0.0-beta.*", "*-*", "1.*-rc*", ... */
  toString(): string {
    const m = this.minVersion;
    const prefix = this.originalReleasePrefix ?? '';
    if (m === null) return this.floatBehavior === 'major' ? '*' : this.floatBehavior === 'absoluteLatest' ? '*-*' : '';
    switch (this.floatBehavior) {
      case 'none':
        return m.toNormalizedString();
      case 'prerelease':
        return `${m.major}.${m.minor}.${m.patch}${m.revision > 0 ? `.${m.revision}` : ''}-${prefix}*`;
      case 'revision':
        return `${m.major}.${m.minor}.${m.patch}.*`;
      case 'patch':
        return `${m.major}.${m.minor}.*`;
      case 'minor':
        return `${m.major}.*`;
      case 'major':
        return '*';
      case 'prereleaseRevision':
        return `${m.major}.${m.minor}.${m.patch}.*-${prefix}*`;
      case 'prereleasePatch':
        return `${m.major}.${m.minor}.*-${prefix}*`;
      case 'prereleaseMinor':
        return `${m.major}.*-${prefix}*`;
      case 'prereleaseMajor':
        return `*-${prefix}*`;
      case 'absoluteLatest':
        return '*-*';
    }
  }
}

const PRERELEASE_FLOATS: ReadonlySet<FloatBehavior> = new Set<FloatBehavior>([
  'prerelease',
  'prereleaseMajor',
  'prereleaseMinor',
  'prereleasePatch',
  'prereleaseRevision',
  'absoluteLatest',
]);

/** Options of {@link VersionRange.parse}. */
export interface RangeParseOptions {
  /** Accept floats (`1.*`, `*-*`, ...); true by default (PackageReference); false for nuspec dependencies. */
  allowFloating?: boolean;
}

/**
 * A NuGet version range (§8.2): optional lower and upper bounds, each inclusive or exclusive, plus an
 * optional float that picks the preferred version. Immutable.
 */
export class VersionRange {
  readonly minVersion: NuGetVersion | null;
  /** True only when there is a lower bound and it is inclusive (NuGet `IsMinInclusive`). */
  readonly isMinInclusive: boolean;
  readonly maxVersion: NuGetVersion | null;
  /** True only when there is an upper bound and it is inclusive (NuGet `IsMaxInclusive`). */
  readonly isMaxInclusive: boolean;
  readonly float: FloatRange | null;
  /** The text this range was parsed from, untrimmed, or null when built in code. */
  readonly originalString: string | null;

  /** Every version, prerelease and stable: `(, )`. */
  static readonly all: VersionRange = new VersionRange(null, true, null, true);

  constructor(
    min: NuGetVersion | null,
    minInclusive: boolean,
    max: NuGetVersion | null,
    maxInclusive: boolean,
    float: FloatRange | null = null,
    originalString: string | null = null,
  ) {
    this.minVersion = min;
    this.isMinInclusive = min !== null && minInclusive;
    this.maxVersion = max;
    this.isMaxInclusive = max !== null && maxInclusive;
    this.float = float;
    this.originalString = originalString;
  }

  /**
   * Parses a range the way `VersionRange.Parse(text, allowFloating)` does (§8.2): a bare version is an
   * inclusive minimum (`1.0` → `[1.0.0, )`), `[1.0]` is exact, `(1.0)`, `[1.0)`, `(,)`, min > max and
   * `(1.0, 1.0]` are invalid, whitespace around the text and the comma is allowed, floats only in the
   * lower bound. Empty or whitespace-only text gives {@link VersionRange.all} (NuGet would reject it).
   * @throws InvalidRangeError when the text is not a range
   */
  static parse(text: string, options?: RangeParseOptions): VersionRange {
    const r = VersionRange.tryParse(text, options);
    if (r === null) throw new InvalidRangeError(String(text));
    return r;
  }

  /** Like {@link VersionRange.parse} but returns null instead of throwing. */
  static tryParse(text: string, options?: RangeParseOptions): VersionRange | null {
    if (typeof text !== 'string') return null;
    const allowFloating = options?.allowFloating ?? true;
    let trimmed = dotNetTrim(text);
    if (trimmed.length === 0) return new VersionRange(null, true, null, true, null, text);

    if (allowFloating && trimmed === '*') {
      return new VersionRange(new NuGetVersion(0, 0, 0), true, null, true, FloatRange.parse(trimmed), text);
    }

    let minString: string | null = null;
    let maxString: string | null = null;
    let minInclusive = false;
    let maxInclusive = false;
    let minVersion: NuGetVersion | null = null;
    let maxVersion: NuGetVersion | null = null;
    let floatRange: FloatRange | null = null;

    const first = trimmed[0];
    if (first === '(' || first === '[') {
      minInclusive = first === '[';
      const last = trimmed[trimmed.length - 1];
      if (last === ']') maxInclusive = true;
      else if (last === ')') maxInclusive = false;
      else return null;
      trimmed = trimmed.substring(1, trimmed.length - 1);
      const parts = trimmed.split(',');
      if (parts.length > 2) return null;
      if (parts.every((p) => p.length === 0)) return null; // (,] and friends
      if (parts.length === 1 && !(minInclusive && maxInclusive)) return null; // (1.0.0], [1.0.0), (1.0.0)
      minString = parts[0]!;
      maxString = parts.length === 2 ? parts[1]! : parts[0]!;
    } else {
      minInclusive = true;
      minString = trimmed;
    }

    if (!isDotNetWhiteSpaceOnly(minString)) {
      if (allowFloating && minString.includes('*')) {
        floatRange = FloatRange.tryParse(minString);
        if (floatRange === null || floatRange.minVersion === null) return null;
        minVersion = floatRange.minVersion;
      } else {
        minVersion = NuGetVersion.tryParse(minString);
        if (minVersion === null) return null;
      }
    }
    if (maxString !== null && !isDotNetWhiteSpaceOnly(maxString)) {
      maxVersion = NuGetVersion.tryParse(maxString);
      if (maxVersion === null) return null;
    }
    if (minVersion !== null && maxVersion !== null) {
      const c = compareVersions(minVersion, maxVersion);
      if (c > 0) return null;
      if (c === 0 && minInclusive !== maxInclusive) return null;
    }
    return new VersionRange(minVersion, minInclusive, maxVersion, maxInclusive, floatRange, text);
  }

  /** The exact range `[v, v]` (short form `[v]`). */
  static exact(v: NuGetVersion): VersionRange {
    return new VersionRange(v, true, v, true);
  }

  get hasLowerBound(): boolean {
    return this.minVersion !== null;
  }

  get hasUpperBound(): boolean {
    return this.maxVersion !== null;
  }

  /** True when the range has a float other than 'none' (NuGet `IsFloating`). */
  get isFloating(): boolean {
    return this.float !== null && this.float.floatBehavior !== 'none';
  }

  /** True when a bound is a SemVer 2 version (§8.1: such a dependency makes the package SemVer 2). */
  get isSemVer2(): boolean {
    return (this.minVersion?.isSemVer2 ?? false) || (this.maxVersion?.isSemVer2 ?? false);
  }

  /** NuGet `HasPrereleaseBounds`: a bound carries prerelease labels. */
  get hasPrereleaseBounds(): boolean {
    return (this.minVersion?.isPrerelease ?? false) || (this.maxVersion?.isPrerelease ?? false);
  }

  /**
   * True when `version` lies within the bounds (NuGet `VersionRange.Satisfies`, metadata ignored). The
   * float is not consulted and prereleases are not filtered: `[1.0.0, )` is satisfied by `1.1.0-beta`.
   */
  satisfies(version: NuGetVersion): boolean {
    if (this.minVersion !== null) {
      const c = compareVersions(this.minVersion, version);
      if (this.isMinInclusive ? c > 0 : c >= 0) return false;
    }
    if (this.maxVersion !== null) {
      const c = compareVersions(this.maxVersion, version);
      if (this.isMaxInclusive ? c < 0 : c <= 0) return false;
    }
    return true;
  }

  /**
   * NuGet `VersionRange.IsBetter`: whether `considering` is a better pick than `current` (null = none yet).
   * Prereleases are refused unless a bound or the float is a prerelease; without a float the lowest
   * satisfying version wins; with a float the highest version inside the float wins.
   */
  isBetter(current: NuGetVersion | null, considering: NuGetVersion | null): boolean {
    if (current === considering || considering === null) return false;
    const fb = this.float?.floatBehavior;
    if (!this.hasPrereleaseBounds && considering.isPrerelease && !(fb !== undefined && PRERELEASE_FLOATS.has(fb))) {
      return false;
    }
    if (!this.satisfies(considering)) return false;
    if (current === null) return true;
    if (this.isFloating) {
      const f = this.float!;
      const curIn = f.satisfies(current);
      const conIn = f.satisfies(considering);
      if (curIn && !conIn) return false;
      if (conIn && !curIn) return true;
      if (curIn && conIn) return compareVersions(current, considering) < 0;
      const fmin = f.minVersion!;
      const curLow = compareVersions(current, fmin) < 0;
      const conLow = compareVersions(considering, fmin) < 0;
      if (curLow && !conLow) return true;
      if (!curLow && conLow) return false;
      if (!curLow && !conLow) return compareVersions(current, considering) > 0;
      return compareVersions(current, considering) < 0;
    }
    return compareVersions(current, considering) > 0;
  }

  /**
   * The version NuGet would pick from `versions` (`VersionRange.FindBestMatch`): floats → the highest
   * version inside the float; otherwise the lowest satisfying version; stable only unless the range has
   * prerelease bounds or a prerelease float. Ties keep the first seen.
   * @returns the best match, or null when no version qualifies
   */
  findBestMatch(versions: Iterable<NuGetVersion>): NuGetVersion | null {
    let best: NuGetVersion | null = null;
    for (const v of versions) {
      if (this.isBetter(best, v)) best = v;
    }
    return best;
  }

  /**
   * True when some version in the inclusive interval [lower, upper] could satisfy this range, judged by
   * the bounds alone (floats do not narrow it, since FindBestMatch may pick a version outside the float).
   * Used to choose registration pages by their `lower`/`upper` (ModuleFast, §4.3). False when lower > upper.
   */
  intersectsInterval(lower: NuGetVersion, upper: NuGetVersion): boolean {
    if (compareVersions(lower, upper) > 0) return false;
    if (this.minVersion !== null) {
      const c = compareVersions(upper, this.minVersion);
      if (c < 0 || (c === 0 && !this.isMinInclusive)) return false;
    }
    if (this.maxVersion !== null) {
      const c = compareVersions(lower, this.maxVersion);
      if (c > 0 || (c === 0 && !this.isMaxInclusive)) return false;
    }
    return true;
  }

  /**
   * The versions every range allows, judged by the bounds alone (NuGet `VersionRange.CommonSubSet`): the
   * highest lower bound and the lowest upper bound, exclusive winning where bounds tie. Floats are dropped
   * (the result has none; a float's bounds still count). `(, )` for no ranges.
   *
   * @returns the intersection, or null when no version lies in every range (NuGet's `VersionRange.None`)
   */
  static commonSubSet(ranges: Iterable<VersionRange>): VersionRange | null {
    let min: NuGetVersion | null = null;
    let minInclusive = false;
    let max: NuGetVersion | null = null;
    let maxInclusive = false;
    for (const r of ranges) {
      if (r.minVersion !== null) {
        const c = min === null ? 1 : compareVersions(r.minVersion, min);
        if (c > 0) {
          min = r.minVersion;
          minInclusive = r.isMinInclusive;
        } else if (c === 0 && !r.isMinInclusive) minInclusive = false;
      }
      if (r.maxVersion !== null) {
        const c = max === null ? -1 : compareVersions(r.maxVersion, max);
        if (c < 0) {
          max = r.maxVersion;
          maxInclusive = r.isMaxInclusive;
        } else if (c === 0 && !r.isMaxInclusive) maxInclusive = false;
      }
    }
    if (min !== null && max !== null) {
      const c = compareVersions(min, max);
      if (c > 0 || (c === 0 && !(minInclusive && maxInclusive))) return null;
    }
    return new VersionRange(min, minInclusive, max, maxInclusive);
  }

  /**
   * NuGet format "N" (§8.2): `[`/`(` + lower + `, ` + upper + `]`/`)`, versions normalized without
   * metadata, floats written as float text: "[1.0.0, )", "[1.0.0, 1.0.0]", "(, 2.0.0)", "(, )", "[1.*, )".
   */
  toNormalizedString(): string {
    let s = this.isMinInclusive ? '[' : '(';
    if (this.minVersion !== null) {
      s += this.isFloating ? this.float!.toString() : this.minVersion.toNormalizedString();
    }
    s += ', ';
    if (this.maxVersion !== null) s += this.maxVersion.toNormalizedString();
    s += this.isMaxInclusive ? ']' : ')';
    return s;
  }

  /**
   * NuGet `ToShortString` (format "A"): a bare inclusive minimum as just the version or float ("1.0.0",
   * "1.*"), an exact range as "[1.0.0]", anything else as {@link VersionRange.toNormalizedString}.
   */
  toShortString(): string {
    if (this.isMinInclusive && this.maxVersion === null) {
      return this.isFloating ? this.float!.toString() : this.minVersion!.toNormalizedString();
    }
    const exact = this.exactVersion();
    if (exact !== null) return `[${exact.toNormalizedString()}]`;
    return this.toNormalizedString();
  }

  /**
   * NuGet `ToLegacyShortString` (format "T", what pack writes into a nuspec): like
   * {@link VersionRange.toShortString} but floats are written as their minimum version.
   */
  toLegacyShortString(): string {
    if (this.isMinInclusive && this.maxVersion === null) return this.minVersion!.toNormalizedString();
    const exact = this.exactVersion();
    if (exact !== null) return `[${exact.toNormalizedString()}]`;
    return this.toLegacyString();
  }

  /** NuGet `ToLegacyString` (format "D"): like "N" but floats are written as their minimum version. */
  toLegacyString(): string {
    let s = this.isMinInclusive ? '[' : '(';
    if (this.minVersion !== null) s += this.minVersion.toNormalizedString();
    s += ', ';
    if (this.maxVersion !== null) s += this.maxVersion.toNormalizedString();
    s += this.isMaxInclusive ? ']' : ')';
    return s;
  }

  /** Same as {@link VersionRange.toNormalizedString}. */
  toString(): string {
    return this.toNormalizedString();
  }

  private exactVersion(): NuGetVersion | null {
    if (this.minVersion !== null && this.maxVersion !== null && this.isMinInclusive && this.isMaxInclusive) {
      if (this.minVersion.equals(this.maxVersion)) return this.minVersion;
    }
    return null;
  }
}

/**
 * Intersection of NuGet range texts (§8.2, floating ranges not accepted, empty text is `(, )`), formatted
 * the normalized way (`[1.2.0, 2.0.0)`, `(, )`); see {@link VersionRange.commonSubSet}. Used to merge one
 * id's dependency ranges across dependency groups (ModuleFast plans one version per module).
 *
 * @returns the normalized text, or null when a range does not parse or the intersection is empty
 */
export function intersectRanges(ranges: readonly string[]): string | null {
  const parsed: VersionRange[] = [];
  for (const text of ranges) {
    const r = VersionRange.tryParse(text, { allowFloating: false });
    if (r === null) return null;
    parsed.push(r);
  }
  return VersionRange.commonSubSet(parsed)?.toNormalizedString() ?? null;
}
