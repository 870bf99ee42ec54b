/**
 * Test helper: hostile inputs for the robustness suites (issue 4) and a raw HTTP sender that can
 * send what `fetch` refuses or rewrites (unnormalized paths, encoded NUL, chunked bodies, broken
 * framing, half-sent uploads).
 *
 * - {@link hostilePushes}: push requests that a gallery must refuse with a 4xx and a plain message,
 *   leaving nothing behind (malformed and malicious archives, nuspecs, identities and HTTP bodies).
 * - {@link hostileRoutes}: path traversal and oversized request targets on every id/version route,
 *   NUL in search and autocomplete parameters.
 * - {@link oddQueries}: unusual but harmless search and autocomplete queries (answered 200).
 * - {@link sendRaw}: one request over a fresh socket, answered or not.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { makeNupkg, nuspecXml, type MakeNupkgOptions, type NuspecFields } from './make-nupkg.ts';

/** One crafted push request. */
export interface HostilePush {
  /** what the case is, e.g. "entry name with a .. segment" */
  name: string;
  /** the package id the body would create, when it has a valid one: the test checks it stays unknown */
  id: string | null;
  /** the request body; null sends no body at all */
  body: Buffer | null;
  /** Content-Type and any other header (the API key is added by the sender unless `noApiKey`) */
  headers: Record<string, string>;
  /** send with Transfer-Encoding: chunked instead of Content-Length */
  chunked?: boolean;
  /** the exact status expected when one is clear (401, 413, 415); otherwise any 4xx */
  status?: number;
  /** send no X-NuGet-ApiKey */
  noApiKey?: boolean;
  /** the API key to send instead of the test key */
  apiKey?: string;
}

