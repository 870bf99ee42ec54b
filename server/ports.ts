/**
 * Ports: what the routes need from the rest of the server, as small interfaces. The database
 * repository (db/packages.ts `PackageRepository`) satisfies `PackageReads`, the package service
 * (services/packages.ts `PackageService`) `PackageWrites`; a test passes object literals instead (server/app.test.ts).
 * Shapes are the feed/ records the document builders take.
 */
import type { PackageRecord } from '../feed/types.ts';
import type { VersionSummary } from '../feed/v3/paging.ts';
import type { DependencyRecord } from '../feed/v3/dependencies.ts';
import type { SearchFilter, StoredVersion } from '../db/packages.ts';
import type { Readable } from 'node:stream';
import type { BlobName } from './storage/blob-store.ts';
import type { PackageUpload } from './services/packages.ts';

/** Read queries of the protocol routes. Ids are lower-cased, versions lower-cased normalized keys. */
export interface PackageReads {
  /** id, version and edit times of every version of an id (unlisted included), any order; [] when unknown */
  getVersionSummaries(lowerId: string): Promise<VersionSummary[]>;
  /** every version of an id (unlisted included), any order; [] when unknown */
  getRecords(lowerId: string): Promise<PackageRecord[]>;
  /** the listed versions of an id, any order */
  getListedRecords(lowerId: string): Promise<PackageRecord[]>;
  /** whole records of the given versions of an id, any order */
  getRecordsByKeys(lowerId: string, versionKeys: string[]): Promise<PackageRecord[]>;
  /** one version's record, or null */
  getRecord(lowerId: string, versionKey: string): Promise<PackageRecord | null>;
  /** the listed versions of an id with the fields of the dependency-only hive (§5), any order */
  getDependencyRecords(lowerId: string): Promise<DependencyRecord[]>;
  /** where one version's files are, or null when the identity is unknown */
  getStoredVersion(lowerId: string, versionKey: string): Promise<StoredVersion | null>;
  /** one page of search hits (§6.1) as lower-cased ids, and the number of matching ids */
  search(filter: SearchFilter): Promise<{ lowerIds: string[]; totalHits: number }>;
  /** the listed versions visible in a search variant of the given ids, with their lower id, any order */
  getSearchRecordsFor(lowerIds: string[], prerelease: boolean, semVer2: boolean): Promise<(PackageRecord & { lowerId: string })[]>;
  /** one page of ids (registered casing) starting with `prefix` or one of its dotted parts (§6.3), and the number matching */
  autocompleteIds(
    prefix: string,
    opts: { prerelease: boolean; semVer2: boolean; packageType: string | null; skip: number; take: number },
  ): Promise<{ ids: string[]; totalHits: number }>;
  /** how many versions are stored (unlisted included) */
  countVersions(): Promise<number>;
}

/** The outcome of a push: the id as registered and the normalized version. */
export interface PushResult {
  id: string;
  version: string;
}

/** Writes of the publish routes (§2), with the API key already checked. */
export interface PackageWrites {
  /**
   * Stores an uploaded package (its temp file, when it has one, is consumed).
   * @throws InvalidPackageError (400), DuplicatePackageError (409)
   */
  push(upload: PackageUpload): Promise<PushResult>;
  /**
   * Unlists or relists a version; `id` and `version` as the user typed them.
   * @throws a 404 error when the id or version is unknown
   */
  setListed(id: string, version: string, listed: boolean): Promise<void>;
}

/** Reading stored package files (the blob store's read side). */
export interface PackageFiles {
  /** a read stream of a stored file and its size in bytes, or null when absent */
  open(key: string, name: BlobName): Promise<{ stream: Readable; size: number } | null>;
}

/** Counting nupkg downloads (downloads.ts `DownloadCounter`: buffered, never a write per request). */
export interface DownloadCounts {
  count(lowerId: string, versionKey: string): void;
}
