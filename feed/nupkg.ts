/**
 * Safe inspection of an uploaded `.nupkg` (protocol reference §2.1 push validation, §8.4 nuspec, §9 PowerShell
 * packages). Reads the zip's central directory and only the few entries the feed needs (the root `.nuspec`,
 * and the readme, icon, license file and root module manifest when present); never the whole archive.
 *
 * Archive rules, each refused with {@link InvalidPackageError}:
 * - not a zip, truncated, corrupted central directory or zip64 records, overlapping entries (the
 *   "overlapping files" zip bomb), an extracted entry whose size or CRC-32 does not match the directory;
 * - more than `maxEntries` entries, total declared uncompressed size over `maxTotalUncompressedBytes`, an entry
 *   over `compressionRatioMinBytes` whose declared compression ratio exceeds `maxCompressionRatio`;
 * - unsafe entry names: the one rule of feed/zip-entry.ts, shared with the client's installer (no empty
 *   names, control characters, absolute paths, `:`, `..` segments, nor characters, trailing dots or spaces
 *   or reserved device names Windows cannot hold; checked as stored and percent-decoded, because NuGet
 *   percent-decodes names; backslashes count as separators but are allowed, as real packages carry them);
 * - no `.nuspec` at the root, more than one, or a backslashed name that some NuGet builds would read as a
 *   second root `.nuspec`;
 * - a nuspec `<readme>`, `<icon>` or `<license type="file">` path that is not in the package (nuget.org's
 *   `PackageMetadataValidationService`: the path with `\` turned into `/`, a leading `./` and `/` removed,
 *   compared case-sensitively with the percent-decoded entry names; the first match wins, as in NuGet's
 *   `ZipArchiveExtensions.LookupEntry`), a readme that is not `.md`, an icon that is not a PNG or JPEG file
 *   (by extension and by content), a license file not `.txt`/`.md`/extensionless or not UTF-8 text, any of
 *   them over its size limit.
 */
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { InvalidPackageError } from './errors.ts';
import { DEFAULT_MAX_DEPENDENCIES, parseNuspec, type PackageManifest } from './nuspec.ts';
import { decodeText } from './text.ts';
import { unescapeEntryName, zipEntryNameProblem } from './zip-entry.ts';

/** The result of {@link inspectNupkg}. */
export interface NupkgInspection {
  manifest: PackageManifest;
  /** Name of the root `.nuspec` entry exactly as stored in the zip, e.g. "Newtonsoft.Json.nuspec". */
  nuspecEntryName: string;
  /** The `.nuspec` bytes as stored (the server serves them at the flat container nuspec route, §3). */
  nuspecBytes: Buffer;
  /** Bytes of the `<readme>` file, null when the nuspec names none. */
  readme: Buffer | null;
  /** Bytes of the `<icon>` file (PNG or JPEG), null when the nuspec names none. */
  icon: Buffer | null;
  /** Bytes of the `<license type="file">` file, null when there is none. */
  licenseFile: Buffer | null;
  /**
   * The root `<id>.psd1` module manifest (name matched case-insensitively, §9.1), decoded from UTF-8 (with or
   * without BOM), UTF-16 LE/BE with BOM, or, for BOM-less text that is not UTF-8, Windows-1252 (what Windows
   * PowerShell assumes). Null when there is none.
   */
  moduleManifest: { entryName: string; text: string } | null;
  /** Tag `PSModule` (any case) and a root `<id>.psd1` (§9.1, §9.2). */
  isPowerShellModule: boolean;
  /** Tag `PSScript` (any case) (§9.2). */
  isPowerShellScript: boolean;
  /** Every entry name as stored in the zip (directories included), in central-directory order. */
  entryNames: string[];
}

/** Bounds applied while inspecting; sizes in bytes. */
export interface InspectLimits {
  /** Most zip entries (directories included). */
  maxEntries: number;
  maxNuspecBytes: number;
  maxReadmeBytes: number;
  maxIconBytes: number;
  maxLicenseBytes: number;
  maxModuleManifestBytes: number;
  /** Largest declared uncompressed/compressed ratio for entries bigger than `compressionRatioMinBytes`. */
  maxCompressionRatio: number;
  /** Entries whose declared uncompressed size is at most this are exempt from the ratio check. */
  compressionRatioMinBytes: number;
  /** Sum of all entries' declared uncompressed sizes. */
  maxTotalUncompressedBytes: number;
  /** Most `<dependency>` elements across all dependency groups. */
  maxDependencies: number;
}

