/**
 * The package service: the writes that change packages, push (ingest), unlist and relist. Each
 * orchestrates the write path of ARCHITECTURE.md: inspect → store blobs under a fresh key → insert
 * rows in one statement (the primary key decides races) → invalidate the read side; any failure
 * removes what this request wrote, so bad input leaves no orphan blob and no partial row.
 *
 * It takes plain values (an upload's bytes or staged file, size and hash; ids and versions as typed)
 * and throws domain errors only (InvalidPackageError, DuplicatePackageError, PackageNotFoundError),
 * never an HTTP status: server/errors.ts maps them.
 */
import { rm } from 'node:fs/promises';
import { inspectNupkg, type NupkgInspection } from '../../feed/nupkg.ts';
import { InvalidPackageError } from '../../feed/errors.ts';
import { isValidPackageId } from '../../feed/package-id.ts';
import { readModuleManifest } from '../../feed/psd1/index.ts';
import { searchTextOf } from '../../feed/search-text.ts';
import { NuGetVersion, versionKey as toVersionKey } from '../../feed/version.ts';
import type { PackageRecord } from '../../feed/types.ts';
import type { NewPackageVersion, PackageRepository } from '../../db/packages.ts';
import { newBlobKey, type BlobStore, type StoredFileInput } from '../storage/blob-store.ts';
import type { PackageWrites, PushResult } from '../ports.ts';
import { PackageNotFoundError } from './errors.ts';
import type { Invalidator } from './invalidator.ts';
import { pushProfile } from './push-profile.ts';
import { printable } from '../messages.ts';

/** A received package, as plain values (upload/receive.ts `receiveUpload` makes one). */
export interface PackageUpload {
  /** staged file holding the package bytes; it exists only when `bytes` is null */
  path: string;
  /** the package bytes, when they were kept in memory; else null */
  bytes: Buffer | null;
  /** size in bytes */
  size: number;
  /** base64 SHA-512 of the bytes (the registration's packageHash) */
  sha512: string;
}

