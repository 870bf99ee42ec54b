/**
 * Parameters of request URLs, parsed once: package ids, versions, numbers and booleans of the query
 * string (protocol reference §6.1 for search), and header values. Bad input is a clear 4xx
 * (`HttpError`), never a 5xx: an id that cannot exist is 404, a malformed number 400.
 */
import { isValidPackageId } from '../../feed/package-id.ts';
import { NuGetVersion } from '../../feed/version.ts';
import { HttpError } from '../errors.ts';
import { printable } from '../messages.ts';

/**
 * The id of a path parameter, lower-cased (§8.3).
 * @throws HttpError 404 when `id` is not a valid package id (it can match nothing)
 */
export function packageIdParam(id: string | undefined): string {
  const text = id ?? '';
  if (!isValidPackageId(text)) throw new HttpError(404, `No package has the id "${printable(text)}".`);
  return text.toLowerCase();
}

/** A version from a URL as its lower-cased normalized key (e.g. "1.0.0.0" → "1.0.0"); null when it is not a NuGet version. */
export function versionKeyParam(text: string): string | null {
  const v = NuGetVersion.tryParse(text);
  return v ? v.toNormalizedString().toLowerCase() : null;
}

/**
 * A whole-number query parameter, clamped to [min, max]; `dflt` when absent or empty.
 * @throws HttpError 400 when it is not 1–9 decimal digits
 */
export function intParam(value: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (value === undefined || value === '') return dflt;
  if (!/^\d{1,9}$/.test(value.trim())) throw new HttpError(400, `The ${name} parameter must be a whole number from ${min} to ${max}.`);
  return Math.min(Math.max(Number(value), min), max);
}

/** NuGet sends `true`, PSResourceGet `True` (§6.1): booleans are case-insensitive; anything else is false. */
export function boolParam(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** `semVerLevel` (§6.1): true for a version ≥ 2 (e.g. "2.0.0"), false when absent or lower. */
export function semVer2Param(value: string | undefined): boolean {
  if (!value) return false;
  const v = NuGetVersion.tryParse(value);
  return !!v && v.major >= 2;
}

/** The first value of a comma-separated header (X-Forwarded-*), trimmed; undefined when empty. */
export function firstHeader(value: string | undefined): string | undefined {
  return value?.split(',')[0]?.trim() || undefined;
}

/** The lower-cased path of an absolute URL, without its query: how routes are matched (§10 rule 3). */
export function lowerPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  const path = q < 0 ? url.slice(start) : url.slice(start, q);
  return path.toLowerCase();
}
