import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PsHashtable, parsePowerShellValue } from '../feed/psd1/index.ts';
import type { ModuleFastSpec } from './spec.ts';
import {
  RequirementFileError,
  detectSpecFileType,
  discoverRequirementFiles,
  readRequirementFile,
  readScriptRequires,
  specsFromRequirementData,
  stripJsonComments,
  type SpecFileType,
} from './requires.ts';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'requires');
const fixture = (name: string) => join(FIXTURES, name);
const GUID = '7c279caf-00bc-40ae-a1ed-184ad07be1b0';

/** Specs as `toString()` text plus a `!` suffix when prerelease is acceptable. */
function show(specs: ModuleFastSpec[]): string[] {
  return specs.map((s) => `${s.toString()}${s.prerelease ? ' !' : ''}`);
}

async function failure(p: Promise<unknown>): Promise<RequirementFileError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RequirementFileError);
    expect((e as RequirementFileError).code).toBe('invalid_requirement_file');
    return e as RequirementFileError;
  }
  throw new Error('expected a RequirementFileError');
}

const MODULEFAST_SPECS = [
  'ImportExcel',
  'PnP.PowerShell(2.10.4-nightly) !',
  'PSScriptAnalyzer (, 1.21.0]',
  'Pester(5.4.0)',
  'Az.Accounts [2.0.0, 2.13.2)',
];

describe('MODULEFAST.md "Requirement files": the mock files of §2e (-Path X gives a non-empty plan)', () => {
  const rows: [string, string[], string[]][] = [
    ['ModuleFast.requires.psd1', MODULEFAST_SPECS, []],
    ['ModuleFast.requires.json', MODULEFAST_SPECS, []],
    ['ModuleFast.requires.jsonc', MODULEFAST_SPECS, []],
    ['ModuleFastArray.requires.json', MODULEFAST_SPECS, []],
    ['RequiresScript.ps1', ['PreReleaseTest'], []],
    ['RequiresModule.psm1', ['PreReleaseTest'], []],
    ['Dynamic.psd1', ['PrereleaseTest'], []],
    [
      'ModuleBuilder-RequiredModules.psd1',
      [
        'Configuration [1.3.1, 2.0.0)',
        'ModuleBuilder [1.*, )',
        'Pester [4.10.1, 5.0.0)',
        'PowerShellGet(2.0.4)', // PSResourceGet quirk: a bare version is exact
        'PSScriptAnalyzer [1.*, )',
        'ImportExcel [7.*, )',
      ],
      ['PSResourceGet Parse: Repository specification detected for ImportExcel. This is not currently supported and will use the default source.'],
    ],
    [
      'PSDepend.psd1',
      [
        'psdeploy',
        'psake',
        'Pester',
        'BuildHelpers(0.0.20)', // the extended buildhelpers_0_0_20 entry names the same module
        'InvokeBuild', // 'PSGalleryModule::InvokeBuild'; GitHub keys, the task and the FileDownload are skipped
        'PSReadLine(2.4.0-beta0) !', // Parameters.AllowPrerelease
      ],
      ['PSDepend Parse: Repository specification detected for buildhelpers_0_0_20. This is not currently supported and will use the default source.'],
    ],
    ['ManifestRequiredModules.psd1', ['PreReleaseTest', 'Az.Accounts [2.7.0, )'], []],
    ['RequiresGuid.ps1', [`PreReleaseTest [${GUID}] [0.0.1, 0.0.2]`], []],
    [
      'PSResourceGet.requires.jsonc',
      ['Pester [5.4.0, 6.0.0) !', 'ImportExcel(7.8.6)', 'PSScriptAnalyzer [1.*, )', 'Microsoft.PowerShell.PSResourceGet'],
      [
        'PSResourceGet Parse: Repository specification detected for Pester. This is not currently supported and will use the default source.',
        'PSResourceGet Parse: Repository specification detected for Microsoft.PowerShell.PSResourceGet. This is not currently supported and will use the default source.',
      ],
    ],
    [
      'RequiresMixed.ps1',
      ['Az.Accounts', 'ImportExcel', 'Pester(5.4.0)', 'PSScriptAnalyzer [1.21.0, 1.99999999.0]'],
      [],
    ],
    ['encodings/utf16le.requires.psd1', ['Pester(5.4.0)', 'PSReadLine'], []],
    ['encodings/utf8bom.requires.json', ['Pester(5.4.0)', 'PSReadLine'], []],
    ['encodings/utf16be.requires.ps1', ['Pester'], []],
  ];
  it.each(rows)('%s', async (file, expected, warnings) => {
    const seen: string[] = [];
    const specs = await readRequirementFile(fixture(file), { onWarning: (m) => seen.push(m) });
    expect(show(specs)).toEqual(expected);
    expect(seen).toEqual(warnings);
  });

  it('the GUID from a #requires hashtable is kept for the post-install identity check', async () => {
    const [spec] = await readRequirementFile(fixture('RequiresGuid.ps1'));
    expect(spec.guid).toBe(GUID);
    expect(spec.toModuleSpecification()).toEqual({
      name: 'PreReleaseTest', guid: GUID, version: '0.0.1.0', requiredVersion: null, maximumVersion: '0.0.2.0',
    });
  });
});

