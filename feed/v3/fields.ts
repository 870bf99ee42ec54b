/**
 * The fields every NuGet v3 document builder spells the same way (protocol reference §4.5, §4.7, §8.1):
 * timestamps, deterministic commit ids, version sorting and keys, the version clients see, the
 * `packageContent`, icon, licence and readme URLs, `published`, dependency range text. The registration,
 * dependency-only, search, flat-container and catalog builders all take these from here, so a field
 * cannot drift between documents.
 *
 * Pure: inputs are `PackageRecord`s and a `FeedUrls`, outputs strings and plain values.
 */
import { createHash } from 'node:crypto';
import type { PackageRecord } from '../types.ts';
import { FeedUrls, lowerInvariant } from '../urls.ts';
import { NuGetVersion } from '../version.ts';

/**
 * Thrown when a builder is handed records that cannot form one document, e.g. records of two different
 * package ids. This is a programming error of the caller (the server), so it maps to 500, not 4xx.
 */
export class FeedDocumentError extends Error {
  readonly code = 'feed_document_error';
  constructor(message: string) {
    super(message);
    this.name = 'FeedDocumentError';
  }
}

/** The `published` value nuget.org gives unlisted versions (§4.5). */
export const UNLISTED_PUBLISHED = '1900-01-01T00:00:00+00:00';

/**
 * ISO-8601 timestamp with an explicit UTC offset and milliseconds, the way nuget.org writes `published`,
 * `created` and `lastEdited` (§4.5, §7.3): `2026-03-02T10:15:00.000+00:00`.
 */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/**
 * `commitTimeStamp` in .NET round-trip ("O") form with seven fractional digits, as nuget.org writes it
 * (§4.2): `2026-03-02T10:15:00.0000000+00:00`.
 */
export function formatCommitTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2026-03-02T10:15:00.123Z
  return `${iso.slice(0, 23)}0000+00:00`;
}

/**
 * A deterministic, UUID-shaped commit id (§4.2 `commitId`, ignored by clients) derived from `parts`:
 * the same inputs always give the same id, so a rebuilt document is byte-identical (stable ETags).
 * @param parts  strings that identify the state of the document, e.g. lower-case id and last edit time
 * @returns e.g. "5c0f7a2e-1d3b-5c55-9b1e-0a6a2c1f9d10" (version nibble 5, RFC 4122 variant)
 */
export function deterministicCommitId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\n')).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The later of a record's `created` and `lastEdited`, in epoch milliseconds. */
export function editTime(record: Pick<PackageRecord, 'created' | 'lastEdited'>): number {
  const c = record.created.getTime();
  const e = record.lastEdited.getTime();
  return e > c ? e : c;
}

/** The latest `created`/`lastEdited` over `records` (epoch 0 for an empty list). */
export function latestEdit(records: readonly Pick<PackageRecord, 'created' | 'lastEdited'>[]): Date {
  let max = 0;
  for (const r of records) {
    const t = editTime(r);
    if (t > max) max = t;
  }
  return new Date(max);
}

/**
 * Sorts records ascending by NuGet version precedence (§8.1), parsing each `version` once (never inside
 * the comparator). Returns a new array; the input is not modified. Records whose `version` does not parse
 * (which the ingest path never stores) sort first, in input order, so one bad row cannot break a document.
 */
export function sortByVersion<T extends Pick<PackageRecord, 'version'>>(records: readonly T[]): T[] {
  const keyed = records.map((record, index) => ({ record, index, v: NuGetVersion.tryParse(record.version) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v === b.v) return a.index - b.index;
      return a.v === null ? -1 : 1;
    }
    return a.v.compareTo(b.v) || a.index - b.index;
  });
  return keyed.map((k) => k.record);
}

/** The newest record by NuGet version precedence, or undefined for an empty list (one pass, one parse each). */
export function latestByVersion(records: readonly PackageRecord[]): PackageRecord | undefined {
  let best: PackageRecord | undefined;
  let bestV: NuGetVersion | null = null;
  for (const r of records) {
    const v = NuGetVersion.tryParse(r.version);
    if (best === undefined || (v !== null && (bestV === null || v.compareTo(bestV) > 0))) {
      best = r;
      bestV = v;
    }
  }
  return best;
}