const MiB = 1024 * 1024;

/** Defaults of {@link InspectLimits}: readme, icon and license file limits are nuget.org's (1 MiB each). */
export const DEFAULT_INSPECT_LIMITS: Readonly<InspectLimits> = Object.freeze({
  maxEntries: 20_000,
  maxNuspecBytes: MiB,
  maxReadmeBytes: MiB,
  maxIconBytes: MiB,
  maxLicenseBytes: MiB,
  maxModuleManifestBytes: MiB,
  maxCompressionRatio: 200,
  compressionRatioMinBytes: MiB,
  maxTotalUncompressedBytes: 4 * 1024 * MiB,
  maxDependencies: DEFAULT_MAX_DEPENDENCIES,
});

/** Options of {@link inspectNupkg}: any subset of the limits, plus two policy switches. */
export interface InspectOptions extends Partial<InspectLimits> {
  /**
   * When true, a `<readme>`, `<icon>` or `<license type="file">` path that is missing from the package is
   * tolerated (the corresponding buffer is null) instead of refused. nuget.org refuses such packages; use
   * this only to import packages from feeds that did not check. Default false.
   */
  allowMissingReferencedFiles?: boolean;
  /**
   * Inspect a symbol package (`.snupkg`, §2.3): `description` and `authors` become optional and the nuspec
   * must declare the `SymbolsPackage` package type. Default false.
   */
  symbolPackage?: boolean;
}

/**
 * Inspects the `.nupkg` at `path` (or the package bytes themselves, already in memory) and returns its
 * validated manifest plus the few files the feed stores beside it. Reads the central directory and at
 * most five entries; each extracted entry is size-capped and CRC-checked. A file handle is closed
 * before the promise settles, on success and on every failure. Bytes in memory are inspected by the
 * same rules with the same messages, without any I/O, and their few entries are inflated at once
 * rather than streamed (each is at most its limit, 1 MiB by default).
 *
 * @param source   a local file (e.g. the temp file a large push was streamed to), or the package bytes
 * @param options  limits (defaults {@link DEFAULT_INSPECT_LIMITS}) and policy switches
 * @throws InvalidPackageError for anything the module docstring lists, and for every nuspec rule of
 *         {@link parseNuspec}; other errors (e.g. ENOENT opening `path`) are passed through unchanged
 */
