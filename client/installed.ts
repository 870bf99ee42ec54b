/**
 * Installed modules: where ModuleFast installs by default, which folders it searches (the destination and
 * the other PSModulePath entries), and which versions of a module are already there (MODULEFAST.md §3
 * "Install layout", ModuleFast `Find-LocalModule`).
 *
 * A module version counts as installed when `<root>/<Name>/<version>/` (name matched case-insensitively,
 * folder named like a System.Version: 2 to 4 numeric parts) holds `<Name>.psd1` and no `.incomplete`
 * marker; its version is the folder name plus the manifest's `PrivateData.PSData.Prerelease` label. A
 * "classic" module (`<root>/<Name>/<Name>.psd1`, no version folder) counts with the manifest's
 * `ModuleVersion`. Folders holding `.incomplete` are broken installs: in the destination they are removed
 * (with a warning) so they get reinstalled; elsewhere they are skipped with a warning.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { readModuleManifest } from '../feed/psd1/index.ts';
import { NuGetVersion } from '../feed/version.ts';
import { normalizeGuid, type ModuleFastSpec } from './spec.ts';

/** Name of the marker file that exists in a version folder while it is being installed. */
export const INCOMPLETE_MARKER = '.incomplete';

/** One installed module version. */
export interface InstalledModule {
  /** Module name as the folder spells it. */
  name: string;
  /** Version: folder name (or classic manifest ModuleVersion) plus the manifest's prerelease label. */
  version: NuGetVersion;
  /** The version folder's name, e.g. "1.13.0.0"; null for a classic module. */
  folderVersion: string | null;
  /** The module version folder (or the module folder for a classic module). */
  path: string;
  /** The manifest file. */
  manifestPath: string;
  /** Lower-case manifest GUID, or null. */
  guid: string | null;
  /** The module path root the module was found under. */
  root: string;
}

/** Options of {@link ModuleInventory}. */
export interface ModuleInventoryOptions {
  /** Install destination: searched first; broken installs found there are removed. */
  destination: string;
  /** Further module folders (PSModulePath entries) to search; ignored entries equal to the destination. */
  modulePaths?: readonly string[];
  /** Warnings (broken installs, unreadable manifests, ambiguous folders). */
  onWarning?: (message: string) => void;
}

/** Options of the satisfaction checks. */
export interface MatchOptions {
  /** Accept prerelease installs for every spec (`--prerelease`). */
  prerelease?: boolean;
  /** Plain NuGet range semantics (`--strict-semver`). */
  strictSemVer?: boolean;
}

/**
 * ModuleFast's default destination, the user's PowerShell modules folder (MODULEFAST.md §1):
 * Windows `%USERPROFILE%\Documents\PowerShell\Modules`; elsewhere `$XDG_DATA_HOME/powershell/Modules`
 * or `~/.local/share/powershell/Modules`.
 */
export function defaultDestination(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const profile = env.USERPROFILE || homedir();
    return join(profile, 'Documents', 'PowerShell', 'Modules');
  }
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'powershell', 'Modules');
}

/**
 * The PSModulePath entries (split on the platform's path delimiter, empty entries dropped, resolved).
 * @param value  the PSModulePath value; default `process.env.PSModulePath`
 */
export function psModulePaths(value: string | undefined = process.env.PSModulePath, sep: string = delimiter): string[] {
  if (!value) return [];
  return value
    .split(sep)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => resolve(p));
}

/** A version folder name: 2 to 4 numeric parts, as System.Version writes them (`1.0`, `2.1.3`, `13.2.0.22643733`). */
export const VERSION_FOLDER_RE = /^\d+(\.\d+){1,3}$/;

/**
 * The version a module folder holds: its numeric name plus the manifest's `PSData.Prerelease` label
 * (folder names never carry labels): `0.0.1` + `prerelease` → `0.0.1-prerelease`. A leading `-` of the
 * label is ignored. Null when the text is not a version.
 */
export function moduleVersionOf(numeric: string, prerelease: string | null): NuGetVersion | null {
  const label = (prerelease ?? '').replace(/^-+/, '');
  return NuGetVersion.tryParse(label ? `${numeric}-${label}` : numeric) ?? NuGetVersion.tryParse(numeric);
}

