/**
 * Search and autocomplete (protocol reference §6): the query-syntax parser (§6.1) and the builders of
 * the search response (§6.2) and both autocomplete responses (§6.4). Matching, ranking, `skip`/`take`
 * and counting are the caller's (the database query); these functions shape what it found.
 */
import type { PackageRecord } from '../types.ts';
import { FeedUrls } from '../urls.ts';
import { iconUrlOf, licenseUrlOf, nonEmpty, setIf, sortByVersion } from './fields.ts';

/** Field filters of a search query (§6.1), keyed by canonical lower-case field name; values as typed. */
export interface SearchFields {
  id?: string[];
  packageid?: string[];
  version?: string[];
  title?: string[];
  tags?: string[];
  author?: string[];
  description?: string[];
  summary?: string[];
  owner?: string[];
}

/** A parsed search query: free-text terms and field filters. */
export interface SearchQuery {
  terms: string[];
  fields: SearchFields;
}

/** Field names nuget.org understands (case-insensitive), with the singular/plural aliases it accepts. */
const FIELD_ALIASES: Record<string, keyof SearchFields> = {
  id: 'id',
  packageid: 'packageid',
  version: 'version',
  title: 'title',
  tag: 'tags',
  tags: 'tags',
  author: 'author',
  authors: 'author',
  description: 'description',
  summary: 'summary',
  owner: 'owner',
  owners: 'owner',
};

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/**
 * Parses the `q` parameter with nuget.org's query syntax (§6.1).
 *
 * - Whitespace separates tokens; `"…"` groups a phrase (quotes removed; an unterminated quote runs to
 *   the end of the query).
 * - `field:value` and `field:"a phrase"` set a field filter. Field names are case-insensitive:
 *   `id` (substring of the id), `packageid` (exact id), `version`, `title`, `tags`/`tag`,
 *   `author`/`authors`, `description`, `summary`, `owner`/`owners`; repeated fields accumulate.
 *   Unknown fields are dropped with their value (`foo:bar baz` ≡ `baz`); a field with an empty value is
 *   ignored.
 * - Every other token is a free-text term, kept exactly as given, `+` and other punctuation included
 *   (NuGet sends a literal `+` unencoded; whether the HTTP layer decoded it to a space is its business).
 *
 * @param q  the raw query text, possibly empty
 * @returns `{ terms, fields }`; `{ terms: [], fields: {} }` for an empty or blank query (list everything)
 */
export function parseSearchQuery(q: string): SearchQuery {
  const terms: string[] = [];
  const fields: SearchFields = {};
  const n = q.length;
  let i = 0;

  const readQuoted = (start: number): [string, number] => {
    // `start` is the index of the opening quote
    const end = q.indexOf('"', start + 1);
    if (end === -1) return [q.slice(start + 1), n];
    return [q.slice(start + 1, end), end + 1];
  };
  const readBare = (start: number): [string, number] => {
    let j = start;
    while (j < n && !isSpace(q[j]!)) j++;
    return [q.slice(start, j), j];
  };

  while (i < n) {
    if (isSpace(q[i]!)) {
      i++;
      continue;
    }
    if (q[i] === '"') {
      const [phrase, next] = readQuoted(i);
      const t = phrase.trim();
      if (t !== '') terms.push(t);
      i = next;
      continue;
    }
    let j = i;
    while (j < n && !isSpace(q[j]!) && q[j] !== ':' && q[j] !== '"') j++;
    if (j < n && q[j] === ':' && j > i) {
      const name = q.slice(i, j).toLowerCase();
      const [value, next] = q[j + 1] === '"' ? readQuoted(j + 1) : readBare(j + 1);
      i = next;
      const field = Object.hasOwn(FIELD_ALIASES, name) ? FIELD_ALIASES[name] : undefined;
      const v = value.trim();
      if (field !== undefined && v !== '') (fields[field] ??= []).push(v);
      continue;
    }
    const [word, next] = readBare(i);
    terms.push(word);
    i = next;
  }
  return { terms, fields };
}

/** One search hit: the listed versions of one package id, any order (the caller's query found it). */
export interface SearchHit {
  records: PackageRecord[];
}

/** Search request flags that decide which versions are visible (§6.1). */
export interface SearchVisibility {
  /** `prerelease=true`: include prerelease versions. */
  prerelease: boolean;
  /** `semVerLevel=2.0.0`: include SemVer 2 versions (§8.1). */
  semVerLevel2: boolean;
}

/** One version inside a search result. */
export interface SearchVersionJson {
  version: string;
  downloads: number;
  '@id': string;
}

/** One search result (one package id, §6.2). Optional members are omitted, never null. */
export interface SearchResultJson {
  '@id': string;
  '@type': 'Package';
  registration: string;
  id: string;
  version: string;
  description: string;
  summary?: string;
  title?: string;
  iconUrl?: string;
  licenseUrl?: string;
  projectUrl?: string;
  tags: string[];
  authors: string[];
  totalDownloads: number;
  verified: false;
  packageTypes: { name: string }[];
  versions: SearchVersionJson[];
  vulnerabilities: [];
}

