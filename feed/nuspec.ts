/**
 * `.nuspec` parsing and validation (protocol reference §8.4, §8.1–§8.3, §9.2), the way NuGet's
 * `NuspecReader` reads a manifest and nuget.org validates it on push (§2.1).
 *
 * The XML handling is deliberately narrow: the bytes are decoded strictly (UTF-8, or UTF-16 with a byte
 * order mark), DTDs and entity declarations are refused outright (no entity-expansion tricks), only the
 * five predefined entities and character references are expanded, and the document must be well formed
 * (fast-xml-parser's `XMLValidator` plus the checks it lacks). Element names are case-sensitive and
 * namespace-agnostic (any nuspec schema namespace from 2010/07 to 2013/05, another one, or none).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InvalidPackageError } from './errors.ts';
import { isValidPackageId, MAX_PACKAGE_ID_LENGTH } from './package-id.ts';
import { InvalidRangeError, VersionRange } from './range.ts';
import { byteOrderMark } from './text.ts';
import { dotNetTrim, isDotNetWhiteSpaceOnly, NuGetVersion } from './version.ts';

/** A dependency inside a dependency group: the package id and its version range (§8.2). */
export interface ManifestDependency {
  /** Dependency package id, trimmed, valid per §8.3. */
  id: string;
  /** Parsed range; a missing or blank `version` attribute is {@link VersionRange.all} ("(, )"). */
  range: VersionRange;
}

/**
 * A dependency group (§8.4). `targetFramework` is the nuspec spelling (e.g. ".NETStandard2.0", "net6.0"),
 * or null for the framework-agnostic group (a flat `<dependencies>` list, or a `<group>` without the attribute).
 */
export interface ManifestDependencyGroup {
  targetFramework: string | null;
  dependencies: ManifestDependency[];
}

/** The metadata of one `.nuspec`, validated. Optional text fields are null when absent or blank. */
export interface PackageManifest {
  /** Package id as written (trimmed), valid per §8.3. */
  id: string;
  version: NuGetVersion;
  /** The `<version>` text as written (trimmed), e.g. "1.0.0.0"; the server keeps it as the original version. */
  versionText: string;
  description: string;
  /** Comma-separated authors, as written. */
  authors: string;
  owners: string | null;
  title: string | null;
  summary: string | null;
  releaseNotes: string | null;
  copyright: string | null;
  language: string | null;
  /** Tags split on spaces, tabs, newlines, commas, semicolons and pipes (nuget.org catalog rules); duplicates removed. */
  tags: string[];
  projectUrl: string | null;
  iconUrl: string | null;
  /** `<icon>`: path of an embedded JPEG/PNG inside the package, as written. */
  icon: string | null;
  licenseUrl: string | null;
  /** `<license type="expression|file" version="…">`; `type` is lower-cased, `value` trimmed. */
  license: { type: 'expression' | 'file'; value: string; version: string | null } | null;
  /** `<readme>`: path of an embedded Markdown file inside the package, as written. */
  readme: string | null;
  requireLicenseAcceptance: boolean;
  developmentDependency: boolean;
  serviceable: boolean;
  /** `minClientVersion` attribute of `<metadata>` (validated as a version), as written. */
  minClientVersion: string | null;
  /** `<repository>` attributes that are present and non-blank; null when the element is absent. */
  repository: { type?: string; url?: string; branch?: string; commit?: string } | null;
  /** `<packageTypes>`; empty when absent (which means `Dependency`). */
  packageTypes: { name: string; version?: string }[];
  /** Dependency groups in document order; a flat `<dependencies>` list becomes one group with a null framework. */
  dependencyGroups: ManifestDependencyGroup[];
  /** §8.1: the version, or a bound of any dependency range, has a dotted prerelease or build metadata. */
  isSemVer2: boolean;
}

/**
 * Field length limits in UTF-16 code units (§8.4, nuget.org's defaults; `authors`/`owners` and the
 * 500-character `<license>` value are nuget.org's too).
 */
