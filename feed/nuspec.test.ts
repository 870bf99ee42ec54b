import { describe, expect, it } from 'vitest';
import { nuspecXml, type NuspecFields } from '../test/support/make-nupkg.ts';
import { InvalidPackageError } from './errors.ts';
import { parseNuspec, splitTags } from './nuspec.ts';

const parse = (xml: string | Buffer, options?: Parameters<typeof parseNuspec>[1]) =>
  parseNuspec(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, options);

const nuspec = (fields: Partial<NuspecFields> = {}) => nuspecXml({ id: 'Contoso.Utils', version: '1.2.0', ...fields });

/** Asserts that parsing refuses with an InvalidPackageError whose message matches. */
function expectRefused(xml: string | Buffer, message: RegExp, options?: Parameters<typeof parseNuspec>[1]): void {
  let caught: unknown;
  try {
    parse(xml, options);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvalidPackageError);
  expect((caught as InvalidPackageError).code).toBe('invalid_package');
  expect((caught as Error).message).toMatch(message);
}

describe('parseNuspec: fields', () => {
  it('reads every metadata field', () => {
    const m = parse(
      nuspec({
        version: '1.0.0.0',
        authors: 'Ann, Bob',
        description: '  Utilities for Contoso.  ',
        owners: 'Contoso',
        title: 'Contoso Utilities',
        summary: 'Short.',
        releaseNotes: 'Fixed things.',
        copyright: '© Contoso',
        language: 'en-US',
        tags: 'PSModule  utils,cli;tools|misc\tx',
        projectUrl: 'https://example.com/p',
        iconUrl: 'https://example.com/i.png',
        icon: 'images/icon.png',
        readme: 'docs/README.md',
        licenseUrl: 'https://licenses.nuget.org/MIT',
        requireLicenseAcceptance: 'TRUE',
        developmentDependency: 'True',
        serviceable: 'yes', // NuGet reads anything but "true" as false
        metadataAttributes: { minClientVersion: '2.12' },
        rawMetadata:
          '<license type="Expression" version="1.0.0">MIT</license>' +
          '<repository type="git" url="https://github.com/contoso/utils" branch="main" commit="abc123" />' +
          '<packageTypes><packageType name="Dependency" /><packageType name="McpServer" version="1.0" /></packageTypes>',
      }),
    );
    expect(m.id).toBe('Contoso.Utils');
    expect(m.versionText).toBe('1.0.0.0');
    expect(m.version.toNormalizedString()).toBe('1.0.0');
    expect(m.authors).toBe('Ann, Bob');
    expect(m.description).toBe('Utilities for Contoso.');
    expect(m.owners).toBe('Contoso');
    expect(m.title).toBe('Contoso Utilities');
    expect(m.summary).toBe('Short.');
    expect(m.releaseNotes).toBe('Fixed things.');
    expect(m.copyright).toBe('© Contoso');
    expect(m.language).toBe('en-US');
    expect(m.tags).toEqual(['PSModule', 'utils', 'cli', 'tools', 'misc', 'x']);
    expect(m.projectUrl).toBe('https://example.com/p');
    expect(m.iconUrl).toBe('https://example.com/i.png');
    expect(m.icon).toBe('images/icon.png');
    expect(m.readme).toBe('docs/README.md');
    expect(m.licenseUrl).toBe('https://licenses.nuget.org/MIT');
    expect(m.license).toEqual({ type: 'expression', value: 'MIT', version: '1.0.0' });
    expect(m.requireLicenseAcceptance).toBe(true);
    expect(m.developmentDependency).toBe(true);
    expect(m.serviceable).toBe(false);
    expect(m.minClientVersion).toBe('2.12');
    expect(m.repository).toEqual({ type: 'git', url: 'https://github.com/contoso/utils', branch: 'main', commit: 'abc123' });
    expect(m.packageTypes).toEqual([{ name: 'Dependency' }, { name: 'McpServer', version: '1.0' }]);
    expect(m.dependencyGroups).toEqual([]);
    expect(m.isSemVer2).toBe(false);
  });

  it('gives null for absent or blank optional fields and false for absent flags', () => {
    const m = parse(nuspec({ title: '   ', summary: '' }));
    expect(m.title).toBeNull();
    expect(m.summary).toBeNull();
    expect(m.owners).toBeNull();
    expect(m.license).toBeNull();
    expect(m.repository).toBeNull();
    expect(m.tags).toEqual([]);
    expect(m.packageTypes).toEqual([]);
    expect(m.requireLicenseAcceptance).toBe(false);
    expect(m.minClientVersion).toBeNull();
  });

  it('takes the text of child elements like .NET XElement.Value, expands entities, keeps CDATA literal', () => {
    const xml = nuspec({ description: 'PLACEHOLDER' }).replace(
      'PLACEHOLDER',
      'Use <b>bold</b> &amp; &lt;tags&gt; &#233;&#x263A; <![CDATA[<!DOCTYPE html> &amp;]]>',
    );
    expect(parse(xml).description).toBe('Use bold & <tags> é☺ <!DOCTYPE html> &amp;');
  });

  it('normalizes CRLF line ends in text', () => {
    expect(parse(nuspec({ releaseNotes: 'line 1\r\nline 2\rline 3' })).releaseNotes).toBe('line 1\nline 2\nline 3');
  });

  it('is namespace-agnostic: no namespace, the 2010/07 schema, or prefixed elements', () => {
    expect(parse(nuspec({ namespace: null })).id).toBe('Contoso.Utils');
    expect(parse(nuspec({ namespace: 'http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd' })).id).toBe('Contoso.Utils');
    const prefixed = `<?xml version="1.0"?>
<n:package xmlns:n="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <n:metadata><n:id>Prefixed</n:id><n:version>2.0</n:version><n:authors>a</n:authors><n:description>d</n:description></n:metadata>
</n:package>`;
    const m = parse(prefixed);
    expect(m.id).toBe('Prefixed');
    expect(m.version.toNormalizedString()).toBe('2.0.0');
  });

  it('treats element names case-sensitively', () => {
    expectRefused(nuspec({ id: null, rawMetadata: '<ID>Contoso.Utils</ID>' }), /no <id> element/);
  });

  it('marks SemVer 2 packages by version or by dependency bounds (§8.1)', () => {
    expect(parse(nuspec({ version: '1.0.0-alpha.1' })).isSemVer2).toBe(true);
    expect(parse(nuspec({ version: '1.0.0+sha.5' })).isSemVer2).toBe(true);
    expect(parse(nuspec({ version: '1.0.0-alpha' })).isSemVer2).toBe(false);
    expect(parse(nuspec({ dependencies: [{ id: 'Dep', version: '[1.0.0-beta.2, 2.0.0)' }] })).isSemVer2).toBe(true);
    expect(parse(nuspec({ dependencies: [{ id: 'Dep', version: '(, 2.0.0+build)' }] })).isSemVer2).toBe(true);
    expect(parse(nuspec({ dependencies: [{ id: 'Dep', version: '1.0.0-beta' }] })).isSemVer2).toBe(false);
  });

  it('keeps the first of repeated elements, as NuGet does', () => {
    expect(parse(nuspec({ rawMetadata: '<title>Second</title>', title: 'First' })).title).toBe('First');
  });
});