export async function inspectNupkg(source: string | Buffer, options: InspectOptions = {}): Promise<NupkgInspection> {
  const limits: InspectLimits = { ...DEFAULT_INSPECT_LIMITS };
  for (const key of Object.keys(DEFAULT_INSPECT_LIMITS) as (keyof InspectLimits)[]) {
    const v = options[key];
    if (v !== undefined) limits[key] = v;
  }
  if (typeof source !== 'string') {
    const zipfile = await openZip(new BufferReader(source), source.length);
    try {
      return await inspectZip({ zipfile, bytes: source, size: source.length }, limits, options);
    } finally {
      zipfile.close();
    }
  }
  const fd = await new Promise<number>((resolve, reject) => fs.open(source, 'r', (err, n) => (err ? reject(err) : resolve(n))));
  const reader = new FdReader(fd);
  let zipfile: yauzl.ZipFile | null = null;
  try {
    const size = await new Promise<number>((resolve, reject) => fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
    zipfile = await openZip(reader, size);
    return await inspectZip({ zipfile, bytes: null, size }, limits, options);
  } finally {
    if (zipfile !== null) zipfile.close();
    await reader.dispose();
  }
}

/** The archive being inspected: yauzl's view of it, and its bytes when they are in memory. */
interface ZipSource {
  zipfile: yauzl.ZipFile;
  bytes: Buffer | null;
  /** size of the whole archive in bytes */
  size: number;
}

// ---------------------------------------------------------------------------------------------------
// File access

/**
 * A yauzl reader over one file descriptor: small reads (central directory records, local headers) are
 * served from a 64 KiB read-ahead block instead of one stream per read; entry data is streamed. `dispose`
 * waits for in-flight reads and streams, then closes the descriptor exactly once.
 */
class FdReader extends yauzl.RandomAccessReader {
  private readonly fd: number;
  private readonly streams = new Set<RangeStream>();
  private block: { start: number; bytes: Buffer } | null = null;
  private closing: Promise<void> | null = null;
  /** Direct `fs.read` calls in flight; the descriptor is closed only when none is. */
  private pendingReads = 0;
  private readonly readsDone = new EventEmitter();

  constructor(fd: number) {
    super();
    this.fd = fd;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const stream = new RangeStream(this.fd, start, end);
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const done = callback as unknown as (err: Error | null, bytesRead?: number) => void;
    if (this.closing !== null) return queueMicrotask(() => done(new Error('the package file is already closed')));
    const b = this.block;
    if (b !== null && position >= b.start && position + length <= b.start + b.bytes.length) {
      b.bytes.copy(buffer, offset, position - b.start, position - b.start + length);
      // Asynchronous on purpose: yauzl reads the next record from inside this callback.
      return queueMicrotask(() => done(null, length));
    }
    const blockLength = Math.max(length, 64 * 1024);
    const bytes = Buffer.allocUnsafe(blockLength);
    this.pendingReads++;
    fs.read(this.fd, bytes, 0, blockLength, position, (err, bytesRead) => {
      if (--this.pendingReads === 0) this.readsDone.emit('idle');
      if (err) return done(err);
      this.block = { start: position, bytes: bytes.subarray(0, bytesRead) };
      const n = Math.min(length, bytesRead);
      bytes.copy(buffer, offset, 0, n);
      done(null, n);
    });
  }

  override close(callback: (err: Error | null) => void): void {
    this.dispose().then(() => callback(null));
  }

  /** Closes the descriptor once every stream and read on it has finished; never rejects. */
  dispose(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(
        [...this.streams].map((s) => (s.closed ? null : new Promise<void>((resolve) => {
          s.once('close', resolve);
          s.destroy();
        }))),
      );
      if (this.pendingReads > 0) await new Promise<void>((resolve) => this.readsDone.once('idle', resolve));
      await new Promise<void>((resolve) => fs.close(this.fd, () => resolve()));
    })();
    return this.closing;
  }
}

/**
 * Bytes [start, end) of a shared descriptor. Unlike `fs.ReadStream`, destroying it never closes the
 * descriptor, and it emits 'close' only once no read is in flight.
 */
class RangeStream extends Readable {
  private position: number;
  private reading = false;
  private readonly ioDone = new EventEmitter();

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: 64 * 1024 });
    this.position = start;
  }

  override _read(size: number): void {
    if (this.position >= this.end) {
      this.push(null);
      return;
    }
    const length = Math.min(size, this.end - this.position, 256 * 1024);
    const chunk = Buffer.allocUnsafe(length);
    this.reading = true;
    fs.read(this.fd, chunk, 0, length, this.position, (err, bytesRead) => {
      this.reading = false;
      this.ioDone.emit('done');
      if (this.destroyed) return;
      if (err) return void this.destroy(err);
      if (bytesRead === 0) return void this.destroy(new Error('unexpected end of file'));
      this.position += bytesRead;
      this.push(chunk.subarray(0, bytesRead));
    });
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    if (this.reading) this.ioDone.once('done', () => callback(err));
    else callback(err);
  }
}

/**
 * A yauzl reader over bytes in memory: reads are copies (answered in a microtask, as yauzl reads the
 * next record from inside the callback), ranges are one-chunk streams of a view of the bytes.
 */
class BufferReader extends yauzl.RandomAccessReader {
  constructor(private readonly bytes: Buffer) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([this.bytes.subarray(start, end)], { objectMode: false });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const done = callback as unknown as (err: Error | null, bytesRead?: number) => void;
    const n = Math.max(0, Math.min(length, this.bytes.length - position));
    if (n > 0) this.bytes.copy(buffer, offset, position, position + n);
    queueMicrotask(() => done(null, n));
  }

  override close(callback: (err: Error | null) => void): void {
    queueMicrotask(() => callback(null));
  }
}