export const NUSPEC_FIELD_LIMITS = {
  id: MAX_PACKAGE_ID_LENGTH,
  version: 64,
  description: 4000,
  summary: 4000,
  copyright: 4000,
  // PowerShellGet 2.x writes a PSCommand_/PSCmdlet_/PSFunction_ tag per exported command and only warns past
  // 4,000 characters; the PowerShell Gallery stores such tags (67,211 characters for Az.Network 7.6.0), so
  // a PowerShell gallery must too (§9.2). nuget.org's 4,000 would refuse a real Publish-Module of Az.Network.
  tags: 100_000,
  projectUrl: 4000,
  licenseUrl: 4000,
  iconUrl: 4000,
  authors: 4000,
  owners: 4000,
  releaseNotes: 35000,
  title: 256,
  license: 500,
  dependencyId: 128,
  dependencyRange: 256,
} as const;

/** Default for {@link ParseNuspecOptions.maxDependencies}. */
export const DEFAULT_MAX_DEPENDENCIES = 1000;

/** Options of {@link parseNuspec}. */
export interface ParseNuspecOptions {
  /** Most `<dependency>` elements accepted across all groups; default {@link DEFAULT_MAX_DEPENDENCIES}. */
  maxDependencies?: number;
  /**
   * Parse the nuspec of a symbol package (`.snupkg`, §2.3): `description` and `authors` may be absent
   * (then ''), and the `SymbolsPackage` package type is required. Default false.
   */
  symbolPackage?: boolean;
}

/**
 * Parses and validates a `.nuspec` (§8.4).
 *
 * Accepts UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and the ASCII/Latin-1 declarations old
 * hand-written nuspecs use. Refuses: invalid UTF-8, a DOCTYPE or ENTITY declaration, XML that is not well
 * formed (including text before the XML declaration), a root other than `<package>`, no `<metadata>`,
 * a missing or invalid `id` (§8.3), `version` (§8.1), `description` or `authors`, fields over
 * {@link NUSPEC_FIELD_LIMITS}, a flat dependency list mixed with groups, a dependency with an empty or
 * invalid id or an unparseable range (floats are not allowed in nuspecs, §8.2), more than
 * `maxDependencies` dependencies, an invalid `minClientVersion`, a `<license>` without a known type, a
 * `<packageType>` without a name.
 *
 * @param xml      the raw `.nuspec` bytes
 * @param options  dependency limit; symbol-package mode
 * @throws InvalidPackageError with a plain sentence naming the problem
 */
export function parseNuspec(xml: Buffer | Uint8Array, options: ParseNuspecOptions = {}): PackageManifest {
  const text = decodeNuspecBytes(xml);
  const root = parseXmlDocument(text);
  return readManifest(root, options.maxDependencies ?? DEFAULT_MAX_DEPENDENCIES, options.symbolPackage ?? false);
}

// ---------------------------------------------------------------------------------------------------
// Bytes → text

const UTF8_NAMES = new Set(['utf-8', 'utf8']);
const UTF16_NAMES = new Set(['utf-16', 'utf-16le', 'utf-16be', 'unicode', 'ucs-2']);
const ASCII_NAMES = new Set(['us-ascii', 'ascii']);
const LATIN1_NAMES = new Set(['iso-8859-1', 'latin1', 'iso_8859-1']);
const CP1252_NAMES = new Set(['windows-1252', 'cp1252']);

/** The `encoding` pseudo-attribute of a leading XML declaration, lower-cased; null when there is none. */
function declaredEncoding(head: string): string | null {
  const m = /^<\?xml\s[^?>]*?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(head);
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').trim().toLowerCase();
}

function strictDecode(bytes: Uint8Array, encoding: string, what: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new InvalidPackageError(`The nuspec is not valid ${what} text.`, { cause: err });
  }
}

/**
 * Decodes nuspec bytes to text following the byte order mark and the XML declaration; strict (no
 * replacement characters).
 * @throws InvalidPackageError for invalid bytes, a BOM that contradicts the declaration, or an unsupported encoding
 */
