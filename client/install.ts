/**
 * The installer: ModuleFast's `Install-ModuleFastHelper` (MODULEFAST.md §2e, §3 "Install layout") in
 * TypeScript. Downloads the planned packages in parallel (at most `throttle` at a time), extracts each
 * nupkg with yauzl straight into `<destination>/<Name>/<folderVersion>/` and checks the result.
 *
 * Per package:
 * 1. The first folder name comes from the feed's version: 4 parts when the served version has 4 numeric
 *    parts (`1.13.0.0`), else `major.minor.patch`; prerelease labels are never part of a folder name.
 * 2. An existing folder there is dealt with first: one holding `.incomplete` is a broken install (removed);
 *    one holding an older version of the same folder (e.g. `0.0.1-prerelease` when `0.0.1` is wanted) is
 *    overwritten with a warning; one holding a newer version fails the install
 *    ({@link InstalledVersionNewerError}); one holding the same version is left alone.
 * 3. `.incomplete` is written into the folder before extraction and removed last, so an interrupted
 *    install is recognised on the next run.
 * 4. Entries are extracted with zip-slip protection, by the feed's own entry-name rule (feed/zip-entry.ts:
 *    no absolute paths, drive letters, `..` segments, names Windows cannot hold, also after percent-decoding
 *    NuGet's escaped names); the NuGet packaging files `_rels/`, `package/`,
 *    `[Content_Types].xml` and the root `*.nuspec` are not written.
 * 5. The package must hold `<Name>.psd1` at its root; the folder is renamed to the manifest's
 *    `ModuleVersion` when that differs (a `.originalModuleVersion` file records the first name).
 * 6. When the plan entry carries a GUID, the manifest's GUID must match; otherwise the folder is removed.
 * Any failure removes the folder being installed, and the module folder when the install created it and it is
 * left empty.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import yauzl from 'yauzl';
import { readModuleManifest } from '../feed/psd1/index.ts';
import { NuGetVersion } from '../feed/version.ts';
import { zipEntryNameProblem, zipEntrySegments } from '../feed/zip-entry.ts';
import { FeedRequestError, type FeedClient } from './feed-client.ts';
import { INCOMPLETE_MARKER, VERSION_FOLDER_RE, findChildDir, findManifestName, readInstalledManifest, type ModuleInventory } from './installed.ts';
import type { PlanEntry } from './plan.ts';
import { normalizeGuid } from './spec.ts';

/** File written into a renamed version folder, holding the folder's first (feed) name. */
export const ORIGINAL_VERSION_FILE = '.originalModuleVersion';

/** Packages up to this size are held in memory; bigger ones are spooled to a temp file. */
export const MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Base class of installer errors; `code` is stable. */
export class InstallError extends Error {
  readonly code: string;
  /** The module the error is about. */
  readonly moduleName: string;
  constructor(code: string, moduleName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InstallError';
    this.code = code;
    this.moduleName = moduleName;
  }
}

/** A package entry would be written outside the module folder (zip slip), or the archive is unreadable. */
export class UnsafePackageError extends InstallError {
  constructor(moduleName: string, message: string, options?: { cause?: unknown }) {
    super('unsafe_package', moduleName, message, options);
    this.name = 'UnsafePackageError';
  }
}

/** The package has no `<Name>.psd1` at its root: not a PowerShell module. */
export class NotAModuleError extends InstallError {
  constructor(moduleName: string, message: string) {
    super('not_a_module', moduleName, message);
    this.name = 'NotAModuleError';
  }
}

/** The installed manifest's GUID differs from the one the specification asked for. */
export class GuidMismatchError extends InstallError {
  constructor(moduleName: string, expected: string, found: string | null, source: string) {
    super(
      'guid_mismatch',
      moduleName,
      `${moduleName}: the installed module's GUID does not match the specification. Expected ${expected} but found ${found ?? '(none)'} ` +
        `in the package from ${source}; the module folder was removed.`,
    );
    this.name = 'GuidMismatchError';
  }
}

/** A newer version already occupies the folder the requested (prerelease) version would use. */
export class InstalledVersionNewerError extends InstallError {
  constructor(moduleName: string, installed: string, requested: string, folder: string) {
    super(
      'installed_version_newer',
      moduleName,
      `${moduleName}: the installed version ${installed} at ${folder} is newer than the requested prerelease version ${requested}, ` +
        `and both use the same folder. Remove ${folder} first to install ${requested}.`,
    );
    this.name = 'InstalledVersionNewerError';
  }
}

