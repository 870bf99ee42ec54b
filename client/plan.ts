/**
 * The planner: ModuleFast's `Get-ModuleFastPlan` (MODULEFAST.md §2d, §3) in TypeScript. Given module
 * specifications it decides which package versions to download, walking dependencies.
 *
 * How it resolves (ModuleFast v0.6.1 behaviour, made deterministic):
 * - Requirements are processed in breadth-first order: the user's specs in the order given, then
 *   dependencies in the order they are discovered. Each module's registration index is requested as soon
 *   as the requirement is known (all concurrently, requests in flight shared by the feed client), so the
 *   order only decides which requirement wins a choice, never how many round trips are made.
 * - A requirement is skipped when a version already in the plan satisfies it, or (unless `update`) when an
 *   installed module satisfies it (destination first, then the other module paths).
 * - Otherwise the highest satisfying version is chosen: inlined leaves first; only when none satisfies,
 *   the linked pages whose `[lower, upper]` overlaps the range, highest `upper` first, one at a time
 *   (§4.3). Prereleases (and versions with build metadata) only when the spec has a `!`, a prerelease
 *   bound, or the run allows prereleases; the friendly exclusive-upper-bound rule unless `strictSemVer`;
 *   unlisted versions only when the spec pins that exact version.
 * - Dependencies of every dependency group are merged (target frameworks ignored); one id listed with
 *   different ranges gets their intersection.
 * - Cycles end naturally: a dependency already planned (or queued with the same spec) is not resolved again.
 * - Two dependency requirements on one module whose ranges cannot both be met are a conflict
 *   ({@link ConflictingRequirementsError}). The user's own specs may ask for several versions of a module
 *   (they are installed side by side, as ModuleFast does).
 * - With `update`, installed modules satisfy a requirement only when the range cannot go higher; otherwise
 *   the feed is asked and, when its best candidate is the installed version, nothing is planned ("best
 *   remote candidate matches what is locally installed").
 */
import { mergeDependencies } from '../feed/v3/dependencies.ts';
import { VersionRange } from '../feed/range.ts';
import { NuGetVersion, versionKey } from '../feed/version.ts';
import {
  InvalidFeedResponseError,
  ModuleNotFoundError,
  type CatalogEntry,
  type FeedClient,
  type RegistrationIndex,
  type RegistrationLeaf,
} from './feed-client.ts';
import { versionAllowed, type InstalledModule, type MatchOptions, type ModuleInventory } from './installed.ts';
import { ModuleFastSpec } from './spec.ts';

/** One package version the plan will download. */
export interface PlanEntry {
  /** Package id as the feed spells it (`catalogEntry.id`). */
  name: string;
  /** The chosen version. */
  version: NuGetVersion;
  /** `catalogEntry.version` exactly as served, e.g. "1.13.0.0" or "2.1-preview1" (decides the first folder name). */
  feedVersion: string;
  /** Download URL (`packageContent`). */
  packageContent: string;
  /** Lower-case GUID the installed manifest must carry (from a spec with a GUID), or null. */
  guid: string | null;
  /** Who asked for it: "(specified)" for a user spec, otherwise "<Name> <version>" of the requiring package. */
  requiredBy: string[];
  /** The package's merged dependencies. */
  dependencies: ModuleFastSpec[];
}

/*
 * ModuleFast 1.0-beta's ModuleFastInfo (MODULEFAST.md §2b) maps onto PlanEntry as: Name = `name`, ModuleVersion
 * = `version`, Location = `packageContent`, PreRelease = `version.isPrerelease`, ToString / Equals /
 * GetHashCode / the ModuleSpecification cast = the functions below. There is no IsLocal: this client reads
 * http(s) feeds only (file:// sources are refused by normalizeSource).
 */

/** `Name(1.2.3)`, as ModuleFastInfo prints itself (the normalized version). */
export function formatPlanEntry(entry: Pick<PlanEntry, 'name' | 'version'>): string {
  return `${entry.name}(${entry.version.toNormalizedString()})`;
}