export function decodeNuspecBytes(bytes: Uint8Array): string {
  const bom = byteOrderMark(bytes);
  if (bom !== null && bom.encoding !== 'utf-8') return checkUtf16Declaration(strictDecode(bytes.subarray(bom.length), bom.encoding, 'UTF-16'));
  const hasUtf8Bom = bom !== null;
  const body = hasUtf8Bom ? bytes.subarray(bom.length) : bytes;
  if (body.length >= 2 && ((body[0] === 0x3c && body[1] === 0x00) || (body[0] === 0x00 && body[1] === 0x3c))) {
    throw new InvalidPackageError('The nuspec looks like UTF-16 text without a byte order mark; save it as UTF-8.');
  }
  // The declaration is ASCII in every supported encoding; read it before choosing the decoder.
  const head = Buffer.from(body.subarray(0, 256)).toString('latin1');
  const declared = declaredEncoding(head);
  if (declared === null || UTF8_NAMES.has(declared)) return strictDecode(body, 'utf-8', 'UTF-8');
  if (hasUtf8Bom) {
    throw new InvalidPackageError(`The nuspec starts with a UTF-8 byte order mark but declares encoding '${declared}'.`);
  }
  if (UTF16_NAMES.has(declared)) {
    throw new InvalidPackageError(`The nuspec declares encoding '${declared}' but has no byte order mark; save it as UTF-8.`);
  }
  if (ASCII_NAMES.has(declared)) {
    if (body.some((x) => x > 0x7f)) throw new InvalidPackageError('The nuspec declares US-ASCII but contains non-ASCII bytes.');
    return Buffer.from(body).toString('latin1');
  }
  if (LATIN1_NAMES.has(declared)) return Buffer.from(body).toString('latin1');
  if (CP1252_NAMES.has(declared)) return strictDecode(body, 'windows-1252', 'Windows-1252');
  throw new InvalidPackageError(`The nuspec uses the unsupported encoding '${declared}'; save it as UTF-8.`);
}

function checkUtf16Declaration(text: string): string {
  const declared = declaredEncoding(text.slice(0, 256));
  if (declared !== null && !UTF16_NAMES.has(declared)) {
    throw new InvalidPackageError(`The nuspec starts with a UTF-16 byte order mark but declares encoding '${declared}'.`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------
// Text → element tree

/** A parsed XML element: local name (namespace prefix removed), attributes (entities expanded), children. */
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
type XmlNode = XmlElement | string;

/** XML 1.0 forbids these characters anywhere in a document (§2.2 Char); lone surrogates included. */
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u;
const MAX_ELEMENT_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function parseXmlDocument(input: string): XmlElement {
  // XML end-of-line handling (§2.11): CRLF and lone CR become LF before anything else.
  const text = input.replace(/\r\n?/g, '\n');
  if (FORBIDDEN_XML_CHARS.test(text)) {
    throw new InvalidPackageError('The nuspec contains a control character that XML does not allow.');
  }
  const withoutCommentsAndCdata = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(withoutCommentsAndCdata)) {
    throw new InvalidPackageError('The nuspec contains a DOCTYPE or ENTITY declaration, which is not allowed.');
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new InvalidPackageError(`The nuspec is not well-formed XML: ${msg} (line ${line}, column ${col}).`);
  }
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (err) {
    throw new InvalidPackageError(`The nuspec could not be parsed as XML: ${(err as Error).message}.`, { cause: err });
  }
  const top = convertChildren(raw as RawNode[], 0);
  const roots = top.filter((n): n is XmlElement => typeof n !== 'string');
  if (top.some((n) => typeof n === 'string' && n.trim() !== '')) {
    throw new InvalidPackageError('The nuspec is not well-formed XML: text outside the root element.');
  }
  if (roots.length !== 1) {
    throw new InvalidPackageError(
      roots.length === 0 ? 'The nuspec has no root element.' : 'The nuspec is not well-formed XML: it has more than one root element.',
    );
  }
  return roots[0]!;
}

type RawNode = Record<string, unknown>;

function convertChildren(nodes: RawNode[], depth: number): XmlNode[] {
  if (depth > MAX_ELEMENT_DEPTH) {
    throw new InvalidPackageError(`The nuspec nests elements more than ${MAX_ELEMENT_DEPTH} levels deep.`);
  }
  const out: XmlNode[] = [];
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = node[key];
      if (key === '#text') {
        out.push(expandReferences(String(value)));
      } else if (key === '#cdata') {
        // CDATA content is literal: no entity expansion.
        for (const part of value as RawNode[]) if (typeof part['#text'] !== 'undefined') out.push(String(part['#text']));
      } else if (key.startsWith('?') || key.startsWith('!')) {
        continue;
      } else {
        const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
        const attrs: Record<string, string> = {};
        for (const [name, v] of Object.entries(rawAttrs)) {
          if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
          const s = String(v);
          if (s.includes('<')) throw new InvalidPackageError(`The nuspec is not well-formed XML: '<' inside the value of attribute '${name}'.`);
          // Attribute-value normalization (§3.3.3): whitespace characters become spaces.
          attrs[name] = expandReferences(s).replace(/[\t\n]/g, ' ');
        }
        out.push({ name: key, attrs, children: convertChildren((value ?? []) as RawNode[], depth + 1) });
      }
    }
  }
  return out;
}

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Expands the five predefined entities and character references; any other `&` is a well-formedness error. */
function expandReferences(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new InvalidPackageError(`The nuspec is not well-formed XML: a bare '&' near '${whole.slice(0, 20)}'.`);
    if (ref in PREDEFINED_ENTITIES) return PREDEFINED_ENTITIES[ref]!;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (m) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      const isXmlChar =
        cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!isXmlChar) throw new InvalidPackageError(`The nuspec contains the character reference '&${ref};', which XML does not allow.`);
      return String.fromCodePoint(cp);
    }
    throw new InvalidPackageError(`The nuspec uses the undefined entity '&${ref};'.`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Element tree → manifest

function childElements(el: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string' && (name === undefined || c.name === name)) out.push(c);
  return out;
}

function firstChild(el: XmlElement, name: string): XmlElement | null {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name) return c;
  return null;
}

