import { readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNupkg, makeTempDir, nuspecXml, writeNupkg, type MakeNupkgOptions, type NuspecFields } from '../test/helpers/make-nupkg.ts';
import { InvalidPackageError } from './errors.ts';
import { inspectNupkg as inspectSource, type InspectOptions, type NupkgInspection } from './nupkg.ts';
import { VersionRange } from './range.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await makeTempDir('galleon-nupkg-test-');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Every inspection in this file runs twice, from the file and from its bytes in memory (what a push
 * of a small package inspects), and the two must agree: the same result, or the same error (the
 * byte counts of a streamed "too many bytes" message depend on chunking and are left out).
 */
async function inspectNupkg(path: string, options?: InspectOptions): Promise<NupkgInspection> {
  const fromFile = await inspectSource(path, options).then((value) => ({ value }), (error: unknown) => ({ error }));
  const bytes = await readFile(path).catch(() => null);
  if (bytes !== null) {
    const fromBytes = await inspectSource(bytes, options).then((value) => ({ value }), (error: unknown) => ({ error }));
    expect(outcome(fromBytes), `${path} inspected from memory`).toEqual(outcome(fromFile));
  }
  if ('error' in fromFile) throw fromFile.error;
  return fromFile.value;
}

function outcome(r: { value: NupkgInspection } | { error: unknown }): unknown {
  if ('value' in r) return r.value;
  const e = r.error as Error;
  return { error: e?.constructor?.name, message: String(e?.message).replace(/got (at least \d+|only \d+|more)/, 'got …') };
}

/** Writes the package to a temp file and inspects it. */
async function inspect(content: Buffer | MakeNupkgOptions, options?: InspectOptions): Promise<NupkgInspection> {
  const path = await writeNupkg(dir, content, `p${++counter}.nupkg`);
  return inspectNupkg(path, options);
}

/** Inspects and expects an InvalidPackageError whose message matches. */
async function expectRefused(content: Buffer | MakeNupkgOptions, message: RegExp, options?: InspectOptions): Promise<void> {
  const err = await inspect(content, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidPackageError);
  expect((err as Error).message).toMatch(message);
}

const ID = 'Contoso.Utils';
const spec = (fields: Partial<NuspecFields> = {}) => nuspecXml({ id: ID, version: '1.2.0', ...fields });
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);

// ---------------------------------------------------------------------------------------------------
// The real-world corpus

interface CorpusRow {
  file: string;
  notes: string;
}
interface CorpusMeta {
  id: string | null;
  version: string | null;
  dep_flat: [string | null, string | null][] | null;
  dep_groups: { tfm: string | null; deps: [string | null, string | null][] }[] | null;
  tags: string | null;
  license: [string, string] | null;
  licenseUrl: string | null;
  iconUrl: string | null;
  icon: string | null;
  readme: string | null;
  minClientVersion: string | null;
  packageTypes: string[] | null;
  root_psd1: string[];
}

const rows: CorpusRow[] = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split('\t');
    return { file: c[0]!, notes: c[9] ?? '' };
  });
const metadata = JSON.parse(readFileSync(join(CORPUS, 'METADATA.json'), 'utf8')) as Record<string, CorpusMeta>;

/**
 * Corpus files that are not marked MALFORMED but that this feed refuses by default, like nuget.org's
 * upload validation (PackageMetadataValidationService, NuGet's required metadata). They are test fixtures
 * from NuGetGallery and NuGet.Client, not packages NuGet pack produces.
 */
