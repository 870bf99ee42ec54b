/**
 * Test helper: builds `.nupkg` files in memory with yazl, including deliberately hostile archives
 * (unsafe entry names, lying sizes or CRCs, zip64 records) that yazl itself would refuse to write.
 *
 * Typical use:
 * ```ts
 * const buf = await makeNupkg({ nuspec: nuspecXml({ id: 'Contoso.Utils', version: '1.2.0', tags: 'PSModule' }),
 *                               entries: [{ name: 'Contoso.Utils.psd1', data: "@{ ModuleVersion = '1.2' }" }] });
 * const path = await writeNupkg(dir, buf);            // or writeNupkg(dir, { ...same options })
 * ```
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';

/** One zip entry to add. */
export interface NupkgEntry {
  /**
   * Entry name exactly as it should be stored. Names yazl would refuse or rewrite (backslashes, a leading
   * `/`, `C:`, `..` segments, control characters) are written through a same-length placeholder and
   * patched into the local header and central directory afterwards, so any byte sequence can be stored.
   */
  name: string;
  /** Entry content; strings are UTF-8 encoded. Default: empty. */
  data?: Buffer | string;
  /** Deflate the entry (default true) or store it. */
  compress?: boolean;
  /** Overwrite the uncompressed size recorded in the central directory (a lying size). Not with `forceZip64`. */
  declaredUncompressedSize?: number;
  /** Overwrite the CRC-32 recorded in the central directory (a corrupted entry). */
  declaredCrc32?: number;
  /**
   * Make this entry's central directory record point at the local header of entry number `n` (0-based,
   * the nuspec counts when present): the "overlapping files" zip-bomb shape.
   */
  pointAtEntry?: number;
}

/** Options of {@link makeNupkg}. */
export interface MakeNupkgOptions {
  /**
   * The nuspec text or bytes, added first as `nuspecName`. Default: `nuspecXml({ id: 'Test.Package',
   * version: '1.0.0' })`. `null` adds no nuspec at all.
   */
  nuspec?: string | Buffer | null;
  /** Entry name of the nuspec; default `<id>.nuspec` (id read from the nuspec text) or `package.nuspec`. */
  nuspecName?: string;
  /** Further entries, added after the nuspec in this order. */
  entries?: NupkgEntry[];
  /** Write every entry with zip64 records (yazl `forceZip64Format`). */
  forceZip64?: boolean;
}

