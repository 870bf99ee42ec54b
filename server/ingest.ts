/**
 * The services that change packages: push (ingest), unlist and relist. Each orchestrates the write
 * path of ARCHITECTURE.md: inspect → store blobs under a fresh key → insert rows in one transaction
 * (the primary key decides races) → invalidate the read cache; any failure removes what this request
 * wrote, so bad input leaves no orphan blob and no partial row.
 */
import { rm } from 'node:fs/promises';
import { inspectNupkg, type NupkgInspection } from '../feed/nupkg.ts';
import { InvalidPackageError } from '../feed/errors.ts';
import { isValidPackageId } from '../feed/package-id.ts';
import { readModuleManifest } from '../feed/psd1/index.ts';
import { NuGetVersion, versionKey as toVersionKey } from '../feed/version.ts';
import type { PackageRecord } from '../feed/types.ts';
import type { NewPackageVersion, PackageRepository } from '../db/packages.ts';
import { newBlobKey, type BlobStore, type StoredFileInput } from './blob-store.ts';
import type { DocumentCache } from './cache.ts';
import { HttpError } from './errors.ts';
import type { ReceivedUpload } from './upload.ts';

export interface IngestDeps {
  repo: PackageRepository;
  blobs: BlobStore;
  cache: DocumentCache;
  clock: () => Date;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface PushResult {
  id: string;
  version: string;
}

/** Tag of the cache entries that span package ids (search, autocomplete). */
export const GLOBAL_CACHE_TAG = '*';

/**
 * Wall time of each step of a push, summed over pushes: the benchmark's per-phase profile
 * (`GALLEON_BENCH_PUSH_PROFILE=1 npm run bench -- pushes`, bench/lib/galleon-child.ts turns it on).
 * Off by default; when off a push only tests `enabled` once.
 */
export class PushProfile {
  enabled = false;
  private readonly totals = new Map<string, { n: number; ms: number }>();

  /**
   * A lap timer for one push: each call records the time since the previous call (or since `lap`
   * was made) under `phase`. A no-op when the profile is off.
   */
  laps(): (phase: string) => void {
    if (!this.enabled) return noLap;
    let last = performance.now();
    return (phase) => {
      const now = performance.now();
      this.add(phase, now - last);
      last = now;
    };
  }

  /** adds `ms` to `phase` (one occurrence) */
  add(phase: string, ms: number): void {
    const t = this.totals.get(phase);
    if (t) {
      t.n++;
      t.ms += ms;
    } else this.totals.set(phase, { n: 1, ms });
  }

  /** every phase's count and summed milliseconds, in first-recorded order; `reset` empties it */
  snapshot(reset = false): { phase: string; n: number; ms: number }[] {
    const out = [...this.totals].map(([phase, t]) => ({ phase, n: t.n, ms: t.ms }));
    if (reset) this.totals.clear();
    return out;
  }
}

function noLap(_phase: string): void {}

/** The process's push profile (off unless a benchmark turns it on). */
export const pushProfile = new PushProfile();

export class PackageService {
  constructor(private readonly deps: IngestDeps) {}

  /**
   * Ingests an uploaded nupkg (bytes in memory, or a temp file that is consumed: moved into the blob
   * store or removed).
   *
   * @throws InvalidPackageError (400) for a package that fails validation (§8)
   * @throws DuplicatePackageError (409) when the identity exists, unlisted included (§2.1)
   */
  async push(upload: ReceivedUpload): Promise<PushResult> {
    const { repo, blobs, cache, clock, log } = this.deps;
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
      cache.invalidate(lowerId);
      cache.invalidate(GLOBAL_CACHE_TAG);
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
   * @throws HttpError 404 when the id or version is unknown
   */
  async setListed(id: string, version: string, listed: boolean): Promise<void> {
    // an invalid id (a NUL, "../", 10,000 characters) names no package; never send it to the database
    if (!isValidPackageId(id)) throw new HttpError(404, `No package has the id "${printable(id)}".`);
    const lowerId = id.toLowerCase();
    let key: string;
    try {
      key = toVersionKey(version);
    } catch {
      throw new HttpError(404, `Package ${id} ${printable(version)} was not found: the version is not a valid NuGet version.`);
    }
    const found = await this.deps.repo.setListed(lowerId, key, listed, this.deps.clock());
    if (!found) throw new HttpError(404, `Package ${id} ${version} was not found.`);
    this.deps.cache.invalidate(lowerId);
    this.deps.cache.invalidate(GLOBAL_CACHE_TAG);
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

function buildRow(inspection: NupkgInspection, upload: ReceivedUpload, now: Date, warn: (m: string) => void): NewPackageVersion {
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
    searchText: [m.id, m.title ?? '', m.summary ?? '', m.description, tags.join(' ')].join(' ').toLowerCase(),
  };
}

/** Text from a URL for a message: printable ASCII only, at most 64 characters. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