/** What the package service writes to. */
export interface PackageServiceDeps {
  /** the version rows (db/packages.ts) */
  repo: Pick<PackageRepository, 'insertVersion' | 'setListed'>;
  /** where package files go */
  blobs: Pick<BlobStore, 'storeFiles' | 'remove'>;
  /** tells the read side which documents changed */
  invalidator: Invalidator;
  clock: () => Date;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class PackageService implements PackageWrites {
  constructor(private readonly deps: PackageServiceDeps) {}

  /**
   * Ingests an uploaded nupkg (bytes in memory, or a staged file that is consumed: moved into the blob
   * store or removed).
   *
   * @throws InvalidPackageError (400) for a package that fails validation (§8)
   * @throws DuplicatePackageError (409) when the identity exists, unlisted included (§2.1)
   */
  async push(upload: PackageUpload): Promise<PushResult> {
    const { repo, blobs, invalidator, clock, log } = this.deps;
    const lap = pushProfile.laps();
    let blobKey: string | null = null;
    try {
      // A nuspec that names a readme or icon missing from the archive still describes an installable
      // package (NuGet restore never reads them): accept it and serve it without readme/icon.
      const inspection = await inspectNupkg(upload.bytes ?? upload.path, { allowMissingReferencedFiles: true });
      lap('inspect');
      const manifest = inspection.manifest;
      if (manifest.packageTypes.some((t) => t.name.toLowerCase() === 'symbolspackage'))
        throw new InvalidPackageError(
          'This is a symbol package (.snupkg). Galleon hosts packages only and does not advertise a symbol endpoint; push the .nupkg instead.',
        );
      const lowerId = manifest.id.toLowerCase();
      const versionKey = manifest.version.toNormalizedString().toLowerCase();
      // no pre-check of the identity: the version insert's primary key answers 409 (a duplicate costs
      // the writing and removing of its files, every other push one database round trip less)

      const now = clock();
      const row = buildRow(inspection, upload, now, (msg) => log.warn({ id: manifest.id }, msg));
      blobKey = newBlobKey(lowerId, versionKey);
      row.blobKey = blobKey;
      const files: StoredFileInput[] = [
        { name: 'package.nuspec', bytes: inspection.nuspecBytes },
        upload.bytes ? { name: 'package.nupkg', bytes: upload.bytes } : { name: 'package.nupkg', tempPath: upload.path },
      ];
      if (inspection.readme) files.push({ name: 'readme', bytes: inspection.readme });
      if (inspection.icon) files.push({ name: 'icon', bytes: inspection.icon });
      lap('buildRow');
      // the files first, durable, then the row that names them (one statement, committed at once):
      // a power loss can never leave a row whose files are missing
      await blobs.storeFiles(blobKey, files);
      lap('storeFiles');
      const id = await repo.insertVersion(row);
      lap('insertVersion');
      invalidator.packageChanged(lowerId);
      log.info({ id, version: row.version, size: upload.size }, 'package pushed');
      lap('invalidate+log');
      return { id, version: row.version };
    } catch (err) {
      if (blobKey) await blobs.remove(blobKey).catch(() => {});
      throw err;
    } finally {
      // a package received in memory never had a temp file
      if (!upload.bytes) await rm(upload.path, { force: true }).catch(() => {});
    }
  }

  /**
   * Unlists (`listed=false`) or relists a version (§2.2). `id` and `version` as the user typed them.
   *
   * @throws PackageNotFoundError (404) when the id or version is unknown, or not an id or version at all
   */
  async setListed(id: string, version: string, listed: boolean): Promise<void> {
    // an invalid id (a NUL, "../", 10,000 characters) names no package; never send it to the database
    if (!isValidPackageId(id)) throw new PackageNotFoundError(`No package has the id "${printable(id)}".`);
    const lowerId = id.toLowerCase();
    let key: string;
    try {
      key = toVersionKey(version);
    } catch {
      throw new PackageNotFoundError(`Package ${id} ${printable(version)} was not found: the version is not a valid NuGet version.`);
    }
    const found = await this.deps.repo.setListed(lowerId, key, listed, this.deps.clock());
    if (!found) throw new PackageNotFoundError(`Package ${id} ${version} was not found.`);
    this.deps.invalidator.packageChanged(lowerId);
  }
}

/**
 * The manifest spelling of a PowerShell module's version (§4.7): `ModuleVersion` as written plus
 * `-Prerelease`, when it is the same version as the nuspec's; null otherwise.
 */
export function moduleVersionOf(inspection: NupkgInspection, warn: (msg: string) => void): string | null {
  if (!inspection.isPowerShellModule || !inspection.moduleManifest) return null;
  try {
    const info = readModuleManifest(inspection.moduleManifest.text);
    if (!info.moduleVersion) return null;
    const pre = info.prerelease ? info.prerelease.replace(/^-+/, '') : '';
    const spelled = pre ? `${info.moduleVersion.trim()}-${pre}` : info.moduleVersion.trim();
    const parsed = NuGetVersion.tryParse(spelled);
    if (!parsed || !parsed.equals(inspection.manifest.version) || parsed.hasMetadata) {
      warn(`module manifest version ${spelled} differs from the nuspec version; using the nuspec spelling`);
      return null;
    }
    return spelled;
  } catch (err) {
    warn(`module manifest could not be read (${(err as Error).message}); using the nuspec spelling`);
    return null;
  }
}

function buildRow(inspection: NupkgInspection, upload: PackageUpload, now: Date, warn: (m: string) => void): NewPackageVersion {
  const m = inspection.manifest;
  const v = m.version;
  const tags = m.tags;
  const record: Omit<PackageRecord, 'downloads'> = {
    id: m.id,
    version: v.toNormalizedString(),
    fullVersion: v.toFullString(),
    originalVersion: m.versionText,
    moduleVersion: moduleVersionOf(inspection, warn),
    isPrerelease: v.isPrerelease,
    isSemVer2: m.isSemVer2,
    listed: true,
    created: now,
    lastEdited: now,
    authors: m.authors,
    owners: m.owners,
    title: m.title,
    summary: m.summary,
    description: m.description,
    releaseNotes: m.releaseNotes,
    copyright: m.copyright,
    language: m.language,
    tags,
    projectUrl: m.projectUrl,
    iconUrl: m.iconUrl,
    hasIcon: inspection.icon !== null,
    licenseUrl: m.licenseUrl,
    licenseExpression: m.license?.type === 'expression' ? m.license.value : null,
    hasReadme: inspection.readme !== null,
    requireLicenseAcceptance: m.requireLicenseAcceptance,
    developmentDependency: m.developmentDependency,
    minClientVersion: m.minClientVersion,
    packageTypes: m.packageTypes,
    dependencyGroups: m.dependencyGroups.map((g) => ({
      targetFramework: g.targetFramework,
      dependencies: g.dependencies.map((d) => ({ id: d.id, range: d.range.toNormalizedString() })),
    })),
    isScript: inspection.isPowerShellScript,
    packageHash: upload.sha512,
    packageSize: upload.size,
  };
  return {
    ...record,
    versionKey: v.toNormalizedString().toLowerCase(),
    major: v.major,
    minor: v.minor,
    patch: v.patch,
    revision: v.revision,
    blobKey: '',
    searchText: searchTextOf({ id: m.id, title: m.title, summary: m.summary, description: m.description, tags }),
  };
}