/**
 * Reads the manifest `<moduleName>.psd1` (case-insensitive) in `folder`.
 * @param numeric  the folder's version name; null for a classic module (the manifest's ModuleVersion is used)
 * @returns version (see {@link moduleVersionOf}), lower-case GUID and manifest path; null when the folder has
 *          no such manifest or no version can be read
 * @throws Psd1SyntaxError / ModuleManifestError when the manifest exists but does not parse
 */
export async function readInstalledManifest(
  folder: string,
  moduleName: string,
  numeric: string | null,
): Promise<{ version: NuGetVersion; guid: string | null; manifestPath: string } | null> {
  let files: string[];
  try {
    files = await readdir(folder);
  } catch {
    return null;
  }
  const manifest = findManifestName(files, moduleName);
  if (!manifest) return null;
  const manifestPath = join(folder, manifest);
  let bytes: Buffer;
  try {
    if (!(await stat(manifestPath)).isFile()) return null;
    bytes = await readFile(manifestPath);
  } catch {
    return null;
  }
  const info = readModuleManifest(bytes);
  const base = numeric ?? info.moduleVersion;
  const version = base ? moduleVersionOf(base, info.prerelease) : null;
  if (!version) return null;
  const guid = info.guid ? (normalizeGuid(info.guid) ?? info.guid.trim().toLowerCase()) : null;
  return { version, guid, manifestPath };
}

/** The sub-folder of `dir` named `name` case-insensitively (exact spelling preferred), or null. */
export async function findChildDir(dir: string, name: string): Promise<string | null> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const hit = dirs.includes(name) ? name : dirs.find((n) => n.toLowerCase() === name.toLowerCase());
  return hit ? join(dir, hit) : null;
}

/**
 * Whether `version` may be used for `spec` under ModuleFast's rules (MODULEFAST.md §2b/§3): the spec's
 * range accepts it (friendly exclusive-upper-bound rule unless `strictSemVer`), and a prerelease (or a
 * version with build metadata) only when the spec or the run allows prereleases.
 */
export function versionAllowed(spec: ModuleFastSpec, version: NuGetVersion, opts: MatchOptions = {}): boolean {
  if ((version.isPrerelease || version.hasMetadata) && !(opts.prerelease || spec.prerelease)) return false;
  return spec.satisfiedBy(version, { strictSemVer: opts.strictSemVer });
}

/**
 * Reads what is installed under a list of module folders. Results are cached per module name for the
 * life of the inventory (one run); call {@link ModuleInventory.forget} after installing a module.
 */
export class ModuleInventory {
  /** Search order: the destination first, then the other module paths. */
  readonly roots: readonly string[];
  readonly destination: string;
  private readonly onWarning: (message: string) => void;
  private readonly rootListings = new Map<string, Promise<Map<string, string[]>>>();
  private readonly byName = new Map<string, Promise<InstalledModule[]>>();

  constructor(options: ModuleInventoryOptions) {
    this.destination = resolve(options.destination);
    const roots = [this.destination];
    for (const p of options.modulePaths ?? []) {
      const r = resolve(p);
      if (!roots.includes(r)) roots.push(r);
    }
    this.roots = roots;
    this.onWarning = options.onWarning ?? (() => {});
  }

  /** Every installed version of `name` across the roots (destination first), highest first within a root. */
  find(name: string): Promise<InstalledModule[]> {
    const key = name.toLowerCase();
    let p = this.byName.get(key);
    if (!p) {
      p = this.scan(name);
      this.byName.set(key, p);
    }
    return p;
  }

  /**
   * The highest installed version that satisfies `spec` (see {@link versionAllowed}); a spec with a GUID
   * only matches manifests with that GUID. Null when none does.
   */
  async findSatisfying(spec: ModuleFastSpec, opts: MatchOptions = {}): Promise<InstalledModule | null> {
    let best: InstalledModule | null = null;
    for (const m of await this.find(spec.name)) {
      if (spec.guid !== null && m.guid !== spec.guid) continue;
      if (!versionAllowed(spec, m.version, opts)) continue;
      if (best === null || m.version.compareTo(best.version) > 0) best = m;
    }
    return best;
  }

