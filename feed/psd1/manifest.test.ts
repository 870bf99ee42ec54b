import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  ModuleManifestError,
  PsHashtable,
  parsePowerShellDataFile,
  readModuleManifest,
  readRequiredModules,
  toStr,
  type PsValue,
} from './index.ts';

const PSGALLERY = '/work/shared/psgallery';

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
// The real PowerShell Gallery manifests in /work/shared/psgallery (865 files).

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
