/**
 * Fixture helper for the document-builder tests: a complete, deterministic `PackageRecord` with every
 * field set to a plausible value, overridable field by field.
 */
import type { PackageRecord } from '../../feed/types.ts';

/** The fixed clock of the fixtures: every record was pushed at this instant unless overridden. */
export const FIXED_CREATED = new Date('2026-03-02T10:15:00.000Z');
/** The fixed last-edit instant of the fixtures. */
export const FIXED_EDITED = new Date('2026-03-03T08:00:00.000Z');

/**
 * Builds a `PackageRecord` for tests. Defaults describe "Contoso.Tools 1.0.0", a listed .NET package
 * without dependencies. Derived defaults follow `overrides.version` when it is given: `fullVersion` and
 * `originalVersion` equal it, `isPrerelease` is true when it has a `-` label, `isSemVer2` when the label
 * is dotted.
 *
 * @param overrides  fields to replace; `version` must be a normalized version without metadata
 */
export function makeRecord(overrides: Partial<PackageRecord> = {}): PackageRecord {
  const version = overrides.version ?? '1.0.0';
  const label = version.includes('-') ? version.slice(version.indexOf('-') + 1) : '';
  return {
    id: 'Contoso.Tools',
    version,
    fullVersion: version,
    originalVersion: version,
    moduleVersion: null,
    isPrerelease: label !== '',
    isSemVer2: label.includes('.'),
    listed: true,
    created: FIXED_CREATED,
    lastEdited: FIXED_EDITED,
    authors: 'Contoso, Fabrikam',
    owners: 'contoso',
    title: 'Contoso Tools',
    summary: null,
    description: 'Helpers for Contoso projects.',
    releaseNotes: null,
    copyright: '(c) Contoso',
    language: null,
    tags: ['contoso', 'tools'],
    projectUrl: 'https://example.com/contoso.tools',
    iconUrl: null,
    hasIcon: false,
    licenseUrl: null,
    licenseExpression: 'MIT',
    hasReadme: false,
    requireLicenseAcceptance: false,
    developmentDependency: false,
    minClientVersion: null,
    packageTypes: [],
    dependencyGroups: [],
    isScript: false,
    packageHash: 'q1w2e3r4t5y6u7i8o9p0/ASDFGHJKLzxcvbnm+QWERTYUIOP1234567890abcdefghijklmnopqrstuvwxyzABCDEF==',
    packageSize: 12345,
    downloads: 0,
    ...overrides,
  };
}

/**
 * `count` consecutive stable versions `1.0.0` … of one id (patch numbers 0..count-1, spread over
 * minor versions of 100 patches so that the ordering is not plain string order), each with
 * `downloads` = its index.
 */
export function makeVersions(count: number, overrides: Partial<PackageRecord> = {}): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const version = `1.${Math.floor(i / 100)}.${i % 100}`;
    out.push(makeRecord({ ...overrides, version, downloads: i }));
  }
  return out;
}