describe('MODULEFAST.md "Requirement files": errors', () => {
  const rows: [string, RegExp][] = [
    ['PSDepend-NotSupported.psd1', /PSDepend Parse: Top-Level DependencyType in PSDependOptions is not currently supported/],
    ['NoRequires.ps1', /The script does not have a #Requires -Module statement so ModuleFast does not know what this module requires/],
    ['ManifestNoRequiredModules.psd1', /The manifest does not have a RequiredModules key so ModuleFast does not know what this module requires/],
    ['ModuleFastHashtableValue.psd1', /ModuleFast SpecFile detected but the value of 'ImportExcel' is a hashtable/],
    ['dir/readme.md', /Only \.ps1, \.psm1, \.psd1, \.json and \.jsonc files are supported/],
    ['does-not-exist.requires.psd1', /does not exist/],
    ['empty', /Could not find any required spec files/],
  ];
  it.each(rows)('%s', async (file, message) => {
    const e = await failure(readRequirementFile(fixture(file)));
    expect(e.message).toMatch(message);
    expect(e.source).toBe(fixture(file));
  });

  it('names the file and keeps the spec error as the cause for an unparsable value', async () => {
    const e = await failure(readRequirementFile(fixture('ModuleFast.requires.psd1'), { specFileType: 'PSResourceGet' }));
    expect(e.message).toContain('ModuleFast.requires.psd1');
    expect(e.message).toMatch(/'<=1\.21\.0' \(module PSScriptAnalyzer\) is not a valid version or NuGet version range/);
    expect((e.cause as Error).name).toBe('ModuleSpecError');
  });
});

describe('specFileType: forcing and auto-detection', () => {
  it('forcing ModuleFast on a PSResourceGet-style file fails on its hashtable value', async () => {
    const e = await failure(readRequirementFile(fixture('ModuleBuilder-RequiredModules.psd1'), { specFileType: 'ModuleFast' }));
    expect(e.message).toMatch(/value of 'ImportExcel' is a hashtable/);
  });

  it('the dialect only applies to objects: a JSON array is still read as shorthand specs', async () => {
    const specs = await readRequirementFile(fixture('ModuleFastArray.requires.json'), { specFileType: 'PSDepend' });
    expect(show(specs)).toEqual(MODULEFAST_SPECS); // arrays are shorthand specs whatever the dialect
  });

  const detectRows: [string, string, Exclude<SpecFileType, 'auto'>][] = [
    ['a :: key', `@{ 'PSGalleryModule::X' = 'latest' }`, 'PSDepend'],
    ['a / key', `@{ 'owner/repo' = 'master' }`, 'PSDepend'],
    ['a PSDependOptions key', `@{ PSDependOptions = @{}; X = 'latest' }`, 'PSDepend'],
    ['a DependencyType value', `@{ X = @{ DependencyType = 'PSGalleryModule' } }`, 'PSDepend'],
    ['a Version value', `@{ X = @{ Version = '1.0' } }`, 'PSResourceGet'],
    ['a Repository value', `@{ X = @{ Repository = 'PSGallery' } }`, 'PSResourceGet'],
    ['only strings', `@{ X = 'latest'; Y = '<=1.0' }`, 'ModuleFast'],
    ['a hashtable without known keys', `@{ X = @{ Name = 'X' } }`, 'ModuleFast'],
  ];
  it.each(detectRows)('detects %s', (_name, text, expected) => {
    expect(detectSpecFileType(parsePowerShellValue(text) as PsHashtable)).toBe(expected);
  });
});

describe('ModuleFast object format values', () => {
  const rows: [string, string, string][] = [
    ['latest → any version', 'latest', 'X'],
    ['Latest (case-insensitive)', 'Latest', 'X'],
    ['a bare version is exact', '1.2.3', 'X(1.2.3)'],
    ['a 4-part bare version is exact', '12.6.0.19600125', 'X(12.6.0.19600125)'],
    ['a prerelease version is exact and allows prerelease', '2.10.4-nightly', 'X(2.10.4-nightly) !'],
    ['a NuGet range', '[1.0,2.0)', 'X [1.0.0, 2.0.0)'],
    ['a float', '1.*', 'X [1.*, )'],
    ['a shorthand tail <=', '<=1.21.0', 'X (, 1.21.0]'],
    ['a shorthand tail =', '=5.4.0', 'X(5.4.0)'],
    ['a shorthand tail :range', ':[2.0.0, 2.13.2)', 'X [2.0.0, 2.13.2)'],
    ['a shorthand tail >', '>1', 'X (1.0.0, )'],
    ['an empty value', '', 'X'],
    // `@` stopped being an operator in Dec 2023: the merged text is a module literally named X@5.4.0.
    ['the pre-0.1.0 @ form', '@5.4.0', 'X@5.4.0'],
  ];
  it.each(rows)('%s', (_name, value, expected) => {
    expect(show(specsFromRequirementData(new PsHashtable([['X', value]])))).toEqual([expected]);
  });

  it('a ! on the key marks prerelease for that entry only', () => {
    const specs = specsFromRequirementData(new PsHashtable([['!X', 'latest'], ['Y!', '1.0.0'], ['Z', 'latest']]));
    expect(show(specs)).toEqual(['X !', 'Y(1.0.0) !', 'Z']);
  });

  it('rejects values that are not strings or that do not parse', () => {
    expect(() => specsFromRequirementData(new PsHashtable([['X', 5]]))).toThrow(/must be a string/);
    expect(() => specsFromRequirementData(new PsHashtable([['X', '>=nope']]))).toThrow(/Could not parse '>=nope' \(module X\)/);
    expect(() => specsFromRequirementData([1, 'X'])).toThrow(/Could not evaluate the Required Specification to a known format/);
    expect(() => specsFromRequirementData(true)).toThrow(/Could not evaluate the Required Specification to a known format/);
  });

  it('reads a single string and arrays of shorthand strings', () => {
    expect(show(specsFromRequirementData('Az.Accounts>=2.7.3'))).toEqual(['Az.Accounts [2.7.3, )']);
    expect(show(specsFromRequirementData(['A', 'B!']))).toEqual(['A', 'B !']);
  });
});

describe('PSDepend and PSResourceGet details', () => {
  it('PSDependOptions.Target gives a warning; an extended entry without Name uses its key', () => {
    const warnings: string[] = [];
    const data = parsePowerShellValue(`@{
      PSDependOptions = @{ Target = 'C:\\Modules' }
      Plaster = @{ Version = '1.1.3' }
      'PSGalleryModule::psake' = '4.9.0'
      'Git::something' = 'latest'
      Pester = @{ DependencyType = 'PSGalleryModule'; Version = '[5.0,6.0)'; Parameters = @{ AllowPrerelease = $false } }
    }`);
    const specs = specsFromRequirementData(data, { onWarning: (m) => warnings.push(m) });
    expect(show(specs)).toEqual(['Plaster(1.1.3)', 'psake(4.9.0)', 'Pester [5.0.0, 6.0.0)']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Target in PSDependOptions is not currently supported/);
  });

  it('PSResourceGet: Prerelease = $true marks the entry, Version missing means latest', () => {
    const data = parsePowerShellValue(`@{ A = @{ Version = '1.0.0'; Prerelease = $true }; B = @{ Repository = 'PSGallery' }; C = '(1.0,2.0]' }`);
    expect(show(specsFromRequirementData(data))).toEqual(['A(1.0.0) !', 'B', 'C (1.0.0, 2.0.0]']);
  });
});

describe('#Requires in scripts', () => {
  const rows: [string, string, string[]][] = [
    ['a bare name', '#Requires -Modules Pester', ['Pester']],
    ['-Module abbreviation, lower case', '#requires -module pester', ['pester']],
    ['a comma list with quotes', `#Requires -Modules A, 'B', "C"`, ['A', 'B', 'C']],
    ['hashtables', `#Requires -Modules @{ModuleName='A';RequiredVersion='1.0'},@{ModuleName="B"; ModuleVersion="2.0"}`, ['A(1.0)', 'B [2.0.0, )']],
    ['other parameters around -Modules', '#Requires -Version 7.2 -Modules X -RunAsAdministrator', ['X']],
    ['several lines', '#Requires -Modules A\nWrite-Host hi\n#Requires -Modules B', ['A', 'B']],
    ['indented', '   #Requires -Modules A', ['A']],
    ['CRLF line endings', '#Requires -Modules A\r\n#Requires -Modules B\r\n', ['A', 'B']],
    ['not inside a one-line block comment', '<# x #> #Requires -Modules No\n#Requires -Modules Yes', ['Yes']],
    ['not inside a double-quoted here-string', '$x = @"\n#Requires -Modules No\n"@\n#Requires -Modules Yes', ['Yes']],
    ["a '<#' inside a string does not open a comment", `$a = '<#'\n#Requires -Modules Yes`, ['Yes']],
  ];
  it.each(rows)('%s', (_name, text, expected) => {
    expect(show(readScriptRequires(text))).toEqual(expected);
  });

  it('rejects a hashtable that is not a ModuleSpecification', () => {
    expect(() => readScriptRequires(`#Requires -Modules @{ModuleName='A'; Bad='x'; ModuleVersion='1.0'}`, 'x.ps1')).toThrow(
      /x\.ps1 \(line 1\): .*not valid ModuleSpecification syntax/,
    );
  });

  it('a script with only -Version has no module requirements', () => {
    expect(() => readScriptRequires('#Requires -Version 5.1', 'v.ps1')).toThrow(/does not have a #Requires -Module statement/);
  });
});

describe('JSONC', () => {
  it('strips comments and trailing commas but not string contents', () => {
    const text = `{
      // line comment "with quotes"
      "url": "https://example.com//path/*not a comment*/", /* block,
      comment */ "esc": "a\\"//b",
      "list": [1, 2, /* c */ ],
      "nested": { "x": "y", // trailing
      },
    }`;
    expect(JSON.parse(stripJsonComments(text))).toEqual({
      url: 'https://example.com//path/*not a comment*/',
      esc: 'a"//b',
      list: [1, 2],
      nested: { x: 'y' },
    });
  });

  it('keeps line numbers of what follows a block comment', () => {
    expect(stripJsonComments('/* a\nb */1').split('\n')).toHaveLength(2);
  });

  it('reports an unterminated block comment', () => {
    expect(() => stripJsonComments('{ /* open')).toThrow(SyntaxError);
  });
});

describe('directories', () => {
  it('discovers every *.requires.{psd1,ps1,psm1,json,jsonc} (case-insensitive), sorted, not other files', async () => {
    expect(await discoverRequirementFiles(fixture('dir'))).toEqual(
      ['a.requires.psd1', 'b.requires.json', 'c.requires.ps1', 'd.REQUIRES.PSM1'].map((f) => join(FIXTURES, 'dir', f)),
    );
    expect(await discoverRequirementFiles(fixture('empty'))).toEqual([]);
  });

  it('(1.0-beta) cwd with ModuleFast.requires.psd1 = @{ PrereleaseTest = latest } → PrereleaseTest', async () => {
    expect(show(await readRequirementFile(fixture('dir')))).toEqual(['PrereleaseTest', 'Pester [5.0.0, )', 'ImportExcel', 'Plaster']);
  });

  it('(1.0-beta) -Path Test/Mocks (a directory) reads every requirement file in it', async () => {
    const files = await discoverRequirementFiles(FIXTURES);
    expect(files.map((f) => f.slice(FIXTURES.length + 1))).toEqual([
      'ModuleFast.requires.json',
      'ModuleFast.requires.jsonc',
      'ModuleFast.requires.psd1',
      'ModuleFastArray.requires.json',
      'PSResourceGet.requires.jsonc',
    ]);
    const specs = await readRequirementFile(FIXTURES);
    expect(specs).toHaveLength(4 * MODULEFAST_SPECS.length + 4);
  });

  it('fails for a directory that cannot be read', async () => {
    await expect(discoverRequirementFiles(fixture('nope'))).rejects.toBeInstanceOf(RequirementFileError);
  });
});

describe('http/https URLs', () => {
  let server: Server;
  let base = '';
  const bodies: Record<string, string> = {
    '/ModuleFast.requires.psd1': `# comment first\n@{ 'ImportExcel' = 'latest'; Pester = '=5.4.0' }`,
    '/raw-psd1': `@{ 'ImportExcel' = 'latest' }`,
    '/raw-json': `["ImportExcel", "Pester=5.4.0"]`,
    '/raw-jsonc': `{ "ImportExcel": "latest", // comment\n }`,
    '/manifest.psd1': `@{ ModuleVersion = '1.0'; RequiredModules = @('PrereleaseTest') }`,
    '/tools/build.ps1': `#Requires -Modules InvokeBuild`,
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = bodies[req.url ?? ''];
      if (body === undefined) {
        res.writeHead(404, 'Not Found').end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const rows: [string, string[]][] = [
    ['/ModuleFast.requires.psd1', ['ImportExcel', 'Pester(5.4.0)']],
    ['/raw-psd1', ['ImportExcel']], // content starting @{ is a psd1
    ['/raw-json', ['ImportExcel', 'Pester(5.4.0)']], // anything else is JSON
    ['/raw-jsonc', ['ImportExcel']],
    ['/manifest.psd1', ['PrereleaseTest']],
    ['/tools/build.ps1', ['InvokeBuild']],
  ];
  it.each(rows)('downloads and reads %s', async (path, expected) => {
    expect(show(await readRequirementFile(base + path))).toEqual(expected);
  });

  it('uses the fetch passed in options', async () => {
    const seen: string[] = [];
    const f: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    await readRequirementFile(`${base}/raw-json`, { fetch: f });
    expect(seen).toEqual([`${base}/raw-json`]);
  });

  it('reports HTTP errors with the status', async () => {
    const e = await failure(readRequirementFile(`${base}/missing.json`));
    expect(e.message).toMatch(/HTTP 404/);
    expect(e.source).toBe(`${base}/missing.json`);
  });
});
