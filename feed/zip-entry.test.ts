import { describe, expect, it } from 'vitest';
import { unescapeEntryName, zipEntryNameProblem, zipEntrySegments, type ZipEntryNameProblemKind } from './zip-entry.ts';

/** Hostile names and the problem each must be refused for (the push and install paths test them too). */
const HOSTILE: [string, ZipEntryNameProblemKind][] = [
  ['', 'empty'],
  ['lib/a\u0000.dll', 'control'],
  ['lib/a%00.dll', 'control'],
  ['lib/a\u001b[31m.dll', 'control'],
  ['/etc/cron.d/evil', 'absolute'],
  ['\\Windows\\evil.dll', 'absolute'],
  ['\\\\server\\share\\evil.dll', 'absolute'],
  ['\\\\?\\C:\\evil.dll', 'absolute'],
  ['%2Fetc%2Fpasswd', 'absolute'],
  ['C:/Windows/evil.dll', 'colon'],
  ['C:evil.dll', 'colon'],
  ['lib/a.dll:payload', 'colon'],
  ['../evil.dll', 'dotdot'],
  ['lib/../../evil.dll', 'dotdot'],
  ['..\\..\\Windows\\evil.dll', 'dotdot'],
  ['%2E%2E/%2e%2e/evil.dll', 'dotdot'],
  ['lib%2F..%2F..%2Fevil.dll', 'dotdot'],
  ['lib/.../evil.dll', 'dotdot'],
  ['lib/.. /evil.dll', 'dotdot'],
  ['lib/a?.dll', 'windows-character'],
  ['lib/a*.dll', 'windows-character'],
  ['lib/<a>.dll', 'windows-character'],
  ['lib/a|b.dll', 'windows-character'],
  ['lib/"a".dll', 'windows-character'],
  ['lib/a%3F.dll', 'windows-character'],
  ['lib/a.dll.', 'trailing-dot-or-space'],
  ['lib/a.dll ', 'trailing-dot-or-space'],
  ['lib./a.dll', 'trailing-dot-or-space'],
  ['lib/nul', 'reserved-name'],
  ['lib/NUL.txt', 'reserved-name'],
  ['CON', 'reserved-name'],
  ['con.tar.gz', 'reserved-name'],
  ['aux /x.txt', 'trailing-dot-or-space'],
  ['aux .txt', 'reserved-name'],
  ['Com1.ps1', 'reserved-name'],
  ['lpt9/readme.md', 'reserved-name'],
  ['lpt¹.txt', 'reserved-name'],
  ['CONOUT$', 'reserved-name'],
  ['lib/%6E%75%6C.txt', 'reserved-name'],
];

describe('zipEntryNameProblem (one entry-name rule for push and install)', () => {
  it.each(HOSTILE)('refuses %j as %s', (name, kind) => {
    expect(zipEntryNameProblem(name)?.kind).toBe(kind);
  });

  it.each([
    'Contoso.Utils.nuspec',
    'lib/net8.0/Contoso.Utils.dll',
    'lib\\net45\\Contoso.Utils.dll',
    'lib\\\\malformedfile.txt',
    'content/a%2Bb%20c.txt',
    '[Content_Types].xml',
    '_rels/.rels',
    'a/./b/c.txt',
    'lib/',
    '.gitignore',
    'console.ps1',
    'lib/com10.txt',
    'Private Functions/nul-check.ps1',
    'lib/a%ZZ.txt',
    'lib/%E9.txt',
  ])('accepts %j', (name) => {
    expect(zipEntryNameProblem(name)).toBeNull();
  });

  it('names the problem in a phrase the callers prefix with the entry name', () => {
    expect(zipEntryNameProblem('lib/../x')!.reason).toBe("has a '..' path segment");
    expect(zipEntryNameProblem('lib/nul.txt')!.reason).toMatch(/reserved Windows device name "nul"/);
  });
});

describe('unescapeEntryName (NuGet UnescapePath)', () => {
  it('decodes runs of escapes and keeps invalid ones as written', () => {
    expect(unescapeEntryName('My%20File.ps1')).toBe('My File.ps1');
    expect(unescapeEntryName('a%C3%A9b')).toBe('aéb');
    expect(unescapeEntryName('a%E9b%20c')).toBe('a%E9b c');
    expect(unescapeEntryName('100%')).toBe('100%');
  });
});

describe('zipEntrySegments', () => {
  it('splits decoded names on both separators, dropping empty and "." segments', () => {
    expect(zipEntrySegments('en-US\\about_Mod.help.txt')).toEqual(['en-US', 'about_Mod.help.txt']);
    expect(zipEntrySegments('a/./b//c%20d.txt')).toEqual(['a', 'b', 'c d.txt']);
    expect(zipEntrySegments('./')).toEqual([]);
  });
  it('throws for a refused name', () => {
    expect(() => zipEntrySegments('../x')).toThrow(/'\.\.' path segment/);
  });
});
