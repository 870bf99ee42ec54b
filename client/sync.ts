/**
 * `galleon sync`: keeps a project-local module folder in line with a YAML list of module requirements,
 * the job of `Validate3rdPartyModules.ps1` (seed 002) done through the ModuleFast planner and installer.
 *
 * Spec file: a YAML list of entries
 * ```yaml
 * - Name: PSSQLite
 *   Version: 1.1.0            # one exact version, or a list of them
 *   VersionMIN: 1.0.0         # inclusive minimum
 *   VersionMAX: 2.0.0         # inclusive maximum
 *   Repository: PSGallery     # an http(s) service index URL is used as the source; any other name means --source
 * ```
 * A version folder is allowed when it equals one of `Version`, or lies within `VersionMIN`..`VersionMAX`
 * (either test passing is enough; an entry with neither allows every version). Versions compare as NuGet
 * versions, so `1.1` = `1.1.0` = `1.1.0.0`. Scalars are read as text (YAML's failsafe schema), so
 * `Version: 1.10` stays `1.10`. A folder's version is its name plus the prerelease label of the manifest
 * inside (`0.0.2` holding `Prerelease = 'preview'` is `0.0.2-preview`).
 *
 * One run: (1) every enabled version folder outside its entry's spec is renamed to `<version>.disabled`
 * (a locked folder is retried a few times) and every disabled one back inside the spec is renamed back;
 * (2) entries left without an allowed version are installed through the planner (the highest listed
 * `Version`, else the highest version within the bounds), looking only at this folder (destination-only),
 * dependencies included; (3) a version that step 2 installed as a dependency but that falls outside its
 * own entry's spec is disabled again, with a warning. Every change is reported, also when a package fails
 * to install (the run then stops after step 3 with that error).
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { VersionRange } from '../feed/range.ts';
import { NuGetVersion } from '../feed/version.ts';
import type { FeedClient } from './feed-client.ts';
import { InstallFailedError, installModules, type InstalledPackage } from './install.ts';
import { INCOMPLETE_MARKER, ModuleInventory, VERSION_FOLDER_RE, findChildDir, readInstalledManifest } from './installed.ts';
import { getModuleFastPlan } from './plan.ts';
import { ModuleFastSpec } from './spec.ts';

/** A sync spec file that cannot be read or has an invalid entry. */
export class SyncSpecError extends Error {
  readonly code = 'invalid_sync_spec';
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = 'SyncSpecError';
    this.path = path;
  }
}

/** A folder could not be renamed (after the retries). */
export class SyncRenameError extends Error {
  readonly code = 'rename_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncRenameError';
  }
}

/** One module entry of a sync spec. */
export interface SyncEntry {
  name: string;
  /** Exact versions allowed (`Version`), in file order. */
  versions: NuGetVersion[];
  /** Inclusive minimum (`VersionMIN`), or null. */
  min: NuGetVersion | null;
  /** Inclusive maximum (`VersionMAX`), or null. */
  max: NuGetVersion | null;
  /** `Repository` as written, or null. */
  repository: string | null;
}

/** One change made by {@link syncModules}. */
export interface SyncChange {
  action: 'disabled' | 'enabled' | 'installed';
  name: string;
  /** The version folder name (or the installed version). */
  version: string;
  /** The folder after the change. */
  path: string;
  /** Why, e.g. "outside the spec", "back in the spec", "missing", "dependency of X". */
  reason: string;
}

/** Options of {@link syncModules}. */
export interface SyncOptions {
  /** The project-local module folder (created when missing). */
  destination: string;
  /** Feed client for a source URL: `defaultSource` for entries whose Repository is not a URL. */
  clientFor: (source: string | null) => FeedClient;
  /** Parallel downloads (default: logical CPUs). */
  throttle?: number;
  /** Rename attempts for a locked folder (default 3) and the pause between them in ms (default 1000). */
  renameAttempts?: number;
  renameDelayMs?: number;
  /** Injected for tests: the rename to use (default fs.rename). */
  renameFn?: (from: string, to: string) => Promise<void>;
  onWarning?: (message: string) => void;
  onVerbose?: (message: string) => void;
  onChange?: (change: SyncChange) => void;
}

const DISABLED_FOLDER = /^(\d+(?:\.\d+){1,3})\.disabled$/i;

/**
 * Parses a sync spec (see the module comment).
 * @param path  used in error messages
 * @throws SyncSpecError for YAML errors, a document that is not a list, entries without `Name`,
 *         versions that do not parse, or VersionMIN above VersionMAX
 */
