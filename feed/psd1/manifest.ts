/**
 * Module manifest readers (`<Id>.psd1`, NUGET-V3.md §9.2): the fields a gallery and a client need, read
 * from a parsed PowerShell data file.
 */

import { parsePowerShellDataFile, type Psd1ParseOptions } from './parser.ts';
import { PsHashtable, describe, isTrue, toStr, type PsValue } from './values.ts';

/** One `RequiredModules` entry of a module manifest, as written (versions are not normalized). */
export interface RequiredModule {
  name: string;
  /** `ModuleVersion`: inclusive minimum. */
  moduleVersion?: string;
  /** `RequiredVersion`: exact version. */
  requiredVersion?: string;
  /** `MaximumVersion`: inclusive maximum, may contain `*` (e.g. `21.1.*`). */
  maximumVersion?: string;
  /** `GUID`: identity check after install. */
  guid?: string;
}

/** The fields of a module manifest a gallery and a client need; strings are exactly as written. */
export interface ModuleManifestInfo {
  /** `ModuleVersion` as written (`1.0`, `2.12.0.0`), null when absent. */
  moduleVersion: string | null;
  /** `PrivateData.PSData.Prerelease` as written (may start with `-`), null when absent or empty. */
  prerelease: string | null;
  guid: string | null;
  requiredModules: RequiredModule[];
  /** `PrivateData.PSData.Tags`; a single string is one tag. */
  tags: string[];
  /** Export lists; null when the key is absent (PowerShell then exports everything). `'*'` stays `['*']`. */
  functionsToExport: string[] | null;
  cmdletsToExport: string[] | null;
  dscResourcesToExport: string[] | null;
  /** `PrivateData.PSData.ExternalModuleDependencies`. */
  externalModuleDependencies: string[];
  author: string | null;
  companyName: string | null;
  copyright: string | null;
  description: string | null;
  /** `CompatiblePSEditions` (`Core`, `Desktop`). */
  compatiblePSEditions: string[];
  projectUri: string | null;
  licenseUri: string | null;
  iconUri: string | null;
  /** `PrivateData.PSData.ReleaseNotes`; an array is joined with `\n` as PSResourceGet does. */
  releaseNotes: string | null;
  /** `PrivateData.PSData.RequireLicenseAcceptance`, default false. */
  requireLicenseAcceptance: boolean;
}

/** A manifest that parses but whose shape is wrong (e.g. a RequiredModules hashtable without ModuleName). */
export class ModuleManifestError extends Error {
  readonly code = 'invalid_module_manifest';
  constructor(message: string) {
    super(message);
    this.name = 'ModuleManifestError';
  }
}

/**
 * Reads a module manifest (`<Id>.psd1`, NUGET-V3.md §9.2) into the fields used for nuspec checks, tags,
 * dependencies and display.
 *
 * @param text file text or bytes (decoded by BOM)
 * @throws Psd1SyntaxError when the file is not valid data language
 * @throws ModuleManifestError when RequiredModules holds something other than names or hashtables with
 *         ModuleName
 */
export function readModuleManifest(text: string | Buffer | Uint8Array, options?: Psd1ParseOptions): ModuleManifestInfo {
  const ht = parsePowerShellDataFile(text, options);
  const privateData = ht.get('PrivateData');
  const psData = privateData instanceof PsHashtable ? privateData.get('PSData') : undefined;
  const ps = psData instanceof PsHashtable ? psData : new PsHashtable();
  const releaseNotes = ps.get('ReleaseNotes');
  return {
    moduleVersion: scalarText(ht.get('ModuleVersion')),
    prerelease: scalarText(ps.get('Prerelease')) || null,
    guid: scalarText(ht.get('GUID')),
    requiredModules: readRequiredModules(ht.get('RequiredModules')),
    tags: stringList(ps.get('Tags')) ?? [],
    functionsToExport: stringList(ht.get('FunctionsToExport'), ht.has('FunctionsToExport')),
    cmdletsToExport: stringList(ht.get('CmdletsToExport'), ht.has('CmdletsToExport')),
    dscResourcesToExport: stringList(ht.get('DscResourcesToExport'), ht.has('DscResourcesToExport')),
    externalModuleDependencies: stringList(ps.get('ExternalModuleDependencies')) ?? [],
    author: scalarText(ht.get('Author')),
    companyName: scalarText(ht.get('CompanyName')),
    copyright: scalarText(ht.get('Copyright')),
    description: scalarText(ht.get('Description')),
    compatiblePSEditions: stringList(ht.get('CompatiblePSEditions')) ?? [],
    projectUri: scalarText(ps.get('ProjectUri')),
    licenseUri: scalarText(ps.get('LicenseUri')),
    iconUri: scalarText(ps.get('IconUri')),
    releaseNotes: Array.isArray(releaseNotes) ? releaseNotes.map(toStr).join('\n') : scalarText(releaseNotes),
    requireLicenseAcceptance: isTrue(ps.get('RequireLicenseAcceptance') ?? null),
  };
}

/**
 * Normalizes a `RequiredModules` value (a name, a ModuleSpecification hashtable, or an array of them).
 * @throws ModuleManifestError for entries that are neither
 */
export function readRequiredModules(value: PsValue | undefined): RequiredModule[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: RequiredModule[] = [];
  for (const item of items) {
    if (item === null) continue;
    if (typeof item === 'string') {
      if (item.trim() === '') continue;
      out.push({ name: item });
    } else if (item instanceof PsHashtable) {
      const name = scalarText(item.get('ModuleName'));
      if (!name) throw new ModuleManifestError('a RequiredModules hashtable has no ModuleName key');
      const entry: RequiredModule = { name };
      const mv = scalarText(item.get('ModuleVersion'));
      const rv = scalarText(item.get('RequiredVersion'));
      const xv = scalarText(item.get('MaximumVersion'));
      const guid = scalarText(item.get('GUID'));
      if (mv) entry.moduleVersion = mv;
      if (rv) entry.requiredVersion = rv;
      if (xv) entry.maximumVersion = xv;
      if (guid) entry.guid = guid;
      out.push(entry);
    } else {
      throw new ModuleManifestError(`a RequiredModules entry must be a module name or a hashtable, found ${describe(item)}`);
    }
  }
  return out;
}

function scalarText(v: PsValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(toStr).join(' ');
  if (v instanceof PsHashtable) return null;
  return toStr(v);
}

function stringList(v: PsValue | undefined, present = v !== undefined): string[] | null {
  if (!present) return null;
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x) => x !== null && !(x instanceof PsHashtable)).map((x) => toStr(x as PsValue)).filter((s) => s !== '');
}
