/**
 * The lenient wire shapes: what a NuGet v3 reader (protocol/, used by client/ and later the upstream
 * mirror) accepts from any server, beside the strict shapes this feed writes (catalog-entry.ts,
 * registration.ts, dependencies.ts, service-index.ts, flat-container.ts). Strict shapes say exactly what Galleon emits;
 * lenient shapes say what real servers send and a client must cope with (protocol reference §1.1, §3,
 * §4.2–§4.5, §5.2): most members optional, `@type` a string or an array, `tags` an array or a
 * space-separated string, a missing `range` meaning any version.
 *
 * Field names are not written twice: every member of a lenient shape is checked at compile time to be
 * a member of the corresponding strict shape ({@link WireShapeChecks}), and the readers here take
 * member names typed as keys of the lenient shapes, so renaming a field on one side fails the type
 * check on the other. wire.test.ts also feeds documents the server builders produce through these
 * readers.
 *
 * Casing: ModuleFast reads documents with PowerShell's `ConvertFrom-Json`, whose property access is
 * case-insensitive, and PowerShellGet 2.x reads catalog keys case-insensitively (§4.9), so servers that
 * write `PackageContent` or `dependencygroups` work with them. The readers accept either casing: an
 * exact member name wins, otherwise the first member whose name matches ignoring case. Their output
 * uses the canonical names only, and carries only the members a reader uses.
 */
import type { CatalogEntryJson, DependencyGroupJson, DependencyJson } from './catalog-entry.ts';
import type { VersionsListJson } from './flat-container.ts';
import type { RegistrationIndexJson, RegistrationLeafJson, RegistrationPageJson } from './registration.ts';
import type { ServiceIndexJson, ServiceIndexResource } from './service-index.ts';

/** `true` when each member of `Lenient` is a member of `Strict`, else `false`. */
type NoExtraMembers<Strict, Lenient> = Exclude<keyof Lenient, keyof Strict> extends never ? true : false;
/** Fails to compile unless given `true`. */
type Assert<T extends true> = T;

/** One resource of a service index (§1.1) as servers send it: NuGet tolerates an array `@type`. */
export interface WireServiceIndexResource {
  '@id': string;
  '@type': string | string[];
}

/** A service index (§1.1) as read: only `resources` matters (`version` is kept when present). */
export interface WireServiceIndex {
  version?: string;
  resources: WireServiceIndexResource[];
}

/** A dependency (§4.5.1) as read: an empty, missing or non-string `range` means any version. */
export interface WireDependency {
  id?: unknown;
  range?: unknown;
}

/** A dependency group (§4.5.1) as read; ModuleFast ignores `targetFramework` and merges every group. */
export interface WireDependencyGroup {
  targetFramework?: unknown;
  dependencies?: readonly (WireDependency | null | undefined)[] | null;
}

/** The members of a catalog entry a reader uses (§5.2), plus `listed` (absent means listed). */
export interface WireCatalogEntry {
  id: string;
  version: string;
  /** an array, or a space-separated string on some servers */
  tags?: string[] | string | null;
  listed?: boolean;
  packageContent?: string;
  dependencyGroups?: WireDependencyGroup[] | null;
}

/** A registration leaf (§4.4); the dependency-only hive puts `packageContent` here only. */
export interface WireRegistrationLeaf {
  packageContent?: string;
  catalogEntry: WireCatalogEntry;
}

/** A registration page (§4.3): inlined when `items` is a non-empty array, otherwise fetched from `@id`. */
export interface WireRegistrationPage {
  '@id': string;
  lower?: string;
  upper?: string;
  count?: number;
  items?: WireRegistrationLeaf[];
}

/** A registration index (§4.2); ModuleFast refuses `count: 0`, an absent `count` is fine. */
export interface WireRegistrationIndex {
  '@id'?: string;
  count?: number;
  items: WireRegistrationPage[];
}

/** A flat container version list (§3). */
export interface WireVersionsList {
  versions: string[];
}

/**
 * Compile-time check, no runtime value: each lenient shape names only members of its strict shape, so a
 * rename on either side fails the type check here.
 */