/** The search response (§6.2): `totalHits` is the first key (NuGet reads it before `data`). */
export interface SearchResponseJson {
  totalHits: number;
  data: SearchResultJson[];
}

/** Splits the comma-joined nuspec authors into a trimmed array without empty entries. */
export function splitAuthors(authors: string): string[] {
  return authors
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function visible(record: PackageRecord, opts: SearchVisibility): boolean {
  return record.listed && (opts.prerelease || !record.isPrerelease) && (opts.semVerLevel2 || !record.isSemVer2);
}

/**
 * Builds the search response (§6.2).
 *
 * One result per hit, in hit order (the caller's ranking). Versions are filtered again here: listed
 * only, prereleases only with `opts.prerelease`, SemVer 2 versions only with `opts.semVerLevel2`; a hit
 * with no visible version is left out (the caller's `totalHits` is emitted as given). Each result takes
 * its metadata from the latest visible version: `version` is its full version (metadata allowed), `@id`
 * and `registration` the registration index URL, `authors` and `tags` arrays, `iconUrl`/`licenseUrl`
 * as in the registration (§4.5), `packageTypes` the declared types or `[{name: "Dependency"}]`,
 * `verified: false`, `vulnerabilities: []`. `versions` lists every visible version ascending with its
 * download count and registration leaf URL; `totalDownloads` is their sum.
 *
 * @param hits       one entry per package id, records in any order
 * @param totalHits  total number of matching ids before `skip`/`take`
 */
export function buildSearchResponse(
  hits: readonly SearchHit[],
  totalHits: number,
  urls: FeedUrls,
  opts: SearchVisibility,
): SearchResponseJson {
  const data: SearchResultJson[] = [];
  for (const hit of hits) {
    const versions = sortByVersion(hit.records.filter((r) => visible(r, opts)));
    if (versions.length === 0) continue;
    const latest = versions[versions.length - 1]!;
    let totalDownloads = 0;
    for (const r of versions) totalDownloads += r.downloads;
    const registration = urls.registrationIndex(latest.id);
    const result = {
      '@id': registration,
      '@type': 'Package',
      registration,
      id: latest.id,
      version: latest.fullVersion,
      description: latest.description,
    } as SearchResultJson;
    setIf(result, 'summary', nonEmpty(latest.summary));
    setIf(result, 'title', nonEmpty(latest.title));
    setIf(result, 'iconUrl', iconUrlOf(latest, urls));
    setIf(result, 'licenseUrl', licenseUrlOf(latest, urls));
    setIf(result, 'projectUrl', nonEmpty(latest.projectUrl));
    result.tags = [...latest.tags];
    result.authors = splitAuthors(latest.authors);
    result.totalDownloads = totalDownloads;
    result.verified = false;
    result.packageTypes =
      latest.packageTypes.length > 0 ? latest.packageTypes.map((t) => ({ name: t.name })) : [{ name: 'Dependency' }];
    result.versions = versions.map((r) => ({
      version: r.fullVersion,
      downloads: r.downloads,
      '@id': urls.registrationLeaf(r.id, r.version),
    }));
    result.vulnerabilities = [];
    data.push(result);
  }
  return { totalHits, data };
}

/** The id-mode autocomplete response (§6.4). */
export interface AutocompleteResponseJson {
  totalHits: number;
  data: string[];
}

/**
 * Builds the id-mode autocomplete response (§6.4), `GET {autocomplete}?q=…`: `{ totalHits, data }`
 * with the ids in the caller's order (display casing; ids with only unlisted versions are the caller's
 * to exclude).
 */
export function buildAutocompleteResponse(ids: readonly string[], totalHits: number): AutocompleteResponseJson {
  return { totalHits, data: [...ids] };
}

/** The versions-mode autocomplete response (§6.4). */
export interface AutocompleteVersionsJson {
  totalHits: number;
  data: string[];
}

/**
 * Builds the versions-mode autocomplete response (§6.4), `GET {autocomplete}?id=…`: the listed versions
 * of one id, ascending, each its full version (build metadata kept, as nuget.org does with
 * `semVerLevel=2.0.0`). With `opts`, prereleases and SemVer 2 versions are filtered as in search;
 * without, every listed version is returned. `totalHits` (the number of versions) comes first like in
 * the id mode; NuGet reads only `data`.
 *
 * @param records  the stored versions of one id, any order (unlisted ones are dropped)
 */
export function buildAutocompleteVersions(
  records: readonly PackageRecord[],
  opts: SearchVisibility = { prerelease: true, semVerLevel2: true },
): AutocompleteVersionsJson {
  const data = sortByVersion(records.filter((r) => visible(r, opts))).map((r) => r.fullVersion);
  return { totalHits: data.length, data };
}
