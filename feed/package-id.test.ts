import { describe, expect, it } from 'vitest';
import { isValidPackageId, MAX_PACKAGE_ID_LENGTH } from './package-id.ts';

describe('isValidPackageId (§8.3)', () => {
  it.each([
    'Newtonsoft.Json',
    'A',
    '7',
    '_',
    'Ninject.MVC3',
    'PS-Get',
    'System.Threading.Tasks.Extensions',
    'temp-testmodule-nupkgpath',
    'my_package.v2-beta',
    'Über.Paket', // Unicode letters are word characters in .NET
    '日本語.パッケージ',
    'cafe\u0301', // a combining mark (Mn) is a word character
    'a\u203fb', // undertie: connector punctuation (Pc)
  ])('accepts %j', (id) => {
    expect(isValidPackageId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a space', 'My Package'],
    ['a leading space', ' Foo'],
    ['a leading dot', '.Foo'],
    ['a trailing dot', 'Foo.'],
    ['a doubled dot', 'Foo..Bar'],
    ['a dot next to a dash', 'Foo.-Bar'],
    ['a leading dash', '-Foo'],
    ['a trailing dash', 'Foo-'],
    ['a plus sign', 'Foo+Bar'],
    ['a slash', 'Foo/Bar'],
    ['a backslash', 'Foo\\Bar'],
    ['a zero-width joiner', 'Foo\u200dBar'],
    ['a right-to-left override', 'Foo\u202eexe.txt'],
    ['a byte order mark', '\ufeffFoo'],
    ['a zero-width space', 'Foo\u200b'],
    ['a trailing newline (.NET $ would let it pass)', 'Foo\n'],
    ['an emoji', 'Foo😀'],
    ['a NUL', 'Foo\u0000'],
  ])('refuses an id with %s', (_label, id) => {
    expect(isValidPackageId(id)).toBe(false);
  });

  it(`accepts ${MAX_PACKAGE_ID_LENGTH} characters and refuses ${MAX_PACKAGE_ID_LENGTH + 1}`, () => {
    expect(MAX_PACKAGE_ID_LENGTH).toBe(100);
    expect(isValidPackageId('a'.repeat(100))).toBe(true);
    expect(isValidPackageId('a'.repeat(101))).toBe(false);
    expect(isValidPackageId(`${'a'.repeat(49)}.${'b'.repeat(50)}`)).toBe(true);
  });
});