describe('splitTags', () => {
  it('splits on whitespace, commas, semicolons and pipes and drops duplicates', () => {
    expect(splitTags(' a,b;;c|d\n e  a ')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitTags(null)).toEqual([]);
  });
});

describe('parseNuspec: dependencies', () => {
  it('turns a flat list into one framework-agnostic group with normalized ranges', () => {
    const m = parse(
      nuspec({
        dependencies: [
          { id: 'Newtonsoft.Json', version: '9.0.1' },
          { id: 'Exact', version: '[1.0]' },
          { id: 'Upper', version: '(,2.0)' },
          { id: 'Any' },
          { id: 'Blank', version: '   ' },
          { id: '  Trimmed  ', version: ' [1.0 , 2.0] ' },
        ],
      }),
    );
    expect(m.dependencyGroups).toHaveLength(1);
    expect(m.dependencyGroups[0]!.targetFramework).toBeNull();
    expect(m.dependencyGroups[0]!.dependencies.map((d) => [d.id, d.range.toNormalizedString()])).toEqual([
      ['Newtonsoft.Json', '[9.0.1, )'],
      ['Exact', '[1.0.0, 1.0.0]'],
      ['Upper', '(, 2.0.0)'],
      ['Any', '(, )'],
      ['Blank', '(, )'],
      ['Trimmed', '[1.0.0, 2.0.0]'],
    ]);
  });

  it('keeps groups in order, including empty ones and the group without a framework', () => {
    const m = parse(
      nuspec({
        dependencyGroups: [
          { targetFramework: '.NETFramework4.5', dependencies: [] },
          { targetFramework: 'net6.0', dependencies: [{ id: 'A', version: '1.0.0' }] },
          { dependencies: [{ id: 'B' }] },
        ],
      }),
    );
    expect(m.dependencyGroups.map((g) => [g.targetFramework, g.dependencies.map((d) => d.id)])).toEqual([
      ['.NETFramework4.5', []],
      ['net6.0', ['A']],
      [null, ['B']],
    ]);
  });

  it('refuses a flat list mixed with groups', () => {
    const xml = nuspec({
      rawMetadata: '<dependencies><dependency id="A" version="1.0" /><group targetFramework="net6.0" /></dependencies>',
    });
    expectRefused(xml, /mixes <dependency> elements and <group> elements/);
  });

  it.each([
    ['a missing id', '<dependency version="1.0" />', /dependency in the nuspec has no id/],
    ['an empty id', '<dependency id="" version="1.0" />', /no id/],
    ['a whitespace id', '<dependency id="   " version="1.0" />', /no id/],
    ['an invalid id', '<dependency id="Bad Id" version="1.0" />', /'Bad Id' is not a valid package id/],
    ['a 129-character id', `<dependency id="${'a'.repeat(129)}" />`, /longer than 128 characters/],
    ['an invalid range', '<dependency id="NuGet.Versioning" version="[15.106.0.preview]" />', /invalid version range '\[15\.106\.0\.preview\]'/],
    ['a floating range (not allowed in nuspecs)', '<dependency id="A" version="1.*" />', /invalid version range '1\.\*'/],
    ['an exclusive single-version range', '<dependency id="A" version="(1.0)" />', /invalid version range/],
    ['min above max', '<dependency id="A" version="[2.0, 1.0]" />', /invalid version range/],
    ['a 257-character range', `<dependency id="A" version="${'1'.repeat(257)}" />`, /longer than 256 characters/],
  ])('refuses %s', (_label, dep, message) => {
    expectRefused(nuspec({ rawMetadata: `<dependencies>${dep}</dependencies>` }), message);
  });

  it('refuses more dependencies than the limit, counted across groups', () => {
    const xml = nuspec({
      dependencyGroups: [
        { targetFramework: 'net6.0', dependencies: [{ id: 'A' }, { id: 'B' }] },
        { targetFramework: 'net8.0', dependencies: [{ id: 'A' }, { id: 'B' }] },
      ],
    });
    expect(parse(xml, { maxDependencies: 4 }).dependencyGroups).toHaveLength(2);
    expectRefused(xml, /more than 3 dependencies/, { maxDependencies: 3 });
  });
});