/** Whether two entries are the same package: name (case-insensitive), version and location (ModuleFastInfo.Equals). */
export function samePlanEntry(a: Pick<PlanEntry, 'name' | 'version' | 'packageContent'>, b: Pick<PlanEntry, 'name' | 'version' | 'packageContent'>): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.version.equals(b.version) && a.packageContent === b.packageContent;
}

/** A key that is equal exactly for entries {@link samePlanEntry} calls equal (ModuleFastInfo.GetHashCode), e.g. for a Set. */
export function planEntryKey(entry: Pick<PlanEntry, 'name' | 'version' | 'packageContent'>): string {
  return `${entry.name.toLowerCase()}|${versionKey(entry.version)}|${entry.packageContent}`;
}

/** The exact specification of an entry (ModuleFastInfo cast to ModuleSpecification: RequiredVersion = its version). */
export function planEntrySpec(entry: Pick<PlanEntry, 'name' | 'version' | 'guid'>): ModuleFastSpec {
  return ModuleFastSpec.exact(entry.name, entry.version, entry.guid);
}

/** A requirement met by a module that is already installed. */
export interface SatisfiedRequirement {
  spec: ModuleFastSpec;
  module: InstalledModule;
}

/** The result of {@link getModuleFastPlan}. */
export interface ModuleFastPlan {
  /** The service index URL the plan was made against. */
  source: string;
  /** Versions to install, sorted by name (case-insensitive), then version. */
  entries: PlanEntry[];
  /** Requirements already met by installed modules (for reporting and lockfiles). */
  satisfied: SatisfiedRequirement[];
}

/** Options of {@link getModuleFastPlan}. */
export interface PlanOptions extends MatchOptions {
  client: FeedClient;
  /** Installed modules to honour; null or absent → plan as if nothing is installed. */
  inventory?: ModuleInventory | null;
  /** Look for newer versions even when installed ones satisfy (ModuleFast `-Update`). */
  update?: boolean;
  onWarning?: (message: string) => void;
  onVerbose?: (message: string) => void;
  /** Called after each requirement is handled: `resolved` of `total` known so far. */
  onProgress?: (progress: { resolved: number; total: number; name: string }) => void;
}

/** Base class of planner errors (`code` is stable; `source` is the feed). */
export class PlanError extends Error {
  readonly code: string;
  readonly source: string;
  constructor(code: string, source: string, message: string) {
    super(message);
    this.name = 'PlanError';
    this.code = code;
    this.source = source;
  }
}

/** No version in the feed satisfies a requirement ("a matching module was not found", MODULEFAST.md §2d). */
export class NoMatchingVersionError extends PlanError {
  readonly moduleName: string;
  constructor(source: string, spec: ModuleFastSpec, context: string, highest: string | null) {
    super(
      'no_matching_version',
      source,
      `${spec}${context}: a matching module was not found in the ${source} repository that satisfies the version constraints.` +
        (highest ? ` The highest version there is ${highest}.` : ''),
    );
    this.name = 'NoMatchingVersionError';
    this.moduleName = spec.name;
  }
}

/** Two requirements on one module that no single version can meet; the message names both requirers. */
export class ConflictingRequirementsError extends PlanError {
  readonly moduleName: string;
  constructor(source: string, moduleName: string, a: { spec: ModuleFastSpec; by: string }, b: { spec: ModuleFastSpec; by: string }) {
    super(
      'conflicting_requirements',
      source,
      `${moduleName}: conflicting requirements: ${a.by} requires ${describe(a.spec)} but ${b.by} requires ${describe(b.spec)}; ` +
        `no version satisfies both (source ${source}).`,
    );
    this.name = 'ConflictingRequirementsError';
    this.moduleName = moduleName;
  }
}

/** The chosen package is a PowerShell script, which ModuleFast does not install. */
export class ScriptNotSupportedError extends PlanError {
  constructor(source: string, name: string, version: string) {
    super(
      'script_not_supported',
      source,
      `${name} ${version} in the ${source} repository is a PowerShell script, not a module: scripts are not supported.`,
    );
    this.name = 'ScriptNotSupportedError';
  }
}

