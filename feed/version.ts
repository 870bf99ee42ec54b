/**
 * NuGet package versions (protocol reference §8.1), a faithful port of NuGet.Client's
 * `NuGet.Versioning.NuGetVersion` (NuGetVersionFactory.TryParse, SemanticVersionFactory.IsValidPart,
 * VersionComparer.Default, VersionFormatter "N"/"F"), checked against NuGet.Versioning 8.0.0 by
 * `test/versioning-differential.test.ts`.
 *
 * Grammar accepted by {@link NuGetVersion.parse} (after trimming .NET whitespace around the text):
 *   version   = numbers [ "-" labels ] [ "+" metadata ]
 *   numbers   = 1 to 4 dot-separated decimal parts, each fitting Int32; leading zeros allowed; spaces and
 *               tabs around a part are tolerated exactly as System.Version.TryParse tolerates them
 *   labels    = dot-separated non-empty [0-9A-Za-z-]+, a purely numeric label may not have a leading zero
 *   metadata  = dot-separated non-empty [0-9A-Za-z-]+ (leading zeros allowed)
 */

/** Thrown when a text is not a NuGet version (§8.1); `code` lets the server map it to 400 in one place. */
export class InvalidVersionError extends Error {
  readonly code = 'invalid_version';
  /** The text that failed to parse, as given. */
  readonly text: string;
  constructor(text: string, message?: string) {
    super(message ?? `'${text}' is not a valid version string.`);
    this.name = 'InvalidVersionError';
    this.text = text;
  }
}

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/**
 * True for the characters .NET's `char.IsWhiteSpace` accepts (what `string.Trim()` removes in NuGet):
 * U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
 * Unlike JavaScript's `trim`, U+FEFF is not whitespace here.
 */
export function isDotNetWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** .NET `string.Trim()`: removes leading and trailing characters for which {@link isDotNetWhiteSpace} holds. */
export function dotNetTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isDotNetWhiteSpace(text.charCodeAt(start))) start++;
  while (end > start && isDotNetWhiteSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** .NET `string.IsNullOrWhiteSpace` for a non-null string. */
export function isDotNetWhiteSpaceOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!isDotNetWhiteSpace(text.charCodeAt(i))) return false;
  }
  return true;
}

/** The whitespace `int.TryParse(NumberStyles.Integer)` skips around digits: U+0009–U+000D and U+0020. */
function isNumberWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * `int.TryParse(s, NumberStyles.Integer, InvariantCulture)` restricted to non-negative results, as
 * System.Version.TryParse uses it for each version part: optional surrounding number whitespace, an
 * optional sign, ASCII digits; the value must fit Int32 and be ≥ 0 (a trailing NUL is rejected, as the
 * differential test showed for NuGet.Versioning 8.0.0 on .NET 10).
 * @returns the value, or -1 when the text is not such a number
 */
function parseVersionComponent(s: string): number {
  const value = parseDotNetInt32(s);
  return value === null || value < 0 ? -1 : value;
}

/**
 * `int.TryParse(s)` with `NumberStyles.Integer` and invariant culture (leading/trailing white, leading
 * sign). Returns null when it would fail (including overflow).
 */
function parseDotNetInt32(s: string): number | null {
  let i = 0;
  let end = s.length;
  while (i < end && isNumberWhite(s.charCodeAt(i))) i++;
  while (end > i && isNumberWhite(s.charCodeAt(end - 1))) end--;
  let negative = false;
  if (i < end && (s[i] === '-' || s[i] === '+')) {
    negative = s[i] === '-';
    i++;
  }
  if (i >= end) return null;
  let value = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    value = value * 10 + (c - 0x30);
    if (value > 2147483648) return null;
  }
  if (negative) value = -value;
  if (value > INT32_MAX || value < INT32_MIN) return null;
  return value === 0 ? 0 : value; // no -0
}

function isLetterOrDigitOrDash(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/** SemanticVersion.IsValidPart: non-empty [0-9A-Za-z-]+; without `allowLeadingZeros`, no "01"-style numbers. */
function isValidPart(s: string, allowLeadingZeros: boolean): boolean {
  if (s.length === 0) return false;
  if (!allowLeadingZeros && s.length > 1 && s.charCodeAt(0) === 48) {
    let allDigits = true;
    for (let i = 1; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        allDigits = false;
        break;
      }
    }
    if (allDigits) return false;
  }
  for (let i = 0; i < s.length; i++) {
    if (!isLetterOrDigitOrDash(s.charCodeAt(i))) return false;
  }
  return true;
}

interface Sections {
  versionString: string | null;
  releaseLabels: string[] | null;
  buildMetadata: string | null;
}

