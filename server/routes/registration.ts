/**
 * The registration hive (protocol reference §4): an id's index (inlined pages, or linked pages for
 * ids with many versions), one page, and one version's leaf.
 */
import {
  buildLinkedRegistrationIndex,
  buildRegistrationIndex,
  buildRegistrationLeaf,
  buildRegistrationPage,
} from '../../feed/v3/registration.ts';
import { findRegistrationPage } from '../../feed/v3/paging.ts';
import { packageIdParam, versionKeyParam } from '../http/params.ts';
import type { Handler, RouteContext } from './context.ts';

/** Handlers of `/v3/registration/{id}/index.json`, `…/page/{lower}/{upper}.json` and `…/{version}.json`. */
export function registrationRoutes(ctx: RouteContext): { index: Handler; page: Handler; leaf: Handler } {
  const { repo } = ctx;
  return {
    index: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      return ctx.document(c, lowerId, async (urls) => {
        // ids with many versions get linked pages: their index needs only version summaries
        const summaries = await repo.getVersionSummaries(lowerId);
        if (!summaries.length) return null;
        const linked = buildLinkedRegistrationIndex(summaries[0]!.id, summaries, urls);
        if (linked) return linked;
        const records = await repo.getRecords(lowerId);
        return records.length ? buildRegistrationIndex(records[0]!.id, records, urls) : null;
      }, { notFound: `Package ${lowerId} was not found.` });
    },
    page: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const lower = c.req.param('lower')!;
      const upper = c.req.param('upper')!.slice(0, -'.json'.length);
      return ctx.document(c, lowerId, async (urls) => {
        const summaries = await repo.getVersionSummaries(lowerId);
        const page = summaries.length ? findRegistrationPage(summaries, lower, upper) : null;
        if (!page) return null;
        const records = await repo.getRecordsByKeys(lowerId, page.map((v) => v.version.toLowerCase()));
        return records.length ? buildRegistrationPage(records[0]!.id, records, urls) : null;
      }, { notFound: `Registration page ${lower}/${upper} of ${lowerId} was not found.` });
    },
    leaf: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const leaf = c.req.param('leaf')!;
      const key = versionKeyParam(leaf.slice(0, -'.json'.length));
      return ctx.document(c, lowerId, async (urls) => {
        const record = key ? await repo.getRecord(lowerId, key) : null;
        return record ? buildRegistrationLeaf(record, urls) : null;
      }, { notFound: `Package ${lowerId} ${leaf} was not found.` });
    },
  };
}