/** Some packages failed; `failures` holds each error, `installed` the packages that did install. */
export class InstallFailedError extends Error {
  readonly code = 'install_failed';
  readonly failures: Error[];
  /** The packages installed (or found already present) before the run stopped, in plan order. */
  readonly installed: InstalledPackage[];
  constructor(failures: Error[], installed: InstalledPackage[] = []) {
    super(failures.length === 1 ? failures[0]!.message : `${failures.length} modules failed to install:\n${failures.map((f) => `  - ${f.message}`).join('\n')}`);
    this.name = 'InstallFailedError';
    this.failures = failures;
    this.installed = installed;
  }
}

/** One installed package. */
export interface InstalledPackage {
  name: string;
  version: NuGetVersion;
  /** The final version folder name (the manifest's ModuleVersion). */
  folderVersion: string;
  /** The version folder. */
  path: string;
  /** Where it was downloaded from. */
  packageContent: string;
  /** True when the same version was already there and nothing was written. */
  alreadyPresent: boolean;
}

/** Options of {@link installModules}. */
export interface InstallOptions {
  client: FeedClient;
  /** The module folder to install into (created when missing). */
  destination: string;
  /** Parallel downloads/extractions (default: logical CPUs). */
  throttle?: number;
  /** Inventory to refresh after installing (its cache of the module is dropped). */
  inventory?: ModuleInventory | null;
  onWarning?: (message: string) => void;
  onVerbose?: (message: string) => void;
  /** Called as packages complete. */
  onProgress?: (progress: { done: number; total: number; name: string }) => void;
}

/**
 * The first folder name for a package version (ModuleFast v0.6.1): the served version's numbers with 4
 * parts when it was written with 4 numeric parts, otherwise `major.minor.patch`; labels dropped.
 */
export function initialFolderVersion(feedVersion: string, version: NuGetVersion): string {
  const numeric = feedVersion.trim().split(/[-+]/, 1)[0]!;
  const parts = numeric.split('.');
  if (parts.length >= 4) return `${version.major}.${version.minor}.${version.patch}.${version.revision}`;
  return `${version.major}.${version.minor}.${version.patch}`;
}

/**
 * Installs every plan entry (see the module comment), at most `throttle` at a time. After the first
 * failure no new package is started; the ones running finish.
 *
 * @returns the installed packages in plan order
 * @throws InstallFailedError carrying every failure (InstallError subclasses, FeedRequestError, I/O errors)
 *         and the packages that did install
 */
export async function installModules(entries: readonly PlanEntry[], options: InstallOptions): Promise<InstalledPackage[]> {
  const destination = resolve(options.destination);
  await mkdir(destination, { recursive: true });
  const limit = pLimit(Math.max(1, options.throttle ?? availableParallelism()));
  const failures: Error[] = [];
  let done = 0;
  const results = await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        if (failures.length > 0) return null;
        try {
          const r = await installModule(entry, { ...options, destination });
          options.onProgress?.({ done: ++done, total: entries.length, name: entry.name });
          return r;
        } catch (err) {
          failures.push(err as Error);
          return null;
        }
      }),
    ),
  );
  if (failures.length > 0) throw new InstallFailedError(failures, results.filter((r): r is InstalledPackage => r !== null));
  return results as InstalledPackage[];
}

/**
 * Installs one plan entry into `options.destination` (see the module comment for the steps).
 * @throws UnsafePackageError, NotAModuleError, GuidMismatchError, InstalledVersionNewerError,
 *         FeedRequestError, I/O errors
 */