function openZip(reader: yauzl.RandomAccessReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: true },
      (err, zipfile) => {
        if (err) return reject(notAZip(err));
        // A late error (e.g. from closing) must never become an uncaught 'error' event.
        zipfile.on('error', () => {});
        resolve(zipfile);
      },
    );
  });
}

function notAZip(err: unknown): InvalidPackageError {
  const detail = err instanceof Error ? err.message : String(err);
  return new InvalidPackageError(`The package is not a valid zip archive (${detail}).`, { cause: err });
}

// ---------------------------------------------------------------------------------------------------
// Central directory

interface ListedEntry {
  entry: yauzl.Entry;
  /** Name as stored (decoded from CP437 or UTF-8). */
  name: string;
  /** Name percent-decoded the way NuGet's `ZipArchiveExtensions.UnescapePath` does. */
  path: string;
}

async function listEntries(zipfile: yauzl.ZipFile, fileSize: number, limits: InspectLimits): Promise<ListedEntry[]> {
  if (zipfile.entryCount > limits.maxEntries) {
    throw new InvalidPackageError(`The package has ${zipfile.entryCount} entries; the limit is ${limits.maxEntries}.`);
  }
  const listed: ListedEntry[] = [];
  let totalUncompressed = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      const path = unescapeEntryName(name);
      checkEntryName(name);
      totalUncompressed += entry.uncompressedSize;
      if (totalUncompressed > limits.maxTotalUncompressedBytes) {
        throw new InvalidPackageError(
          `The package's entries add up to more than ${limits.maxTotalUncompressedBytes} bytes uncompressed, which is over the limit.`,
        );
      }
      if (entry.uncompressedSize > limits.compressionRatioMinBytes) {
        const ratio = entry.compressedSize === 0 ? Infinity : entry.uncompressedSize / entry.compressedSize;
        if (ratio > limits.maxCompressionRatio) {
          throw new InvalidPackageError(
            `The package entry '${name}' claims a compression ratio of ${Number.isFinite(ratio) ? Math.round(ratio) : 'infinite'}:1 ` +
              `(the limit is ${limits.maxCompressionRatio}:1), which looks like a zip bomb.`,
          );
        }
      }
      listed.push({ entry, name, path });
    }
  } catch (err) {
    if (err instanceof InvalidPackageError) throw err;
    throw notAZip(err);
  }
  checkNoOverlap(listed, fileSize);
  return listed;
}

/**
 * Each entry's local header and data must lie inside the file and not overlap another entry's; several
 * directory records pointing at the same data is how "overlapping files" zip bombs multiply their size.
 * Lower bound per entry: 30-byte local header + name + compressed data.
 */
function checkNoOverlap(listed: ListedEntry[], fileSize: number): void {
  const spans = listed
    .map((l) => ({ name: l.name, start: l.entry.relativeOffsetOfLocalHeader, end: l.entry.relativeOffsetOfLocalHeader + 30 + l.entry.fileNameLength + l.entry.compressedSize }))
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.end > fileSize) {
      throw new InvalidPackageError(`The package is truncated or corrupted: entry '${s.name}' extends past the end of the file.`);
    }
    const next = spans[i + 1];
    if (next !== undefined && s.end > next.start) {
      throw new InvalidPackageError(`The package's zip entries '${s.name}' and '${next.name}' overlap, which is not allowed.`);
    }
  }
}

/** Refuses names that could escape an extraction folder or that Windows cannot hold (feed/zip-entry.ts). */
function checkEntryName(name: string): void {
  if (name.length === 0) throw new InvalidPackageError('The package contains an entry with an empty name.');
  const problem = zipEntryNameProblem(name);
  if (problem !== null) throw new InvalidPackageError(`The package entry ${JSON.stringify(name)} ${problem.reason}.`);
}

// ---------------------------------------------------------------------------------------------------
// Reading entries