function describe(spec: ModuleFastSpec): string {
  const exact = spec.required;
  const text = exact !== null ? `[${exact.toNormalizedString()}]` : spec.range.toNormalizedString();
  return `${spec.name} ${text === '(, )' ? '(any version)' : text}${spec.guid ? ` [${spec.guid}]` : ''}`;
}

interface Requirement {
  spec: ModuleFastSpec;
  /** null for a user spec */
  requiredBy: PlanEntry | null;
  local?: Promise<InstalledModule | null>;
}

const SPECIFIED = '(specified)';

/**
 * Resolves module specifications into a plan (see the module comment for the rules).
 *
 * @param specs  the user's module specifications; exact duplicates are dropped with a warning
 *               ("specified twice")
 * @returns entries to install, sorted by name then version, plus the requirements installed modules met
 * @throws ModuleNotFoundError (404 on a registration index), NoMatchingVersionError,
 *         ConflictingRequirementsError, ScriptNotSupportedError, InvalidFeedResponseError, FeedRequestError
 */
export async function getModuleFastPlan(specs: readonly ModuleFastSpec[], options: PlanOptions): Promise<ModuleFastPlan> {
  const { client, inventory } = options;
  const source = client.source;
  const match: MatchOptions = { prerelease: options.prerelease, strictSemVer: options.strictSemVer };
  const warn = options.onWarning ?? (() => {});
  const verbose = options.onVerbose ?? (() => {});

  const entries: PlanEntry[] = [];
  const entriesByName = new Map<string, PlanEntry[]>();
  const satisfied: SatisfiedRequirement[] = [];
  const queue: Requirement[] = [];
  const queuedKeys = new Set<string>();
  const dependencyRequirements = new Map<string, { spec: ModuleFastSpec; by: PlanEntry }[]>();
  const guidWarned = new Set<string>();

  const findPlanned = (spec: ModuleFastSpec): PlanEntry | null => {
    let best: PlanEntry | null = null;
    for (const e of entriesByName.get(spec.name.toLowerCase()) ?? []) {
      if (spec.guid !== null && e.guid !== null && e.guid !== spec.guid) continue;
      if (!versionAllowed(spec, e.version, match)) continue;
      if (best === null || e.version.compareTo(best.version) > 0) best = e;
    }
    return best;
  };

  const attach = (entry: PlanEntry, req: Requirement) => {
    const by = req.requiredBy ? label(req.requiredBy) : SPECIFIED;
    if (!entry.requiredBy.includes(by)) entry.requiredBy.push(by);
    if (req.spec.guid !== null && entry.guid === null) entry.guid = req.spec.guid;
  };

  const localMatch = (spec: ModuleFastSpec): Promise<InstalledModule | null> =>
    inventory ? inventory.findSatisfying(spec, match) : Promise.resolve(null);

  /** Whether an installed match ends the search (always, unless `update` and the range can go higher). */
  const localIsFinal = (spec: ModuleFastSpec, local: InstalledModule): boolean => {
    if (!options.update) return true;
    const max = spec.max;
    return max !== null && max.compareTo(local.version) <= 0;
  };

  const prefetch = (name: string) => {
    client.getRegistrationIndex(name).catch(() => {});
  };

  const enqueue = async (req: Requirement): Promise<void> => {
    queuedKeys.add(req.spec.key);
    queue.push(req);
    req.local = localMatch(req.spec);
    const local = await req.local;
    if (local && localIsFinal(req.spec, local)) return;
    prefetch(req.spec.name);
  };

  for (const spec of specs) {
    if (queuedKeys.has(spec.key)) {
      warn(`${spec} was specified twice, skipping duplicate.`);
      continue;
    }
    await enqueue({ spec, requiredBy: null });
  }

  for (let i = 0; i < queue.length; i++) {
    const req = queue[i]!;
    await resolveRequirement(req);
    options.onProgress?.({ resolved: i + 1, total: queue.length, name: req.spec.name });
  }

  entries.sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.version.compareTo(b.version);
  });
  return { source, entries, satisfied };

  async function resolveRequirement(req: Requirement): Promise<void> {
    const { spec } = req;
    const context = req.requiredBy ? ` (required by ${label(req.requiredBy)})` : '';

    const planned = findPlanned(spec);
    if (planned) {
      attach(planned, req);
      verbose(`${spec}${context}: satisfied by ${planned.name} ${planned.version} already in the plan.`);
      return;
    }
    const local = await (req.local ?? localMatch(spec));
    if (local && localIsFinal(spec, local)) {
      satisfied.push({ spec, module: local });
      verbose(`${spec}${context}: satisfied by the installed ${local.name} ${local.version} at ${local.path}.`);
      return;
    }

    if (spec.guid !== null && !guidWarned.has(spec.key)) {
      guidWarned.add(spec.key);
      warn(`${spec}: the feed does not publish module GUIDs; the GUID ${spec.guid} is checked after the module is installed.`);
    }

    let index: RegistrationIndex;
    try {
      index = await client.getRegistrationIndex(spec.name);
    } catch (err) {
      if (err instanceof ModuleNotFoundError && context) throw new ModuleNotFoundError(source, spec.name, context);
      throw err;
    }
    const chosen = await selectLeaf(index, spec, context);
    const entryData = chosen.leaf.catalogEntry;
    const version = chosen.version;

    if (isScript(entryData)) throw new ScriptNotSupportedError(source, entryData.id ?? spec.name, entryData.version);

    if (options.update && inventory) {
      const installed = (await inventory.find(spec.name)).find((m) => m.version.equals(version) && (spec.guid === null || m.guid === spec.guid));
      if (installed) {
        satisfied.push({ spec, module: installed });
        verbose(`${spec}${context}: best remote candidate matches what is locally installed (${installed.version} at ${installed.path}).`);
        return;
      }
    }

    const name = typeof entryData.id === 'string' && entryData.id.trim() !== '' ? entryData.id.trim() : spec.name;
    const same = (entriesByName.get(name.toLowerCase()) ?? []).find((e) => e.version.equals(version));
    if (same) {
      if (spec.guid !== null && same.guid !== null && same.guid !== spec.guid) {
        throw new ConflictingRequirementsError(
          source,
          name,
          { spec: ModuleFastSpec.exact(name, version, same.guid), by: same.requiredBy[0] ?? SPECIFIED },
          { spec, by: req.requiredBy ? label(req.requiredBy) : SPECIFIED },
        );
      }
      attach(same, req);
      return;
    }

    const packageContent = entryData.packageContent ?? chosen.leaf.packageContent;
    if (typeof packageContent !== 'string' || packageContent === '') {
      throw new InvalidFeedResponseError(source, '', `${name} ${version}: the registration leaf has no packageContent URL (source ${source}).`);
    }
    const entry: PlanEntry = {
      name,
      version,
      feedVersion: String(entryData.version).trim(),
      packageContent,
      guid: spec.guid,
      requiredBy: [],
      dependencies: dependencySpecs(entryData, source),
    };
    attach(entry, req);
    entries.push(entry);
    const key = name.toLowerCase();
    const list = entriesByName.get(key);
    if (list) list.push(entry);
    else entriesByName.set(key, [entry]);
    verbose(`${spec}${context}: adding ${name} ${version} to the plan.`);

    for (const dep of entry.dependencies) {
      checkConflict(dep, entry);
      const depReq: Requirement = { spec: dep, requiredBy: entry };
      const inPlan = findPlanned(dep);
      if (inPlan) {
        attach(inPlan, depReq);
        continue;
      }
      if (queuedKeys.has(dep.key)) continue;
      await enqueue(depReq);
    }
  }

  function checkConflict(dep: ModuleFastSpec, by: PlanEntry): void {
    const key = dep.name.toLowerCase();
    const list = dependencyRequirements.get(key) ?? [];
    for (const other of list) {
      if (other.by.name.toLowerCase() === by.name.toLowerCase()) continue; // two versions of one module
      if (!dep.overlaps(other.spec)) {
        throw new ConflictingRequirementsError(source, dep.name, { spec: other.spec, by: label(other.by) }, { spec: dep, by: label(by) });
      }
    }
    list.push({ spec: dep, by });
    dependencyRequirements.set(key, list);
  }

  async function selectLeaf(index: RegistrationIndex, spec: ModuleFastSpec, context: string): Promise<{ leaf: RegistrationLeaf; version: NuGetVersion }> {
    let highestSeen: NuGetVersion | null = null;
    const pick = (leaves: readonly RegistrationLeaf[]) => {
      let best: { leaf: RegistrationLeaf; version: NuGetVersion } | null = null;
      for (const leaf of leaves) {
        const ce = leaf?.catalogEntry;
        if (!ce || typeof ce !== 'object' || typeof ce.version !== 'string') continue;
        const v = NuGetVersion.tryParse(ce.version);
        if (v === null) continue;
        if (highestSeen === null || v.compareTo(highestSeen) > 0) highestSeen = v;
        if (ce.listed === false && !(spec.required !== null && spec.required.equals(v))) continue;
        if (!versionAllowed(spec, v, match)) continue;
        if (best === null || v.compareTo(best.version) > 0) best = { leaf, version: v };
      }
      return best;
    };

    const pages = index.items.filter((p) => p && typeof p === 'object');
    const inlined = pages.filter((p) => Array.isArray(p.items) && p.items.length > 0).flatMap((p) => p.items!);
    const found = pick(inlined);
    if (found) return found;

    const linked = pages
      .filter((p) => !Array.isArray(p.items) || p.items.length === 0)
      .map((p) => ({ page: p, lower: NuGetVersion.tryParse(p.lower ?? ''), upper: NuGetVersion.tryParse(p.upper ?? '') }))
      .filter((p) => p.lower !== null && p.upper !== null && typeof p.page['@id'] === 'string')
      .filter((p) => spec.range.intersectsInterval(p.lower!, p.upper!))
      .sort((a, b) => b.upper!.compareTo(a.upper!));
    for (const { page, upper } of linked) {
      if (highestSeen === null || upper!.compareTo(highestSeen) > 0) highestSeen = upper;
      verbose(`${spec}: no inlined version matches; reading page ${page['@id']}.`);
      const doc = await client.getRegistrationPage(page['@id']);
      const hit = pick(doc.items ?? []);
      if (hit) return hit;
    }
    throw new NoMatchingVersionError(source, spec, context, highestSeen ? (highestSeen as NuGetVersion).toNormalizedString() : null);
  }
}