export async function installModule(entry: PlanEntry, options: InstallOptions): Promise<InstalledPackage> {
  const warn = options.onWarning ?? (() => {});
  const destination = resolve(options.destination);
  const moduleDir = (await findChildDir(destination, entry.name)) ?? join(destination, entry.name);
  const firstFolder = initialFolderVersion(entry.feedVersion, entry.version);
  let target = join(moduleDir, firstFolder);

  const existing = await inspectExisting(entry, target, warn);
  if (existing === 'same') {
    return { name: entry.name, version: entry.version, folderVersion: firstFolder, path: target, packageContent: entry.packageContent, alreadyPresent: true };
  }

  const createdModuleDir = !(await isDirectory(moduleDir));
  await mkdir(target, { recursive: true });
  await writeFile(join(target, INCOMPLETE_MARKER), `${entry.name} ${entry.version.toNormalizedString()} from ${entry.packageContent}\n`);
  try {
    await downloadAndExtract(entry, target, options.client);
    const files = await readdir(target);
    const manifestName = findManifestName(files, entry.name);
    if (!manifestName) {
      throw new NotAModuleError(
        entry.name,
        `${entry.name} ${entry.version}: the package from ${entry.packageContent} has no ${entry.name}.psd1 at its root, so it is not a PowerShell module.`,
      );
    }
    const manifest = readModuleManifest(await readFile(join(target, manifestName)));
    let folderVersion = firstFolder;
    const manifestVersion = manifest.moduleVersion?.trim() ?? null;
    if (manifestVersion && manifestVersion !== firstFolder && VERSION_FOLDER_RE.test(manifestVersion)) {
      const finalTarget = join(moduleDir, manifestVersion);
      const state = await inspectExisting(entry, finalTarget, warn);
      if (state === 'same') {
        await rm(target, { recursive: true, force: true });
        options.inventory?.forget(entry.name);
        return { name: entry.name, version: entry.version, folderVersion: manifestVersion, path: finalTarget, packageContent: entry.packageContent, alreadyPresent: true };
      }
      await rename(target, finalTarget);
      target = finalTarget;
      folderVersion = manifestVersion;
      await writeFile(join(target, ORIGINAL_VERSION_FILE), `${firstFolder}\n`);
      options.onVerbose?.(`${entry.name}: renamed the folder ${firstFolder} to the manifest's ModuleVersion ${manifestVersion}.`);
    }
    if (entry.guid !== null) {
      const found = manifest.guid ? (normalizeGuid(manifest.guid) ?? manifest.guid.trim().toLowerCase()) : null;
      if (found !== entry.guid) throw new GuidMismatchError(entry.name, entry.guid, found, entry.packageContent);
    }
    await rm(join(target, INCOMPLETE_MARKER), { force: true });
    options.inventory?.forget(entry.name);
    options.onVerbose?.(`${entry.name} ${entry.version}: installed to ${target}.`);
    return { name: entry.name, version: entry.version, folderVersion, path: target, packageContent: entry.packageContent, alreadyPresent: false };
  } catch (err) {
    await rm(target, { recursive: true, force: true }).catch(() => {});
    // the module folder too when this install created it and nothing else is in it (rmdir refuses otherwise)
    if (createdModuleDir) await rmdir(moduleDir).catch(() => {});
    options.inventory?.forget(entry.name);
    throw err;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/**
 * Clears the way for installing `entry` into `folder`: removes broken or older installs; reports 'same'
 * when that version is already there; 'free' otherwise.
 */
async function inspectExisting(entry: PlanEntry, folder: string, warn: (m: string) => void): Promise<'free' | 'same'> {
  let files: string[];
  try {
    if (!(await stat(folder)).isDirectory()) {
      await rm(folder, { force: true });
      return 'free';
    }
    files = await readdir(folder);
  } catch {
    return 'free';
  }
  if (files.includes(INCOMPLETE_MARKER)) {
    warn(`${entry.name}: incomplete installation detected at ${folder}; removing it and installing again.`);
    await rm(folder, { recursive: true, force: true });
    return 'free';
  }
  let installed: NuGetVersion | null = null;
  try {
    installed = (await readInstalledManifest(folder, entry.name, basename(folder)))?.version ?? null;
  } catch {
    installed = null;
  }
  if (installed === null) {
    warn(`${entry.name}: ${folder} exists but holds no readable ${entry.name}.psd1; replacing it.`);
    await rm(folder, { recursive: true, force: true });
    return 'free';
  }
  const c = installed.compareTo(entry.version);
  if (c === 0) return 'same';
  if (c > 0) throw new InstalledVersionNewerError(entry.name, installed.toNormalizedString(), entry.version.toNormalizedString(), folder);
  warn(`${entry.name}: ${entry.version} is newer than existing prerelease version ${installed} at ${folder}; overwriting it.`);
  await rm(folder, { recursive: true, force: true });
  return 'free';
}

/** Downloads the package (one more try when the body breaks off) and extracts it into `target`. */
async function downloadAndExtract(entry: PlanEntry, target: string, client: FeedClient): Promise<void> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    let received: ReceivedPackage;
    try {
      received = await receivePackage(client, entry.packageContent);
    } catch (err) {
      lastError = err;
      if (err instanceof FeedRequestError && err.status !== null) throw err; // status already retried
      continue;
    }
    try {
      await extractNupkg(received.source, target, entry.name);
      return;
    } finally {
      await received.cleanup();
    }
  }
  throw lastError instanceof Error
    ? new InstallError('download_failed', entry.name, `${entry.name} ${entry.version}: downloading ${entry.packageContent} failed: ${lastError.message}`, { cause: lastError })
    : new InstallError('download_failed', entry.name, `${entry.name} ${entry.version}: downloading ${entry.packageContent} failed.`);
}

interface ReceivedPackage {
  source: Buffer | string;
  cleanup: () => Promise<void>;
}

/** Reads the download into memory, or into a temp file when it is (or turns out) larger than {@link MEMORY_LIMIT_BYTES}. */
async function receivePackage(client: FeedClient, url: string): Promise<ReceivedPackage> {
  const download = await client.openPackage(url);
  const body = download.body;
  if (download.contentLength !== null && download.contentLength > MEMORY_LIMIT_BYTES) return spool(body, []);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer;
      chunks.push(b);
      size += b.length;
      if (size > MEMORY_LIMIT_BYTES) return spool(body, chunks);
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  return { source: Buffer.concat(chunks, size), cleanup: async () => {} };
}