/** The element's text content with descendants' text in document order (.NET `XElement.Value`). */
function textOf(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += typeof c === 'string' ? c : textOf(c);
  return s;
}

/** Trimmed text of the first `<name>` under metadata, or null when the element is absent. */
function elementText(metadata: XmlElement, name: string): string | null {
  const el = firstChild(metadata, name);
  return el === null ? null : dotNetTrim(textOf(el));
}

function optionalText(metadata: XmlElement, name: keyof typeof NUSPEC_FIELD_LIMITS | 'language'): string | null {
  const value = elementText(metadata, name);
  if (value === null || value === '') return null;
  checkLength(name, value);
  return value;
}

function checkLength(name: string, value: string): void {
  const limit = (NUSPEC_FIELD_LIMITS as Record<string, number>)[name];
  if (limit !== undefined && value.length > limit) {
    throw new InvalidPackageError(`The nuspec's <${name}> is ${value.length} characters long; the limit is ${limit}.`);
  }
}

function requiredText(metadata: XmlElement, name: 'id' | 'version' | 'description' | 'authors'): string {
  const value = elementText(metadata, name);
  if (value === null) throw new InvalidPackageError(`The nuspec has no <${name}> element.`);
  if (value === '') throw new InvalidPackageError(`The nuspec's <${name}> element is empty.`);
  checkLength(name, value);
  return value;
}

/** NuGet reads these flags as true only for the text "true" (any case); anything else is false. */
function flag(metadata: XmlElement, name: string): boolean {
  return (elementText(metadata, name) ?? '').toLowerCase() === 'true';
}