export type WireShapeChecks = [
  Assert<NoExtraMembers<ServiceIndexJson, WireServiceIndex>>,
  Assert<NoExtraMembers<ServiceIndexResource, WireServiceIndexResource>>,
  Assert<NoExtraMembers<DependencyJson, WireDependency>>,
  Assert<NoExtraMembers<DependencyGroupJson, WireDependencyGroup>>,
  Assert<NoExtraMembers<CatalogEntryJson, WireCatalogEntry>>,
  Assert<NoExtraMembers<RegistrationLeafJson, WireRegistrationLeaf>>,
  Assert<NoExtraMembers<RegistrationPageJson, WireRegistrationPage>>,
  Assert<NoExtraMembers<RegistrationIndexJson, WireRegistrationIndex>>,
  Assert<NoExtraMembers<VersionsListJson, WireVersionsList>>,
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A member of a JSON object by its canonical name, or else by the first member whose name matches
 * ignoring case (see the module comment); undefined when there is neither.
 */
export function wireMember<T extends object>(obj: Json, name: keyof T & string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function copy<T extends object>(from: Json, names: readonly (keyof T & string)[]): Partial<T> {
  const out: Json = {};
  for (const name of names) {
    const value = wireMember<T>(from, name);
    if (value !== undefined) out[name] = value;
  }
  return out as Partial<T>;
}

/**
 * Reads a service index (§1.1) leniently: resources that are not objects are dropped, `@id` and `@type`
 * kept as sent (callers skip resources whose `@id` is not a string).
 * @returns null when the document is not an object with a `resources` array
 */
export function readServiceIndex(doc: unknown): WireServiceIndex | null {
  if (!isObject(doc)) return null;
  const resources = wireMember<WireServiceIndex>(doc, 'resources');
  if (!Array.isArray(resources)) return null;
  const out: WireServiceIndex = {
    ...copy<WireServiceIndex>(doc, ['version']),
    resources: resources.filter(isObject).map((r) => copy<WireServiceIndexResource>(r, ['@id', '@type']) as WireServiceIndexResource),
  };
  return out;
}

function readDependencyGroup(group: Json): WireDependencyGroup {
  const out = copy<WireDependencyGroup>(group, ['targetFramework']) as WireDependencyGroup;
  const deps = wireMember<WireDependencyGroup>(group, 'dependencies');
  if (Array.isArray(deps)) out.dependencies = deps.filter(isObject).map((d) => copy<WireDependency>(d, ['id', 'range']));
  return out;
}

function readCatalogEntry(entry: Json): WireCatalogEntry {
  const out = copy<WireCatalogEntry>(entry, ['id', 'version', 'tags', 'listed', 'packageContent']) as WireCatalogEntry;
  const groups = wireMember<WireCatalogEntry>(entry, 'dependencyGroups');
  if (Array.isArray(groups)) out.dependencyGroups = groups.filter(isObject).map(readDependencyGroup);
  return out;
}

/**
 * Reads a registration leaf (§4.4) leniently.
 * @returns null when the leaf or its `catalogEntry` is not an object (a leaf no reader can use)
 */
export function readRegistrationLeaf(leaf: unknown): WireRegistrationLeaf | null {
  if (!isObject(leaf)) return null;
  const entry = wireMember<WireRegistrationLeaf>(leaf, 'catalogEntry');
  if (!isObject(entry)) return null;
  return { ...copy<WireRegistrationLeaf>(leaf, ['packageContent']), catalogEntry: readCatalogEntry(entry) };
}

/**
 * Reads a registration page (§4.3), inlined in an index or a page document, leniently: `items`, when an
 * array, keeps the leaves {@link readRegistrationLeaf} can read.
 * @returns null when the page is not an object
 */
export function readRegistrationPage(page: unknown): WireRegistrationPage | null {
  if (!isObject(page)) return null;
  const out = copy<WireRegistrationPage>(page, ['@id', 'lower', 'upper', 'count']) as WireRegistrationPage;
  const items = wireMember<WireRegistrationPage>(page, 'items');
  if (Array.isArray(items)) out.items = items.map(readRegistrationLeaf).filter((l): l is WireRegistrationLeaf => l !== null);
  return out;
}

/**
 * Reads a registration index (§4.2) leniently: pages that are not objects are dropped.
 * @returns null when the document is not an object with an `items` array
 */
export function readRegistrationIndex(doc: unknown): WireRegistrationIndex | null {
  if (!isObject(doc)) return null;
  const items = wireMember<WireRegistrationIndex>(doc, 'items');
  if (!Array.isArray(items)) return null;
  return {
    ...copy<WireRegistrationIndex>(doc, ['@id', 'count']),
    items: items.map(readRegistrationPage).filter((p): p is WireRegistrationPage => p !== null),
  };
}

/**
 * Reads a flat container version list (§3) leniently: entries that are not strings are dropped.
 * @returns null when the document is not an object with a `versions` array
 */
export function readVersionsList(doc: unknown): WireVersionsList | null {
  if (!isObject(doc)) return null;
  const versions = wireMember<WireVersionsList>(doc, 'versions');
  if (!Array.isArray(versions)) return null;
  return { versions: versions.filter((v): v is string => typeof v === 'string') };
}
