/**
 * The free-text search document of a package version: the one formula for the `search_text` column
 * (db/schema.ts) that the search service's free-text terms are matched against (db/packages.ts,
 * `search_text like '%term%'`, every term lower-cased). Written at push by the ingest service and by the
 * generators that load synthetic rows for tests and benchmarks, so both are searched alike.
 */

/** The fields of a package version that free-text search looks at (nuspec values as stored). */
export interface SearchTextFields {
  /** package id as pushed, e.g. "Contoso.Tools" */
  id: string;
  /** nuspec `<title>`, null/absent when the nuspec has none */
  title?: string | null;
  /** nuspec `<summary>`, null/absent when the nuspec has none */
  summary?: string | null;
  /** nuspec `<description>` (required by NuGet, may be empty here) */
  description: string;
  /** nuspec `<tags>`, already split */
  tags: readonly string[];
}

/**
 * `id title summary description tags` joined by single spaces (a missing title or summary leaves an
 * empty slot, so two spaces), lower-cased with `toLowerCase` (locale-independent), the way NuGet's
 * search matches terms case-insensitively anywhere in id, title, summary, description and tags.
 * Never throws.
 *
 * @returns the lower-case search text, e.g. "contoso.tools contoso tools  helpers. contoso tools"
 */
export function searchTextOf(fields: SearchTextFields): string {
  return [fields.id, fields.title ?? '', fields.summary ?? '', fields.description, fields.tags.join(' ')].join(' ').toLowerCase();
}