/** Lower-case normalized version without metadata: the identity used in URLs and page bounds (§4.3, §8.1). */
export function versionKeyOf(record: Pick<PackageRecord, 'version'>): string {
  return lowerInvariant(record.version);
}

/**
 * Throws {@link FeedDocumentError} unless every record has the same package id (case-insensitively).
 * @returns the package id of the first record, or undefined for an empty list
 */
export function assertSingleId(records: readonly Pick<PackageRecord, 'id'>[]): string | undefined {
  if (records.length === 0) return undefined;
  const first = lowerInvariant(records[0]!.id);
  for (const r of records) {
    if (lowerInvariant(r.id) !== first) {
      throw new FeedDocumentError(`records of different package ids in one document: '${records[0]!.id}' and '${r.id}'`);
    }
  }
  return records[0]!.id;
}

/**
 * The version string PowerShell clients should see (§4.7): the module manifest spelling
 * (`moduleVersion`, e.g. "1.0.0.0" or "2.1-preview1") for PowerShell modules, otherwise `fallback`.
 */
export function displayVersion(record: PackageRecord, fallback: string): string {
  return record.moduleVersion ?? fallback;
}

/**
 * `packageContent` URL of a record (§4.4, §4.7). For PowerShell modules the URL carries both the
 * normalized version (folder segment) and the manifest spelling (file name), case-exactly:
 * `…/contoso.tools/2.1.0/contoso.tools.2.1.nupkg`, `…/x/1.0.0/x.1.0.0.0.nupkg`,
 * `…/x/2.0.0-Preview1/x.2.0.0-Preview1.nupkg`. PSResourceGet picks the download by an ordinal substring
 * match of the normalized form of `catalogEntry.version` (`2.1` → `2.1.0`) against this URL, so that form
 * must occur; the flat-container route resolves versions case- and normalization-insensitively, so the
 * URL still downloads. Everything else gets the ordinary lower-case normalized flat-container URL.
 */
export function packageContentUrl(record: Pick<PackageRecord, 'id' | 'version' | 'moduleVersion'>, urls: FeedUrls): string {
  if (record.moduleVersion === null) return urls.nupkg(record.id, record.version);
  const v = record.moduleVersion;
  const normalized = NuGetVersion.tryParse(v)?.toNormalizedString() ?? record.version;
  const lid = lowerInvariant(record.id);
  return `${urls.flatContainer()}${lid}/${normalized}/${lid}.${v}.nupkg`;
}

/** `iconUrl` (§4.5): the flat-container icon route for embedded icons, else the nuspec `iconUrl`, else undefined. */
export function iconUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  if (record.hasIcon) return urls.icon(record.id, record.version);
  return nonEmpty(record.iconUrl);
}

/** `licenseUrl` (§4.5): `https://licenses.nuget.org/<expression>` for licence expressions, else the nuspec `licenseUrl`. */
export function licenseUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  const expr = nonEmpty(record.licenseExpression);
  if (expr !== undefined) return urls.licenseExpression(expr);
  return nonEmpty(record.licenseUrl);
}

/** `readmeUrl` (§4.5: the HTML page of the README, nuget.org's package page) for packages that embed a readme. */
export function readmeUrlOf(record: PackageRecord, urls: FeedUrls): string | undefined {
  if (!record.hasReadme) return undefined;
  return urls
    .packageDetailsTemplate()
    .replace('{id}', encodeURIComponent(record.id))
    .replace('{version}', encodeURIComponent(record.version));
}

/** `value` unless it is null, undefined or the empty string. */
export function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** `published` of a version (§4.5): first push time, or the 1900 date nuget.org uses for unlisted versions. */
export function publishedOf(record: PackageRecord): string {
  return record.listed ? formatTimestamp(record.created) : UNLISTED_PUBLISHED;
}
/** A range as emitted: the stored normalized text, or "(, )" when the stored text is empty ("any version", §8.2). */
export function rangeText(range: string | null | undefined): string {
  const r = range?.trim();
  return r ? r : '(, )';
}
/** Assigns `obj[key] = value` only when `value` is defined, keeping key order equal to call order. */
export function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}