/** SemanticVersion.ParseSections, ported line for line (including its handling of a trailing '-' or '+'). */
function parseSections(value: string): Sections {
  let versionString: string | null = null;
  let releaseLabels: string[] | null = null;
  let buildMetadata: string | null = null;
  let dashPos = -1;
  let plusPos = -1;
  for (let i = 0; i < value.length; i++) {
    const end = i === value.length - 1;
    const ch = value[i];
    if (dashPos < 0) {
      if (end || ch === '-' || ch === '+') {
        const endPos = i + (end ? 1 : 0);
        versionString = value.substring(0, endPos);
        dashPos = i;
        if (ch === '+') plusPos = i;
      }
    } else if (plusPos < 0) {
      if (end || ch === '+') {
        const start = dashPos + 1;
        const endPos = i + (end ? 1 : 0);
        releaseLabels = value.substring(start, endPos).split('.');
        plusPos = i;
      }
    } else if (end) {
      buildMetadata = value.substring(plusPos + 1, i + 1);
    }
  }
  return { versionString, releaseLabels, buildMetadata };
}

/** System.Version.TryParse after NuGet appends ".0" to a one-part version: 2–4 parts, each a non-negative Int32. */
function parseNumbers(versionString: string): [number, number, number, number] | null {
  const text = versionString.indexOf('.') < 0 ? versionString + '.0' : versionString;
  const parts = text.split('.');
  if (parts.length < 2 || parts.length > 4) return null;
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const n = parseVersionComponent(parts[i]!);
    if (n < 0) return null;
    out[i] = n;
  }
  return out;
}

function checkInt32(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > INT32_MAX) {
    throw new RangeError(`${name} must be an integer between 0 and ${INT32_MAX}, got ${n}`);
  }
}

/**
 * A NuGet package version (§8.1): up to four numeric parts, optional prerelease labels, optional build
 * metadata. Immutable. Ordering and equality follow NuGet's `VersionComparer.Default` (metadata ignored,
 * labels case-insensitive, numeric labels compared as numbers).
 */
export class NuGetVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The 4th part (System.Version "Revision"); 0 when absent. */
  readonly revision: number;
  /** Prerelease labels as written (case kept); [] when not a prerelease. */
  readonly releaseLabels: readonly string[];
  /** Build metadata after '+', or null when there is none. */
  readonly metadata: string | null;
  /** The parsed text with surrounding whitespace trimmed, e.g. "1.0.0.0" or "01.2-Beta+sha.1". */
  readonly originalString: string;

  /**
   * Builds a version from its parts (no parsing). Labels and metadata are not re-validated; use
   * {@link NuGetVersion.parse} for untrusted text.
   * @throws RangeError when a numeric part is not an integer in 0..2147483647
   */
  constructor(
    major: number,
    minor: number,
    patch: number,
    revision = 0,
    releaseLabels: readonly string[] = [],
    metadata: string | null = null,
    originalString?: string,
  ) {
    checkInt32('major', major);
    checkInt32('minor', minor);
    checkInt32('patch', patch);
    checkInt32('revision', revision);
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.revision = revision;
    this.releaseLabels = Object.freeze([...releaseLabels]);
    this.metadata = metadata === '' ? null : metadata;
    this.originalString = originalString ?? this.toFullString();
  }

  /**
   * Parses a version the way `NuGetVersion.Parse` does (§8.1; lenient: 1–4 parts, leading zeros).
   * @param text  e.g. "1.0", " 1.00.0-Beta.1+sha ", "3.2.1.15"
   * @throws InvalidVersionError when the text is not a NuGet version (message names the text)
   */
  static parse(text: string): NuGetVersion {
    const v = NuGetVersion.tryParse(text);
    if (v === null) throw new InvalidVersionError(String(text));
    return v;
  }

  /** Like {@link NuGetVersion.parse} but returns null instead of throwing (`NuGetVersion.TryParse`). */
  static tryParse(text: string): NuGetVersion | null {
    if (typeof text !== 'string') return null;
    const trimmed = dotNetTrim(text);
    const { versionString, releaseLabels, buildMetadata } = parseSections(trimmed);
    if (!versionString) return null;
    const numbers = parseNumbers(versionString);
    if (numbers === null) return null;
    if (releaseLabels !== null) {
      for (const label of releaseLabels) {
        if (!isValidPart(label, false)) return null;
      }
    }
    if (buildMetadata !== null) {
      for (const part of buildMetadata.split('.')) {
        if (!isValidPart(part, true)) return null;
      }
    }
    return new NuGetVersion(numbers[0], numbers[1], numbers[2], numbers[3], releaseLabels ?? [], buildMetadata, trimmed);
  }

  /** Prerelease labels joined with '.', e.g. "beta.1"; '' for a stable version. */
  get release(): string {
    return this.releaseLabels.join('.');
  }

  /** True when the version has prerelease labels. */
  get isPrerelease(): boolean {
    return this.releaseLabels.length > 0 && this.releaseLabels[0] !== '';
  }

  /** True when the version has build metadata. */
  get hasMetadata(): boolean {
    return this.metadata !== null && this.metadata !== '';
  }

  /** SemVer 2 version (§8.1): more than one prerelease label, or build metadata. */
  get isSemVer2(): boolean {
    return this.releaseLabels.length > 1 || this.hasMetadata;
  }

  /** NuGet "legacy" version: a non-zero 4th part (e.g. 3.2.1.15). */
  get isLegacyVersion(): boolean {
    return this.revision > 0;
  }

  /**
   * Normalized version (§8.1, NuGet format "N"): at least 3 parts, the 4th only when non-zero, leading
   * zeros removed, prerelease labels kept with their case, metadata dropped. "01.0-Beta+x" → "1.0.0-Beta".
   */
  toNormalizedString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.revision > 0) s += `.${this.revision}`;
    if (this.isPrerelease) s += `-${this.release}`;
    return s;
  }

  /** Normalized version plus "+metadata" when there is metadata (NuGet format "F"). */
  toFullString(): string {
    const n = this.toNormalizedString();
    return this.hasMetadata ? `${n}+${this.metadata}` : n;
  }

  /** Same as {@link NuGetVersion.toNormalizedString}. */
  toString(): string {
    return this.toNormalizedString();
  }

  /** Sort order (`VersionComparer.Default.Compare`): negative, 0 or positive. Metadata is ignored. */
  compareTo(other: NuGetVersion): number {
    return compareVersions(this, other);
  }

  /**
   * NuGet version equality (`VersionComparer.Default.Equals`): same four numbers and the same labels
   * compared case-insensitively; metadata ignored.
   */
  equals(other: NuGetVersion): boolean {
    if (this === other) return true;
    if (!other) return false;
    if (
      this.major !== other.major ||
      this.minor !== other.minor ||
      this.patch !== other.patch ||
      this.revision !== other.revision
    ) {
      return false;
    }
    const a = this.isPrerelease ? this.releaseLabels : null;
    const b = other.isPrerelease ? other.releaseLabels : null;
    if (a === null || b === null) return a === b;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (compareOrdinalIgnoreCase(a[i]!, b[i]!) !== 0) return false;
    }
    return true;
  }
}