/** The answer to a raw request. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const BOUNDARY = '----GalleonHostileBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body with one file part holding `bytes` (what `dotnet nuget push` sends). */
export function multipartBody(bytes: Buffer, boundary = BOUNDARY): { body: Buffer; contentType: string } {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function asMultipart(name: string, id: string | null, bytes: Buffer): HostilePush {
  const { body, contentType } = multipartBody(bytes);
  return { name, id, body, headers: { 'Content-Type': contentType } };
}

function asRaw(name: string, id: string | null, bytes: Buffer): HostilePush {
  return { name, id, body: bytes, headers: { 'Content-Type': 'application/octet-stream' } };
}

/** A package that is valid except for the nuspec fields overridden in `fields`. */
function withNuspec(fields: Partial<NuspecFields> & { id?: string | null; version?: string | null }, more: MakeNupkgOptions = {}): Promise<Buffer> {
  const nuspec = nuspecXml({ id: 'Hostile.Package', version: '1.0.0', ...fields } as NuspecFields);
  return makeNupkg({ nuspecName: 'package.nuspec', ...more, nuspec });
}

function rawNuspec(xml: string | Buffer): Promise<Buffer> {
  return makeNupkg({ nuspec: typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, nuspecName: 'package.nuspec' });
}

function meta(inner: string, head = '<?xml version="1.0" encoding="utf-8"?>\n'): string {
  return `${head}<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>${inner}</metadata></package>`;
}

// ---- zip surgery ---------------------------------------------------------------------------------

function eocdOffset(buf: Buffer): number {
  for (let i = buf.length - 22; i >= 0; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  throw new Error('hostile: no end of central directory record');
}

/** Offset of the central directory's first record (zip64-aware). */
function centralDirectoryOffset(buf: Buffer): number {
  const eocd = eocdOffset(buf);
  const cd = buf.readUInt32LE(eocd + 16);
  if (cd !== 0xffffffff) return cd;
  return Number(buf.readBigUInt64LE(zip64EocdOffset(buf) + 48));
}

function zip64EocdOffset(buf: Buffer): number {
  const locator = eocdOffset(buf) - 20;
  if (buf.readUInt32LE(locator) !== 0x07064b50) throw new Error('hostile: no zip64 locator');
  return Number(buf.readBigUInt64LE(locator + 8));
}

/** Offset of the data of the zip64 extended-information extra field of the first central directory record. */
function firstZip64Extra(buf: Buffer): number {
  const p = centralDirectoryOffset(buf);
  const nameLength = buf.readUInt16LE(p + 28);
  const extraLength = buf.readUInt16LE(p + 30);
  let q = p + 46 + nameLength;
  const end = q + extraLength;
  while (q + 4 <= end) {
    const tag = buf.readUInt16LE(q);
    const size = buf.readUInt16LE(q + 2);
    if (tag === 0x0001) return q + 4;
    q += 4 + size;
  }
  throw new Error('hostile: no zip64 extra field');
}

/**
 * A nupkg written entirely in zip64 form: zip64 local and central directory records (yazl
 * `forceZip64Format`) plus a zip64 end of central directory record and locator, with the classic end
 * record's fields set to their "see zip64" values.
 */
export async function zip64Nupkg(options: MakeNupkgOptions): Promise<Buffer> {
  const buf = await makeNupkg({ ...options, forceZip64: true });
  const eocd = eocdOffset(buf);
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(cdSize), 40);
  record.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(eocd), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([buf.subarray(0, eocd), record, locator, end]);
}

/** Changes the compression method of the first entry (local header and central directory). */
function setFirstCompressionMethod(buf: Buffer, method: number): Buffer {
  const out = Buffer.from(buf);
  const cd = centralDirectoryOffset(out);
  out.writeUInt16LE(method, cd + 10);
  out.writeUInt16LE(method, out.readUInt32LE(cd + 42) + 8);
  return out;
}

/** Sets general-purpose flag bits of the first entry (bit 0: encrypted). */
function setFirstFlags(buf: Buffer, bits: number): Buffer {
  const out = Buffer.from(buf);
  const cd = centralDirectoryOffset(out);
  out.writeUInt16LE(out.readUInt16LE(cd + 8) | bits, cd + 8);
  const local = out.readUInt32LE(cd + 42);
  out.writeUInt16LE(out.readUInt16LE(local + 6) | bits, local + 6);
  return out;
}

function patched(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const out = Buffer.from(buf);
  edit(out);
  return out;
}

// ---- the cases -------------------------------------------------------------------------------------

/**
 * Builds every hostile push. Each case uses its own package id (when it has one) so that the test
 * can check that this id stays unknown.
 *
 * @param maxBytes the server's GALLEON_MAX_PACKAGE_MB in bytes (oversized bodies are 2× this)
 */
export async function hostilePushes(maxBytes: number): Promise<HostilePush[]> {
  const cases: HostilePush[] = [];
  const add = (c: HostilePush | Promise<HostilePush>) => cases.push(c as HostilePush);
  const valid = (id: string) => makeNupkg({ nuspec: nuspecXml({ id, version: '1.0.0' }), entries: [{ name: 'lib/net8.0/a.dll', data: 'x'.repeat(4000) }] });

  // -- not a zip, truncated, corrupted ------------------------------------------------------------
  add(asRaw('plain text instead of a zip', null, Buffer.from('this is not a nupkg at all\n')));
  add(asRaw('a PDF header instead of a zip', null, Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1')));
  {
    const v = await valid('Hostile.Truncated.Half');
    add(asMultipart('truncated zip (first half)', 'Hostile.Truncated.Half', v.subarray(0, v.length >> 1)));
  }
  {
    const v = await valid('Hostile.Truncated.Tail');
    add(asMultipart('truncated zip (end record cut)', 'Hostile.Truncated.Tail', v.subarray(0, v.length - 10)));
  }
  {
    const v = await valid('Hostile.No.Directory');
    add(asMultipart('zip without its central directory', 'Hostile.No.Directory', v.subarray(0, centralDirectoryOffset(v))));
  }
  {
    const v = await valid('Hostile.Bad.Directory');
    add(asMultipart('corrupted central directory signature', 'Hostile.Bad.Directory', patched(v, (b) => b.writeUInt32LE(0xdeadbeef, centralDirectoryOffset(b)))));
  }
  {
    const v = await valid('Hostile.Bad.Offset');
    add(asMultipart('central directory offset past the end of the file', 'Hostile.Bad.Offset', patched(v, (b) => b.writeUInt32LE(b.length + 1000, eocdOffset(b) + 16))));
  }
  add(
    asMultipart(
      'nuspec whose CRC-32 does not match its data',
      'Hostile.Bad.Crc',
      await makeNupkg({ nuspec: null, entries: [{ name: 'Hostile.Bad.Crc.nuspec', data: nuspecXml({ id: 'Hostile.Bad.Crc', version: '1.0.0' }), declaredCrc32: 0x12345678 }] }),
    ),
  );
  add(
    asMultipart(
      'nuspec whose declared size is smaller than its data',
      'Hostile.Lying.Size',
      await makeNupkg({ nuspec: null, entries: [{ name: 'Hostile.Lying.Size.nuspec', data: nuspecXml({ id: 'Hostile.Lying.Size', version: '1.0.0' }), declaredUncompressedSize: 20 }] }),
    ),
  );
  add(asMultipart('nuspec stored with an unsupported compression method', 'Hostile.Bzip', setFirstCompressionMethod(await withNuspec({ id: 'Hostile.Bzip' }), 12)));
  add(asMultipart('nuspec flagged as encrypted', 'Hostile.Encrypted', setFirstFlags(await withNuspec({ id: 'Hostile.Encrypted' }), 1)));

  // -- zip64 -------------------------------------------------------------------------------------------
  {
    const z = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Hostile.Zip64.Locator', version: '1.0.0' }) });
    add(asMultipart('zip64 locator pointing past the end of the file', 'Hostile.Zip64.Locator', patched(z, (b) => b.writeBigUInt64LE(BigInt(b.length + 4096), eocdOffset(b) - 20 + 8))));
  }
  {
    const z = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Hostile.Zip64.Record', version: '1.0.0' }) });
    add(asMultipart('zip64 end record with a broken signature', 'Hostile.Zip64.Record', patched(z, (b) => b.writeUInt32LE(0x01020304, zip64EocdOffset(b)))));
  }
  {
    const z = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Hostile.Zip64.Count', version: '1.0.0' }) });
    add(asMultipart('zip64 end record claiming 2^40 entries', 'Hostile.Zip64.Count', patched(z, (b) => {
      const r = zip64EocdOffset(b);
      b.writeBigUInt64LE(1n << 40n, r + 24);
      b.writeBigUInt64LE(1n << 40n, r + 32);
    })));
  }
  {
    const z = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Hostile.Zip64.Size', version: '1.0.0' }) });
    add(asMultipart('zip64 extra field claiming a 1 PiB entry', 'Hostile.Zip64.Size', patched(z, (b) => b.writeBigUInt64LE(1n << 50n, firstZip64Extra(b)))));
  }
  {
    const z = await zip64Nupkg({ nuspec: nuspecXml({ id: 'Hostile.Zip64.Offset', version: '1.0.0' }) });
    add(asMultipart('zip64 extra field with a local header offset past the end', 'Hostile.Zip64.Offset', patched(z, (b) => b.writeBigUInt64LE(BigInt(b.length) * 4n, firstZip64Extra(b) + 16))));
  }

  // -- zip bombs -----------------------------------------------------------------------------------------
  add(
    asMultipart(
      'zip bomb: 64 MiB of zeros deflated to a few KiB',
      'Hostile.Bomb.Ratio',
      await makeNupkg({ nuspec: nuspecXml({ id: 'Hostile.Bomb.Ratio', version: '1.0.0' }), entries: [{ name: 'lib/net8.0/bomb.bin', data: Buffer.alloc(64 * 1024 * 1024) }] }),
    ),
  );
  add(
    asMultipart(
      'zip bomb: overlapping entries sharing one local header',
      'Hostile.Bomb.Overlap',
      await makeNupkg({
        nuspec: nuspecXml({ id: 'Hostile.Bomb.Overlap', version: '1.0.0' }),
        entries: [{ name: 'lib/a.bin', data: Buffer.alloc(200_000) }, ...Array.from({ length: 20 }, (_, i) => ({ name: `lib/b${i}.bin`, data: 'x', pointAtEntry: 1 }))],
      }),
    ),
  );
  add(
    asMultipart(
      'zip bomb: an entry declaring 4 GiB uncompressed',
      'Hostile.Bomb.Declared',
      await makeNupkg({ nuspec: nuspecXml({ id: 'Hostile.Bomb.Declared', version: '1.0.0' }), entries: [{ name: 'lib/big.bin', data: 'tiny', declaredUncompressedSize: 0xfffffff0 }] }),
    ),
  );
  add(
    asMultipart(
      'nuspec that inflates to 8 MiB',
      'Hostile.Bomb.Nuspec',
      await rawNuspec(meta(`<id>Hostile.Bomb.Nuspec</id><version>1.0.0</version><authors>a</authors><description>d</description><!--${' '.repeat(8 * 1024 * 1024)}-->`)),
    ),
  );

  // -- unsafe entry names --------------------------------------------------------------------------------
  const unsafeNames: [string, string][] = [
    ['../evil.ps1', 'entry name starting with ..'],
    ['lib/../../evil.ps1', 'entry name with .. in the middle'],
    ['/etc/cron.d/evil', 'absolute entry name'],
    ['C:/Windows/System32/evil.dll', 'entry name with a drive letter'],
    ['..\\..\\evil.ps1', 'entry name climbing with backslashes'],
    ['\\Windows\\evil.dll', 'entry name rooted with a backslash'],
    ['lib\\..\\..\\evil.dll', 'entry name with a backslashed .. segment'],
    ['C:\\evil.dll', 'entry name with a backslashed drive letter'],
    ['%2e%2e/evil.ps1', 'percent-encoded .. segment'],
    ['lib/%2e%2e%2f%2e%2e%2fevil.ps1', 'percent-encoded ../.. inside one segment'],
    ['lib/a.dll:hidden', 'Windows alternate data stream'],
    ['lib/a\u0000.dll', 'NUL in an entry name'],
    ['.../evil.ps1', 'trailing-dot segment Windows reads as ..'],
  ];
  let n = 0;
  for (const [name, what] of unsafeNames) {
    const id = `Hostile.Name${++n}`;
    add(asMultipart(what, id, await makeNupkg({ nuspec: nuspecXml({ id, version: '1.0.0' }), entries: [{ name, data: 'Write-Host pwned' }] })));
  }

  // -- nuspec entries ----------------------------------------------------------------------------------
  {
    const spec = nuspecXml({ id: 'Hostile.Dup.Nuspec', version: '1.0.0' });
    add(asMultipart('two root .nuspec entries with the same name', 'Hostile.Dup.Nuspec', await makeNupkg({ nuspec: null, entries: [{ name: 'Hostile.Dup.Nuspec.nuspec', data: spec }, { name: 'Hostile.Dup.Nuspec.nuspec', data: spec.replace('1.0.0', '2.0.0') }] })));
    add(asMultipart('two different root .nuspec entries', 'Hostile.Two.Nuspecs', await makeNupkg({ nuspec: null, entries: [{ name: 'a.nuspec', data: nuspecXml({ id: 'Hostile.Two.Nuspecs', version: '1.0.0' }) }, { name: 'B.NUSPEC', data: nuspecXml({ id: 'Hostile.Two.Nuspecs.B', version: '1.0.0' }) }] })));
    add(asMultipart('no .nuspec at the root (only in a folder)', 'Hostile.Nested.Nuspec', await makeNupkg({ nuspec: null, entries: [{ name: 'content/x.nuspec', data: nuspecXml({ id: 'Hostile.Nested.Nuspec', version: '1.0.0' }) }] })));
    add(asMultipart('backslashed name that reads as a second root .nuspec', 'Hostile.Backslash.Nuspec', await makeNupkg({ nuspec: nuspecXml({ id: 'Hostile.Backslash.Nuspec', version: '1.0.0' }), entries: [{ name: 'sub\\evil.nuspec', data: nuspecXml({ id: 'Evil', version: '6.6.6' }) }] })));
  }

  // -- hostile XML -------------------------------------------------------------------------------------
  {
    const laughs =
      '<?xml version="1.0"?>\n<!DOCTYPE package [\n<!ENTITY a "aaaaaaaaaa">\n' +
      ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((e, i) => `<!ENTITY ${e} "${`&${'abcdefgh'[i]};`.repeat(10)}">`).join('\n') +
      '\n]>\n';
    add(asMultipart('nuspec with a DTD and billion-laughs entity expansion', 'Hostile.Laughs', await rawNuspec(meta('<id>Hostile.Laughs</id><version>1.0.0</version><authors>&i;</authors><description>d</description>', laughs))));
    add(
      asMultipart(
        'nuspec with an external entity (XXE)',
        'Hostile.Xxe',
        await rawNuspec(meta('<id>Hostile.Xxe</id><version>1.0.0</version><authors>a</authors><description>&xxe;</description>', '<?xml version="1.0"?>\n<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
      ),
    );
    add(asMultipart('nuspec with an external DTD', 'Hostile.Ext.Dtd', await rawNuspec(meta('<id>Hostile.Ext.Dtd</id><version>1.0.0</version><authors>a</authors><description>d</description>', '<?xml version="1.0"?>\n<!DOCTYPE package SYSTEM "http://127.0.0.1:1/evil.dtd">\n'))));
    add(asMultipart('nuspec nested 50,000 elements deep', 'Hostile.Deep', await rawNuspec(meta(`<id>Hostile.Deep</id><version>1.0.0</version><authors>a</authors><description>d</description><x>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</x>`))));
    add(asMultipart('nuspec that is not well-formed', 'Hostile.Unclosed', await rawNuspec('<?xml version="1.0"?><package><metadata><id>Hostile.Unclosed</id><version>1.0.0</version><authors>a</authors><description>d</description></package>')));
    add(asMultipart('nuspec with text before the XML declaration', 'Hostile.Prefix', await rawNuspec(`garbage${meta('<id>Hostile.Prefix</id><version>1.0.0</version><authors>a</authors><description>d</description>')}`)));
    add(asMultipart('nuspec whose root is not <package>', 'Hostile.Root', await rawNuspec('<?xml version="1.0"?><project><metadata><id>Hostile.Root</id><version>1.0.0</version><authors>a</authors><description>d</description></metadata></project>')));
    add(asMultipart('nuspec with an undefined entity', 'Hostile.Undefined.Entity', await rawNuspec(meta('<id>Hostile.Undefined.Entity</id><version>1.0.0</version><authors>&nope;</authors><description>d</description>'))));
  }

  // -- non-UTF-8 nuspecs -----------------------------------------------------------------------------
  {
    const latin1 = Buffer.from(meta('<id>Hostile.Latin1</id><version>1.0.0</version><authors>Ren\u00e9</authors><description>caf\u00e9</description>'), 'latin1');
    add(asMultipart('Latin-1 bytes in a nuspec declared UTF-8', 'Hostile.Latin1', await rawNuspec(latin1)));
    const utf16 = Buffer.from(meta('<id>Hostile.Utf16</id><version>1.0.0</version><authors>a</authors><description>d</description>', '<?xml version="1.0" encoding="utf-16"?>'), 'utf16le');
    add(asMultipart('UTF-16 nuspec without a byte order mark', 'Hostile.Utf16', await rawNuspec(utf16)));
    const overlong = Buffer.concat([Buffer.from(meta('<id>Hostile.Overlong</id><version>1.0.0</version><authors>a</authors><description>x').replace('</metadata></package>', '')), Buffer.from([0xc0, 0xaf]), Buffer.from('</description></metadata></package>')]);
    add(asMultipart('overlong UTF-8 sequence in a nuspec', 'Hostile.Overlong', await rawNuspec(overlong)));
    add(asMultipart('nuspec in an unsupported encoding', 'Hostile.Ebcdic', await rawNuspec(meta('<id>Hostile.Ebcdic</id><version>1.0.0</version><authors>a</authors><description>d</description>', '<?xml version="1.0" encoding="ebcdic-cp-us"?>'))));
  }

  // -- missing required metadata ---------------------------------------------------------------------
  add(asMultipart('nuspec without <id>', null, await withNuspec({ id: null })));
  add(asMultipart('nuspec without <version>', 'Hostile.No.Version', await withNuspec({ id: 'Hostile.No.Version', version: null })));
  add(asMultipart('nuspec without <description>', 'Hostile.No.Description', await withNuspec({ id: 'Hostile.No.Description', description: null })));
  add(asMultipart('nuspec without <authors>', 'Hostile.No.Authors', await withNuspec({ id: 'Hostile.No.Authors', authors: null })));
  add(asMultipart('nuspec with a blank description', 'Hostile.Blank.Description', await withNuspec({ id: 'Hostile.Blank.Description', description: '   ' })));

  // -- invalid ids -------------------------------------------------------------------------------------
  const badIds: [string, string][] = [
    ['Hostile Package', 'id with a space'],
    [`Hostile.${'A'.repeat(93)}`, 'id of 101 characters'],
    ['Hostile\u200bZero.Width', 'id with a zero-width space'],
    ['Hostile.\u202eexe.txt', 'id with a right-to-left override'],
    ['\ufeffHostile.Bom', 'id starting with a byte order mark'],
    ['Hostile\u00a0Nbsp', 'id with a no-break space'],
    ['Hostile\u3000Ideographic', 'id with an ideographic space'],
    ['Hostile..Double.Dot', 'id with a doubled dot'],
    ['../Hostile', 'id climbing a folder'],
    ['Hostile/Slash', 'id with a slash'],
    ['Hostile.Trailing.', 'id ending with a dot'],
  ];
  for (const [id, what] of badIds) add(asMultipart(what, null, await withNuspec({ id })));

  // -- invalid versions --------------------------------------------------------------------------------
  const badVersions: [string, string][] = [
    ['1.2.3.4.5', 'version with five parts'],
    ['01.beta', 'version 01.beta'],
    ['', 'empty version'],
    ['1.0.0-', 'version with an empty prerelease label'],
    ['1.0.0-beta..1', 'version with an empty prerelease identifier'],
    ['1.0.0+', 'version with empty build metadata'],
    ['v1.0.0', 'version with a v prefix'],
    ['99999999999.0.0', 'version part over 2^31'],
    ['1.0.0-be_ta', 'prerelease label with an underscore'],
  ];
  n = 0;
  for (const [version, what] of badVersions) {
    const id = `Hostile.Version${++n}`;
    add(asMultipart(what, id, await withNuspec({ id, version })));
  }

  // -- oversized metadata, bad dependencies --------------------------------------------------------------
  add(
    asMultipart(
      '10,000 dependencies',
      'Hostile.Many.Deps',
      await withNuspec({ id: 'Hostile.Many.Deps', dependencies: Array.from({ length: 10_000 }, (_, i) => ({ id: `Dep.N${i}`, version: '1.0.0' })) }),
    ),
  );
  add(asMultipart('1 MiB description', 'Hostile.Huge.Description', await withNuspec({ id: 'Hostile.Huge.Description', description: 'd'.repeat(1024 * 1024) })));
  add(asMultipart('title of 10,000 characters', 'Hostile.Long.Title', await withNuspec({ id: 'Hostile.Long.Title', title: 't'.repeat(10_000) })));
  const badRanges: [string, string][] = [
    ['[1.0', 'unclosed version range'],
    ['(1.0)', 'exclusive single-version range'],
    ['[2.0, 1.0]', 'range with min above max'],
    ['not-a-version', 'range that is not a version'],
    ['[1.0,,2.0]', 'range with three parts'],
    ['1.*', 'floating range in a nuspec'],
  ];
  n = 0;
  for (const [range, what] of badRanges) {
    const id = `Hostile.Range${++n}`;
    add(asMultipart(what, id, await withNuspec({ id, dependencies: [{ id: 'Some.Dependency', version: range }] })));
  }
  add(asMultipart('dependency with an empty id', 'Hostile.Dep.Empty', await withNuspec({ id: 'Hostile.Dep.Empty', dependencies: [{ id: '', version: '1.0' }] })));
  add(asMultipart('dependency id with spaces', 'Hostile.Dep.Space', await withNuspec({ id: 'Hostile.Dep.Space', dependencies: [{ id: 'Bad Dep', version: '1.0' }] })));
  add(asMultipart('invalid minClientVersion', 'Hostile.Min.Client', await withNuspec({ id: 'Hostile.Min.Client', metadataAttributes: { minClientVersion: 'banana' } })));
  add(asMultipart('readme that is not Markdown', 'Hostile.Exe.Readme', await withNuspec({ id: 'Hostile.Exe.Readme', readme: 'README.exe' }, { entries: [{ name: 'README.exe', data: 'MZ' }] })));
  add(asMultipart('icon that is not an image', 'Hostile.Fake.Icon', await withNuspec({ id: 'Hostile.Fake.Icon', icon: 'icon.png' }, { entries: [{ name: 'icon.png', data: '<script>alert(1)</script>' }] })));

  // -- HTTP bodies -------------------------------------------------------------------------------------
  const good = await valid('Hostile.Transport');
  add({ name: 'empty raw body', id: null, body: Buffer.alloc(0), headers: { 'Content-Type': 'application/octet-stream' } });
  add({ name: 'no body and no content type', id: null, body: null, headers: {} });
  add({ name: 'multipart with no part', id: null, body: Buffer.from(`--${BOUNDARY}--\r\n`), headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } });
  add({
    name: 'multipart with only a text field',
    id: null,
    body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`),
    headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  add({ name: 'multipart with an empty file part', id: null, ...(() => { const m = multipartBody(Buffer.alloc(0)); return { body: m.body, headers: { 'Content-Type': m.contentType } }; })() });
  add({ name: 'multipart with an empty boundary', id: 'Hostile.Transport', body: multipartBody(good).body, headers: { 'Content-Type': 'multipart/form-data; boundary=""' } });
  add({ name: 'multipart with a boundary that is not in the body', id: 'Hostile.Transport', body: multipartBody(good).body, headers: { 'Content-Type': `multipart/form-data; boundary=${'z'.repeat(70)}` } });
  add({ name: 'gzip-encoded body', id: 'Hostile.Transport', body: gzipSync(good), headers: { 'Content-Type': 'application/octet-stream', 'Content-Encoding': 'gzip' } });
  add({ name: 'multipart without a boundary parameter', id: 'Hostile.Transport', body: multipartBody(good).body, headers: { 'Content-Type': 'multipart/form-data' } });
  add({ name: 'multipart cut before its closing boundary', id: 'Hostile.Transport', body: multipartBody(good).body.subarray(0, 200 + (good.length >> 1)), headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } });
  add({ name: 'text/plain content type', id: 'Hostile.Transport', body: good, headers: { 'Content-Type': 'text/plain' }, status: 415 });
  add({ name: 'application/json content type', id: 'Hostile.Transport', body: Buffer.from('{"id":"x"}'), headers: { 'Content-Type': 'application/json' }, status: 415 });
  const big = Buffer.concat([good, Buffer.alloc(2 * maxBytes, 0x5a)]);
  add({ name: 'raw body over the limit, chunked (no Content-Length)', id: 'Hostile.Transport', body: big, headers: { 'Content-Type': 'application/octet-stream' }, chunked: true, status: 413 });
  add({ name: 'multipart body over the limit, chunked', id: null, body: multipartBody(big).body, headers: { 'Content-Type': multipartBody(Buffer.alloc(0)).contentType }, chunked: true, status: 413 });
  add({ name: 'raw body over the limit with Content-Length', id: 'Hostile.Transport', body: big, headers: { 'Content-Type': 'application/octet-stream' }, status: 413 });
  add({ ...asMultipart('push without an API key', 'Hostile.Transport', good), noApiKey: true, status: 401 });
  add({ ...asMultipart('push with a wrong API key', 'Hostile.Transport', good), apiKey: 'not-the-key', status: 403 });

  return Promise.all(cases);
}

/** A request target crafted against a route. */
export interface HostileRoute {
  name: string;
  method: 'GET' | 'DELETE' | 'POST' | 'HEAD';
  /** the request target exactly as sent (not normalized) */
  path: string;
  /** send the API key (write routes) */
  withKey?: boolean;
}

/**
 * Path traversal and oversized targets on every id/version route. `id`/`version` name a package that
 * exists, so that a route whose other parameter is hostile really reaches its handler.
 */
export function hostileRoutes(id: string, version: string): HostileRoute[] {
  const lid = id.toLowerCase();
  const payloads: [string, string][] = [
    ['..%2f..%2f..%2fdb%2fPG_VERSION', 'encoded ../'],
    ['%2e%2e', 'encoded ..'],
    ['..%5c..%5cdb', 'encoded ..\\'],
    [`${lid}%00`, 'encoded NUL'],
    ['%c0%ae%c0%ae', 'overlong UTF-8 ..'],
  ];
  const templates: [HostileRoute['method'], string, boolean][] = [
    ['GET', '/v3/flatcontainer/{x}/index.json', false],
    ['GET', `/v3/flatcontainer/${lid}/{x}/${lid}.{x}.nupkg`, false],
    ['GET', `/v3/flatcontainer/${lid}/${version}/{x}`, false],
    ['GET', `/v3/flatcontainer/{x}/${version}/{x}.${version}.nupkg`, false],
    ['HEAD', `/v3/flatcontainer/${lid}/{x}/${lid}.nuspec`, false],
    ['GET', '/v3/registration/{x}/index.json', false],
    ['GET', `/v3/registration/${lid}/{x}.json`, false],
    ['GET', `/v3/registration/${lid}/page/{x}/{x}.json`, false],
    ['GET', '/v3/catalog/data/{x}/{x}.json', false],
    ['GET', `/v3/catalog/data/${lid}/{x}.json`, false],
    ['GET', '/v3/dependencies/{x}/index.json', false],
    ['GET', `/v3/dependencies/${lid}/page/{x}/{x}.json`, false],
    ['GET', '/packages/{x}', false],
    ['GET', `/packages/${lid}/{x}`, false],
    ['DELETE', `/api/v2/package/{x}/${version}`, true],
    ['DELETE', `/api/v2/package/${lid}/{x}`, true],
    ['POST', `/api/v2/package/{x}/${version}`, true],
  ];
  const routes: HostileRoute[] = [];
  for (const [method, template, withKey] of templates) {
    for (const [payload, what] of payloads) {
      routes.push({ name: `${method} ${template} with ${what}`, method, path: template.replaceAll('{x}', payload), withKey });
    }
  }
  routes.push(
    { name: 'unnormalized ../ out of the flat container', method: 'GET', path: `/v3/flatcontainer/${lid}/${version}/../../../../db/PG_VERSION` },
    { name: 'unnormalized ../ out of the registration', method: 'GET', path: '/v3/registration/../../etc/passwd' },
    { name: 'invalid percent-encoding in an id', method: 'GET', path: '/v3/registration/%E0%A4%A/index.json' },
    { name: 'id of 10,000 characters', method: 'GET', path: `/v3/registration/${'a'.repeat(10_000)}/index.json` },
    { name: 'request target of 64 KiB', method: 'GET', path: `/v3/flatcontainer/${'a'.repeat(64 * 1024)}/index.json` },
    { name: 'query string of 64 KiB', method: 'GET', path: `/v3/search?q=${'q'.repeat(64 * 1024)}` },
    { name: 'search skip that is not a number', method: 'GET', path: '/v3/search?skip=1e999' },
    { name: 'search take with a NUL', method: 'GET', path: '/v3/search?take=1%00' },
  );
  for (const query of ['q=%00', 'q=id:%00', 'q=tags:%00&prerelease=true', 'q=version:%00', 'packageType=%00']) {
    routes.push({ name: `search ${query}`, method: 'GET', path: `/v3/search?${query}` });
  }
  for (const query of ['q=%00', 'packageType=%00', 'id=%00']) {
    routes.push({ name: `autocomplete ${query}`, method: 'GET', path: `/v3/autocomplete?${query}` });
  }
  return routes;
}

/**
 * Search and autocomplete queries that are odd but harmless: a gallery answers them 200 with JSON,
 * never 5xx. Targets are sent as they are.
 */
export function oddQueries(): string[] {
  return [
    `/v3/search?q=${'x'.repeat(12_000)}`,
    '/v3/search?q=%25%5f%5c',
    `/v3/search?q=${'%F0%9F%98%80'.repeat(1000)}`,
    '/v3/search?q=%ED%A0%80',
    `/v3/search?q=${'a%20'.repeat(3000)}`,
    `/v3/search?q=owner:${'x'.repeat(5000)}`,
    "/v3/search?q=%27%3B%20drop%20table%20package_versions%3B--",
    '/v3/search?q=id:%22unterminated',
    '/v3/search?semVerLevel=banana&prerelease=maybe',
    `/v3/search?${Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join('&')}`,
    '/v3/autocomplete?q=%25%25%25',
    `/v3/autocomplete?id=${'a'.repeat(5000)}`,
  ];
}

/**
 * Sends one request over a fresh connection (no pooling, no normalization of `path`).
 *
 * @param opts.chunked  send the body with Transfer-Encoding: chunked
 * @returns the answer, or `{ status: 0, text: error message }` when the connection failed
 */
export function sendRaw(
  baseUrl: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | null; chunked?: boolean },
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { Connection: 'close', ...opts.headers };
    if (opts.body && !opts.chunked) headers['Content-Length'] = opts.body.length;
    if (opts.body && opts.chunked) headers['Transfer-Encoding'] = 'chunked';
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = httpRequest({ host: u.hostname, port: u.port, method: opts.method, path: opts.path, headers, agent: false, insecureHTTPParser: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') || err.message }));
    });
    req.on('error', (err) => done({ status: 0, headers: {}, text: err.message }));
    if (opts.body && opts.chunked) {
      // several chunks, so that the server sees a stream and not one buffer
      const size = 64 * 1024;
      let offset = 0;
      const writeMore = () => {
        while (offset < opts.body!.length) {
          const chunk = opts.body!.subarray(offset, offset + size);
          offset += size;
          if (!req.write(chunk)) {
            req.once('drain', writeMore);
            return;
          }
        }
        req.end();
      };
      writeMore();
    } else {
      req.end(opts.body ?? undefined);
    }
  });
}

/**
 * Files under `dir` that this process holds open (Linux `/proc/self/fd`), deleted ones included: an
 * upload's temp file that was removed while its descriptor leaked still holds its disk space.
 */
export async function openFilesUnder(dir: string): Promise<string[]> {
  const { readdir, readlink } = await import('node:fs/promises');
  const open: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(dir)) open.push(target);
  }
  return open;
}

/**
 * Writes raw bytes on a fresh TCP connection and returns what the server answered before closing
 * (status 0 when it answered nothing). For request framing `node:http` would refuse to produce.
 */
export function sendBytes(baseUrl: string, bytes: Buffer, waitMs = 5000): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, headers: parseHeaderBlock(split < 0 ? text : text.slice(0, split)), text: split < 0 ? '' : text.slice(split + 4) });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('error', finish);
  });
}

function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/**
 * Starts an upload of `body` (Content-Length declared in full, or chunked), sends `sendBytes` bytes of
 * it, waits `lingerMs` (default 150), then destroys the socket: a client that disconnects mid-upload.
 * Resolves once the socket is closed.
 */
export function abandonUpload(
  baseUrl: string,
  opts: { headers: Record<string, string>; body: Buffer; sendBytes: number; chunked?: boolean; lingerMs?: number },
): Promise<void> {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      const lines = [`PUT /api/v2/package/ HTTP/1.1`, `Host: ${u.host}`];
      for (const [k, v] of Object.entries(opts.headers)) lines.push(`${k}: ${v}`);
      lines.push(opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.body.length}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      const part = opts.body.subarray(0, opts.sendBytes);
      if (opts.chunked) socket.write(`${part.length.toString(16)}\r\n`);
      socket.write(part, () => {
        // by default let the server start streaming to its temp file before the client vanishes
        setTimeout(() => socket.destroy(), opts.lingerMs ?? 150);
      });
    });
  });
}