describe('parseNuspec: required fields and limits', () => {
  it.each(['id', 'version', 'description', 'authors'] as const)('refuses a missing <%s>', (field) => {
    expectRefused(nuspec({ [field]: null }), new RegExp(`no <${field}> element`));
  });

  it.each(['id', 'version', 'description', 'authors'] as const)('refuses an empty <%s>', (field) => {
    expectRefused(nuspec({ [field]: '  ' }), new RegExp(`<${field}> element is empty`));
  });

  it.each([
    ['a space', 'Contoso Utils'],
    ['a zero-width joiner', 'Contoso\u200dUtils'],
    ['a right-to-left override', 'Contoso\u202eslitU'],
    ['a leading dot', '.Contoso'],
  ])('refuses an id with %s', (_label, id) => {
    expectRefused(nuspec({ id }), /package id .* is not valid/);
  });

  it('refuses a 101-character id', () => {
    expectRefused(nuspec({ id: 'a'.repeat(101) }), /<id> is 101 characters long; the limit is 100/);
  });

  it.each(['1.2.3.4.5', '01.beta', '1.0.0-beta.01', 'one', '1.0.0-', '1.0.0+'])('refuses the version %j', (version) => {
    expectRefused(nuspec({ version }), /is not a valid NuGet version/);
  });

  it('refuses a version longer than 64 characters', () => {
    expectRefused(nuspec({ version: `1.0.0-${'a'.repeat(59)}` }), /<version> is 65 characters long; the limit is 64/);
    expect(parse(nuspec({ version: `1.0.0-${'a'.repeat(58)}` })).versionText).toHaveLength(64);
  });

  it.each([
    ['description', 4000],
    ['summary', 4000],
    ['copyright', 4000],
    ['tags', 100_000],
    ['projectUrl', 4000],
    ['licenseUrl', 4000],
    ['iconUrl', 4000],
    ['releaseNotes', 35000],
    ['title', 256],
  ] as const)('limits <%s> to %i characters', (field, limit) => {
    expect(() => parse(nuspec({ [field]: 'x'.repeat(limit) }))).not.toThrow();
    expectRefused(nuspec({ [field]: 'x'.repeat(limit + 1) }), new RegExp(`<${field}> is ${limit + 1} characters long; the limit is ${limit}`));
  });

  it('refuses an invalid minClientVersion', () => {
    expectRefused(nuspec({ metadataAttributes: { minClientVersion: 'banana' } }), /minClientVersion 'banana' is not a valid version/);
  });

  it.each([
    ['without a type', '<license>MIT</license>', /needs a type attribute/],
    ['with an unknown type', '<license type="url">https://x</license>', /type 'url' is not supported/],
    ['empty', '<license type="expression"></license>', /<license> element is empty/],
    ['with child elements', '<license type="expression"><b>MIT</b></license>', /must contain only text/],
  ])('refuses a <license> %s', (_label, raw, message) => {
    expectRefused(nuspec({ rawMetadata: raw }), message);
  });

  it('reads a license file reference', () => {
    expect(parse(nuspec({ rawMetadata: '<license type="file">docs\\LICENSE.txt</license>' })).license).toEqual({
      type: 'file',
      value: 'docs\\LICENSE.txt',
      version: null,
    });
  });

  it('refuses an empty <icon> or <readme>', () => {
    expectRefused(nuspec({ rawMetadata: '<icon> </icon>' }), /<icon> element is empty/);
    expectRefused(nuspec({ rawMetadata: '<readme/>' }), /<readme> element is empty/);
  });

  it('refuses a package type without a name or with an invalid version', () => {
    expectRefused(nuspec({ rawMetadata: '<packageTypes><packageType version="1.0" /></packageTypes>' }), /<packageType> in the nuspec has no name/);
    expectRefused(nuspec({ rawMetadata: '<packageTypes><packageType name="T" version="one" /></packageTypes>' }), /invalid version 'one'/);
  });

  it('in symbol-package mode, requires the SymbolsPackage type but not authors or description', () => {
    const snupkg = nuspec({ authors: null, description: null, rawMetadata: '<packageTypes><packageType name="SymbolsPackage" /></packageTypes>' });
    const m = parse(snupkg, { symbolPackage: true });
    expect(m.authors).toBe('');
    expect(m.description).toBe('');
    expectRefused(snupkg, /no <description> element/);
    expectRefused(nuspec(), /must declare the SymbolsPackage package type/, { symbolPackage: true });
  });
});