/** Reads one entry fully, refusing declared or actual sizes over `maxBytes` and CRC-32 mismatches. */
async function readEntry(source: ZipSource, l: ListedEntry, maxBytes: number, what: string): Promise<Buffer> {
  const { entry, name } = l;
  if (entry.isEncrypted()) throw new InvalidPackageError(`The ${what} '${name}' is encrypted.`);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new InvalidPackageError(`The ${what} '${name}' uses unsupported compression method ${entry.compressionMethod}; use deflate.`);
  }
  if (entry.uncompressedSize > maxBytes) {
    throw new InvalidPackageError(`The ${what} '${name}' is ${entry.uncompressedSize} bytes; the limit is ${maxBytes} bytes.`);
  }
  const bytes = source.bytes !== null ? extractInMemory(source.bytes, source.size, l) : await extractStreamed(source.zipfile, l, maxBytes, what);
  if (zlib.crc32(bytes) !== entry.crc32) {
    throw new InvalidPackageError(`The package is corrupted: the CRC-32 of entry '${name}' does not match its data.`);
  }
  return bytes;
}

async function extractStreamed(zipfile: yauzl.ZipFile, l: ListedEntry, maxBytes: number, what: string): Promise<Buffer> {
  const { entry, name } = l;
  let stream: Readable;
  try {
    stream = await zipfile.openReadStreamPromise(entry);
  } catch (err) {
    throw corrupted(name, err);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw new InvalidPackageError(`The ${what} '${name}' is larger than the limit of ${maxBytes} bytes.`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof InvalidPackageError) throw err;
    throw corrupted(name, err);
  }
  return Buffer.concat(chunks, total);
}

/**
 * {@link extractStreamed} for an archive in memory, with yauzl's checks and messages (local header
 * signature and bounds, `validateEntrySizes`): a stored entry is copied, a deflated one inflated in one
 * call whose output may not exceed the declared size (which readEntry capped at the entry's limit).
 */
function extractInMemory(bytes: Buffer, size: number, l: ListedEntry): Buffer {
  const { entry, name } = l;
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > size) throw corrupted(name, new Error('unexpected EOF'));
  const signature = bytes.readUInt32LE(at);
  if (signature !== 0x04034b50) throw corrupted(name, new Error(`invalid local file header signature: 0x${signature.toString(16)}`));
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  if (start + entry.compressedSize > size) {
    throw corrupted(name, new Error(`file data overflows file bounds: ${start} + ${entry.compressedSize} > ${size}`));
  }
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (entry.compressionMethod === 0) return Buffer.from(data);
  const expected = entry.uncompressedSize;
  let out: Buffer;
  try {
    out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, expected) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw corrupted(name, new Error(`too many bytes in the stream. expected ${expected}. got more`));
    }
    throw corrupted(name, err);
  }
  if (out.length > expected) throw corrupted(name, new Error(`too many bytes in the stream. expected ${expected}. got at least ${out.length}`));
  if (out.length < expected) throw corrupted(name, new Error(`not enough bytes in the stream. expected ${expected}. got only ${out.length}`));
  return out;
}

function corrupted(name: string, err: unknown): InvalidPackageError {
  const detail = err instanceof Error ? err.message : String(err);
  return new InvalidPackageError(`The package is corrupted: entry '${name}' cannot be read (${detail}).`, { cause: err });
}

// ---------------------------------------------------------------------------------------------------
// Package rules

function isRootName(path: string): boolean {
  return !path.includes('/') && !path.includes('\\');
}

/** nuget.org's `FileNameHelper.GetZipEntryPath`: `\` → `/`, then a leading "./" and any leading '/' removed. */
function packagePathFromNuspec(p: string): string {
  let s = p.replace(/\\/g, '/');
  if (s.startsWith('./')) s = s.slice(2);
  return s.replace(/^\/+/, '');
}

function extensionOf(path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot < 0 ? '' : last.slice(dot).toLowerCase();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function looksLikeImage(bytes: Buffer): boolean {
  const isPng = bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE);
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return isPng || isJpeg;
}

