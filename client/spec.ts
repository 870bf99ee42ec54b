/**
 * ModuleFast module specifications (MODULEFAST.md §1 "Shorthand specification strings", §2a–§2c): the
 * immutable `ModuleFastSpec` (module name, optional GUID, NuGet version range, prerelease flag) and the
 * parser for the shorthand string syntax (`Name`, `Name>=1.0`, `Name:[1.0,2.0)`, `!Name`, ...) and for
 * ModuleSpecification hashtable strings (`@{ModuleName='X'; ModuleVersion='1.0'}`).
 */

import { NuGetVersion } from '../feed/version.ts';
import { VersionRange } from '../feed/range.ts';
import { PsHashtable, Psd1SyntaxError, parsePowerShellValue, toStr, type PsValue } from '../feed/psd1/index.ts';

/**
 * Raised for a module specification that cannot be understood: empty text, an invalid version or range,
 * a hashtable string that is not valid ModuleSpecification syntax (unknown key, missing ModuleName or
 * version key, RequiredVersion combined with ModuleVersion/MaximumVersion, malformed GUID). The message
 * names the input.
 */
export class ModuleSpecError extends Error {
  readonly code = 'invalid_module_spec';
  /** The specification text (or a description of the object) that failed. */
  readonly input: string;
  constructor(input: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModuleSpecError';
    this.input = input;
  }
}

/** Options of {@link ModuleFastSpec.satisfiedBy}. */
export interface SatisfiedByOptions {
  /**
   * Plain NuGet/SemVer range semantics (ModuleFast `-StrictSemVer`). When false (default) the friendly
   * rule applies: `Name<2.0.0` does not accept `2.0.0-alpha`.
   */
  strictSemVer?: boolean;
}

/** The PowerShell `ModuleSpecification` view of a spec (what ModuleFast's implicit cast produces). */
export interface ModuleSpecificationView {
  name: string;
  guid: string | null;
  /** `ModuleVersion` (minimum) as System.Version text, e.g. "2.1.5.0"; "0.0" for "any version". */
  version: string | null;
  /** `RequiredVersion` as System.Version text, e.g. "1.2.3.0". */
  requiredVersion: string | null;
  /** `MaximumVersion` as System.Version text. */
  maximumVersion: string | null;
}

const GUID_RE = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