describe('parseNuspec: XML and encodings', () => {
  it('accepts UTF-8 with a byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(nuspec({ title: 'Ünïcödé' }), 'utf8')]);
    expect(parse(bytes).title).toBe('Ünïcödé');
  });

  it('accepts UTF-16 LE and BE with a byte order mark', () => {
    const text = nuspec({ title: 'Ünïcödé ☺' }).replace('encoding="utf-8"', 'encoding="utf-16"');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parse(le).title).toBe('Ünïcödé ☺');
    const be = Buffer.from(le);
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    expect(parse(be).title).toBe('Ünïcödé ☺');
  });

  it('refuses UTF-16 without a byte order mark', () => {
    expectRefused(Buffer.from(nuspec().replace('utf-8', 'utf-16'), 'utf16le'), /UTF-16 text without a byte order mark/);
  });

  it('refuses a byte order mark that contradicts the declaration', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(nuspec().replace('utf-8', 'utf-16'), 'utf8')]);
    expectRefused(bytes, /UTF-8 byte order mark but declares encoding 'utf-16'/);
  });

  it('refuses invalid UTF-8', () => {
    const bytes = Buffer.from(nuspec({ title: 'AAAA' }), 'utf8');
    const at = bytes.indexOf('AAAA');
    bytes[at] = 0xc3; // a lead byte followed by 'A' is not UTF-8
    expectRefused(bytes, /not valid UTF-8 text/);
    const latin1 = Buffer.from(nuspec({ title: 'café' }), 'latin1'); // declared utf-8, written as Latin-1
    expectRefused(latin1, /not valid UTF-8 text/);
  });

  it('decodes an old nuspec that declares ISO-8859-1', () => {
    const latin1 = Buffer.from(nuspec({ title: 'café' }).replace('utf-8', 'ISO-8859-1'), 'latin1');
    expect(parse(latin1).title).toBe('café');
  });

  it('refuses an unsupported declared encoding', () => {
    expectRefused(nuspec().replace('utf-8', 'shift_jis'), /unsupported encoding 'shift_jis'/);
  });

  it('refuses DOCTYPE and ENTITY declarations (entity expansion)', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE package [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<package><metadata><id>A</id><version>1.0</version><authors>&lol2;</authors><description>d</description></metadata></package>`;
    expectRefused(laughs, /DOCTYPE or ENTITY declaration/);
    expectRefused(nuspec().replace('<package', '<!DOCTYPE package SYSTEM "http://evil.example/x.dtd">\n<package'), /DOCTYPE/);
  });

  it('refuses an undefined entity, a bare ampersand and a forbidden character reference', () => {
    expectRefused(nuspec({ rawMetadata: '<title>&nbsp;</title>' }), /undefined entity '&nbsp;'/);
    expectRefused(nuspec({ rawMetadata: '<dependencies><dependency id="A&B" /></dependencies>' }), /bare '&'/);
    expectRefused(nuspec({ rawMetadata: '<title>&#1;</title>' }), /character reference '&#1;'/);
  });

  it.each([
    ['an unclosed element', (x: string) => x.replace('</metadata>', ''), /not well-formed XML/],
    ['whitespace before the XML declaration', (x: string) => `\r\n${x}`, /not well-formed XML: XML declaration allowed only at the start/],
    ['two root elements', (x: string) => `${x}<package/>`, /more than one root element/],
    ['a control character', (x: string) => x.replace('A test package.', 'A test\u0001package.'), /control character/],
    ['a duplicate attribute', (x: string) => x.replace('<metadata>', '<metadata a="1" a="2">'), /not well-formed XML/],
    ['a root other than <package>', (x: string) => x.replace(/<package[^>]*>/, '<manifest>').replace('</package>', '</manifest>'), /root element is <manifest>/],
    ['no <metadata>', (x: string) => x.replace(/<metadata>[\s\S]*<\/metadata>/, '<files />'), /no <metadata> element/],
    ['an empty document', () => '', /not well-formed XML/],
  ])('refuses %s', (_label, mutate, message) => {
    expectRefused(mutate(nuspec()), message);
  });

  it('refuses deeply nested elements with InvalidPackageError, not a crash', () => {
    const depth = 5000;
    expectRefused(nuspec({ description: 'PLACEHOLDER' }).replace('PLACEHOLDER', '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth)), /nest|Maximum nested/i);
  });
});