async function inspectZip(source: ZipSource, limits: InspectLimits, options: InspectOptions): Promise<NupkgInspection> {
  const listed = await listEntries(source.zipfile, source.size, limits);

  // The manifest: exactly one root *.nuspec (NuGet matches percent-decoded names, extension in any case).
  const nuspecs = listed.filter((l) => !l.path.includes('/') && l.path.toLowerCase().endsWith('.nuspec'));
  const ambiguous = nuspecs.find((l) => l.path.includes('\\'));
  if (ambiguous !== undefined) {
    throw new InvalidPackageError(`The package entry '${ambiguous.name}' uses backslashes and could be read as a root .nuspec; rename it.`);
  }
  if (nuspecs.length === 0) throw new InvalidPackageError('The package has no .nuspec at the package root.');
  if (nuspecs.length > 1) {
    throw new InvalidPackageError(`The package has ${nuspecs.length} .nuspec files at the package root (${nuspecs.map((n) => n.name).join(', ')}); it must have exactly one.`);
  }
  const nuspecEntry = nuspecs[0]!;
  const nuspecBytes = await readEntry(source, nuspecEntry, limits.maxNuspecBytes, 'nuspec');
  const manifest = parseNuspec(nuspecBytes, { maxDependencies: limits.maxDependencies, symbolPackage: options.symbolPackage ?? false });

  const files = listed.filter((l) => !l.path.endsWith('/'));
  const find = (nuspecPath: string, what: string): ListedEntry | null => {
    const wanted = packagePathFromNuspec(nuspecPath);
    const hit = files.find((l) => l.path === wanted) ?? null;
    if (hit === null && !options.allowMissingReferencedFiles) {
      throw new InvalidPackageError(`The nuspec names the ${what} '${nuspecPath}', but the package has no such file.`);
    }
    return hit;
  };

  let readme: Buffer | null = null;
  if (manifest.readme !== null) {
    if (extensionOf(packagePathFromNuspec(manifest.readme)) !== '.md') {
      throw new InvalidPackageError(`The readme file '${manifest.readme}' must be a Markdown file with the .md extension.`);
    }
    const hit = find(manifest.readme, 'readme file');
    if (hit !== null) readme = await readEntry(source, hit, limits.maxReadmeBytes, 'readme file');
  }

  let icon: Buffer | null = null;
  if (manifest.icon !== null) {
    if (!['.png', '.jpg', '.jpeg'].includes(extensionOf(packagePathFromNuspec(manifest.icon)))) {
      throw new InvalidPackageError(`The icon file '${manifest.icon}' must be a PNG or JPEG image (.png, .jpg or .jpeg).`);
    }
    const hit = find(manifest.icon, 'icon file');
    if (hit !== null) {
      icon = await readEntry(source, hit, limits.maxIconBytes, 'icon file');
      if (!looksLikeImage(icon)) throw new InvalidPackageError(`The icon file '${manifest.icon}' is not a PNG or JPEG image.`);
    }
  }

  let licenseFile: Buffer | null = null;
  if (manifest.license?.type === 'file') {
    const path = manifest.license.value;
    if (!['', '.txt', '.md'].includes(extensionOf(packagePathFromNuspec(path)))) {
      throw new InvalidPackageError(`The license file '${path}' must be a .txt or .md file, or have no extension.`);
    }
    const hit = find(path, 'license file');
    if (hit !== null) {
      licenseFile = await readEntry(source, hit, limits.maxLicenseBytes, 'license file');
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(licenseFile);
      } catch {
        throw new InvalidPackageError(`The license file '${path}' is not UTF-8 text.`);
      }
    }
  }

  const psd1Name = `${manifest.id.toLowerCase()}.psd1`;
  const psd1 = files.find((l) => isRootName(l.path) && l.path.toLowerCase() === psd1Name) ?? null;
  const moduleManifest =
    psd1 === null
      ? null
      : { entryName: psd1.name, text: decodeText(await readEntry(source, psd1, limits.maxModuleManifestBytes, 'module manifest'), { notUtf8: 'windows-1252' }) };

  const tags = new Set(manifest.tags.map((t) => t.toLowerCase()));
  return {
    manifest,
    nuspecEntryName: nuspecEntry.name,
    nuspecBytes,
    readme,
    icon,
    licenseFile,
    moduleManifest,
    isPowerShellModule: tags.has('psmodule') && moduleManifest !== null,
    isPowerShellScript: tags.has('psscript'),
    entryNames: listed.map((l) => l.name),
  };
}
