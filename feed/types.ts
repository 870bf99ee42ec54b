/**
 * Read-model types shared by the document builders (feed/), the repositories (db/) and the server.
 * One `PackageRecord` is one stored package version, as the database returns it; every protocol
 * document is built from these records alone.
 */

/** One dependency inside a dependency group; `range` is the normalized NuGet range text (§8.2), e.g. "[1.0.0, )". */
export interface DependencyRecord {
  id: string;
  range: string;
}

/**
 * A dependency group (§4.5.1). `targetFramework` is null for the "any framework" group (a flat nuspec
 * `<dependencies>` list becomes one such group); otherwise the nuspec spelling, e.g. ".NETStandard2.0".
 */
export interface DependencyGroupRecord {
  targetFramework: string | null;
  dependencies: DependencyRecord[];
}

/** A declared package type (§8.4 `packageTypes`); absent in the nuspec means `Dependency`. */
export interface PackageTypeRecord {
  name: string;
  version?: string;
}

/** One stored package version (the read model every document is built from). */
export interface PackageRecord {
  /** Package id with the casing of the first push of this id (§8.3). */
  id: string;
  /** Normalized version without build metadata, original case (§8.1), e.g. "1.0.0-Beta.1". */
  version: string;
  /** Normalized version with build metadata when the nuspec had it, e.g. "1.0.0+sha.1"; equals `version` otherwise. */
  fullVersion: string;
  /** The version exactly as written in the nuspec, e.g. "1.0.0.0". */
  originalVersion: string;
  /**
   * For PowerShell modules (tag PSModule and a root `<id>.psd1`): the module manifest's `ModuleVersion`
   * exactly as written, plus `-<Prerelease>` when PSData.Prerelease is set, no build metadata (§4.7).
   * Null for everything else.
   */
  moduleVersion: string | null;
  isPrerelease: boolean;
  /** SemVer 2 package per §8.1 (dotted prerelease or metadata on the version or any dependency bound). */
  isSemVer2: boolean;
  listed: boolean;
  /** First receipt (push) time. */
  created: Date;
  /** Last change of listing state or metadata. */
  lastEdited: Date;
  /** Comma-joined authors, as in the nuspec. */
  authors: string;
  owners: string | null;
  title: string | null;
  summary: string | null;
  description: string;
  releaseNotes: string | null;
  copyright: string | null;
  language: string | null;
  tags: string[];
  projectUrl: string | null;
  /** `iconUrl` from the nuspec (deprecated element); see `hasIcon` for embedded icons. */
  iconUrl: string | null;
  /** True when the package embeds an icon (`<icon>`), served at the flat container `icon` route. */
  hasIcon: boolean;
  licenseUrl: string | null;
  /** SPDX expression when `<license type="expression">`. */
  licenseExpression: string | null;
  /** True when the package embeds a readme (`<readme>`), served at the flat container `readme` route. */
  hasReadme: boolean;
  requireLicenseAcceptance: boolean;
  developmentDependency: boolean;
  minClientVersion: string | null;
  packageTypes: PackageTypeRecord[];
  dependencyGroups: DependencyGroupRecord[];
  /** True for PowerShell script packages (tag PSScript): the dependency-only feed tags them `ItemType:Script`. */
  isScript: boolean;
  /** Base64 SHA-512 of the stored nupkg bytes. */
  packageHash: string;
  /** Size of the stored nupkg in bytes. */
  packageSize: number;
  /** Downloads of this version counted so far. */
  downloads: number;
}
