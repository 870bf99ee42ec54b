/**
 * Synthetic package versions for seeding read benchmarks without pushing: rows shaped like what the
 * ingest service writes (db/packages.ts `NewPackageVersion`), loaded straight into the database, in
 * batches of multi-row INSERTs through drizzle (embedded or PostgreSQL) or with COPY through
 * postgres.js (PostgreSQL, the 1,000,000-version scale scenario). Both paths also fill what the
 * server keeps beside the versions for search: `package_registrations.total_downloads` and the
 * per-id, per-variant search documents (`package_search`, see db/schema.ts). No blobs are written:
 * reads of registration, flat-container version lists and dependency documents never open one.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../../db/connection.ts';
import { textArray } from '../../db/lists.ts';
import type { NewPackageVersion } from '../../db/packages.ts';
import { packageRegistrations, packageVersions } from '../../db/schema.ts';
import { searchTextOf } from '../../feed/search-text.ts';

/**
 * The version text of the i-th (0-based) version of a synthetic id; every 25th is a prerelease.
 * Increasing in i (NuGet order), which `searchDocumentLines` relies on.
 */
export function syntheticVersion(i: number): string {
  const base = `${1 + Math.floor(i / 1000)}.${Math.floor(i / 10) % 100}.${i % 10}`;
  return i % 25 === 24 ? `${base}-preview` : base;
}

const HASH = 'Zm9vYmFyYmF6cXV4'.repeat(5) + 'AAAAAAAA==';
const EPOCH = Date.UTC(2024, 0, 1);

/**
 * The row of the i-th version of `id` (n: a number for varying text between ids).
 * Shaped like a typical .NET package: a description, tags, one dependency group of two dependencies.
 */
export function syntheticRow(id: string, i: number, n: number): NewPackageVersion {
  const version = syntheticVersion(i);
  const dash = version.indexOf('-');
  const [major, minor, patch] = (dash < 0 ? version : version.slice(0, dash)).split('.').map(Number) as [number, number, number];
  const created = new Date(EPOCH + n * 60_000 + i * 3_600_000);
  const tags = ['bench', `topic${n % 50}`, i % 2 ? 'json' : 'xml'];
  const description = `Synthetic package ${id} for the Galleon benchmarks: helpers number ${n} for parsing, formatting and caching things.`;
  return {
    id,
    version,
    fullVersion: version,
    originalVersion: version,
    moduleVersion: null,
    isPrerelease: dash >= 0,
    isSemVer2: false,
    listed: true,
    created,
    lastEdited: created,
    authors: `Author ${n % 1000}`,
    owners: null,
    title: null,
    summary: null,
    description,
    releaseNotes: null,
    copyright: null,
    language: null,
    tags,
    projectUrl: `https://example.com/${id.toLowerCase()}`,
    iconUrl: null,
    hasIcon: false,
    licenseUrl: null,
    licenseExpression: 'MIT',
    hasReadme: false,
    requireLicenseAcceptance: false,
    developmentDependency: false,
    minClientVersion: null,
    packageTypes: [],
    dependencyGroups: [
      {
        targetFramework: '.NETStandard2.0',
        dependencies: [
          { id: `Bench.Dep${(n * 7 + 1) % 500}`, range: '[1.0.0, )' },
          { id: `Bench.Dep${(n * 13 + 5) % 500}`, range: '[2.1.0, 3.0.0)' },
        ],
      },
    ],
    isScript: false,
    packageHash: HASH,
    packageSize: 20_000 + ((n * 31 + i) % 5000),
    versionKey: version.toLowerCase(),
    major,
    minor,
    patch,
    revision: 0,
    blobKey: `${id.toLowerCase()}/${version.toLowerCase()}/seed`,
    searchText: searchTextOf({ id, title: null, summary: null, description, tags }),
  };
}