async function spool(body: NodeJS.ReadableStream & { destroy(): void }, head: Buffer[]): Promise<ReceivedPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'galleon-nupkg-'));
  const file = join(dir, 'package.nupkg');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const out = createWriteStream(file);
    for (const b of head) out.write(b);
    await pipeline(body, out);
  } catch (err) {
    body.destroy();
    await cleanup();
    throw err;
  }
  return { source: file, cleanup };
}

const PACKAGING_ROOT_DIRS = new Set(['_rels', 'package']);

/**
 * Whether a (decoded, `/`-separated) entry name is NuGet packaging rather than module content:
 * `_rels/…`, `package/…`, `[Content_Types].xml` and `*.nuspec` at the root.
 */
export function isPackagingEntry(name: string): boolean {
  const parts = name.split('/');
  const first = parts[0]!.toLowerCase();
  if (parts.length > 1 && PACKAGING_ROOT_DIRS.has(first)) return true;
  if (parts.length === 1 && (first === '[content_types].xml' || first.endsWith('.nuspec'))) return true;
  return false;
}

/**
 * Resolves a zip entry name to a path inside `root`, refusing every name the feed's push inspection
 * refuses (feed/zip-entry.ts: absolute paths, drive letters and `:`, `..` segments, control characters,
 * and names Windows cannot hold such as `nul.txt` or `a.`), as stored and after percent-decoding (NuGet
 * escapes entry names, `My%20File.ps1`), so a package another feed accepted cannot escape the module
 * folder on Windows either.
 * @returns the absolute target path, or null for the root itself
 * @throws UnsafePackageError naming the entry and the problem
 */
export function safeEntryPath(root: string, entryName: string, moduleName = ''): string | null {
  const bad = (why: string) => new UnsafePackageError(moduleName, `${moduleName}: the package entry "${entryName}" ${why}; refusing to install it.`);
  const problem = zipEntryNameProblem(entryName);
  if (problem !== null) throw bad(problem.reason);
  const parts = zipEntrySegments(entryName);
  if (parts.length === 0) return null;
  const base = resolve(root);
  const target = resolve(base, ...parts);
  if (target !== base && !target.startsWith(base + sep)) throw bad('points outside the module folder');
  return target;
}

/**
 * Extracts a nupkg (bytes or a file path) into `root`, streaming each entry to disk, skipping NuGet
 * packaging files ({@link isPackagingEntry}) and refusing unsafe names ({@link safeEntryPath}).
 * @returns the relative names written
 * @throws UnsafePackageError for unsafe names or an archive yauzl cannot read
 */
export async function extractNupkg(source: Buffer | string, root: string, moduleName = ''): Promise<string[]> {
  const options = { decodeStrings: true, validateEntrySizes: true, strictFileNames: false, lazyEntries: true, autoClose: true };
  let zip: yauzl.ZipFile;
  try {
    zip = typeof source === 'string' ? await yauzl.openPromise(source, options) : await yauzl.fromBufferPromise(source, options);
  } catch (err) {
    throw new UnsafePackageError(moduleName, `${moduleName}: the package is not a readable zip archive (${(err as Error).message}).`, { cause: err });
  }
  const written: string[] = [];
  const madeDirs = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  };
  await ensureDir(resolve(root));
  try {
    for await (const entry of zip.eachEntry()) {
      const isDir = entry.fileName.endsWith('/') || entry.fileName.endsWith('\\');
      const target = safeEntryPath(root, entry.fileName, moduleName);
      if (target === null) continue;
      const rel = target.slice(resolve(root).length + 1).split(sep).join('/');
      if (isPackagingEntry(rel)) continue;
      if (isDir) {
        await ensureDir(target);
        continue;
      }
      await ensureDir(resolve(target, '..'));
      const stream = await zip.openReadStreamPromise(entry);
      await pipeline(stream, createWriteStream(target));
      written.push(rel);
    }
  } catch (err) {
    try {
      zip.close();
    } catch {
      // already closed
    }
    if (err instanceof InstallError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw err; // a file-system error, not the archive
    const msg = (err as Error).message ?? String(err);
    if (/absolute path|invalid relative path|invalid characters in fileName/i.test(msg)) {
      throw new UnsafePackageError(moduleName, `${moduleName}: the package has an unsafe entry name (${msg}); refusing to install it.`, { cause: err });
    }
    throw new UnsafePackageError(moduleName, `${moduleName}: the package archive is damaged (${msg}).`, { cause: err });
  }
  return written;
}