const MISSING_FILE_REFUSALS: Record<string, RegExp> = {
  'packagetypewhitespace.0.1.0.nupkg': /names the readme file 'readme\.md', but the package has no such file/,
  'packagewithreadmeonlynotype.0.1.0.nupkg': /names the readme file 'readme\.md', but the package has no such file/,
  'testpackagereadmefilewithfiletype.0.4.2.nupkg': /names the readme file 'readme\.md', but the package has no such file/,
  'rougamo.fody.3.0.0-priview-1714303665.nupkg': /names the readme file 'README_en\.md', but the package has no such file/,
  'testpackage.iconandiconurl.0.4.2.nupkg': /names the icon file 'icon\.png', but the package has no such file/,
  'testpackage.icononlyfiletype.0.4.2.nupkg': /names the icon file 'icon\.png', but the package has no such file/,
  'testpackage.icononlyinvalidtype.0.4.2.nupkg': /names the icon file 'icon\.png', but the package has no such file/,
};
const MISSING_FIELD_REFUSALS: Record<string, RegExp> = {
  // NuGet.Client signing fixtures whose nuspec has only id and version.
  'expiredprimaryandtimestampcertificateswithunavailablerevocationinfo.nupkg': /no <description> element/,
  'timestampinvalidgentimepackage.nupkg': /no <description> element/,
};

const normRange = (v: string | null) => (v === null || v.trim() === '' ? '(, )' : VersionRange.parse(v, { allowFloating: false }).toNormalizedString());

function expectedGroups(meta: CorpusMeta): [string | null, [string | null, string][]][] {
  const deps = (list: [string | null, string | null][]) => list.map(([id, v]) => [id, normRange(v)] as [string | null, string]);
  if (meta.dep_groups && meta.dep_groups.length > 0) return meta.dep_groups.map((g) => [g.tfm, deps(g.deps)]);
  if (meta.dep_flat && meta.dep_flat.length > 0) return [[null, deps(meta.dep_flat)]];
  return [];
}

function expectMatchesMetadata(file: string, r: NupkgInspection, meta: CorpusMeta, referencedFilesPresent: boolean): void {
  const m = r.manifest;
  expect(m.id, file).toBe(meta.id);
  expect(m.versionText, file).toBe(meta.version);
  expect(
    m.dependencyGroups.map((g) => [g.targetFramework, g.dependencies.map((d) => [d.id, d.range.toNormalizedString()])]),
    file,
  ).toEqual(expectedGroups(meta));
  expect(m.tags, file).toEqual(meta.tags === null ? [] : [...new Set(meta.tags.split(/[\s,;|]+/).filter(Boolean))]);
  expect(m.license === null ? null : [m.license.type, m.license.value], file).toEqual(meta.license);
  expect(m.licenseUrl, file).toBe(meta.licenseUrl);
  expect(m.iconUrl, file).toBe(meta.iconUrl);
  expect(m.icon, file).toBe(meta.icon);
  expect(m.readme, file).toBe(meta.readme);
  expect(m.minClientVersion, file).toBe(meta.minClientVersion);
  expect(m.packageTypes.map((t) => t.name), file).toEqual((meta.packageTypes ?? []).map((t) => t.trim()));
  if (referencedFilesPresent) {
    expect(r.readme !== null, `${file} readme`).toBe(meta.readme !== null);
    expect(r.icon !== null, `${file} icon`).toBe(meta.icon !== null);
    expect(r.licenseFile !== null, `${file} license file`).toBe(meta.license?.[0] === 'file');
  }
  const psd1 = meta.root_psd1.find((n) => n.toLowerCase() === `${m.id.toLowerCase()}.psd1`);
  expect(r.moduleManifest?.entryName ?? null, file).toBe(psd1 ?? null);
  if (r.moduleManifest) expect(r.moduleManifest.text, file).toMatch(/ModuleVersion/i);
  expect(r.isPowerShellModule, file).toBe(psd1 !== undefined && m.tags.some((t) => t.toLowerCase() === 'psmodule'));
  expect(r.nuspecEntryName.toLowerCase().endsWith('.nuspec'), file).toBe(true);
  expect(r.entryNames, file).toContain(r.nuspecEntryName);
}

