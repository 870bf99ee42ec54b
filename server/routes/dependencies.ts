/**
 * The dependency-only hive (protocol reference §5, what ModuleFast reads): an id's index of listed
 * versions with their dependency groups, and its pages.
 */
import { buildDependenciesIndex, buildDependenciesPage } from '../../feed/v3/dependencies.ts';
import { packageIdParam } from '../http/params.ts';
import type { Handler, RouteContext } from './context.ts';

/** Handlers of `/v3/dependencies/{id}/index.json` and `/v3/dependencies/{id}/page/{lower}/{upper}.json`. */
export function dependenciesRoutes(ctx: RouteContext): { index: Handler; page: Handler } {
  const { repo } = ctx;
  return {
    index: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      return ctx.document(c, lowerId, async (urls) => {
        const records = await repo.getDependencyRecords(lowerId);
        return records.length ? buildDependenciesIndex(records[0]!.id, records, urls) : null;
      }, { notFound: `Package ${lowerId} was not found.` });
    },
    page: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const lower = c.req.param('lower')!;
      const upper = c.req.param('upper')!.slice(0, -'.json'.length);
      return ctx.document(c, lowerId, async (urls) => {
        const records = await repo.getDependencyRecords(lowerId);
        return records.length ? buildDependenciesPage(records[0]!.id, records, lower, upper, urls) : null;
      }, { notFound: `Page ${lower}/${upper} of ${lowerId} was not found.` });
    },
  };
}
