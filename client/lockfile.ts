/**
 * The CI lockfile, `requires.lock.json` (MODULEFAST.md §1 "lockfile"): a JSON object mapping module names
 * to the exact versions a run resolved, `{ "Az.Accounts": "2.7.3", "PrereleaseTest": "0.0.1-prerelease" }`.
 * With `--ci`, an existing lockfile replaces every other specification (and turns `--update` off); after
 * the run the lockfile is written again. When one module is locked at several versions (the user asked
 * for them side by side) the value is an array of versions; ModuleFast itself only writes single strings.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { decodeText } from '../feed/text.ts';
import { NuGetVersion } from '../feed/version.ts';
import { ModuleFastSpec } from './spec.ts';

/** Default lockfile name, relative to the current directory. */
export const DEFAULT_LOCKFILE = 'requires.lock.json';

/** A lockfile that cannot be read as `{ name: version | version[] }`. */
export class LockfileError extends Error {
  readonly code = 'invalid_lockfile';
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockfileError';
    this.path = path;
  }
}

/** One locked module version. */
export interface LockedModule {
  name: string;
  /** Normalized NuGet version text, e.g. "0.0.1-prerelease" or "0.9.0.6". */
  version: string;
}

/**
 * Turns lockfile JSON into exact module specifications (`Name=version`), in file order.
 * @param path  used in error messages
 * @throws LockfileError for anything but an object of version strings (or arrays of them)
 */
export function parseLockfile(text: string, path = DEFAULT_LOCKFILE): ModuleFastSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeText(text));
  } catch (err) {
    throw new LockfileError(path, `The lockfile ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new LockfileError(path, `The lockfile ${path} must be a JSON object of module names and versions.`);
  }
  const specs: ModuleFastSpec[] = [];
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const versions = Array.isArray(value) ? value : [value];
    if (versions.length === 0) throw new LockfileError(path, `The lockfile ${path} has no version for ${name}.`);
    for (const v of versions) {
      const parsed = typeof v === 'string' ? NuGetVersion.tryParse(v) : null;
      if (parsed === null) {
        throw new LockfileError(path, `The lockfile ${path} has an invalid version for ${name}: ${JSON.stringify(v)}.`);
      }
      try {
        specs.push(ModuleFastSpec.exact(name, parsed));
      } catch (err) {
        throw new LockfileError(path, `The lockfile ${path} has an invalid module name ${JSON.stringify(name)}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return specs;
}

/**
 * Reads a lockfile.
 * @returns its exact specifications, or null when the file does not exist
 * @throws LockfileError when it exists but is malformed or unreadable
 */
export async function readLockfile(path: string): Promise<ModuleFastSpec[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LockfileError(path, `Cannot read the lockfile ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseLockfile(text, path);
}

/**
 * Formats locked modules as lockfile JSON: names in case-insensitive order (first spelling kept), a
 * string per module, an array when one module has several versions; two-space indented, final newline.
 */
export function formatLockfile(modules: readonly LockedModule[]): string {
  const byName = new Map<string, { name: string; versions: NuGetVersion[] }>();
  for (const m of modules) {
    const v = NuGetVersion.parse(m.version);
    const key = m.name.toLowerCase();
    const slot = byName.get(key) ?? { name: m.name, versions: [] };
    if (!slot.versions.some((x) => x.equals(v))) slot.versions.push(v);
    byName.set(key, slot);
  }
  const out: Record<string, string | string[]> = {};
  for (const key of [...byName.keys()].sort()) {
    const slot = byName.get(key)!;
    slot.versions.sort((a, b) => a.compareTo(b));
    const texts = slot.versions.map((v) => v.toNormalizedString());
    out[slot.name] = texts.length === 1 ? texts[0]! : texts;
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Writes a lockfile atomically (temp file + rename). */
export async function writeLockfile(path: string, modules: readonly LockedModule[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatLockfile(modules), 'utf8');
  await rename(tmp, path);
}