/** Normalizes a GUID string to lower-case `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, or null if malformed. */
export function normalizeGuid(text: string): string | null {
  const t = text.trim();
  if (!GUID_RE.test(t)) return null;
  const hex = t.replace(/[{}-]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function systemVersionText(v: NuGetVersion): string {
  return `${v.major}.${v.minor}.${v.patch}.${v.revision}`;
}

function versionDisplay(v: NuGetVersion): string {
  // NuGetVersion.ToString(): the original text unless it is a SemVer 2 version.
  return v.isSemVer2 || !v.originalString ? v.toNormalizedString() : v.originalString;
}

/**
 * One module requirement as ModuleFast understands it. Immutable (instances are frozen; `min`, `max`,
 * `required` and `prerelease` are read-only getters, so assignments throw in strict-mode code — the
 * TypeScript counterpart of ModuleFast's read-only properties, MODULEFAST.md §2a).
 */
export class ModuleFastSpec {
  /** Module name (package id) without `!` markers, as written. */
  readonly name: string;
  /** Lower-case GUID the installed manifest must carry, or null. */
  readonly guid: string | null;
  /** The version range; {@link VersionRange.all} for "any version". */
  readonly range: VersionRange;
  /** True when the name carried a `!` marker (prerelease acceptable for this spec only). */
  readonly prereleaseMarked: boolean;

  /**
   * @param name      module name; a leading/trailing `!` marks the spec prerelease-acceptable and is removed
   * @param range     version range, default any version
   * @param options   `guid`: identity check (any GUID spelling, normalized to lower case);
   *                  `prerelease`: force the prerelease flag
   * @throws ModuleSpecError for an empty name or a malformed GUID
   */
  constructor(name: string, range: VersionRange = VersionRange.all, options?: { guid?: string | null; prerelease?: boolean }) {
    if (typeof name !== 'string') throw new ModuleSpecError(String(name), 'A module specification needs a module name.');
    const trimmed = name.trim();
    const marked = trimmed.startsWith('!') || trimmed.endsWith('!');
    const bare = trimmed.replace(/^!+|!+$/g, '').trim();
    if (bare === '') throw new ModuleSpecError(name, `'${name}' is not a valid module specification: the module name is empty.`);
    let guid: string | null = null;
    if (options?.guid !== undefined && options.guid !== null && options.guid !== '') {
      guid = normalizeGuid(options.guid);
      if (guid === null) throw new ModuleSpecError(name, `'${options.guid}' is not a valid GUID for module ${bare}.`);
      if (guid === '00000000-0000-0000-0000-000000000000') guid = null;
    }
    this.name = bare;
    this.guid = guid;
    this.range = range ?? VersionRange.all;
    this.prereleaseMarked = marked || options?.prerelease === true;
    Object.freeze(this);
  }

  /** An exact-version spec (ModuleFast `new(Name, RequiredVersion)`): `Name=version`. */
  static exact(name: string, version: string | NuGetVersion, guid?: string | null): ModuleFastSpec {
    const v = typeof version === 'string' ? parseVersion(name, version) : version;
    return new ModuleFastSpec(name, VersionRange.exact(v), { guid });
  }

  /** Lower bound of the range, or null. */
  get min(): NuGetVersion | null {
    return this.range.minVersion;
  }

  /** Upper bound of the range, or null. */
  get max(): NuGetVersion | null {
    return this.range.maxVersion;
  }

  /** The exact version when the range pins one (`min` equals `max`), else null. */
  get required(): NuGetVersion | null {
    const { minVersion, maxVersion } = this.range;
    return minVersion !== null && maxVersion !== null && minVersion.equals(maxVersion) ? minVersion : null;
  }

  /**
   * Whether prerelease versions may be chosen for this spec: a `!` marker, or a bound with a prerelease
   * label or build metadata (MODULEFAST.md §1).
   */
  get prerelease(): boolean {
    const { minVersion: lo, maxVersion: hi } = this.range;
    return (
      this.prereleaseMarked ||
      (lo?.isPrerelease ?? false) ||
      (hi?.isPrerelease ?? false) ||
      (lo?.hasMetadata ?? false) ||
      (hi?.hasMetadata ?? false)
    );
  }

  /**
   * Whether `version` satisfies the range (MODULEFAST.md §2b). Floating ranges use the float's own
   * satisfies. Unless `strictSemVer`, the friendly rule applies: a prerelease candidate is rejected when
   * the upper bound is exclusive, not itself a prerelease, and has the candidate's major.minor.patch —
   * except when the lower bound is a prerelease of that same major.minor.patch. The prerelease flag is
   * not consulted here (the planner filters prereleases).
   *
   * @param version a NuGetVersion or version text (a System.Version such as "2.0.0.0" is fine)
   * @throws ModuleSpecError when `version` is text that is not a version
   */
  satisfiedBy(version: NuGetVersion | string, options?: SatisfiedByOptions): boolean {
    const v = typeof version === 'string' ? parseVersion(this.name, version) : version;
    const range = this.range;
    const strict = range.isFloating && range.float ? range.float.satisfies(v) : range.satisfies(v);
    if (options?.strictSemVer) return strict;
    const max = range.maxVersion;
    if (max === null) return strict;
    if (v.isPrerelease && !range.isMaxInclusive && !max.isPrerelease && sameRelease(max, v)) {
      const min = range.minVersion;
      if (min !== null && min.isPrerelease && sameRelease(min, max)) return strict;
      return false;
    }
    return strict;
  }

  /**
   * The version ModuleFast would pick from `candidates` (MODULEFAST.md §3 "Selection"): the highest one
   * that {@link ModuleFastSpec.satisfiedBy} accepts, skipping prereleases and versions with build metadata
   * unless this spec is prerelease-acceptable or `options.prerelease` (the `-Prerelease` switch) is set.
   *
   * @returns the chosen version, or null when none qualifies ("a matching module was not found")
   */
  selectVersion(candidates: Iterable<NuGetVersion>, options?: SatisfiedByOptions & { prerelease?: boolean }): NuGetVersion | null {
    const allowPrerelease = options?.prerelease === true || this.prerelease;
    let best: NuGetVersion | null = null;
    for (const v of candidates) {
      if (!allowPrerelease && (v.isPrerelease || v.hasMetadata)) continue;
      if (!this.satisfiedBy(v, options)) continue;
      if (best === null || v.compareTo(best) > 0) best = v;
    }
    return best;
  }

  /**
   * Whether some version could satisfy both specs (their ranges intersect, NuGet `CommonSubSet` is not
   * empty). Specs for different modules (names compared case-insensitively) or with different GUIDs
   * never overlap.
   */
  overlaps(other: ModuleFastSpec): boolean {
    if (this.name.toLowerCase() !== other.name.toLowerCase()) return false;
    if (this.guid !== null && other.guid !== null && this.guid !== other.guid) return false;
    return VersionRange.commonSubSet([this.range, other.range]) !== null;
  }

  /**
   * Structural equality: same name (case-insensitive), GUID, normalized range and prerelease flag.
   * Equal specs have equal {@link ModuleFastSpec.key}s.
   */
  equals(other: unknown): boolean {
    return other instanceof ModuleFastSpec && other.key === this.key;
  }

  /** A string usable as a hash/Map key; equal specs share it. */
  get key(): string {
    return `${this.name.toLowerCase()}|${this.guid ?? ''}|${this.range.toNormalizedString()}|${this.prerelease ? '!' : ''}`;
  }

  /**
   * ModuleFast's text form (MODULEFAST.md §2b): `Name` for any version, `Name(1.0.0)` for an exact version,
   * otherwise `Name <NuGet range>` such as `Name [1.0.0, )`; a GUID is inserted as `Name [guid]`.
   */
  toString(): string {
    const guid = this.guid ? ` [${this.guid}]` : '';
    const text = this.range.toNormalizedString();
    if (text === '(, )' && !this.range.isFloating) return `${this.name}${guid}`;
    const req = this.required;
    if (req !== null) return `${this.name}${guid}(${versionDisplay(req)})`;
    return `${this.name}${guid} ${text}`;
  }

  /**
   * The PowerShell ModuleSpecification this spec converts to (ModuleFast's implicit cast): GUID when set;
   * `RequiredVersion` for an exact spec; otherwise `ModuleVersion`/`MaximumVersion` from the bounds, or
   * `ModuleVersion = 0.0` for any version. Versions are System.Version text (4 parts).
   */
  toModuleSpecification(): ModuleSpecificationView {
    const out: ModuleSpecificationView = { name: this.name, guid: this.guid, version: null, requiredVersion: null, maximumVersion: null };
    const req = this.required;
    if (req !== null) out.requiredVersion = systemVersionText(req);
    else if (this.min !== null || this.max !== null) {
      if (this.min !== null) out.version = systemVersionText(this.min);
      if (this.max !== null) out.maximumVersion = systemVersionText(this.max);
    } else out.version = '0.0';
    return out;
  }

  /**
   * Sort order: name (case-insensitive), then lower bound (none first), then upper bound (none last),
   * then text. Sorting exact specs orders them by version.
   */
  static compare(a: ModuleFastSpec, b: ModuleFastSpec): number {
    const an = a.name.toLowerCase();
    const bn = b.name.toLowerCase();
    if (an !== bn) return an < bn ? -1 : 1;
    const c = compareNullable(a.min, b.min, -1) || compareNullable(a.max, b.max, 1);
    if (c !== 0) return c;
    const at = a.toString();
    const bt = b.toString();
    return at < bt ? -1 : at > bt ? 1 : 0;
  }
}

function compareNullable(a: NuGetVersion | null, b: NuGetVersion | null, nullSign: number): number {
  if (a === null && b === null) return 0;
  if (a === null) return nullSign;
  if (b === null) return -nullSign;
  return a.compareTo(b);
}

function sameRelease(a: NuGetVersion, b: NuGetVersion): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

function parseVersion(input: string, text: string): NuGetVersion {
  const t = typeof text === 'string' ? text.trim() : '';
  const v = t === '' ? null : NuGetVersion.tryParse(t);
  if (v === null) throw new ModuleSpecError(input, `'${input}' is not a valid module specification: '${text}' is not a valid version.`);
  return v;
}

function parseRange(input: string, text: string): VersionRange {
  if (text.trim() === '') throw new ModuleSpecError(input, `'${input}' is not a valid module specification: the version range is empty.`);
  const r = VersionRange.tryParse(text, { allowFloating: true });
  if (r === null) throw new ModuleSpecError(input, `'${input}' is not a valid module specification: '${text}' is not a valid NuGet version range.`);
  return r;
}

const MODULE_SPECIFICATION_KEYS = new Set(['modulename', 'moduleversion', 'requiredversion', 'maximumversion', 'guid']);

/**
 * Builds a spec from a PowerShell ModuleSpecification hashtable (MODULEFAST.md §1 rule 1): `ModuleName`
 * (required), `ModuleVersion` = inclusive minimum, `RequiredVersion` = exact, `MaximumVersion` = inclusive
 * maximum (a `*` in it becomes `99999999`, as PowerShellGet does), `Guid` = identity check. As in
 * PowerShell, at least one version key is required, RequiredVersion excludes the other two, and any other
 * key is an error.
 *
 * @param input  text naming the source in error messages (e.g. the hashtable string)
 * @throws ModuleSpecError with "not valid ModuleSpecification syntax" for shape errors
 */
export function moduleSpecFromHashtable(ht: PsHashtable, input = '@{...}'): ModuleFastSpec {
  const bad = (why: string): never => {
    throw new ModuleSpecError(input, `'${input}' is not valid ModuleSpecification syntax: ${why}`);
  };
  for (const key of ht.keys()) {
    if (!MODULE_SPECIFICATION_KEYS.has(key.toLowerCase())) {
      bad(`'${key}' is not a valid key (valid keys: ModuleName, ModuleVersion, RequiredVersion, MaximumVersion, Guid).`);
    }
  }
  const text = (key: string): string | null => {
    const v: PsValue | undefined = ht.get(key);
    if (v === undefined || v === null) return null;
    if (Array.isArray(v) || v instanceof PsHashtable) bad(`${key} must be a single value.`);
    const s = toStr(v).trim();
    return s === '' ? null : s;
  };
  const name = text('ModuleName');
  if (name === null) bad('the ModuleName key is required.');
  const moduleVersion = text('ModuleVersion');
  const requiredVersion = text('RequiredVersion');
  let maximumVersion = text('MaximumVersion');
  const guid = text('Guid');
  if (moduleVersion === null && requiredVersion === null && maximumVersion === null) {
    bad('one of ModuleVersion, RequiredVersion or MaximumVersion is required.');
  }
  if (requiredVersion !== null && (moduleVersion !== null || maximumVersion !== null)) {
    bad('RequiredVersion cannot be combined with ModuleVersion or MaximumVersion.');
  }
  if (guid !== null && normalizeGuid(guid) === null) bad(`'${guid}' is not a valid GUID.`);
  if (maximumVersion !== null && maximumVersion.includes('*')) maximumVersion = maximumVersion.replace(/\*/g, '99999999');

  let range: VersionRange;
  if (requiredVersion !== null) {
    range = VersionRange.exact(parseVersion(input, requiredVersion));
  } else {
    const lo = moduleVersion !== null ? parseVersion(input, moduleVersion) : null;
    const hi = maximumVersion !== null ? parseVersion(input, maximumVersion) : null;
    if (lo !== null && hi !== null && lo.compareTo(hi) > 0) bad(`MaximumVersion ${maximumVersion} is lower than ModuleVersion ${moduleVersion}.`);
    range = new VersionRange(lo, true, hi, true);
  }
  return new ModuleFastSpec(name as string, range, { guid });
}

/**
 * Parses a ModuleFast specification string (MODULEFAST.md §1), first matching rule wins:
 *
 * 1. a ModuleSpecification hashtable string `@{ModuleName='X'; ModuleVersion='1.0'}`;
 * 2. any other text containing `@{` → error "not valid ModuleSpecification syntax";
 * 3. `Name>=V` → `[V, )`; 4. `Name<=V` → `(, V]`; 5. `Name=V` → `[V]`;
 * 6. `Name:R` → NuGet range R including floats (a bare `Name:2.7.3` is a minimum);
 * 7. `Name>V` → `(V, )`; 8. `Name<V` → `(, V)`; 9. otherwise the whole text is the name, any version.
 *
 * A `!` at the start or end of the name part (`!Name`, `Name!`, `Name!<1.0`) marks prerelease acceptable
 * (v0.6.1 behaviour: only the ends of the name are trimmed). `@` is not an operator: `Name@1.2.3` is a
 * module literally named `Name@1.2.3`.
 *
 * @throws ModuleSpecError naming the input for empty text, invalid versions/ranges or invalid hashtables
 */
export function parseModuleSpec(text: string): ModuleFastSpec {
  if (typeof text !== 'string') throw new ModuleSpecError(String(text), 'A module specification must be a string.');
  const input = text;
  if (text.trim() === '') throw new ModuleSpecError(input, 'A module specification cannot be empty.');

  if (text.includes('@{')) {
    let value: PsValue;
    try {
      value = parsePowerShellValue(text);
    } catch (e) {
      const why = e instanceof Psd1SyntaxError ? e.message : String(e);
      throw new ModuleSpecError(input, `'${input}' is not valid ModuleSpecification syntax: ${why}`, { cause: e });
    }
    if (!(value instanceof PsHashtable)) {
      throw new ModuleSpecError(input, `'${input}' is not valid ModuleSpecification syntax: expected a single hashtable.`);
    }
    return moduleSpecFromHashtable(value, input);
  }

  const ops = ['>=', '<=', '=', ':', '>', '<'] as const;
  for (const op of ops) {
    const at = text.indexOf(op);
    if (at < 0) continue;
    const namePart = text.slice(0, at);
    const tail = text.slice(at + op.length);
    if (namePart.replace(/!/g, '').trim() === '') {
      throw new ModuleSpecError(input, `'${input}' is not a valid module specification: the module name is empty.`);
    }
    let range: VersionRange;
    switch (op) {
      case '>=':
        range = new VersionRange(parseVersion(input, tail), true, null, false);
        break;
      case '<=':
        range = new VersionRange(null, false, parseVersion(input, tail), true);
        break;
      case '=':
        range = VersionRange.exact(parseVersion(input, tail));
        break;
      case ':':
        range = parseRange(input, tail);
        break;
      case '>':
        range = new VersionRange(parseVersion(input, tail), false, null, false);
        break;
      case '<':
        range = new VersionRange(null, false, parseVersion(input, tail), false);
        break;
    }
    return new ModuleFastSpec(namePart, range);
  }
  return new ModuleFastSpec(text);
}

/**
 * Converts a module specification given as a value (a shorthand string, a ModuleSpecification hashtable,
 * or an existing spec) — the inputs ModuleFast's `-Specification` parameter binds.
 * @throws ModuleSpecError for anything else ("Cannot bind parameter", e.g. a tuple or number)
 */
export function toModuleSpec(value: string | PsHashtable | ModuleFastSpec): ModuleFastSpec {
  if (value instanceof ModuleFastSpec) return value;
  if (typeof value === 'string') return parseModuleSpec(value);
  if (value instanceof PsHashtable) return moduleSpecFromHashtable(value);
  throw new ModuleSpecError(String(value), `Cannot bind parameter: ${Object.prototype.toString.call(value)} is not a module specification.`);
}