/** Builds a `.nupkg` (a zip) in memory. Deterministic: fixed timestamps. */
export async function makeNupkg(options: MakeNupkgOptions = {}): Promise<Buffer> {
  const nuspec = options.nuspec === undefined ? nuspecXml({ id: 'Test.Package', version: '1.0.0' }) : options.nuspec;
  const all: NupkgEntry[] = [];
  if (nuspec !== null) {
    const text = typeof nuspec === 'string' ? nuspec : nuspec.toString('utf8');
    const id = /<id>\s*([^<\s]+)\s*<\/id>/.exec(text)?.[1];
    all.push({ name: options.nuspecName ?? (id ? `${id}.nuspec` : 'package.nuspec'), data: nuspec });
  }
  all.push(...(options.entries ?? []));

  const zip = new yazl.ZipFile();
  const rawNames: (Buffer | null)[] = [];
  for (const e of all) {
    const raw = Buffer.from(e.name, 'utf8');
    const needsPatch = yazlWouldChange(e.name);
    if (needsPatch && raw.length === 0) throw new Error('makeNupkg: an empty entry name cannot be patched in');
    rawNames.push(needsPatch ? raw : null);
    const storedName = needsPatch ? 'x'.repeat(raw.length) : e.name;
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data ?? Buffer.alloc(0));
    zip.addBuffer(data, storedName, {
      compress: e.compress ?? true,
      mtime: new Date('2024-01-01T00:00:00Z'),
      forceZip64Format: options.forceZip64 ?? false,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const buf = Buffer.concat(chunks);
  patchCentralDirectory(buf, all, rawNames, options.forceZip64 ?? false);
  return buf;
}

/** Writes a nupkg (given as bytes, or as options for {@link makeNupkg}) into `dir` and returns its path. */
export async function writeNupkg(dir: string, content: Buffer | MakeNupkgOptions, fileName = 'package.nupkg'): Promise<string> {
  const bytes = Buffer.isBuffer(content) ? content : await makeNupkg(content);
  const path = join(dir, fileName);
  await writeFile(path, bytes);
  return path;
}

/** A fresh temporary directory for test packages (callers remove it in `afterAll`). */
export function makeTempDir(prefix = 'galleon-nupkg-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A dependency in {@link NuspecFields}; omit `version` for "any version". */
export interface NuspecDependency {
  id: string;
  version?: string;
}

/** Fields of {@link nuspecXml}. `null` omits a required element (to build invalid nuspecs). */
export interface NuspecFields {
  id: string | null;
  version: string | null;
  /** Default "Test Author". */
  authors?: string | null;
  /** Default "A test package.". */
  description?: string | null;
  /** Space-separated tags, or a list joined with spaces. */
  tags?: string | string[];
  /** Flat `<dependencies>` list (no groups). */
  dependencies?: NuspecDependency[];
  /** `<group>` elements; `targetFramework` omitted → the framework-agnostic group. */
  dependencyGroups?: { targetFramework?: string; dependencies: NuspecDependency[] }[];
  /** Attributes of `<metadata>`, e.g. `{ minClientVersion: '2.12' }`. */
  metadataAttributes?: Record<string, string>;
  /** Raw XML appended inside `<metadata>` verbatim (e.g. `<license type="file">LICENSE.txt</license>`). */
  rawMetadata?: string;
  /** Namespace of `<package>`; default the 2013/05 nuspec schema; `null` for none. */
  namespace?: string | null;
  /** Any other metadata element with text content, e.g. `title`, `readme`, `icon`, `releaseNotes`. */
  [element: string]: unknown;
}

const NUSPEC_NS = 'http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd';
const SPECIAL = new Set(['id', 'version', 'authors', 'description', 'tags', 'dependencies', 'dependencyGroups', 'metadataAttributes', 'rawMetadata', 'namespace']);

/** Escapes text for XML element content and double-quoted attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Builds a UTF-8 nuspec document (no BOM) from fields; values are XML-escaped. */
export function nuspecXml(fields: NuspecFields): string {
  const el = (name: string, value: string | null | undefined) => (value === null || value === undefined ? '' : `    <${name}>${xmlEscape(value)}</${name}>\n`);
  const dep = (d: NuspecDependency, indent: string) =>
    `${indent}<dependency id="${xmlEscape(d.id)}"${d.version === undefined ? '' : ` version="${xmlEscape(d.version)}"`} />\n`;
  let body = '';
  body += el('id', fields.id);
  body += el('version', fields.version);
  body += el('authors', fields.authors === undefined ? 'Test Author' : fields.authors);
  body += el('description', fields.description === undefined ? 'A test package.' : fields.description);
  if (fields.tags !== undefined) body += el('tags', Array.isArray(fields.tags) ? fields.tags.join(' ') : fields.tags);
  for (const [name, value] of Object.entries(fields)) {
    if (SPECIAL.has(name) || value === undefined || value === null) continue;
    body += el(name, String(value));
  }
  if (fields.dependencies !== undefined) {
    body += `    <dependencies>\n${fields.dependencies.map((d) => dep(d, '      ')).join('')}    </dependencies>\n`;
  }
  if (fields.dependencyGroups !== undefined) {
    body += '    <dependencies>\n';
    for (const g of fields.dependencyGroups) {
      const tfm = g.targetFramework === undefined ? '' : ` targetFramework="${xmlEscape(g.targetFramework)}"`;
      body += `      <group${tfm}>\n${g.dependencies.map((d) => dep(d, '        ')).join('')}      </group>\n`;
    }
    body += '    </dependencies>\n';
  }
  body += fields.rawMetadata ?? '';
  const attrs = Object.entries(fields.metadataAttributes ?? {})
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join('');
  const ns = fields.namespace === undefined ? NUSPEC_NS : fields.namespace;
  return `<?xml version="1.0" encoding="utf-8"?>\n<package${ns === null ? '' : ` xmlns="${ns}"`}>\n  <metadata${attrs}>\n${body}  </metadata>\n</package>\n`;
}

/** True when yazl would refuse the name or store something else (it rewrites `\` to `/`). */
function yazlWouldChange(name: string): boolean {
  return (
    name === '' ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.startsWith('/') ||
    name.split('/').includes('..') ||
    /[\u0000-\u001f\u007f]/.test(name)
  );
}

/** Walks the central directory written by yazl and applies raw names, declared sizes and CRCs. */
function patchCentralDirectory(buf: Buffer, entries: NupkgEntry[], rawNames: (Buffer | null)[], zip64: boolean): void {
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('makeNupkg: end of central directory not found');
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    const zip64Eocd = Number(buf.readBigUInt64LE(locator + 8));
    cdOffset = Number(buf.readBigUInt64LE(zip64Eocd + 48));
  }
  let p = cdOffset;
  const recordStarts: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    recordStarts.push(p);
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('makeNupkg: unexpected central directory layout');
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    if (localOffset === 0xffffffff) {
      // zip64 extended information: [uncompressed][compressed][local header offset], each present only when needed.
      const extra = p + 46 + nameLength;
      let q = extra + 4;
      if (buf.readUInt32LE(p + 24) === 0xffffffff) q += 8;
      if (buf.readUInt32LE(p + 20) === 0xffffffff) q += 8;
      localOffset = Number(buf.readBigUInt64LE(q));
    }
    const raw = rawNames[i];
    if (raw) {
      raw.copy(buf, p + 46);
      raw.copy(buf, localOffset + 30);
    }
    const e = entries[i]!;
    if (e.declaredUncompressedSize !== undefined) {
      if (zip64) throw new Error('makeNupkg: declaredUncompressedSize is not supported with forceZip64');
      buf.writeUInt32LE(e.declaredUncompressedSize, p + 24);
    }
    if (e.declaredCrc32 !== undefined) buf.writeUInt32LE(e.declaredCrc32 >>> 0, p + 16);
    p += 46 + nameLength + extraLength + commentLength;
  }
  entries.forEach((e, i) => {
    if (e.pointAtEntry === undefined) return;
    if (zip64) throw new Error('makeNupkg: pointAtEntry is not supported with forceZip64');
    const target = recordStarts[e.pointAtEntry];
    if (target === undefined) throw new Error(`makeNupkg: no entry number ${e.pointAtEntry}`);
    buf.writeUInt32LE(buf.readUInt32LE(target + 42), recordStarts[i]! + 42);
  });
}