export function parseSyncSpec(text: string, path = 'spec.yaml'): SyncEntry[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { schema: 'failsafe' });
  } catch (err) {
    throw new SyncSpecError(path, `not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined || doc === '') return [];
  if (!Array.isArray(doc)) throw new SyncSpecError(path, 'the spec must be a YAML list of modules (- Name: ...).');
  const out: SyncEntry[] = [];
  doc.forEach((item, i) => {
    const where = `entry ${i + 1}`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new SyncSpecError(path, `${where} is not a mapping with a Name.`);
    const get = (key: string): unknown => {
      const k = Object.keys(item).find((x) => x.toLowerCase() === key.toLowerCase());
      return k === undefined ? undefined : (item as Record<string, unknown>)[k];
    };
    const name = get('Name');
    if (typeof name !== 'string' || name.trim() === '') throw new SyncSpecError(path, `${where} has no Name.`);
    const label = `${where} (${name.trim()})`;
    const version = (value: unknown, key: string): NuGetVersion | null => {
      if (value === undefined || value === null || value === '') return null;
      if (typeof value !== 'string') throw new SyncSpecError(path, `${label}: ${key} must be a version.`);
      const v = NuGetVersion.tryParse(value.trim());
      if (v === null) throw new SyncSpecError(path, `${label}: ${key} "${value}" is not a version.`);
      return v;
    };
    const rawVersions = get('Version');
    const list = rawVersions === undefined || rawVersions === null || rawVersions === '' ? [] : Array.isArray(rawVersions) ? rawVersions : [rawVersions];
    const versions = list.map((v) => version(v, 'Version')).filter((v): v is NuGetVersion => v !== null);
    const min = version(get('VersionMIN'), 'VersionMIN');
    const max = version(get('VersionMAX'), 'VersionMAX');
    if (min && max && min.compareTo(max) > 0) throw new SyncSpecError(path, `${label}: VersionMIN ${min} is above VersionMAX ${max}.`);
    const repo = get('Repository');
    out.push({ name: name.trim(), versions, min, max, repository: typeof repo === 'string' && repo.trim() !== '' ? repo.trim() : null });
  });
  return out;
}

/** Reads and parses a sync spec file. @throws SyncSpecError */
export async function readSyncSpec(path: string): Promise<SyncEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SyncSpecError(path, `cannot read the spec (${(err as Error).message}).`, { cause: err });
  }
  return parseSyncSpec(text, path);
}

/** Whether an entry allows `version` (seed 002 `Test-VersionInSpec`; see the module comment). */
export function syncEntryAllows(entry: SyncEntry, version: NuGetVersion): boolean {
  const hasExact = entry.versions.length > 0;
  const hasRange = entry.min !== null || entry.max !== null;
  if (!hasExact && !hasRange) return true;
  if (hasExact && entry.versions.some((v) => v.equals(version))) return true;
  if (hasRange && (entry.min === null || version.compareTo(entry.min) >= 0) && (entry.max === null || version.compareTo(entry.max) <= 0)) return true;
  return false;
}

/** The specification installed for an entry with no allowed version: the highest `Version`, else `[MIN, MAX]`. */
export function syncEntrySpec(entry: SyncEntry): ModuleFastSpec {
  if (entry.versions.length > 0) {
    const highest = [...entry.versions].sort((a, b) => b.compareTo(a))[0]!;
    return ModuleFastSpec.exact(entry.name, highest);
  }
  return new ModuleFastSpec(entry.name, new VersionRange(entry.min, true, entry.max, true));
}

/** The source an entry installs from: its Repository when that is an http(s) URL, else null (the default). */
export function syncEntrySource(entry: SyncEntry): string | null {
  return entry.repository && /^https?:\/\//i.test(entry.repository) ? entry.repository : null;
}

/**
 * Brings `options.destination` in line with `entries` (see the module comment).
 * @returns the changes made, in order
 * @throws SyncRenameError when a folder stays locked; planner and installer errors. When a package fails to
 *         install, the changes made until then (including the packages that did install) have already been
 *         passed to `onChange` and step 3 has run for them; the InstallFailedError is thrown after that.
 */
export async function syncModules(entries: readonly SyncEntry[], options: SyncOptions): Promise<SyncChange[]> {
  const destination = resolve(options.destination);
  const warn = options.onWarning ?? (() => {});
  const changes: SyncChange[] = [];
  const record = (c: SyncChange) => {
    changes.push(c);
    options.onChange?.(c);
  };
  const doRename = options.renameFn ?? rename;
  const attempts = Math.max(1, options.renameAttempts ?? 3);
  const delay = options.renameDelayMs ?? 1000;

  const renameWithRetry = async (from: string, to: string) => {
    for (let i = 1; ; i++) {
      try {
        await doRename(from, to);
        return;
      } catch (err) {
        if (i >= attempts) throw new SyncRenameError(`Cannot rename ${from} to ${to} after ${attempts} attempts: ${(err as Error).message}`, { cause: err });
        options.onVerbose?.(`Rename of ${from} failed (attempt ${i}/${attempts}), retrying in ${delay} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };

  const disableOutside = async (entry: SyncEntry, reason: string, only?: Set<string>) => {
    const dir = await findChildDir(destination, entry.name);
    if (!dir) return;
    for (const name of await listDirs(dir)) {
      if (!VERSION_FOLDER_RE.test(name)) continue;
      const from = join(dir, name);
      if (only && !only.has(from)) continue;
      const v = await folderModuleVersion(from, name, entry.name);
      if (syncEntryAllows(entry, v)) continue;
      const to = join(dir, `${name}.disabled`);
      if (await exists(to)) await rm(to, { recursive: true, force: true });
      await renameWithRetry(from, to);
      record({ action: 'disabled', name: entry.name, version: name, path: to, reason });
    }
  };

  // (1) disable what is outside the spec, re-enable what is back in it
  for (const entry of entries) {
    await disableOutside(entry, 'outside the spec');
    const dir = await findChildDir(destination, entry.name);
    if (!dir) continue;
    const present = new Set((await listDirs(dir)).map((n) => n.toLowerCase()));
    for (const name of await listDirs(dir)) {
      const m = DISABLED_FOLDER.exec(name);
      if (!m) continue;
      const v = await folderModuleVersion(join(dir, name), m[1]!, entry.name);
      if (!syncEntryAllows(entry, v)) continue;
      if (present.has(m[1]!.toLowerCase())) {
        warn(`${entry.name}: ${name} is back in the spec, but ${m[1]} also exists; leaving it disabled.`);
        continue;
      }
      const to = join(dir, m[1]!);
      await renameWithRetry(join(dir, name), to);
      present.add(m[1]!.toLowerCase());
      record({ action: 'enabled', name: entry.name, version: m[1]!, path: to, reason: 'back in the spec' });
    }
  }

  // (2) install entries without an allowed version, grouped by source
  const missing = new Map<string | null, SyncEntry[]>();
  for (const entry of entries) {
    const dir = await findChildDir(destination, entry.name);
    let hasManifest = false;
    for (const v of dir ? (await listDirs(dir)).filter((n) => VERSION_FOLDER_RE.test(n)) : []) {
      const folder = join(dir!, v);
      if ((await readdir(folder).catch(() => [INCOMPLETE_MARKER])).includes(INCOMPLETE_MARKER)) continue;
      const m = await readInstalledManifest(folder, entry.name, v).catch(() => null);
      if (m && syncEntryAllows(entry, m.version)) hasManifest = true;
    }
    if (hasManifest) continue;
    const src = syncEntrySource(entry);
    const list = missing.get(src) ?? [];
    list.push(entry);
    missing.set(src, list);
  }
  const installed: InstalledPackage[] = [];
  let failure: InstallFailedError | null = null;
  for (const [src, group] of missing) {
    const client = options.clientFor(src);
    const inventory = new ModuleInventory({ destination, modulePaths: [], onWarning: warn });
    const specs = group.map(syncEntrySpec);
    const plan = await getModuleFastPlan(specs, { client, inventory, onWarning: warn, onVerbose: options.onVerbose });
    if (plan.entries.length === 0) continue;
    let done: InstalledPackage[];
    try {
      done = await installModules(plan.entries, { client, destination, inventory, throttle: options.throttle, onWarning: warn, onVerbose: options.onVerbose });
    } catch (err) {
      // what did install is still reported (and checked by step 3) before the error ends the run
      if (!(err instanceof InstallFailedError)) throw err;
      failure = err;
      done = err.installed;
    }
    const asked = new Set(group.map((e) => e.name.toLowerCase()));
    for (const p of done) {
      installed.push(p);
      const entry = plan.entries.find((e) => e.name === p.name && e.version.equals(p.version));
      const reason = asked.has(p.name.toLowerCase()) ? 'missing' : `dependency of ${entry?.requiredBy.join(', ') ?? 'a listed module'}`;
      record({ action: 'installed', name: p.name, version: p.version.toNormalizedString(), path: p.path, reason });
    }
    if (failure) break;
  }

  // (3) dependencies installed outside their own entry's spec
  const newFolders = new Set(installed.map((p) => p.path));
  for (const entry of entries) {
    const before = changes.length;
    await disableOutside(entry, 'installed as a dependency but outside the spec', newFolders);
    for (const c of changes.slice(before)) warn(`${c.name} ${c.version} was installed as a dependency but is outside the spec; disabled it.`);
  }
  if (failure) throw failure;
  return changes;
}

/** The version a module folder holds (name + manifest prerelease label); the name alone when the manifest is missing or unreadable. */
async function folderModuleVersion(folder: string, numeric: string, moduleName: string): Promise<NuGetVersion> {
  try {
    const m = await readInstalledManifest(folder, moduleName, numeric);
    if (m) return m.version;
  } catch {
    // unreadable manifest: judge by the folder name
  }
  return NuGetVersion.parse(numeric);
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