function label(entry: PlanEntry): string {
  return `${entry.name} ${entry.version.toNormalizedString()}`;
}

function isScript(entry: CatalogEntry): boolean {
  const tags = entry.tags;
  const list = Array.isArray(tags) ? tags : typeof tags === 'string' ? tags.split(/\s+/) : [];
  return list.some((t) => typeof t === 'string' && (t.toLowerCase() === 'itemtype:script' || t.toLowerCase() === 'psscript'));
}

/**
 * The dependencies of a catalog entry as module specifications: every group merged by the feed's one
 * rule ({@link mergeDependencies}, feed/v3/dependencies.ts: target frameworks ignored, ids de-duplicated
 * case-insensitively, several ranges of one id intersected, an empty or missing range meaning any
 * version), then each range parsed (floating ranges allowed, as ModuleFast allows them).
 * @param source  the feed, for the error message
 * @throws InvalidFeedResponseError when a range is not a NuGet version range
 */
export function dependencySpecs(entry: CatalogEntry, source: string): ModuleFastSpec[] {
  return mergeDependencies(entry).map(({ id, range: text }) => {
    const range = text === '(, )' ? VersionRange.all : VersionRange.tryParse(text, { allowFloating: true });
    if (range === null) {
      throw new InvalidFeedResponseError(source, '', `${entry.id} ${entry.version}: dependency ${id} has an invalid version range "${text}" (source ${source}).`);
    }
    return new ModuleFastSpec(id, range);
  });
}
