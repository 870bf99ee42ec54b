import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePsGalleryManifests } from '../test/support/fixture-data.ts';

import {
  ModuleManifestError,
  PsHashtable,
  Psd1SyntaxError,
  decodeText,
  parsePowerShellDataFile,
  parsePowerShellValue,
  readModuleManifest,
  readRequiredModules,
  toStr,
  type PsValue,
} from './psd1.ts';

const PSGALLERY = ensurePsGalleryManifests();
const FIXTURES = join(import.meta.dirname, '..', 'test', 'support', 'data', 'requires');

/** Plain JS view of a value for deep equality. */
function js(v: PsValue | undefined): unknown {
  if (v instanceof PsHashtable) return v.toObject();
  return v;
}

describe('parsePowerShellValue: literals', () => {
  const rows: [string, string, unknown][] = [
    ['single-quoted string', `'hello'`, 'hello'],
    ["single-quoted '' escape", `'it''s'`, "it's"],
    ['single-quoted keeps backticks and $', "'a`n$b'", 'a`n$b'],
    ['typographic single quotes', '\u2018curly\u2019', 'curly'],
    ['double-quoted string', `"hello"`, 'hello'],
    ['double-quoted "" escape', `"say ""hi"""`, 'say "hi"'],
    ['backtick escapes', '"a`tb`nc`"d``e"', 'a\tb\nc"d`e'],
    ['backtick unicode escape', '"`u{263A}"', '\u263a'],
    ['$true/$false/$null inside double quotes', '"$true $false [$null]"', 'True False []'],
    ['other variables inside double quotes stay literal', '"$PSScriptRoot\\x.dll"', '$PSScriptRoot\\x.dll'],
    ['subexpression inside double quotes stays literal', '"a $(Get-Date -f "yyyy") b"', 'a $(Get-Date -f "yyyy") b'],
    ['integer', '42', 42],
    ['negative integer', '-7', -7],
    ['decimal', '3.25', 3.25],
    ['exponent', '1e3', 1000],
    ['hex', '0x1F', 31],
    ['binary', '0b101', 5],
    ['long suffix', '5l', 5],
    ['kb multiplier', '2kb', 2048],
    ['$true', '$true', true],
    ['$FALSE case-insensitive', '$FALSE', false],
    ['$null', '$null', null],
    ['comma list', `'a','b', 'c'`, ['a', 'b', 'c']],
    ['comma list continues after a line break', `'a',\n  'b'`, ['a', 'b']],
    ['empty array', '@()', []],
    ['array subexpression flattens statements', `@('a'\n'b'; 'c','d')`, ['a', 'b', 'c', 'd']],
    ['nested arrays stay nested through unary comma', `@(,@(1,2))`, [[1, 2]]],
    ['parentheses', `('a','b')`, ['a', 'b']],
    ['cast [version]', `[version]'1.0'`, '1.0'],
    ['cast [string] of a number', `[string]5`, '5'],
    ['cast [int]', `[int]'12'`, 12],
    ['cast [bool]', `[bool]'x'`, true],
    ['cast [string[]] makes an array', `[string[]]'one'`, ['one']],
    ['cast with whitespace', `[System.Version] '2.0'`, '2.0'],
    ['unknown cast is stripped', `[Some.Type]'v'`, 'v'],
    ['string concatenation', `'a' + 'b'`, 'ab'],
    ['arithmetic', `1 + 2 - 4`, -1],
    ['line comment ignored', `'x' # comment`, 'x'],
    ['block comment ignored', `<# block\n comment #> 'x'`, 'x'],
    ['line continuation', "'a', `\n'b'", ['a', 'b']],
    ['empty input', '', null],
  ];
  it.each(rows)('%s', (_name, text, expected) => {
    expect(js(parsePowerShellValue(text))).toEqual(expected);
  });

  it('reads single-quoted here-strings verbatim and without the final line break', () => {
    const text = "@'\r\nline 1 with 'quotes' and $var\r\n  line 2\r\n'@";
    expect(parsePowerShellValue(text)).toBe("line 1 with 'quotes' and $var\r\n  line 2");
  });

  it('expands escapes in double-quoted here-strings and lets quotes through', () => {
    const text = '@"\nsay "hi"`t$true\n"@';
    expect(parsePowerShellValue(text)).toBe('say "hi"\tTrue');
  });

  it('reads an empty here-string', () => {
    expect(parsePowerShellValue("@'\n'@")).toBe('');
  });
});