/** Inserts ids with the given number of versions through drizzle (multi-row INSERTs of 500). */
export async function insertSynthetic(db: Database, ids: { id: string; versions: number; n: number }[]): Promise<number> {
  let total = 0;
  for (let k = 0; k < ids.length; k += 1000) {
    const chunk = ids.slice(k, k + 1000);
    await db.insert(packageRegistrations).values(chunk.map(({ id }) => ({ lowerId: id.toLowerCase(), id, created: new Date(EPOCH) })));
  }
  let batch: (typeof packageVersions.$inferInsert)[] = [];
  const flush = async () => {
    if (batch.length) await db.insert(packageVersions).values(batch);
    total += batch.length;
    batch = [];
  };
  for (const { id, versions, n } of ids) {
    for (let i = 0; i < versions; i++) {
      const { id: _display, ...row } = syntheticRow(id, i, n);
      batch.push({ ...row, lowerId: id.toLowerCase(), downloads: (n * 17 + i) % 1000 });
      if (batch.length >= 500) await flush();
    }
  }
  await flush();
  // the derived search columns, as the server computes them (migration 0001's view)
  for (let k = 0; k < ids.length; k += 1000) {
    const lowerIds = ids.slice(k, k + 1000).map(({ id }) => id.toLowerCase());
    const list = textArray(lowerIds);
    await db.execute(sql`
      update package_registrations r set total_downloads = s.n
      from (select lower_id, sum(downloads)::bigint as n from package_versions where lower_id = any(${list}) group by lower_id) s
      where r.lower_id = s.lower_id`);
    await db.execute(sql`delete from package_search where lower_id = any(${list})`);
    await db.execute(sql`
      insert into package_search (${SEARCH_COLUMNS})
      select ${SEARCH_COLUMNS} from package_search_source where lower_id = any(${list})`);
  }
  return total;
}

const SEARCH_COLUMN_LIST =
  'lower_id, variant, version_key, search_text, authors, owners, title, description, summary, tags, package_types, total_downloads';
const SEARCH_COLUMNS = sql.raw(SEARCH_COLUMN_LIST);

/**
 * COPY lines of one synthetic id's search documents (package_search), computed here rather than by
 * the database so that the bulk load stays one pass: per variant (bit 1 prereleases, bit 2 SemVer 2)
 * the latest visible version's key, search text and lower-cased fields (the view
 * `package_search_fields`: tags and package types de-duplicated and sorted, no types = ["dependency"]),
 * and the id's total downloads. `rows` in increasing version order.
 */
function searchDocumentLines(rows: NewPackageVersion[], totalDownloads: number): string {
  let out = '';
  for (let variant = 0; variant < 4; variant++) {
    const visible = rows.filter((r) => r.listed && (variant & 1 || !r.isPrerelease) && (variant & 2 || !r.isSemVer2));
    if (visible.length === 0) continue;
    const latest = visible[visible.length - 1]!;
    const lower = (f: (r: NewPackageVersion) => string | null) => (f(latest) ?? '').toLowerCase();
    const tags = [...new Set(latest.tags.map((t) => t.toLowerCase()))].sort();
    const types = [...new Set(latest.packageTypes.length ? latest.packageTypes.map((t) => t.name.toLowerCase()) : ['dependency'])].sort();
    out +=
      [
        latest.id.toLowerCase(), variant, latest.versionKey, latest.searchText, lower((r) => r.authors), lower((r) => r.owners),
        lower((r) => r.title), lower((r) => r.description), lower((r) => r.summary), tags, types, totalDownloads,
      ]
        .map(cell)
        .join('\t') + '\n';
  }
  return out;
}

const VERSION_COLUMNS = [
  'lower_id', 'version_key', 'version', 'full_version', 'original_version', 'module_version', 'major', 'minor', 'patch', 'revision',
  'is_prerelease', 'is_semver2', 'listed', 'created', 'last_edited', 'authors', 'owners', 'title', 'summary', 'description',
  'release_notes', 'copyright', 'language', 'tags', 'project_url', 'icon_url', 'has_icon', 'license_url', 'license_expression',
  'has_readme', 'require_license_acceptance', 'development_dependency', 'min_client_version', 'package_types', 'dependency_groups',
  'is_script', 'package_hash', 'package_size', 'downloads', 'blob_key', 'search_text',
] as const;

