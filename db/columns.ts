/**
 * What the package repositories of db/ share (db/packages.ts, db/search.ts, db/downloads.ts): the
 * column lists that `PackageRecord`s and version summaries are read from, and the normalisation of a
 * raw statement's result. No statement of its own.
 */
import { packageRegistrations, packageVersions } from './schema.ts';

/** what a version summary (feed/v3/paging.ts `VersionSummary`) is read from */
export const summaryColumns = {
  id: packageRegistrations.id,
  version: packageVersions.version,
  created: packageVersions.created,
  lastEdited: packageVersions.lastEdited,
};

/** what a whole `PackageRecord` (feed/types.ts) is read from: a version joined with its registration */
export const recordColumns = {
  id: packageRegistrations.id,
  version: packageVersions.version,
  fullVersion: packageVersions.fullVersion,
  originalVersion: packageVersions.originalVersion,
  moduleVersion: packageVersions.moduleVersion,
  isPrerelease: packageVersions.isPrerelease,
  isSemVer2: packageVersions.isSemVer2,
  listed: packageVersions.listed,
  created: packageVersions.created,
  lastEdited: packageVersions.lastEdited,
  authors: packageVersions.authors,
  owners: packageVersions.owners,
  title: packageVersions.title,
  summary: packageVersions.summary,
  description: packageVersions.description,
  releaseNotes: packageVersions.releaseNotes,
  copyright: packageVersions.copyright,
  language: packageVersions.language,
  tags: packageVersions.tags,
  projectUrl: packageVersions.projectUrl,
  iconUrl: packageVersions.iconUrl,
  hasIcon: packageVersions.hasIcon,
  licenseUrl: packageVersions.licenseUrl,
  licenseExpression: packageVersions.licenseExpression,
  hasReadme: packageVersions.hasReadme,
  requireLicenseAcceptance: packageVersions.requireLicenseAcceptance,
  developmentDependency: packageVersions.developmentDependency,
  minClientVersion: packageVersions.minClientVersion,
  packageTypes: packageVersions.packageTypes,
  dependencyGroups: packageVersions.dependencyGroups,
  isScript: packageVersions.isScript,
  packageHash: packageVersions.packageHash,
  packageSize: packageVersions.packageSize,
  downloads: packageVersions.downloads,
};

/**
 * The rows of drizzle's `execute`, which returns an array on postgres.js and `{ rows }` on PGlite.
 *
 * @returns the result's rows, column name → raw value ([] when there are none)
 */
export function normalizeRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
