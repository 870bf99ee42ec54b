/**
 * Drizzle schema: the tables behind every protocol document. Identity of a package version is
 * (lower-cased package id, lower-cased normalized version) — rule 2 of protocol reference §10 — and
 * the primary key of `package_versions` enforces it, so concurrent pushes of one identity race on
 * the key and exactly one wins (write path step 3 in ARCHITECTURE.md).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { DependencyGroupRecord, PackageTypeRecord } from '../feed/types.ts';

/** One row per package id; `id` keeps the casing of the first push (§8.3). */
export const packageRegistrations = pgTable('package_registrations', {
  lowerId: text('lower_id').primaryKey(),
  id: text('id').notNull(),
  created: timestamp('created', { withTimezone: true, mode: 'date' }).notNull(),
  /** downloads of every version of the id, unlisted included (nuget.org's totalDownloads); kept by addDownloads */
  totalDownloads: bigint('total_downloads', { mode: 'number' }).notNull().default(0),
});

/** One row per stored package version. */
export const packageVersions = pgTable(
  'package_versions',
  {
    lowerId: text('lower_id')
      .notNull()
      .references(() => packageRegistrations.lowerId),
    /** normalized, lower-cased, no metadata: the identity and URL key, e.g. "1.0.0-beta.1" */
    versionKey: text('version_key').notNull(),
    version: text('version').notNull(),
    fullVersion: text('full_version').notNull(),
    originalVersion: text('original_version').notNull(),
    moduleVersion: text('module_version'),
    major: integer('major').notNull(),
    minor: integer('minor').notNull(),
    patch: integer('patch').notNull(),
    revision: integer('revision').notNull(),
    isPrerelease: boolean('is_prerelease').notNull(),
    isSemVer2: boolean('is_semver2').notNull(),
    listed: boolean('listed').notNull().default(true),
    created: timestamp('created', { withTimezone: true, mode: 'date' }).notNull(),
    lastEdited: timestamp('last_edited', { withTimezone: true, mode: 'date' }).notNull(),
    authors: text('authors').notNull(),
    owners: text('owners'),
    title: text('title'),
    summary: text('summary'),
    description: text('description').notNull(),
    releaseNotes: text('release_notes'),
    copyright: text('copyright'),
    language: text('language'),
    tags: jsonb('tags').$type<string[]>().notNull(),
    projectUrl: text('project_url'),
    iconUrl: text('icon_url'),
    hasIcon: boolean('has_icon').notNull(),
    licenseUrl: text('license_url'),
    licenseExpression: text('license_expression'),
    hasReadme: boolean('has_readme').notNull(),
    requireLicenseAcceptance: boolean('require_license_acceptance').notNull(),
    developmentDependency: boolean('development_dependency').notNull(),
    minClientVersion: text('min_client_version'),
    packageTypes: jsonb('package_types').$type<PackageTypeRecord[]>().notNull(),
    dependencyGroups: jsonb('dependency_groups').$type<DependencyGroupRecord[]>().notNull(),
    isScript: boolean('is_script').notNull(),
    packageHash: text('package_hash').notNull(),
    packageSize: bigint('package_size', { mode: 'number' }).notNull(),
    downloads: bigint('downloads', { mode: 'number' }).notNull().default(0),
    /** where the blob store keeps this version's files (nupkg, nuspec, readme, icon) */
    blobKey: text('blob_key').notNull(),
    /** lower-cased text that free-text search matches: id, title, description, tags */
    searchText: text('search_text').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.lowerId, t.versionKey] }),
    index('package_versions_listed_idx').on(t.lowerId).where(sql`${t.listed}`),
  ],
);

/**
 * Search documents (§6): one row per package id and filter variant, as nuget.org keeps one search
 * document per id per (prerelease allowed × SemVer 2 allowed). `variant` is a bit set: 1 = prereleases
 * allowed, 2 = SemVer 2 allowed (0..3). The row describes the latest listed version visible in that
 * variant (NuGet version order, §8.1); an id with no such version has no row for the variant.
 *
 * Rows are derived data, kept in the same transactions as the versions they describe (db/packages.ts):
 * a push writes the rows of the variants where the new version is now the latest; unlisting or
 * relisting rewrites the id's rows from the view `package_search_source` (migration 0001, not known to
 * drizzle-kit); addDownloads copies the registration's new total here. The text columns are
 * lower-cased for matching only; results are built from package_versions.
 *
 * Migration 0001 also adds, when the pg_trgm extension can be created, trigram GIN indexes partial
 * on each variant, `package_search_text_trgm_<variant>_idx` (search_text) and
 * `package_search_id_trgm_<variant>_idx` (lower_id), for the substring filters; they are
 * hand-written there (conditional on the extension), not declared here.
 */
export const packageSearch = pgTable(
  'package_search',
  {
    lowerId: text('lower_id')
      .notNull()
      .references(() => packageRegistrations.lowerId),
    variant: smallint('variant').notNull(),
    /** the version the document describes (lower-cased normalized, like package_versions.version_key) */
    versionKey: text('version_key').notNull(),
    searchText: text('search_text').notNull(),
    /** the document version's, lower-cased (likewise owners … summary) */
    authors: text('authors').notNull(),
    owners: text('owners').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    summary: text('summary').notNull(),
    /** the document version's tags, lower-cased */
    tags: jsonb('tags').$type<string[]>().notNull(),
    /** the document version's package type names, lower-cased (`dependency` when it declares none) */
    packageTypes: jsonb('package_types').$type<string[]>().notNull(),
    /** copy of package_registrations.total_downloads: the ranking key */
    totalDownloads: bigint('total_downloads', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.lowerId, t.variant] }),
    index('package_search_rank_idx').on(t.variant, t.totalDownloads.desc(), t.lowerId),
  ],
);
