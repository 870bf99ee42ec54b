import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  PsHashtable,
  Psd1SyntaxError,
  parsePowerShellDataFile,
  parsePowerShellValue,
  type PsValue,
} from './index.ts';
import { decodeText } from '../text.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'requires');

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