describe('parsePowerShellValue: hashtables', () => {
  it('reads keys case-insensitively in written order, separated by newlines or ;', () => {
    const ht = parsePowerShellValue(`@{ ModuleName = 'X'; moduleVersion='1.0'\n  'Quoted Key' = 1\n  "Dq" = $true }`) as PsHashtable;
    expect(ht).toBeInstanceOf(PsHashtable);
    expect(ht.keys()).toEqual(['ModuleName', 'moduleVersion', 'Quoted Key', 'Dq']);
    expect(ht.get('modulename')).toBe('X');
    expect(ht.get('MODULEVERSION')).toBe('1.0');
    expect(ht.has('quoted key')).toBe(true);
    expect(ht.get('missing')).toBeUndefined();
    expect(ht.size).toBe(4);
  });

  it('accepts bare keys with dots and dashes, numeric keys and empty hashtables', () => {
    const ht = parsePowerShellValue(`@{ Az.Accounts = 'latest'; my-key = 'x'; 5 = 'five'; Empty = @{} }`) as PsHashtable;
    expect(ht.get('az.accounts')).toBe('latest');
    expect(ht.get('MY-KEY')).toBe('x');
    expect(ht.get('5')).toBe('five');
    expect((ht.get('Empty') as PsHashtable).size).toBe(0);
  });

  it('reads comma lists, arrays and nested hashtables as values', () => {
    const ht = parsePowerShellValue(`@{
      Tags = 'a', 'b',
        'c'
      List = @(
        'x'
        'y'
      )
      Nested = @{ Inner = @{ Deep = 1 } }
      Ordered = [ordered]@{ Z = 1; A = 2 }
    }`) as PsHashtable;
    expect(ht.get('Tags')).toEqual(['a', 'b', 'c']);
    expect(ht.get('List')).toEqual(['x', 'y']);
    expect(js(ht.get('Nested'))).toEqual({ Inner: { Deep: 1 } });
    expect((ht.get('Ordered') as PsHashtable).keys()).toEqual(['Z', 'A']);
  });

  it('toObject keeps keys such as __proto__ as own properties', () => {
    const ht = parsePowerShellValue(`@{ '__proto__' = @{ polluted = $true }; constructor = 'c' }`) as PsHashtable;
    const o = ht.toObject();
    expect(Object.keys(o)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  });

  it('rejects duplicate keys, also when they differ only in case', () => {
    expect(() => parsePowerShellValue(`@{ A = 1; a = 2 }`)).toThrow(/duplicate key 'a'/);
  });
});

describe('dynamic expressions (ModuleFast restricted language evaluation)', () => {
  const rows: [string, string, unknown][] = [
    ['if on $PSEdition', `if ($PSEdition -eq 'Core') { 'core' } else { 'desktop' }`, 'core'],
    ['-ne', `if ($PSEdition -ne 'Desktop') { 'core' } else { 'desktop' }`, 'core'],
    ['-like', `if ($PSEdition -like 'C*') { 'core' } else { 'desktop' }`, 'core'],
    ['-notlike', `if ($PSEdition -notlike 'D?sktop') { 'core' }`, 'core'],
    ['$IsCoreCLR', `if ($IsCoreCLR) { 'clr' } else { 'fx' }`, 'clr'],
    ['$PSVersionTable.PSVersion.Major', `if ($PSVersionTable.PSVersion.Major -ge 7) { 'seven' } else { 'five' }`, 'seven'],
    ['elseif', `if ($PSEdition -eq 'Desktop') { 1 } elseif ($PSEdition -eq 'Core') { 2 } else { 3 }`, 2],
    ['else after comments and line breaks', `if ($false) { 1 }\n# comment\nelse\n{ 2 }`, 2],
    ['no branch taken gives $null', `if ($false) { 1 }`, null],
    ['-and / -or / -not / !', `if (-not $false -and ($false -or !$false)) { 'yes' }`, 'yes'],
    ['-xor', `if ($true -xor $true) { 1 } else { 0 }`, 0],
    ['-in / -contains', `if (('Core' -in 'Desktop','Core') -and ('a','b' -contains 'B')) { 1 }`, 1],
    ['-ceq is case-sensitive', `if ($PSEdition -ceq 'core') { 1 } else { 0 }`, 0],
    ['numeric comparison converts the right side', `if (7 -gt '10') { 1 } else { 0 }`, 0],
    ['if inside an array statement list', `@('a'\n if ($PSEdition -eq 'Desktop') { 'desktop-only' }\n 'b')`, ['a', 'b']],
    ['block with several outputs', `if ($true) { 'a','b'\n'c' }`, ['a', 'b', 'c']],
  ];
  it.each(rows)('%s', (_name, text, expected) => {
    expect(js(parsePowerShellValue(text))).toEqual(expected);
  });

  it('uses caller-supplied variables instead of the PowerShell 7 defaults', () => {
    expect(parsePowerShellValue(`if ($PSEdition -eq 'Desktop') { 'fx' } else { 'core' }`, { variables: { PSEdition: 'Desktop' } })).toBe('fx');
    // The other defaults stay defined.
    expect(parsePowerShellValue(`if ($IsCoreCLR -and $PSEdition -eq 'Desktop') { 1 } else { 0 }`, { variables: { PSEdition: 'Desktop' } })).toBe(1);
  });

  it('evaluates if/else around hashtable values and around the whole hashtable', () => {
    const ht = parsePowerShellDataFile(`if ($IsCoreCLR) { @{ Edition = 'core' } } else { @{ Edition = 'desktop' } }`);
    expect(ht.get('Edition')).toBe('core');
  });

  it('does not evaluate branches that are not taken (unknown variables there are fine)', () => {
    expect(parsePowerShellValue(`if ($true) { 'ok' } else { $SomethingUnknown }`)).toBe('ok');
  });

  it('reads the Dynamic.psd1 fixture: ModuleVersion 1.0.0, RootModule coreclr\\PrtgAPI.PowerShell.dll', () => {
    const ht = parsePowerShellDataFile(readFileSync(join(FIXTURES, 'Dynamic.psd1')));
    expect(ht.get('ModuleVersion')).toBe('1.0.0');
    expect(ht.get('RootModule')).toBe('coreclr\\PrtgAPI.PowerShell.dll');
    expect(ht.get('RequiredModules')).toEqual(['PrereleaseTest']);
  });
});

describe('errors', () => {
  const rows: [string, string, RegExp, number, number][] = [
    ['a command', `@{ A = Get-Date }`, /commands are not allowed/, 1, 8],
    ['an unquoted version', `@{ ModuleVersion = 1.0.0 }`, /'1\.0\.0' is not a number; quote version strings/, 1, 20],
    ['a script block', `@{ A = { 'x' } }`, /script blocks are not allowed/, 1, 8],
    ['an unknown variable', `@{\n  A = $env:USERNAME\n}`, /variable \$env:USERNAME is not allowed/, 2, 7],
    ['a method call', `@{ A = 'x'.ToUpper() }`, /method calls/, 1, 19],
    ['a regex operator (ReDoS risk)', `@{ A = if ('aaaa' -match 'a+') { 1 } }`, /-match is not supported/, 1, 19],
    ['static member access', `@{ A = [Environment]::UserName }`, /static member access/, 1, 21],
    ['an unterminated string', `@{ A = 'oops }`, /unterminated string/, 1, 8],
    ['an unterminated block comment', `<# never closed\n@{}`, /unterminated block comment/, 1, 1],
    ['an unterminated hashtable', `@{ A = 1\n B = 2\n`, /missing '\}' closing the hashtable/, 1, 1],
    ['a missing =', `@{ A 1 }`, /expected '=' after hashtable key 'A'/, 1, 6],
    ['two values on one line', `@{ A = 1 2 }`, /unexpected '2' after the value of 'A'/, 1, 10],
    ['a loop', `@{ A = foreach ($x in 1) { $x } }`, /'foreach' statements are not allowed/, 1, 8],
    ['a here-string header with text after it', "@{ A = @'text\n'@ }", /must be followed by a line break/, 1, 8],
    ['a type literal used as a value', `@{ A = [int] }`, /type literal \[int\] is not allowed/, 1, 8],
  ];
  it.each(rows)('rejects %s with line and column', (_name, text, message, line, column) => {
    let error: unknown;
    try {
      parsePowerShellDataFile(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Psd1SyntaxError);
    const e = error as Psd1SyntaxError;
    expect(e.code).toBe('psd1_syntax');
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
  });

  it('requires a data file to hold exactly one hashtable', () => {
    expect(() => parsePowerShellDataFile(`'just a string'`)).toThrow(/exactly one hashtable, found a string/);
    expect(() => parsePowerShellDataFile(`@{}\n@{}`)).toThrow(/exactly one hashtable, found 2 values/);
    expect(() => parsePowerShellDataFile(`# only a comment`)).toThrow(/exactly one hashtable/);
  });

  it('fails cleanly on hostile nesting instead of overflowing the stack', () => {
    const deep = '@('.repeat(100_000);
    expect(() => parsePowerShellValue(deep)).toThrow(Psd1SyntaxError);
    expect(() => parsePowerShellValue('!'.repeat(100_000) + '$true')).toThrow(/nesting deeper than/);
    expect(() => parsePowerShellValue('@{a=' .repeat(50_000))).toThrow(/nesting deeper than/);
  });

  it('rejects -like operands too large to match cheaply', () => {
    const big = 'a'.repeat(5_000);
    expect(() => parsePowerShellValue(`if ('${big}' -like '${'*a'.repeat(1_000)}') { 1 }`)).toThrow(/-like operands are too long/);
  });
});

describe('encodings (decodeText and Buffer input)', () => {
  const text = "@{ Name = 'Zoë' }\r\n";
  const rows: [string, Buffer][] = [
    ['UTF-8 without BOM', Buffer.from(text, 'utf8')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
  ];
  it.each(rows)('%s', (_name, bytes) => {
    expect(decodeText(bytes)).toBe(text);
    expect(parsePowerShellDataFile(bytes).get('Name')).toBe('Zoë');
  });

  it('drops a BOM character from string input', () => {
    expect(parsePowerShellDataFile('\ufeff@{ A = 1 }').get('A')).toBe(1);
  });
});

describe('readModuleManifest', () => {
  it('reads identity, dependencies, exports and PSData', () => {
    const m = readModuleManifest(`@{
      ModuleVersion = '2.12.0.0'
      GUID = 'a7bdf640-f5cb-4acf-9de0-365b322d245c'
      Author = 'Someone'
      CompanyName = 'Co'
      Copyright = '(c) Someone'
      Description = 'Does things'
      CompatiblePSEditions = 'Desktop', 'Core'
      RequiredModules = @('Plain', @{ ModuleName = 'Min'; ModuleVersion = '1.2' },
        @{ ModuleName = 'Exact'; RequiredVersion = '3.0'; GUID = '11111111-2222-3333-4444-555555555555' },
        @{ ModuleName = 'Max'; MaximumVersion = '21.1.*' })
      FunctionsToExport = @('Get-A', 'Set-B')
      CmdletsToExport = '*'
      PrivateData = @{
        PSData = @{
          Tags = @('one', 'two')
          Prerelease = '-rc1'
          ProjectUri = 'https://example.com/p'
          LicenseUri = 'https://example.com/l'
          IconUri = 'https://example.com/i.png'
          ReleaseNotes = @('first', 'second')
          RequireLicenseAcceptance = $true
          ExternalModuleDependencies = @('PKI')
        }
      }
    }
    # SIG # Begin signature block
    # MIIkRwYJKoZIhvcNAQcCoIIkODCCJDQCAQExDzANBglghkgBZQMEAgEFADB5Bgor
    # SIG # End signature block
    `);
    expect(m).toEqual({
      moduleVersion: '2.12.0.0',
      prerelease: '-rc1',
      guid: 'a7bdf640-f5cb-4acf-9de0-365b322d245c',
      requiredModules: [
        { name: 'Plain' },
        { name: 'Min', moduleVersion: '1.2' },
        { name: 'Exact', requiredVersion: '3.0', guid: '11111111-2222-3333-4444-555555555555' },
        { name: 'Max', maximumVersion: '21.1.*' },
      ],
      tags: ['one', 'two'],
      functionsToExport: ['Get-A', 'Set-B'],
      cmdletsToExport: ['*'],
      dscResourcesToExport: null,
      externalModuleDependencies: ['PKI'],
      author: 'Someone',
      companyName: 'Co',
      copyright: '(c) Someone',
      description: 'Does things',
      compatiblePSEditions: ['Desktop', 'Core'],
      projectUri: 'https://example.com/p',
      licenseUri: 'https://example.com/l',
      iconUri: 'https://example.com/i.png',
      releaseNotes: 'first\nsecond',
      requireLicenseAcceptance: true,
    });
  });

  it('gives nulls and empty lists for a minimal manifest', () => {
    const m = readModuleManifest(`@{ ModuleVersion = '1.0' }`);
    expect(m.prerelease).toBeNull();
    expect(m.guid).toBeNull();
    expect(m.requiredModules).toEqual([]);
    expect(m.tags).toEqual([]);
    expect(m.functionsToExport).toBeNull();
    expect(m.requireLicenseAcceptance).toBe(false);
  });

  it('rejects RequiredModules entries without ModuleName or of the wrong type', () => {
    expect(() => readModuleManifest(`@{ ModuleVersion = '1.0'; RequiredModules = @(@{ ModuleVersion = '1.0' }) }`)).toThrow(ModuleManifestError);
    expect(() => readRequiredModules([1])).toThrow(/must be a module name or a hashtable/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The real PowerShell Gallery manifests vendored in test/support/data/psgallery (865 files).

interface Row {
  module: string;
  version: string;
  prerelease: string;
  guid: string;
  requiredModules: string;
  functions: string;
  cmdlets: string;
  dsc: string;
  external: string;
  notes: string;
  file: string;
}

const rows: Row[] = readFileSync(join(PSGALLERY, 'MODULES.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split('\t');
    return {
      module: c[0], version: c[1], prerelease: c[2], guid: c[3], requiredModules: c[4], functions: c[5], cmdlets: c[6],
      dsc: c[7], external: c[13], notes: c[17], file: c[18],
    };
  });

/** MODULES.tsv's compact RequiredModules form: `Name` or `Name@{Key=value,...}` (ModuleName dropped), `;`-joined. */
function compactRequiredModules(v: PsValue | undefined): string {
  if (v === undefined || v === null) return '';
  return (Array.isArray(v) ? v : [v])
    .map((item) => {
      if (!(item instanceof PsHashtable)) return toStr(item);
      const rest = item.entries().filter(([k]) => k.toLowerCase() !== 'modulename');
      return `${toStr(item.get('ModuleName') ?? null)}@{${rest.map(([k, x]) => `${k}=${toStr(x)}`).join(',')}}`;
    })
    .join(';');
}

/** MODULES.tsv's export count form: `N`, `*`, `N+*` or `absent`. */
function exportCount(list: string[] | null): string {
  if (list === null) return 'absent';
  const stars = list.filter((x) => x === '*').length;
  const names = list.length - stars;
  return stars > 0 ? (names > 0 ? `${names}+*` : '*') : String(names);
}

describe('PowerShell Gallery manifests (shared/psgallery/MODULES.tsv)', () => {
  it('covers the whole snapshot: 865 manifests of every encoding and kind', () => {
    expect(rows).toHaveLength(865);
    expect(rows.filter((r) => r.notes.includes('utf-16le-bom'))).toHaveLength(6);
    expect(rows.filter((r) => r.notes.includes('utf-8-bom')).length).toBeGreaterThan(140);
    expect(rows.filter((r) => r.notes.includes('dynamic-manifest'))).toHaveLength(12);
    expect(rows.filter((r) => r.notes.includes('authenticode-signed')).length).toBeGreaterThan(300);
  });

  it('parses every manifest and agrees with MODULES.tsv on version, prerelease, GUID, RequiredModules, exports', () => {
    const mismatches: string[] = [];
    for (const r of rows) {
      const bytes = readFileSync(join(PSGALLERY, r.file));
      if (r.notes.includes('utf-16le-bom')) expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
      if (r.notes.includes('utf-8-bom')) expect([bytes[0], bytes[1], bytes[2]]).toEqual([0xef, 0xbb, 0xbf]);
      let m;
      let ht;
      try {
        m = readModuleManifest(bytes);
        ht = parsePowerShellDataFile(bytes);
      } catch (e) {
        mismatches.push(`${r.file}: ${(e as Error).message}`);
        continue;
      }
      const got = {
        version: m.moduleVersion,
        prerelease: m.prerelease ?? '',
        guid: m.guid ?? '',
        requiredModules: compactRequiredModules(ht.get('RequiredModules')),
        external: m.externalModuleDependencies.join(';'),
      };
      const want = { version: r.version, prerelease: r.prerelease, guid: r.guid, requiredModules: r.requiredModules, external: r.external };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${r.file}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      // Export counts in MODULES.tsv count the written entries; dynamic manifests evaluate to one branch.
      if (!r.notes.includes('dynamic-manifest')) {
        const counts = [exportCount(m.functionsToExport), exportCount(m.cmdletsToExport), exportCount(m.dscResourcesToExport)];
        if (counts.join() !== [r.functions, r.cmdlets, r.dsc].join()) mismatches.push(`${r.file}: export counts ${counts} want ${[r.functions, r.cmdlets, r.dsc]}`);
      }
      // RequiredModules normalize without errors.
      expect(m.requiredModules.length).toBe(r.requiredModules === '' ? 0 : r.requiredModules.split(';').length);
    }
    expect(mismatches).toEqual([]);
  });

  it('evaluates the dynamic manifests as PowerShell 7 on CoreCLR', () => {
    const read = (file: string) => parsePowerShellDataFile(readFileSync(join(PSGALLERY, 'manifests', file)));
    expect(read('ExchangeOnlineManagement/3.7.0/ExchangeOnlineManagement.psd1').get('RootModule')).toBe('.\\netCore\\ExchangeOnlineManagement.psm1');
    expect(read('Microsoft.WinGet.Client/1.8.1791/Microsoft.WinGet.Client.psd1').get('RootModule')).toBe(
      'net6.0-windows10.0.22000.0\\Microsoft.WinGet.Client.Cmdlets.dll',
    );
    expect(read('PnP.PowerShell/1.9.0/PnP.PowerShell.psd1').get('NestedModules')).toBe('Core/PnP.PowerShell.dll');
    expect(read('MicrosoftTeams/3.1.0/MicrosoftTeams.psd1').get('NestedModules')).toEqual([
      '.\\netcoreapp3.1\\Microsoft.TeamsCmdlets.PowerShell.Connect.dll',
      '.\\netcoreapp3.1\\Microsoft.Teams.ConfigAPI.Cmdlets.psd1',
      '.\\Microsoft.Teams.PowerShell.TeamsCmdlets.psd1',
    ]);
    // `if ($PSEdition -eq 'Desktop') { 'Join-String' }` inside the array drops that cmdlet on Core.
    expect(read('string/1.1.5/string.psd1').get('CmdletsToExport')).toEqual(['Add-String', 'Get-SubString', 'Format-String', 'Set-String', 'Split-String']);
  });

  it('reads here-string release notes and UTF-16 manifests', () => {
    const sfDev = readModuleManifest(readFileSync(join(PSGALLERY, 'manifests/sf-dev/22.0.2/sf-dev.psd1')));
    expect(sfDev.releaseNotes).toMatch(/\S/);
    expect(sfDev.releaseNotes).not.toContain("'@");
    const psReadLine = readModuleManifest(readFileSync(join(PSGALLERY, 'manifests/PSReadLine/1.0/PSReadLine.psd1')));
    expect(psReadLine.moduleVersion).toBe('1.0');
  });
});