  /** The existing folder of module `name` directly under the destination (case-insensitive), or null. */
  async destinationModuleFolder(name: string): Promise<string | null> {
    const listing = await this.listRoot(this.destination);
    const hits = listing.get(name.toLowerCase());
    return hits && hits.length > 0 ? join(this.destination, hits[0]!) : null;
  }

  /** Drops cached results for `name` (after an install changed the disk) or for everything. */
  forget(name?: string): void {
    if (name === undefined) {
      this.byName.clear();
      this.rootListings.clear();
      return;
    }
    this.byName.delete(name.toLowerCase());
    this.rootListings.clear();
  }

  private listRoot(root: string): Promise<Map<string, string[]>> {
    let p = this.rootListings.get(root);
    if (!p) {
      p = (async () => {
        const map = new Map<string, string[]>();
        let entries;
        try {
          entries = await readdir(root, { withFileTypes: true });
        } catch {
          return map;
        }
        for (const e of entries) {
          if (!e.isDirectory() && !e.isSymbolicLink()) continue;
          const k = e.name.toLowerCase();
          const list = map.get(k);
          if (list) list.push(e.name);
          else map.set(k, [e.name]);
        }
        return map;
      })();
      this.rootListings.set(root, p);
    }
    return p;
  }

  private async scan(name: string): Promise<InstalledModule[]> {
    const found: InstalledModule[] = [];
    for (const root of this.roots) {
      const listing = await this.listRoot(root);
      const dirs = listing.get(name.toLowerCase()) ?? [];
      if (dirs.length > 1) {
        this.onWarning(`${name}: the module folder is ambiguous in ${root} (${dirs.join(', ')}); using ${dirs[0]}.`);
      }
      if (dirs.length === 0) continue;
      const base = join(root, dirs[0]!);
      const inRoot: InstalledModule[] = [];
      let entries;
      try {
        entries = await readdir(base, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory() || !VERSION_FOLDER_RE.test(e.name)) continue;
        const folder = join(base, e.name);
        const m = await this.readVersionFolder(name, dirs[0]!, folder, e.name, root);
        if (m) inRoot.push(m);
      }
      if (inRoot.length === 0) {
        // classic layout: <root>/<Name>/<Name>.psd1
        const m = await this.readManifest(name, base, null);
        if (m) inRoot.push({ name: dirs[0]!, version: m.version, folderVersion: null, path: base, manifestPath: m.manifestPath, guid: m.guid, root });
      }
      inRoot.sort((a, b) => b.version.compareTo(a.version));
      found.push(...inRoot);
    }
    return found;
  }

  private async readVersionFolder(name: string, dirName: string, folder: string, folderVersion: string, root: string): Promise<InstalledModule | null> {
    let files: string[];
    try {
      files = await readdir(folder);
    } catch {
      return null;
    }
    if (files.includes(INCOMPLETE_MARKER)) {
      if (root === this.destination) {
        this.onWarning(`${name}: incomplete installation detected at ${folder}; removing it so it is installed again.`);
        await rm(folder, { recursive: true, force: true });
      } else {
        this.onWarning(`${name}: incomplete installation detected at ${folder} (outside the destination); ignoring it.`);
      }
      return null;
    }
    const m = await this.readManifest(name, folder, folderVersion);
    if (!m) return null;
    return { name: dirName, version: m.version, folderVersion, path: folder, manifestPath: m.manifestPath, guid: m.guid, root };
  }

  private async readManifest(name: string, folder: string, folderVersion: string | null) {
    try {
      return await readInstalledManifest(folder, name, folderVersion);
    } catch (err) {
      this.onWarning(`${name}: cannot read the module manifest in ${folder} (${(err as Error).message}); ignoring that version.`);
      return null;
    }
  }
}

/** The entry of `files` that is `<name>.psd1` compared case-insensitively, or null. */
export function findManifestName(files: readonly string[], name: string): string | null {
  const want = `${name}.psd1`.toLowerCase();
  return files.find((f) => f.toLowerCase() === want) ?? null;
}