/** Splits `<tags>` the way nuget.org's catalog does (`,`, space, tab, `|`, `;`), plus other whitespace. */
export function splitTags(tags: string | null): string[] {
  if (tags === null) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of tags.split(/[\s,;|]+/u)) {
    if (t === '' || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  return out;
}

function noChildElements(el: XmlElement, name: string): void {
  if (childElements(el).length > 0) throw new InvalidPackageError(`The nuspec's <${name}> element must contain only text.`);
}

/** `<icon>` / `<readme>`: a path inside the package, text only. */
function embeddedPath(metadata: XmlElement, name: 'icon' | 'readme'): string | null {
  const el = firstChild(metadata, name);
  if (el === null) return null;
  noChildElements(el, name);
  const value = dotNetTrim(textOf(el));
  if (value === '') throw new InvalidPackageError(`The nuspec's <${name}> element is empty; it must name a file in the package.`);
  if (value.length > 4000) throw new InvalidPackageError(`The nuspec's <${name}> path is longer than 4000 characters.`);
  return value;
}

function readLicense(metadata: XmlElement): PackageManifest['license'] {
  const el = firstChild(metadata, 'license');
  if (el === null) return null;
  noChildElements(el, 'license');
  const type = dotNetTrim(el.attrs.type ?? '').toLowerCase();
  if (type !== 'expression' && type !== 'file') {
    throw new InvalidPackageError(
      type === ''
        ? "The nuspec's <license> element needs a type attribute: 'expression' or 'file'."
        : `The nuspec's <license> type '${el.attrs.type}' is not supported; use 'expression' or 'file'.`,
    );
  }
  const value = dotNetTrim(textOf(el));
  if (value === '') throw new InvalidPackageError("The nuspec's <license> element is empty.");
  checkLength('license', value);
  const version = el.attrs.version === undefined || dotNetTrim(el.attrs.version) === '' ? null : dotNetTrim(el.attrs.version);
  return { type, value, version };
}

function readRepository(metadata: XmlElement): PackageManifest['repository'] {
  const el = firstChild(metadata, 'repository');
  if (el === null) return null;
  const repo: NonNullable<PackageManifest['repository']> = {};
  for (const key of ['type', 'url', 'branch', 'commit'] as const) {
    const v = el.attrs[key];
    if (v !== undefined && dotNetTrim(v) !== '') {
      const trimmed = dotNetTrim(v);
      if (trimmed.length > 4000) throw new InvalidPackageError(`The nuspec's <repository> ${key} is longer than 4000 characters.`);
      repo[key] = trimmed;
    }
  }
  return repo;
}

function readPackageTypes(metadata: XmlElement): PackageManifest['packageTypes'] {
  const el = firstChild(metadata, 'packageTypes');
  if (el === null) return [];
  return childElements(el, 'packageType').map((pt) => {
    const name = dotNetTrim(pt.attrs.name ?? '');
    if (name === '') throw new InvalidPackageError('A <packageType> in the nuspec has no name attribute.');
    if (name.length > 100) throw new InvalidPackageError(`The package type name '${name.slice(0, 40)}…' is longer than 100 characters.`);
    const version = pt.attrs.version === undefined ? '' : dotNetTrim(pt.attrs.version);
    if (version === '') return { name };
    // NuGet parses it with System.Version: 2 to 4 numeric parts.
    if (!/^\d{1,9}(\.\d{1,9}){1,3}$/.test(version)) {
      throw new InvalidPackageError(`The package type '${name}' has an invalid version '${version}'.`);
    }
    return { name, version };
  });
}

function readDependency(el: XmlElement): ManifestDependency {
  const id = dotNetTrim(el.attrs.id ?? '');
  if (id === '') throw new InvalidPackageError('A dependency in the nuspec has no id.');
  if (id.length > NUSPEC_FIELD_LIMITS.dependencyId) {
    throw new InvalidPackageError(`The dependency id '${id.slice(0, 40)}…' is longer than ${NUSPEC_FIELD_LIMITS.dependencyId} characters.`);
  }
  if (!isValidPackageId(id)) throw new InvalidPackageError(`The dependency id '${id}' is not a valid package id.`);
  const text = el.attrs.version;
  if (text === undefined || isDotNetWhiteSpaceOnly(text)) return { id, range: VersionRange.all };
  if (text.length > NUSPEC_FIELD_LIMITS.dependencyRange) {
    throw new InvalidPackageError(`The version range of the dependency on '${id}' is longer than ${NUSPEC_FIELD_LIMITS.dependencyRange} characters.`);
  }
  try {
    return { id, range: VersionRange.parse(text, { allowFloating: false }) };
  } catch (err) {
    if (err instanceof InvalidRangeError) {
      throw new InvalidPackageError(`The dependency on '${id}' has an invalid version range '${dotNetTrim(text)}'.`, { cause: err });
    }
    throw err;
  }
}

function readDependencyGroups(metadata: XmlElement, maxDependencies: number): ManifestDependencyGroup[] {
  const el = firstChild(metadata, 'dependencies');
  if (el === null) return [];
  const flat = childElements(el, 'dependency');
  const groups = childElements(el, 'group');
  if (flat.length > 0 && groups.length > 0) {
    throw new InvalidPackageError('The nuspec mixes <dependency> elements and <group> elements inside <dependencies>; use one or the other.');
  }
  let count = 0;
  const read = (deps: XmlElement[]): ManifestDependency[] => {
    count += deps.length;
    if (count > maxDependencies) {
      throw new InvalidPackageError(`The nuspec declares more than ${maxDependencies} dependencies.`);
    }
    return deps.map(readDependency);
  };
  if (flat.length > 0) return [{ targetFramework: null, dependencies: read(flat) }];
  return groups.map((g) => {
    const tfm = g.attrs.targetFramework === undefined ? '' : dotNetTrim(g.attrs.targetFramework);
    if (tfm.length > 256) throw new InvalidPackageError('A dependency group target framework is longer than 256 characters.');
    return { targetFramework: tfm === '' ? null : tfm, dependencies: read(childElements(g, 'dependency')) };
  });
}

function readManifest(root: XmlElement, maxDependencies: number, symbolPackage: boolean): PackageManifest {
  if (root.name !== 'package') {
    throw new InvalidPackageError(`The nuspec's root element is <${root.name}>; it must be <package>.`);
  }
  const metadata = firstChild(root, 'metadata');
  if (metadata === null) throw new InvalidPackageError('The nuspec has no <metadata> element.');

  const id = requiredText(metadata, 'id');
  if (!isValidPackageId(id)) {
    throw new InvalidPackageError(
      `The package id '${id}' is not valid: use letters, digits and underscores, separated by single dots or dashes.`,
    );
  }
  const versionText = requiredText(metadata, 'version');
  const version = NuGetVersion.tryParse(versionText);
  if (version === null) throw new InvalidPackageError(`The package version '${versionText}' is not a valid NuGet version.`);
  const description = symbolPackage ? (optionalText(metadata, 'description') ?? '') : requiredText(metadata, 'description');
  const authors = symbolPackage ? (optionalText(metadata, 'authors') ?? '') : requiredText(metadata, 'authors');
  const packageTypes = readPackageTypes(metadata);
  if (symbolPackage && !packageTypes.some((t) => t.name.toLowerCase() === 'symbolspackage')) {
    throw new InvalidPackageError('A symbol package must declare the SymbolsPackage package type.');
  }

  const minClientText = metadata.attrs.minClientVersion === undefined ? '' : dotNetTrim(metadata.attrs.minClientVersion);
  if (minClientText !== '' && NuGetVersion.tryParse(minClientText) === null) {
    throw new InvalidPackageError(`The nuspec's minClientVersion '${minClientText}' is not a valid version.`);
  }

  const tagsText = optionalText(metadata, 'tags');
  const dependencyGroups = readDependencyGroups(metadata, maxDependencies);
  const isSemVer2 = version.isSemVer2 || dependencyGroups.some((g) => g.dependencies.some((d) => d.range.isSemVer2));

  return {
    id,
    version,
    versionText,
    description,
    authors,
    owners: optionalText(metadata, 'owners'),
    title: optionalText(metadata, 'title'),
    summary: optionalText(metadata, 'summary'),
    releaseNotes: optionalText(metadata, 'releaseNotes'),
    copyright: optionalText(metadata, 'copyright'),
    language: optionalText(metadata, 'language'),
    tags: splitTags(tagsText),
    projectUrl: optionalText(metadata, 'projectUrl'),
    iconUrl: optionalText(metadata, 'iconUrl'),
    icon: embeddedPath(metadata, 'icon'),
    licenseUrl: optionalText(metadata, 'licenseUrl'),
    license: readLicense(metadata),
    readme: embeddedPath(metadata, 'readme'),
    requireLicenseAcceptance: flag(metadata, 'requireLicenseAcceptance'),
    developmentDependency: flag(metadata, 'developmentDependency'),
    serviceable: flag(metadata, 'serviceable'),
    minClientVersion: minClientText === '' ? null : minClientText,
    repository: readRepository(metadata),
    packageTypes,
    dependencyGroups,
    isSemVer2,
  };
}