describe('inspectNupkg on the real-world corpus', () => {
  const malformed = rows.filter((r) => r.notes.startsWith('MALFORMED'));
  const refusedByPolicy = new Set([...Object.keys(MISSING_FILE_REFUSALS), ...Object.keys(MISSING_FIELD_REFUSALS)]);
  const valid = rows.filter((r) => !r.notes.startsWith('MALFORMED') && !refusedByPolicy.has(r.file));
  const optionsFor = (file: string): InspectOptions => ({ symbolPackage: file.endsWith('.snupkg') });

  it('has the expected shape (200 files, 10 malformed)', () => {
    expect(rows).toHaveLength(200);
    expect(malformed).toHaveLength(10);
    expect(readdirSync(join(CORPUS, 'nupkgs')).sort()).toEqual(rows.map((r) => r.file).sort());
  });

  it('inspects every valid package, matching METADATA.json', async () => {
    const started = performance.now();
    for (const row of valid) {
      const r = await inspectNupkg(join(CORPUS, 'nupkgs', row.file), optionsFor(row.file)).catch((err: Error) => {
        throw new Error(`${row.file}: ${err.message}`);
      });
      expectMatchesMetadata(row.file, r, metadata[row.file]!, true);
    }
    console.log(`inspected ${valid.length} valid corpus packages in ${(performance.now() - started).toFixed(0)} ms`);
  });

  it('refuses every MALFORMED package with InvalidPackageError and the reason its notes give', async () => {
    const reasons: Record<string, RegExp> = {
      'dependencymissingid.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'emptydependencyid.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'emptydependencyidwithgroups.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'onevaliddependencyoneemptyid.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'onevaliddependencyoneemptyidwithgroups.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'whitespacedependencyid.0.1.0.nupkg': /dependency in the nuspec has no id/,
      'invaliddependencyversionrange.0.1.0.nupkg': /invalid version range '\[15\.106\.0\.preview\]'/,
      'packagewithinvalidunicode.nupkg': /no \.nuspec at the package root/,
      'zip64package.corrupted.1.0.0.nupkg': /not a valid zip archive/,
      // yauzl reads this zip64 archive; its nuspec has a line break before the XML declaration.
      'zip64package.1.0.0.nupkg': /XML declaration allowed only at the start/,
    };
    expect(Object.keys(reasons).sort()).toEqual(malformed.map((r) => r.file).sort());
    for (const row of malformed) {
      const err = await inspectNupkg(join(CORPUS, 'nupkgs', row.file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, row.file).toBeInstanceOf(InvalidPackageError);
      expect((err as Error).message, row.file).toMatch(reasons[row.file]!);
    }
  });

  it('refuses, like nuget.org, fixtures whose nuspec names a missing file or lacks required metadata', async () => {
    for (const [file, message] of Object.entries({ ...MISSING_FILE_REFUSALS, ...MISSING_FIELD_REFUSALS })) {
      const err = await inspectNupkg(join(CORPUS, 'nupkgs', file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(InvalidPackageError);
      expect((err as Error).message, file).toMatch(message);
    }
  });

  it('accepts the missing-file fixtures when allowMissingReferencedFiles is set', async () => {
    for (const file of Object.keys(MISSING_FILE_REFUSALS)) {
      const r = await inspectNupkg(join(CORPUS, 'nupkgs', file), { allowMissingReferencedFiles: true });
      expectMatchesMetadata(file, r, metadata[file]!, false);
      expect(r.readme === null && r.icon === null, file).toBe(true);
    }
  });

  it('gives the first of duplicate entries, as NuGet does (DuplicateReadmeFiles fixture)', async () => {
    const r = await inspectNupkg(join(CORPUS, 'nupkgs', 'duplicatereadmefiles.1.0.0.nupkg'));
    expect(r.readme?.toString('utf8')).toBe('# DuplicateReadmeFiles\r\n');
  });

  it('accepts backslash entry names from real packages', async () => {
    const r = await inspectNupkg(join(CORPUS, 'nupkgs', 'packagewithdoublebackwardslash.1.0.0.nupkg'));
    expect(r.entryNames).toContain('lib\\\\malformedfile.txt');
  });

  it('extracts embedded readme, icon, license file and module manifests', async () => {
    const nj = await inspectNupkg(join(CORPUS, 'nupkgs', 'newtonsoft.json.13.0.4.nupkg'));
    expect(nj.readme!.toString('utf8')).toMatch(/Json\.NET/);
    expect(nj.icon!.subarray(1, 4).toString('latin1')).toBe('PNG');
    const lic = await inspectNupkg(join(CORPUS, 'nupkgs', 'testpackage.licensefile.0.1.0.nupkg'));
    expect(lic.licenseFile!.length).toBeGreaterThan(0);
    const mf = await inspectNupkg(join(CORPUS, 'nupkgs', 'modulefast.0.0.0-source.nupkg'));
    expect(mf.isPowerShellModule).toBe(true);
    expect(mf.moduleManifest!.entryName).toBe('ModuleFast.psd1');
    const script = await inspectNupkg(join(CORPUS, 'nupkgs', 'fabrikam-serverscript.2.5.0.nupkg'));
    expect(script.isPowerShellScript).toBe(true);
    expect(script.isPowerShellModule).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Crafted packages

describe('inspectNupkg: archives', () => {
  it('inspects a minimal package', async () => {
    const r = await inspect({ nuspec: spec({ tags: 'a b' }), entries: [{ name: 'lib/net8.0/Contoso.Utils.dll', data: 'MZ' }] });
    expect(r.manifest.id).toBe(ID);
    expect(r.nuspecEntryName).toBe('Contoso.Utils.nuspec');
    expect(r.nuspecBytes.toString('utf8')).toBe(spec({ tags: 'a b' }));
    expect(r.entryNames).toEqual(['Contoso.Utils.nuspec', 'lib/net8.0/Contoso.Utils.dll']);
    expect([r.readme, r.icon, r.licenseFile, r.moduleManifest]).toEqual([null, null, null, null]);
    expect(r.isPowerShellModule).toBe(false);
  });

  it('accepts a valid zip64 archive', async () => {
    const r = await inspect({ nuspec: spec(), entries: [{ name: 'content/a.txt', data: 'hello' }], forceZip64: true });
    expect(r.manifest.version.toNormalizedString()).toBe('1.2.0');
  });

  it('refuses a file that is not a zip, an empty file and truncated archives', async () => {
    await expectRefused(Buffer.from('this is not a zip file at all'), /not a valid zip archive/);
    await expectRefused(Buffer.alloc(0), /not a valid zip archive/);
    const good = await makeNupkg({ nuspec: spec(), entries: [{ name: 'lib/a.dll', data: 'x'.repeat(5000), compress: false }] });
    await expectRefused(good.subarray(0, Math.floor(good.length / 2)), /not a valid zip archive/);
    await expectRefused(good.subarray(0, good.length - 5), /not a valid zip archive/);
  });

  it('refuses a corrupted central directory', async () => {
    const good = await makeNupkg({ nuspec: spec(), entries: [{ name: 'lib/a.dll', data: 'abc' }] });
    const bad = Buffer.from(good);
    const cd = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bad.writeUInt32LE(0xdeadbeef, cd);
    await expectRefused(bad, /not a valid zip archive/);
  });

  it('refuses an entry whose data does not match its CRC-32 or its declared size', async () => {
    await expectRefused({ nuspec: null, entries: [{ name: `${ID}.nuspec`, data: spec(), declaredCrc32: 0x12345678 }] }, /CRC-32 of entry 'Contoso\.Utils\.nuspec' does not match/);
    const xml = spec();
    await expectRefused(
      { nuspec: null, entries: [{ name: `${ID}.nuspec`, data: xml, declaredUncompressedSize: xml.length - 10 }] },
      /corrupted: entry 'Contoso\.Utils\.nuspec' cannot be read/,
    );
  });

  it('reads only the entries it needs (a corrupted lib/ entry is not decompressed)', async () => {
    const r = await inspect({ nuspec: spec(), entries: [{ name: 'lib/a.dll', data: 'abc', declaredCrc32: 1 }] });
    expect(r.manifest.id).toBe(ID);
  });

  it.each([
    ['a .. segment', 'lib/../../evil.dll', /'\.\.' path segment/],
    ['a leading ..', '../evil.dll', /'\.\.' path segment/],
    ['a backslashed ..', '..\\..\\Windows\\evil.dll', /'\.\.' path segment/],
    ['a percent-encoded ..', '%2E%2E/%2E%2E/evil.dll', /'\.\.' path segment/],
    ['a Windows-trimmed ...', 'lib/.../evil.dll', /'\.\.' path segment/],
    ['an absolute path', '/etc/cron.d/evil', /absolute path/],
    ['a backslashed absolute path', '\\Windows\\evil.dll', /absolute path/],
    ['a drive letter', 'C:/Windows/evil.dll', /drive letter/],
    ['a bare drive-relative path', 'C:evil.dll', /drive letter/],
    ['an alternate data stream', 'lib/a.dll:payload', /alternate data stream/],
    ['a NUL character', 'lib/a.dll\u0000.txt', /control character/],
    ['a control character', 'lib/a\u001b[31m.dll', /control character/],
    ['a percent-encoded NUL', 'lib/a%00.dll', /control character/],
    ['a UNC path', '\\\\server\\share\\evil.dll', /absolute path/],
    ['a reserved device name', 'lib/nul.txt', /reserved Windows device name "nul"/],
    ['a percent-encoded device name', 'content/%43%4F%4E.ps1', /reserved Windows device name "CON"/],
    ['a superscript COM port', 'lib/COM¹', /reserved Windows device name/],
    ['a trailing dot Windows drops', 'lib/a.dll.', /ending in a dot or a space/],
    ['a trailing space Windows drops', 'tools /install.ps1', /ending in a dot or a space/],
    ['a wildcard Windows cannot hold', 'lib/a*.dll', /not allowed in Windows file names/],
    ['a percent-encoded question mark', 'lib/a%3F.dll', /not allowed in Windows file names/],
  ])('refuses an entry name with %s', async (_label, name, message) => {
    await expectRefused({ nuspec: spec(), entries: [{ name, data: 'x' }] }, message);
  });

  it('accepts backslash separators and percent-encoded names that NuGet pack writes', async () => {
    const r = await inspect({ nuspec: spec(), entries: [{ name: 'lib\\net45\\Contoso.Utils.dll', data: 'x' }, { name: 'content/a%2Bb%20c.txt', data: 'y' }] });
    expect(r.entryNames).toEqual(['Contoso.Utils.nuspec', 'lib\\net45\\Contoso.Utils.dll', 'content/a%2Bb%20c.txt']);
  });

  it('refuses packages without exactly one root .nuspec', async () => {
    await expectRefused({ nuspec: null, entries: [{ name: 'lib/a.dll', data: 'x' }] }, /no \.nuspec at the package root/);
    await expectRefused({ nuspec: null, entries: [{ name: 'sub/Contoso.Utils.nuspec', data: spec() }] }, /no \.nuspec at the package root/);
    await expectRefused({ nuspec: spec(), entries: [{ name: 'Other.NUSPEC', data: spec({ id: 'Other' }) }] }, /2 \.nuspec files at the package root/);
    await expectRefused({ nuspec: spec(), entries: [{ name: 'lib\\evil.nuspec', data: spec() }] }, /could be read as a root \.nuspec/);
  });

  it('refuses more entries than the limit', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ name: `content/f${i}.txt`, data: 'x' }));
    expect((await inspect({ nuspec: spec(), entries }, { maxEntries: 31 })).entryNames).toHaveLength(31);
    await expectRefused({ nuspec: spec(), entries }, /has 31 entries; the limit is 30/, { maxEntries: 30 });
  });

  it('refuses an entry with a zip-bomb compression ratio', async () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    await expectRefused({ nuspec: spec(), entries: [{ name: 'content/zeros.bin', data: zeros }] }, /'content\/zeros\.bin' claims a compression ratio of \d+:1 \(the limit is 200:1\)/);
    // Stored (uncompressed) or small entries are fine.
    expect((await inspect({ nuspec: spec(), entries: [{ name: 'content/zeros.bin', data: zeros, compress: false }] })).entryNames).toHaveLength(2);
    expect((await inspect({ nuspec: spec(), entries: [{ name: 'content/zeros.bin', data: Buffer.alloc(100_000) }] })).entryNames).toHaveLength(2);
  });

  it('refuses a lying declared size that makes a huge ratio, and a total over the limit', async () => {
    await expectRefused({ nuspec: spec(), entries: [{ name: 'lib/a.dll', data: 'tiny', declaredUncompressedSize: 3_000_000_000 }] }, /compression ratio/);
    const entries = Array.from({ length: 5 }, (_, i) => ({ name: `content/f${i}.bin`, data: Buffer.alloc(1000, i) }));
    await expectRefused({ nuspec: spec(), entries }, /more than 4000 bytes uncompressed/, { maxTotalUncompressedBytes: 4000 });
  });

  it('refuses overlapping entries (the "overlapping files" zip bomb)', async () => {
    await expectRefused(
      { nuspec: spec(), entries: [{ name: 'content/a.txt', data: 'aaaa' }, { name: 'content/b.txt', data: 'aaaa', pointAtEntry: 1 }] },
      /overlap/,
    );
  });

  it('refuses a nuspec over the size limit before decompressing it', async () => {
    await expectRefused({ nuspec: spec({ releaseNotes: 'x'.repeat(5000) }) }, /nuspec 'Contoso\.Utils\.nuspec' is \d+ bytes; the limit is 4096 bytes/, { maxNuspecBytes: 4096 });
  });

  it('closes the file in every outcome (no descriptor leak)', async () => {
    const fdCount = () => readdirSync('/proc/self/fd').length;
    const cases: MakeNupkgOptions[] = [
      { nuspec: spec() },
      { nuspec: spec({ readme: 'README.md' }), entries: [{ name: 'README.md', data: 'x'.repeat(5000) }] },
      { nuspec: null, entries: [{ name: `${ID}.nuspec`, data: spec(), declaredCrc32: 7 }] },
      { nuspec: null, entries: [{ name: `${ID}.nuspec`, data: spec(), declaredUncompressedSize: 20 }] },
      { nuspec: spec(), entries: [{ name: '../evil', data: 'x' }] },
      { nuspec: spec({ id: 'Bad Id' }) },
    ];
    const paths = await Promise.all(cases.map((c, i) => writeNupkg(dir, c, `leak${i}.nupkg`)));
    const truncated = join(dir, 'leak-truncated.nupkg');
    await writeFile(truncated, (await makeNupkg({ nuspec: spec() })).subarray(0, 100));
    paths.push(truncated);
    await inspectNupkg(paths[0]!); // warm up lazily opened descriptors (module loading, etc.)
    const before = fdCount();
    for (let round = 0; round < 5; round++) {
      for (const p of paths) await inspectNupkg(p, { maxReadmeBytes: 1000 }).catch(() => null);
    }
    expect(fdCount()).toBe(before);
  });

  it('passes through errors that are not about the package (missing file)', async () => {
    await expect(inspectNupkg(join(dir, 'does-not-exist.nupkg'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('inspectNupkg: nuspec rules', () => {
  it.each([
    ['a DTD with entities', nuspecXml({ id: ID, version: '1.0.0' }).replace('<package', '<!DOCTYPE package [<!ENTITY x "y">]>\n<package'), /DOCTYPE or ENTITY/],
    ['non-UTF-8 bytes', Buffer.from(spec({ title: 'Ünïcödé' }), 'latin1'), /not valid UTF-8/],
    ['no authors', spec({ authors: null }), /no <authors> element/],
    ['no description', spec({ description: null }), /no <description> element/],
    ['no version', spec({ version: null }), /no <version> element/],
    ['an id with a space', spec({ id: 'Contoso Utils' }), /package id 'Contoso Utils' is not valid/],
    ['a 101-character id', spec({ id: 'a'.repeat(101) }), /<id> is 101 characters long/],
    ['an id with a zero-width joiner', spec({ id: 'Contoso\u200dUtils' }), /is not valid/],
    ['an id with a right-to-left override', spec({ id: 'Contoso\u202eslitU' }), /is not valid/],
    ['the version 1.2.3.4.5', spec({ version: '1.2.3.4.5' }), /'1\.2\.3\.4\.5' is not a valid NuGet version/],
    ['the version 01.beta', spec({ version: '01.beta' }), /'01\.beta' is not a valid NuGet version/],
    ['an empty version', spec({ version: '' }), /<version> element is empty/],
    ['a 1 MB description', spec({ description: 'd'.repeat(1_000_000) }), /<description> is 1000000 characters long; the limit is 4000/],
    ['an invalid range', spec({ dependencies: [{ id: 'Dep', version: '[1.0,' }] }), /dependency on 'Dep' has an invalid version range/],
    ['an empty dependency id', spec({ dependencies: [{ id: '' }] }), /no id/],
  ])('refuses a nuspec with %s', async (_label, nuspec, message) => {
    await expectRefused({ nuspec, nuspecName: `${ID}.nuspec` }, message);
  });

  it('refuses 10,000 dependencies', async () => {
    const dependencies = Array.from({ length: 10_000 }, (_, i) => ({ id: `Dep${i}`, version: '1.0.0' }));
    await expectRefused({ nuspec: spec({ dependencies }) }, /more than 1000 dependencies/);
  });
});

describe('inspectNupkg: embedded files', () => {
  it('extracts the readme, resolving nuspec paths the way nuget.org does', async () => {
    const r = await inspect({ nuspec: spec({ readme: '.\\docs\\README.md' }), entries: [{ name: 'docs/README.md', data: '# Hello' }] });
    expect(r.readme?.toString('utf8')).toBe('# Hello');
  });

  it('matches nuspec paths against percent-decoded entry names, case-sensitively', async () => {
    const r = await inspect({ nuspec: spec({ readme: 'docs/read me.md' }), entries: [{ name: 'docs/read%20me.md', data: '# Hi' }] });
    expect(r.readme?.toString('utf8')).toBe('# Hi');
    await expectRefused({ nuspec: spec({ readme: 'readme.md' }), entries: [{ name: 'README.md', data: '# Hi' }] }, /readme file 'readme\.md', but the package has no such file/);
  });

  it('refuses a missing, non-Markdown or oversized readme', async () => {
    await expectRefused({ nuspec: spec({ readme: 'README.md' }) }, /names the readme file 'README\.md', but the package has no such file/);
    await expectRefused({ nuspec: spec({ readme: 'README.txt' }), entries: [{ name: 'README.txt', data: 'x' }] }, /must be a Markdown file/);
    await expectRefused({ nuspec: spec({ readme: 'README.md' }), entries: [{ name: 'README.md', data: 'x'.repeat(2000) }] }, /readme file 'README\.md' is 2000 bytes; the limit is 1000 bytes/, {
      maxReadmeBytes: 1000,
    });
  });

  it('tolerates a missing readme or icon when allowMissingReferencedFiles is set', async () => {
    const r = await inspect({ nuspec: spec({ readme: 'README.md', icon: 'icon.png' }) }, { allowMissingReferencedFiles: true });
    expect([r.readme, r.icon]).toEqual([null, null]);
    expect(r.manifest.readme).toBe('README.md');
  });

  it('extracts a PNG or JPEG icon and refuses other content, other extensions and icons over 1 MB', async () => {
    const r = await inspect({ nuspec: spec({ icon: 'images/icon.png' }), entries: [{ name: 'images/icon.png', data: PNG }] });
    expect(r.icon?.equals(PNG)).toBe(true);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect((await inspect({ nuspec: spec({ icon: 'icon.JPG' }), entries: [{ name: 'icon.JPG', data: jpeg }] })).icon?.equals(jpeg)).toBe(true);
    await expectRefused({ nuspec: spec({ icon: 'icon.png' }), entries: [{ name: 'icon.png', data: '<svg onload="alert(1)"/>' }] }, /icon file 'icon\.png' is not a PNG or JPEG image/);
    await expectRefused({ nuspec: spec({ icon: 'icon.svg' }), entries: [{ name: 'icon.svg', data: '<svg/>' }] }, /must be a PNG or JPEG image/);
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]);
    await expectRefused({ nuspec: spec({ icon: 'icon.png' }), entries: [{ name: 'icon.png', data: big, compress: false }] }, /icon file 'icon\.png' is \d+ bytes; the limit is 1048576 bytes/);
  });

  it('extracts a license file and refuses a missing one or one that is not UTF-8 text', async () => {
    const license = (path: string) => `<license type="file">${path}</license>`;
    const r = await inspect({ nuspec: spec({ rawMetadata: license('LICENSE.txt') }), entries: [{ name: 'LICENSE.txt', data: 'MIT License' }] });
    expect(r.licenseFile?.toString('utf8')).toBe('MIT License');
    expect((await inspect({ nuspec: spec({ rawMetadata: license('LICENSE') }), entries: [{ name: 'LICENSE', data: 'MIT' }] })).licenseFile?.toString()).toBe('MIT');
    await expectRefused({ nuspec: spec({ rawMetadata: license('LICENSE.txt') }) }, /names the license file 'LICENSE\.txt', but the package has no such file/);
    await expectRefused({ nuspec: spec({ rawMetadata: license('LICENSE.pdf') }), entries: [{ name: 'LICENSE.pdf', data: 'x' }] }, /must be a \.txt or \.md file/);
    await expectRefused({ nuspec: spec({ rawMetadata: license('LICENSE.txt') }), entries: [{ name: 'LICENSE.txt', data: Buffer.from([0xff, 0xfe, 0x00]) }] }, /not UTF-8 text/);
  });
});

describe('inspectNupkg: PowerShell packages (§9)', () => {
  const psd1 = "@{\n  ModuleVersion = '1.2'\n  GUID = 'f4b0f0ba-0000-0000-0000-000000000000'\n}\n";

  it('finds the root <id>.psd1 case-insensitively and marks a PSModule', async () => {
    const r = await inspect({ nuspec: spec({ tags: 'psmodule tools' }), entries: [{ name: 'contoso.utils.PSD1', data: psd1 }, { name: 'Contoso.Utils.psm1', data: '' }] });
    expect(r.moduleManifest).toEqual({ entryName: 'contoso.utils.PSD1', text: psd1 });
    expect(r.isPowerShellModule).toBe(true);
    expect(r.isPowerShellScript).toBe(false);
  });

  it('decodes module manifests written as UTF-16 LE, UTF-8 with BOM, or Windows-1252', async () => {
    const text = "@{ ModuleVersion = '1.2'; Author = 'Zoë' }";
    const encodings: Buffer[] = [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
      Buffer.from(text, 'latin1'),
    ];
    for (const data of encodings) {
      const r = await inspect({ nuspec: spec({ tags: 'PSModule' }), entries: [{ name: `${ID}.psd1`, data }] });
      expect(r.moduleManifest?.text).toBe(text);
    }
  });

  it('needs both the PSModule tag and a root manifest to call it a module', async () => {
    const untagged = await inspect({ nuspec: spec({ tags: 'tools' }), entries: [{ name: `${ID}.psd1`, data: psd1 }] });
    expect(untagged.moduleManifest).not.toBeNull();
    expect(untagged.isPowerShellModule).toBe(false);
    const nested = await inspect({ nuspec: spec({ tags: 'PSModule' }), entries: [{ name: `sub/${ID}.psd1`, data: psd1 }] });
    expect(nested.moduleManifest).toBeNull();
    expect(nested.isPowerShellModule).toBe(false);
  });

  it('marks a PSScript package', async () => {
    const r = await inspect({ nuspec: spec({ tags: 'PSScript' }), entries: [{ name: `${ID}.ps1`, data: '<#PSScriptInfo #>' }] });
    expect(r.isPowerShellScript).toBe(true);
  });

  it('refuses a module manifest over the size limit', async () => {
    await expectRefused({ nuspec: spec({ tags: 'PSModule' }), entries: [{ name: `${ID}.psd1`, data: psd1.repeat(100) }] }, /module manifest 'Contoso\.Utils\.psd1' is \d+ bytes/, {
      maxModuleManifestBytes: 1000,
    });
  });
});
