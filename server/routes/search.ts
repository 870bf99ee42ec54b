/**
 * Search and autocomplete (protocol reference §6): `/v3/search` (free text and `field:value` filters,
 * prerelease/semVerLevel variants, paging) and `/v3/autocomplete` (id prefixes, or the versions of one
 * id with `id=`). Answers are cached under GLOBAL_CACHE_TAG (every push changes them) or the id's tag.
 */
import { isValidPackageId } from '../../feed/package-id.ts';
import { buildAutocompleteResponse, buildAutocompleteVersions, buildSearchResponse, parseSearchQuery } from '../../feed/v3/search-result.ts';
import type { PackageRecord } from '../../feed/types.ts';
import type { SearchFilter } from '../../db/packages.ts';
import { HttpError } from '../errors.ts';
import { GLOBAL_CACHE_TAG } from '../cache.ts';
import { boolParam, intParam, semVer2Param, versionKeyParam } from '../http/params.ts';
import type { Handler, RouteContext } from './context.ts';

/** most distinct free-text terms plus field filters one search may have (each is a condition in SQL) */
export const MAX_SEARCH_CONDITIONS = 100;

/** Handlers of `/v3/search` and `/v3/autocomplete`. */
export function searchRoutes(ctx: RouteContext): { search: Handler; autocomplete: Handler } {
  const { repo } = ctx;
  return {
    search: (c) => {
      const q = c.req.query();
      const skip = intParam(q.skip, 'skip', 0, 0, 100_000);
      const take = intParam(q.take, 'take', 20, 0, 1000);
      const prerelease = boolParam(q.prerelease);
      const semVer2 = semVer2Param(q.semverlevel ?? q.semVerLevel);
      const packageType = q.packagetype ?? q.packageType ?? null;
      return ctx.document(c, GLOBAL_CACHE_TAG, async (urls) => {
        const parsed = parseSearchQuery(q.q ?? '');
        // each term and field value is one condition of the statement: repeated ones count once
        const lower = (xs: string[] | undefined) => [...new Set((xs ?? []).map((x) => x.toLowerCase()).filter(Boolean))];
        const conditions = lower(parsed.terms).length + Object.values(parsed.fields).reduce((n, xs) => n + lower(xs).length, 0);
        if (conditions > MAX_SEARCH_CONDITIONS) {
          throw new HttpError(400, `The search query has ${conditions} terms and field filters; Galleon accepts at most ${MAX_SEARCH_CONDITIONS}.`);
        }
        const filter: SearchFilter = {
          terms: lower(parsed.terms),
          id: lower(parsed.fields.id),
          packageId: lower(parsed.fields.packageid),
          tags: lower(parsed.fields.tags),
          author: lower(parsed.fields.author),
          title: lower(parsed.fields.title),
          description: lower(parsed.fields.description),
          summary: lower(parsed.fields.summary),
          owner: lower(parsed.fields.owner),
          version: lower(parsed.fields.version).map((v) => versionKeyParam(v) ?? v),
          prerelease,
          semVer2,
          packageType: packageType || null,
          skip,
          take,
        };
        const { lowerIds, totalHits } = take === 0 ? { lowerIds: [], totalHits: 0 } : await repo.search(filter);
        const records = await repo.getSearchRecordsFor(lowerIds, prerelease, semVer2);
        const byId = groupBy(records, (r) => r.lowerId);
        const hits = lowerIds.filter((id) => byId.has(id)).map((id) => ({ records: byId.get(id)! }));
        return buildSearchResponse(hits, totalHits, urls, { prerelease, semVerLevel2: semVer2 });
      }, { notFound: '' });
    },
    autocomplete: (c) => {
      const q = c.req.query();
      const prerelease = boolParam(q.prerelease);
      const semVer2 = semVer2Param(q.semverlevel ?? q.semVerLevel);
      if (q.id !== undefined) {
        const id = q.id;
        const lowerId = id.toLowerCase();
        return ctx.document(c, lowerId, async () => {
          const records = isValidPackageId(id) ? await repo.getListedRecords(lowerId) : [];
          return buildAutocompleteVersions(records.filter((r) => (prerelease || !r.isPrerelease) && (semVer2 || !r.isSemVer2)));
        }, { notFound: '' });
      }
      const skip = intParam(q.skip, 'skip', 0, 0, 100_000);
      const take = intParam(q.take, 'take', 20, 0, 1000);
      const packageType = q.packagetype ?? q.packageType ?? null;
      return ctx.document(c, GLOBAL_CACHE_TAG, async () => {
        const { ids, totalHits } = await repo.autocompleteIds(q.q ?? '', { prerelease, semVer2, packageType: packageType || null, skip, take });
        return buildAutocompleteResponse(ids, totalHits);
      }, { notFound: '' });
    },
  };
}

function groupBy<T extends PackageRecord>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