/** `StringComparer.OrdinalIgnoreCase.Compare` for the ASCII texts NuGet labels can hold. */
function compareOrdinalIgnoreCase(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 97 && x <= 122) x -= 32;
    if (y >= 97 && y <= 122) y -= 32;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** VersionComparer.CompareRelease: numeric (Int32) labels as numbers and before alphanumeric ones. */
function compareRelease(a: string, b: string): number {
  const an = parseDotNetInt32(a);
  const bn = parseDotNetInt32(b);
  if (an !== null && bn !== null) return an === bn ? 0 : an < bn ? -1 : 1;
  if (an !== null) return -1;
  if (bn !== null) return 1;
  return compareOrdinalIgnoreCase(a, b);
}

/**
 * Compares two versions by NuGet's `VersionComparer.Default` (§8.1): major, minor, patch, revision
 * numerically; a stable version sorts after its prereleases; labels pairwise (numeric before alphanumeric,
 * alphanumeric case-insensitive ordinal), fewer labels first when one list is a prefix; metadata ignored.
 * @returns a negative number, 0, or a positive number
 */
export function compareVersions(a: NuGetVersion, b: NuGetVersion): number {
  if (a === b) return 0;
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.revision !== b.revision) return a.revision < b.revision ? -1 : 1;
  const ap = a.isPrerelease;
  const bp = b.isPrerelease;
  if (ap && !bp) return -1;
  if (!ap && bp) return 1;
  if (ap && bp) {
    const x = a.releaseLabels;
    const y = b.releaseLabels;
    const count = Math.max(x.length, y.length);
    for (let i = 0; i < count; i++) {
      if (i >= x.length) return -1;
      if (i >= y.length) return 1;
      const r = compareRelease(x[i]!, y[i]!);
      if (r !== 0) return r;
    }
  }
  return 0;
}

/**
 * Identity key of a version for uniqueness and URLs (§8.1, §3): the normalized string lower-cased,
 * without metadata. "1.00.0.0-Beta+x" → "1.0.0-beta". The one place this rule is written: the database's
 * `version_key` column, flat-container paths, registration page bounds and download counters all use it.
 * @param version version text (parsed as NuGet does) or an already parsed version
 * @throws InvalidVersionError when `version` is text that is not a NuGet version
 */
export function versionKey(version: string | NuGetVersion): string {
  const v = typeof version === 'string' ? NuGetVersion.parse(version) : version;
  return v.toNormalizedString().toLowerCase();
}

/**
 * Like {@link versionKey} for text that may not be a version (a URL segment, a page bound): null instead
 * of throwing.
 */
export function tryVersionKey(text: string): string | null {
  const v = NuGetVersion.tryParse(text);
  return v === null ? null : versionKey(v);
}
