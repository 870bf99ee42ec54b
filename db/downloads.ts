/**
 * Download counters: the per-version `downloads` (the search results' and registration leaves'
 * `downloads`), the per-id `total_downloads` of the registration and its copy in the id's search
 * documents (the ranking of §6 search), all raised together by one flush of the counts
 * server/downloads.ts buffers in memory (reads never write).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './connection.ts';
import { normalizeRows } from './columns.ts';
import { bigintArray, textArray } from './lists.ts';

/** The writes of the download counters. */
export class DownloadCounters {
  constructor(private readonly db: Database) {}

  /**
   * Adds buffered download counts (key `${lowerId}/${versionKey}`, value a count ≥ 1) to the
   * versions, to their ids' `total_downloads` and to the ids' search documents (the ranking of
   * §6 search), in one transaction. Keys of unknown versions are ignored.
   */
  async addDownloads(counts: Map<string, number>): Promise<void> {
    if (counts.size === 0) return;
    const ids: string[] = [];
    const keys: string[] = [];
    const ns: number[] = [];
    for (const [key, n] of counts) {
      const slash = key.indexOf('/');
      ids.push(key.slice(0, slash));
      keys.push(key.slice(slash + 1));
      ns.push(n);
    }
    await this.db.transaction(async (tx) => {
      const touched = normalizeRows(
        await tx.execute(sql`
          with c(lower_id, version_key, n) as (select * from unnest(${textArray(ids)}, ${textArray(keys)}, ${bigintArray(ns)})),
          u as (
            update package_versions as v set downloads = v.downloads + c.n
            from c
            where v.lower_id = c.lower_id and v.version_key = c.version_key
            returning v.lower_id, c.n
          )
          update package_registrations as r set total_downloads = r.total_downloads + s.n
          from (select lower_id, sum(n)::bigint as n from u group by lower_id) s
          where r.lower_id = s.lower_id
          returning r.lower_id`),
      ).map((r) => String(r.lower_id));
      if (touched.length === 0) return;
      // a statement of its own: it sees search rows a concurrent push committed while this waited
      await tx.execute(sql`
        update package_search as p set total_downloads = r.total_downloads
        from package_registrations r
        where r.lower_id = p.lower_id and r.lower_id = any(${textArray(touched)})`);
    });
  }
}
