import { describe, expect, it } from 'vitest';

import { NuGetVersion } from '../feed/version.ts';
import { VersionRange } from '../feed/range.ts';
import { PsHashtable } from '../feed/psd1/index.ts';
import { ModuleFastSpec, ModuleSpecError, moduleSpecFromHashtable, normalizeGuid, parseModuleSpec, toModuleSpec } from './spec.ts';

const v = (text: string) => NuGetVersion.parse(text);
const ht = (entries: [string, string][]) => new PsHashtable(entries);
const GUID = '7c279caf-00bc-40ae-a1ed-184ad07be1b0';

/** Range text as MODULEFAST.md §2c writes it: "(any)", "[V]" for exact, otherwise NuGet's normalized form. */
function rangeText(spec: ModuleFastSpec): string {
  if (spec.range.isFloating) return `float ${spec.range.float!.toString()}`;
  if (spec.range.toNormalizedString() === '(, )') return '(any)';
  const req = spec.required;
  return req ? `[${req.toNormalizedString()}]` : spec.range.toNormalizedString();
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('MODULEFAST.md §2a: spec object construction and conversion', () => {
  it("spec from 'Test': Name Test, Guid empty, Min/Max/Required null, properties exposed", () => {
    const s = parseModuleSpec('Test');
    expect(s.name).toBe('Test');
    expect(s.guid).toBeNull();
    expect(s.min).toBeNull();
    expect(s.max).toBeNull();
    expect(s.required).toBeNull();
    for (const prop of ['name', 'guid', 'min', 'max', 'required', 'range', 'prerelease']) expect(prop in s).toBe(true);
  });

  // PowerShell row: "assign Min/Max/Required/Name/Guid → every assignment throws (read-only)". In TypeScript the
  // spec is a frozen object whose bounds are getters, so each assignment throws a TypeError in strict-mode code.
  it.each(['min', 'max', 'required', 'name', 'guid', 'range', 'prerelease'])("assigning '%s' throws (read-only, frozen)", (prop) => {
    const s = parseModuleSpec('Test') as unknown as Record<string, unknown>;
    expect(() => {
      s[prop] = 'changed';
    }).toThrow(TypeError);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('spec from ModuleSpecification {ModuleName=Test; ModuleVersion=2.1.5}: Min 2.1.5, Max/Required null', () => {
    for (const s of [
      moduleSpecFromHashtable(ht([['ModuleName', 'Test'], ['ModuleVersion', '2.1.5']])),
      parseModuleSpec("@{ModuleName='Test'; ModuleVersion='2.1.5'}"),
    ]) {
      expect(s.name).toBe('Test');
      expect(s.guid).toBeNull();
      expect(s.min?.toNormalizedString()).toBe('2.1.5');
      expect(s.max).toBeNull();
      expect(s.required).toBeNull();
    }
  });

  it("'Test' → ModuleSpecification: Version 0.0, RequiredVersion and MaximumVersion null", () => {
    expect(parseModuleSpec('Test').toModuleSpecification()).toEqual({
      name: 'Test', guid: null, version: '0.0', requiredVersion: null, maximumVersion: null,
    });
  });

  it("new(Test, '1.2.3') → ModuleSpecification: RequiredVersion 1.2.3.0, Version and MaximumVersion null", () => {
    expect(ModuleFastSpec.exact('Test', '1.2.3').toModuleSpecification()).toEqual({
      name: 'Test', guid: null, version: null, requiredVersion: '1.2.3.0', maximumVersion: null,
    });
  });

  it('a range → ModuleSpecification with ModuleVersion and MaximumVersion as System.Version text', () => {
    expect(parseModuleSpec('Test:[1.0, 2.0]').toModuleSpecification()).toEqual({
      name: 'Test', guid: null, version: '1.0.0.0', requiredVersion: null, maximumVersion: '2.0.0.0',
    });
  });

  const hashtableRows: [string, string, (s: ModuleFastSpec) => unknown, unknown][] = [
    ['{ModuleName=Test; ModuleVersion=1.0.0} → Min 1.0.0', "@{ModuleName='Test'; ModuleVersion='1.0.0'}", (s) => s.min?.toNormalizedString(), '1.0.0'],
    ['{ModuleName=Test; RequiredVersion=2.0.0} → Required 2.0.0', "@{ModuleName='Test'; RequiredVersion='2.0.0'}", (s) => s.required?.toNormalizedString(), '2.0.0'],
    ['{Guid=g; ModuleVersion=1.0.0} → Guid g', `@{ModuleName='Test'; Guid='${GUID}'; ModuleVersion='1.0.0'}`, (s) => s.guid, GUID],
    ['GUID key is case-insensitive and normalized', `@{ModuleName='Test'; GUID='{${GUID.toUpperCase()}}'; ModuleVersion='1.0.0'}`, (s) => s.guid, GUID],
    ['{MaximumVersion=2.7.3} → (, 2.7.3]', "@{ModuleName = 'Az.Accounts'; MaximumVersion = '2.7.3'}", (s) => s.range.toNormalizedString(), '(, 2.7.3]'],
    ['ModuleVersion + MaximumVersion', "@{ModuleName='A'; ModuleVersion='1.0'; MaximumVersion='2.0'}", (s) => s.range.toNormalizedString(), '[1.0.0, 2.0.0]'],
    ["a wildcard MaximumVersion becomes 99999999 (PowerShellGet)", "@{ModuleName='SqlServer'; ModuleVersion='21.1.18179'; MaximumVersion='21.1.*'}", (s) => s.range.toNormalizedString(), '[21.1.18179, 21.1.99999999]'],
    ["{ModuleVersion='0.0.0'} is any version in practice", "@{ModuleName='Az.Accounts'; ModuleVersion='0.0.0'}", (s) => s.satisfiedBy('2.7.3'), true],
  ];
  it.each(hashtableRows)('(1.0-beta) hashtable %s', (_name, text, get, expected) => {
    expect(get(parseModuleSpec(text))).toEqual(expected);
  });

  const errorRows: [string, unknown, RegExp][] = [
    ["(1.0-beta) '' throws", '', /cannot be empty/],
    ['(1.0-beta) whitespace throws', '   ', /cannot be empty/],
    ['(1.0-beta) null name throws', null, /must be a string/],
    ["(1.0-beta) '@{ModuleName=\"Test\"; BadKey=\"Bad\"}' throws", '@{ModuleName="Test"; BadKey="Bad"}', /not valid ModuleSpecification syntax/],
    [
      "(v0.6.1) plan call with an InvalidParameter key (1.0-beta: 'not valid ModuleSpecification syntax')",
      "@{ModuleName = 'Az.Accounts'; ModuleVersion = '2.7.3'; InvalidParameter = 'ThisShouldNotBeValid'}",
      /not valid ModuleSpecification syntax: 'InvalidParameter' is not a valid key/,
    ],
    ['any other text containing @{ (rule 2)', 'Foo@{bar', /not valid ModuleSpecification syntax/],
    ['a hashtable string that is not data language', "@{ModuleName=(Get-Module x); ModuleVersion='1.0'}", /not valid ModuleSpecification syntax/],
    ['a ModuleSpecification without a version key', "@{ModuleName='Test'}", /one of ModuleVersion, RequiredVersion or MaximumVersion is required/],
    ['a ModuleSpecification without ModuleName', "@{ModuleVersion='1.0'}", /ModuleName key is required/],
    ['RequiredVersion with ModuleVersion', "@{ModuleName='T'; RequiredVersion='1.0'; ModuleVersion='1.0'}", /RequiredVersion cannot be combined/],
    ['a malformed GUID', "@{ModuleName='T'; Guid='not-a-guid'; ModuleVersion='1.0'}", /'not-a-guid' is not a valid GUID/],
    ['MaximumVersion below ModuleVersion', "@{ModuleName='T'; ModuleVersion='2.0'; MaximumVersion='1.0'}", /lower than ModuleVersion/],
    ['an empty exact version', 'Test=', /'Test=' is not a valid module specification: '' is not a valid version/],
    ['an invalid minimum', 'Test>=abc', /'abc' is not a valid version/],
    ['an invalid NuGet range', 'Test:[2.0,1.0]', /'\[2\.0,1\.0\]' is not a valid NuGet version range/],
    ['an empty range', 'Test:', /the version range is empty/],
    ['an operator without a name', '=1.0.0', /the module name is empty/],
    ['only a prerelease marker', '!', /the module name is empty/],
    ['a version with ! at the end (v0.6.1 trims ! from the name only)', 'Test<1.0!', /'1\.0!' is not a valid version/],
  ];
  it.each(errorRows)('%s', (_name, input, message) => {
    const e = thrown(() => parseModuleSpec(input as string));
    expect(e).toBeInstanceOf(ModuleSpecError);
    expect((e as ModuleSpecError).code).toBe('invalid_module_spec');
    expect(e.message).toMatch(message);
    if (typeof input === 'string' && input.trim() !== '') expect(e.message).toContain(`'${input}'`);
  });

  // PowerShell row: "plan call with a [Tuple] object → Cannot process argument transformation / Cannot bind parameter".
  // The TypeScript counterpart is handing toModuleSpec something that is not a string, hashtable or spec.
  it('(v0.6.1) a [Tuple]-like object is not a module specification ("Cannot bind parameter")', () => {
    const tuple = Object.freeze(['Az.Accounts', '2.7.3']);
    expect(() => toModuleSpec(tuple as unknown as string)).toThrow(/Cannot bind parameter/);
    expect(() => toModuleSpec(42 as unknown as string)).toThrow(ModuleSpecError);
  });

  it('toModuleSpec accepts strings, ModuleSpecification hashtables and specs', () => {
    const spec = parseModuleSpec('Az.Accounts>=2.7.3');
    expect(toModuleSpec(spec)).toBe(spec);
    expect(toModuleSpec('Az.Accounts>=2.7.3').equals(spec)).toBe(true);
    expect(toModuleSpec(ht([['ModuleName', 'Az.Accounts'], ['ModuleVersion', '2.7.3']])).range.toNormalizedString()).toBe('[2.7.3, )');
  });

  it('the constructor rejects an empty name and a malformed GUID', () => {
    expect(() => new ModuleFastSpec('')).toThrow(ModuleSpecError);
    expect(() => new ModuleFastSpec('!!')).toThrow(/module name is empty/);
    expect(() => new ModuleFastSpec('X', VersionRange.all, { guid: 'zzz' })).toThrow(/not a valid GUID/);
  });
});

describe('MODULEFAST.md §2b: SatisfiedBy', () => {
  const rows: [string, string, boolean, boolean][] = [
    ['Test=1.0.0', '1.0.0', false, true],
    ['Test=1.0.0', '2.0.0', false, false],
    ['Test>=1.0.0', '1.0.0', false, true],
    ['Test>=1.0.0', '2.0.0', false, true],
    ['Test>=1.0.0', '0.9.0', false, false],
    ['Test:(,2.0.0)', '2.0.0-alpha', false, false], // friendly rule
    ['Test:(,2.0.0)', '2.0.0-alpha', true, true],
    ['Test>=1.0.0', '2.0.0.0', false, true], // System.Version candidate
    ['Test>=1.0.0', '0.5.0.0', false, false], // System.Version candidate
    // Friendly rule details: it only concerns the exclusive upper bound's own major.minor.patch...
    ['Test:(,2.0.0)', '1.9.0-alpha', false, true],
    ['Test:(,2.0.0]', '2.0.0-alpha', false, true],
    ['Test:(,2.0.0-beta)', '2.0.0-alpha', false, true],
    // ...unless the lower bound is a prerelease of that same major.minor.patch: plain NuGet rules then.
    ['Test:(2.0.0-alpha,2.0.0)', '2.0.0-beta', false, true],
    ['Test:(2.0.0-alpha,2.0.0)', '2.0.0-alpha', false, false],
    ['Test:[1.0.0-alpha,2.0.0)', '2.0.0-beta', false, false],
    // Floating ranges use the float's own satisfies.
    ['Test:2.2.*', '2.2.5', false, true],
    ['Test:2.2.*', '2.3.0', false, false],
    ['Test:2.2.*', '2.2.5-beta', false, false],
    ['Test:*', '9.9.9', false, true],
  ];
  it.each(rows)('%s satisfiedBy %s (strict %s) → %s', (spec, candidate, strictSemVer, expected) => {
    expect(parseModuleSpec(spec).satisfiedBy(v(candidate), { strictSemVer })).toBe(expected);
    expect(parseModuleSpec(spec).satisfiedBy(candidate, { strictSemVer })).toBe(expected);
  });

  it('rejects candidate text that is not a version', () => {
    expect(() => parseModuleSpec('Test').satisfiedBy('not.a.version')).toThrow(ModuleSpecError);
  });

  // MODULEFAST.md §2f: v0.0.1's equality of range [1.1.1, 2.2.2] with partial versions, which still holds under NuGet.
  const partial: [string, boolean][] = [
    ['1', false], ['2', true], ['3', false], ['1.0', false], ['1.1', false], ['1.2', true], ['2.0', true], ['2.2', true],
    ['2.3', false], ['3.0', false], ['1.1.0', false], ['1.1.1', true], ['1.1.2', true], ['2.2.2', true], ['2.2.3', false], ['3.0.0', false],
  ];
  it.each(partial)('(§2f) [1.1.1, 2.2.2] satisfied by %s → %s', (candidate, expected) => {
    expect(parseModuleSpec('Test:[1.1.1, 2.2.2]').satisfiedBy(candidate)).toBe(expected);
  });
});

describe('MODULEFAST.md §2b: Overlap, Equals, ToString, PreRelease', () => {
  const overlapRows: [string, string, boolean][] = [
    ['Test>=1.0.0', 'Test<=2.0.0', true],
    ['Test:(,1.0.0)', 'Test>2.0.0', false],
    // §2f (v0.0.1 data that still holds under NuGet rules)
    ['Test:[1.2.3,1.2.4]', 'Test:[1.2.3,1.2.4]', true],
    ['Test:[1.2.1,1.2.4]', 'Test:[1.2.3,1.2.5]', true],
    ['Test:[1.2.1,1.2.2]', 'Test:[1.2.3,1.2.4]', false],
    ['Test:[1.2.1,1.2.4]', 'Test:[1.2.3,)', true],
    ['Test:(,1.2.4]', 'Test:[1.2.3,)', true],
    ['Test', 'Test', true],
    // touching bounds
    ['Test<=1.0.0', 'Test>=1.0.0', true],
    ['Test<1.0.0', 'Test>=1.0.0', false],
    ['Test<=1.0.0', 'Test>1.0.0', false],
    // different modules never overlap (v0.0.1 raised an error for this)
    ['Test', 'Other', false],
    ['Test', 'test=1.0.0', true],
  ];
  it.each(overlapRows)('%s overlaps %s → %s', (a, b, expected) => {
    expect(parseModuleSpec(a).overlaps(parseModuleSpec(b))).toBe(expected);
    expect(parseModuleSpec(b).overlaps(parseModuleSpec(a))).toBe(expected);
  });

  it('specs with different GUIDs do not overlap', () => {
    const a = new ModuleFastSpec('Test', VersionRange.all, { guid: GUID });
    const b = new ModuleFastSpec('Test', VersionRange.all, { guid: '3cb1a381-5d96-4b56-843e-dd97cf4c6545' });
    expect(a.overlaps(b)).toBe(false);
    expect(a.overlaps(parseModuleSpec('Test'))).toBe(true);
  });

  const equalRows: [string, string, boolean][] = [
    ['Test=1.0.0', 'Test=1.0.0', true],
    ['Test=1.0.0', 'Test=2.0.0', false],
    ['Test', 'Test=1.0.0', false],
    ['Test=1.0', 'TEST=1.0.0.0', true],
    ['Test!', 'Test', false],
    ['Test:[1.0.0, )', 'Test>=1.0.0', true],
  ];
  it.each(equalRows)('%s equals %s → %s (same key when equal)', (a, b, expected) => {
    const x = parseModuleSpec(a);
    const y = parseModuleSpec(b);
    expect(x.equals(y)).toBe(expected);
    expect(x.key === y.key).toBe(expected);
  });

  const textRows: [string, string][] = [
    ['Test', 'Test'],
    ['Test=1.0.0', 'Test(1.0.0)'],
    ['Test>=1.0.0', 'Test [1.0.0, )'],
    ['Test<2.0.0', 'Test (, 2.0.0)'],
    ['Test:(1.0,2.0]', 'Test (1.0.0, 2.0.0]'],
    ['Test:1.*', 'Test [1.*, )'],
    ['ConnectWiseManageAPI=0.4.15.0', 'ConnectWiseManageAPI(0.4.15.0)'],
    [`@{ModuleName='Test'; Guid='${GUID}'; ModuleVersion='1.0.0'}`, `Test [${GUID}] [1.0.0, )`],
  ];
  it.each(textRows)('toString of %s is %s', (spec, text) => {
    expect(parseModuleSpec(spec).toString()).toBe(text);
    expect(String(parseModuleSpec(spec))).toBe(text);
  });

  const prereleaseRows: [string, boolean][] = [
    ['Test=1.0.0', false],
    ['Test=1.0.0-beta', true],
    ['!Test', true],
    ['Test!', true],
    ['Test>=1.0.0+build', true], // metadata on a bound counts as prerelease
    ['Test:(,2.0.0-rc1]', true],
  ];
  it.each(prereleaseRows)('prerelease flag of %s → %s', (spec, expected) => {
    expect(parseModuleSpec(spec).prerelease).toBe(expected);
  });

  it('(§2f) sorting specs with required versions 1.2.5, 1.2.3, 1.2.4 gives 1.2.3, 1.2.4, 1.2.5', () => {
    const sorted = ['Test=1.2.5', 'Test=1.2.3', 'Test=1.2.4'].map(parseModuleSpec).sort(ModuleFastSpec.compare);
    expect(sorted.map(String)).toEqual(['Test(1.2.3)', 'Test(1.2.4)', 'Test(1.2.5)']);
    const byName = ['b', 'A', 'c'].map(parseModuleSpec).sort(ModuleFastSpec.compare);
    expect(byName.map((s) => s.name)).toEqual(['A', 'b', 'c']);
  });
});

describe('MODULEFAST.md §1/§2c: spec strings → NuGet range', () => {
  const rows: [string, string, string, boolean][] = [
    ['Az.Accounts', 'Az.Accounts', '(any)', false],
    ['Az.Accounts=2.7.3', 'Az.Accounts', '[2.7.3]', false],
    ['Az.Accounts>2.7.3', 'Az.Accounts', '(2.7.3, )', false],
    ['Az.Accounts<2.7.3', 'Az.Accounts', '(, 2.7.3)', false],
    ['Az.Accounts<=2.7.3', 'Az.Accounts', '(, 2.7.3]', false],
    ['Az.Accounts>=2.7.3', 'Az.Accounts', '[2.7.3, )', false],
    ['Az.Accounts:2.7.3', 'Az.Accounts', '[2.7.3, )', false],
    ['Az.Accounts:[2.7.3]', 'Az.Accounts', '[2.7.3]', false],
    ['Az.Accounts:(,2.7.3)', 'Az.Accounts', '(, 2.7.3)', false],
    ['Az.Accounts>1', 'Az.Accounts', '(1.0.0, )', false],
    ['PrereleaseTest!', 'PrereleaseTest', '(any)', true],
    ['!PrereleaseTest', 'PrereleaseTest', '(any)', true],
    ['PrereleaseTest!<=0.0.1', 'PrereleaseTest', '(, 0.0.1]', true],
    ['PrereleaseTest>=0.0.1-prerelease', 'PrereleaseTest', '[0.0.1-prerelease, )', true],
    ['PrereleaseTest:*', 'PrereleaseTest', 'float *', false],
    ['PrereleaseTest=0.0.2-prerelease', 'PrereleaseTest', '[0.0.2-prerelease]', true],
    ['PnP.PowerShell:2.2.*', 'PnP.PowerShell', 'float 2.2.*', false],
    ['ConnectWiseManageAPI=0.4.15.0', 'ConnectWiseManageAPI', '[0.4.15]', false],
    ['ImportExcel:(7.0.0, 7.2.1-preview]', 'ImportExcel', '(7.0.0, 7.2.1-preview]', true],
    ['Name@1.2.3', 'Name@1.2.3', '(any)', false], // `@` is not an operator since Dec 2023
    // more rows from §1 and the plan table (§2d)
    ['VMware.PowerCLI.Sdk=12.6.0.19600125', 'VMware.PowerCLI.Sdk', '[12.6.0.19600125]', false],
    ['ImportExcel<2', 'ImportExcel', '(, 2.0.0)', false],
    ['PrereleaseTest!<0.0.2', 'PrereleaseTest', '(, 0.0.2)', true],
    ['PrereleaseTest!:(0.0.2-alpha,0.0.2)', 'PrereleaseTest', '(0.0.2-alpha, 0.0.2)', true],
    ['ImportExcel!>7.1.0', 'ImportExcel', '(7.1.0, )', true],
    ['Az.Compute:7.1.*', 'Az.Compute', 'float 7.1.*', false],
    ["@{ModuleName = 'Az.Accounts'; ModuleVersion = '2.7.3'}", 'Az.Accounts', '[2.7.3, )', false],
    ["@{ModuleName = 'Az.Accounts'; RequiredVersion = '2.7.3'}", 'Az.Accounts', '[2.7.3]', false],
    ['@{ModuleName = "Az.Compute"; ModuleVersion = "1.0.0" }', 'Az.Compute', '[1.0.0, )', false],
    // rule order: >= and <= before =, : before > and <
    ['X:[1.0,2.0)', 'X', '[1.0.0, 2.0.0)', false],
    ['X:(1.0,2.0]', 'X', '(1.0.0, 2.0.0]', false],
    ['X>=1.0', 'X', '[1.0.0, )', false],
    // whitespace around the name and version is ignored
    [' Az.Accounts >= 2.7.3 ', 'Az.Accounts', '[2.7.3, )', false],
    // v0.6.1 trims `!` only from the ends of the name
    ['Some!Name', 'Some!Name', '(any)', false],
  ];
  it.each(rows)('%s → name %s, range %s, prerelease %s', (text, name, range, prerelease) => {
    const s = parseModuleSpec(text);
    expect(s.name).toBe(name);
    expect(rangeText(s)).toBe(range);
    expect(s.prerelease).toBe(prerelease);
  });

  it('a `!` on one spec does not leak to others', () => {
    const [a, b] = ['Az.Accounts!', 'PrereleaseTest'].map(parseModuleSpec);
    expect(a.prerelease).toBe(true);
    expect(b.prerelease).toBe(false);
  });

  it('normalizes GUIDs and rejects malformed ones', () => {
    expect(normalizeGuid(`{${GUID.toUpperCase()}}`)).toBe(GUID);
    expect(normalizeGuid(GUID.replace(/-/g, ''))).toBe(GUID);
    expect(normalizeGuid('7c279caf-00bc-40ae-a1ed')).toBeNull();
  });
});

// MODULEFAST.md §2d rows that are decided by the spec alone: which version the planner picks from a
// registration's version list (the gallery fixture versions listed at the end of §2). The HTTP side of
// these rows belongs to the planner's tests.
describe('MODULEFAST.md §2d: version selection against the gallery fixture versions', () => {
  const PRERELEASE_TEST = ['0.0.1', '0.0.1-prerelease', '0.0.1-aprerelease', '0.0.1-bprerelease', '0.0.2-newerversion', '0.0.2-prerelease'].map(v);
  const AZ_ACCOUNTS = ['2.7.2', '2.7.3', '2.7.4', '2.10.2', '2.12.1'].map(v);
  const IMPORT_EXCEL = ['1.98', '1.99', '2.0', '7.8.6'].map(v);
  const PNP = ['2.1.0', '2.2.0', '2.3.0', '2.10.4-nightly'].map(v);
  const CWM = ['0.4.14', '0.4.15'].map(v);

  const rows: [string, { prerelease?: boolean; strictSemVer?: boolean }, string | null, NuGetVersion[]][] = [
    ['PrereleaseTest', {}, '0.0.1', PRERELEASE_TEST],
    ['PrereleaseTest!', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['!PrereleaseTest', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest!<=0.0.1', {}, '0.0.1', PRERELEASE_TEST],
    ['PrereleaseTest>=0.0.1-prerelease', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest:*', {}, '0.0.1', PRERELEASE_TEST],
    ['PrereleaseTest!<0.0.2', {}, '0.0.1', PRERELEASE_TEST],
    ['PrereleaseTest!<0.0.2', { strictSemVer: true }, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest!<=0.0.2', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest!:(0.0.2-rIsAfterP,0.0.2)', {}, null, PRERELEASE_TEST], // "a matching module was not found"
    ['PrereleaseTest!<0.0.2-prerelease', {}, '0.0.2-newerversion', PRERELEASE_TEST],
    ['PrereleaseTest!:(0.0.2-alpha,0.0.2)', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest!:(0.0.2-alpha,0.0.2-prerelease)', {}, '0.0.2-newerversion', PRERELEASE_TEST],
    ['PrereleaseTest', { prerelease: true }, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest=0.0.2-prerelease', {}, '0.0.2-prerelease', PRERELEASE_TEST],
    ['PrereleaseTest=0.0.1-prerelease', {}, '0.0.1-prerelease', PRERELEASE_TEST],
    ['Az.Accounts', {}, '2.12.1', AZ_ACCOUNTS],
    ['Az.Accounts=2.7.3', {}, '2.7.3', AZ_ACCOUNTS],
    ['Az.Accounts>2.7.3', {}, '2.12.1', AZ_ACCOUNTS],
    ['Az.Accounts<2.7.3', {}, '2.7.2', AZ_ACCOUNTS],
    ['Az.Accounts<=2.7.3', {}, '2.7.3', AZ_ACCOUNTS],
    ['Az.Accounts>=2.7.3', {}, '2.12.1', AZ_ACCOUNTS],
    ['Az.Accounts:2.7.3', {}, '2.12.1', AZ_ACCOUNTS],
    ['Az.Accounts:[2.7.3]', {}, '2.7.3', AZ_ACCOUNTS],
    ['Az.Accounts:(,2.7.3)', {}, '2.7.2', AZ_ACCOUNTS],
    ["@{ModuleName = 'Az.Accounts'; ModuleVersion = '2.7.3'}", {}, '2.12.1', AZ_ACCOUNTS],
    ["@{ModuleName = 'Az.Accounts'; RequiredVersion = '2.7.3'}", {}, '2.7.3', AZ_ACCOUNTS],
    ["@{ModuleName='Az.Accounts'; MaximumVersion='2.7.3'}", {}, '2.7.3', AZ_ACCOUNTS],
    ["@{ModuleName='Az.Accounts'; ModuleVersion='0.0.0'}", {}, '2.12.1', AZ_ACCOUNTS],
    ['ImportExcel<2', {}, '1.99.0', IMPORT_EXCEL],
    ['PnP.PowerShell:2.2.*', {}, '2.2.0', PNP],
    ['PnP.PowerShell=2.10.4-nightly', {}, '2.10.4-nightly', PNP],
    ['ConnectWiseManageAPI=0.4.15.0', {}, '0.4.15', CWM],
  ];
  it.each(rows)('%s with options %o picks %s', (spec, options, expected, versions) => {
    expect(parseModuleSpec(spec).selectVersion(versions, options)?.toNormalizedString() ?? null).toBe(expected);
  });

  it('skips versions with build metadata unless prereleases are allowed', () => {
    const versions = ['1.0.0', '1.1.0+build'].map(v);
    expect(parseModuleSpec('X').selectVersion(versions)?.toFullString()).toBe('1.0.0');
    expect(parseModuleSpec('X!').selectVersion(versions)?.toFullString()).toBe('1.1.0+build');
  });
});