/** COPY text-format field */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyLine(r: NewPackageVersion, downloads: number): string {
  return (
    [
      r.id.toLowerCase(), r.versionKey, r.version, r.fullVersion, r.originalVersion, r.moduleVersion, r.major, r.minor, r.patch, r.revision,
      r.isPrerelease, r.isSemVer2, r.listed, r.created, r.lastEdited, r.authors, r.owners, r.title, r.summary, r.description,
      r.releaseNotes, r.copyright, r.language, r.tags, r.projectUrl, r.iconUrl, r.hasIcon, r.licenseUrl, r.licenseExpression,
      r.hasReadme, r.requireLicenseAcceptance, r.developmentDependency, r.minClientVersion, r.packageTypes, r.dependencyGroups,
      r.isScript, r.packageHash, r.packageSize, downloads, r.blobKey, r.searchText,
    ]
      .map(cell)
      .join('\t') + '\n'
  );
}

/**
 * Bulk-loads ids and versions into PostgreSQL with COPY (tables must exist and be empty of these ids).
 * @param onProgress called with the number of version rows written so far, every 100,000
 */
export async function copySynthetic(
  sql: postgres.Sql,
  ids: { id: string; versions: number; n: number }[],
  onProgress: (rows: number) => void = () => {},
): Promise<number> {
  const downloadsOf = (n: number, i: number) => (n * 17 + i) % 1000;
  const regs = await sql`copy package_registrations (lower_id, id, created, total_downloads) from stdin`.writable();
  await pipeline(
    Readable.from(
      (function* () {
        let buf = '';
        for (const { id, versions: count, n } of ids) {
          let total = 0;
          for (let i = 0; i < count; i++) total += downloadsOf(n, i);
          buf += `${id.toLowerCase()}\t${id}\t${new Date(EPOCH).toISOString()}\t${total}\n`;
          if (buf.length > 1 << 16) {
            yield buf;
            buf = '';
          }
        }
        if (buf) yield buf;
      })(),
    ),
    regs,
  );
  let rows = 0;
  // the search documents (after the registrations they reference); building the trigram indexes once
  // afterwards is several times faster than maintaining them row by row, so they are dropped and
  // recreated from their own definitions (migration 0001's, whatever they are)
  const trigram = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes
    where schemaname = current_schema() and tablename = 'package_search' and indexdef ilike '%gin_trgm_ops%'`;
  for (const { name } of trigram) await sql.unsafe(`drop index "${name}"`);
  await sql`set maintenance_work_mem = '256MB'`;
  const docs = await sql.unsafe(`copy package_search (${SEARCH_COLUMN_LIST}) from stdin`).writable();
  await pipeline(
    Readable.from(
      (function* () {
        let buf = '';
        for (const { id, versions: count, n } of ids) {
          const list: NewPackageVersion[] = [];
          let total = 0;
          for (let i = 0; i < count; i++) {
            list.push(syntheticRow(id, i, n));
            total += downloadsOf(n, i);
          }
          buf += searchDocumentLines(list, total);
          if (buf.length > 1 << 18) {
            yield buf;
            buf = '';
          }
        }
        if (buf) yield buf;
      })(),
    ),
    docs,
  );
  for (const { def } of trigram) await sql.unsafe(def);
  const versions = await sql.unsafe(`copy package_versions (${VERSION_COLUMNS.join(', ')}) from stdin`).writable();
  await pipeline(
    Readable.from(
      (function* () {
        let buf = '';
        for (const { id, versions: count, n } of ids) {
          for (let i = 0; i < count; i++) {
            buf += copyLine(syntheticRow(id, i, n), downloadsOf(n, i));
            rows++;
            if (rows % 100_000 === 0) onProgress(rows);
            if (buf.length > 1 << 18) {
              yield buf;
              buf = '';
            }
          }
        }
        if (buf) yield buf;
      })(),
    ),
    versions,
  );
  return rows;
}
