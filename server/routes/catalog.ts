/**
 * Catalog leaves (protocol reference §7.3, PackageDetails): `/v3/catalog/data/{id}/{version}.json`, the document each
 * registration leaf's `catalogEntry` links to. Galleon has no catalog index; leaves are built on demand.
 */
import { buildCatalogLeaf } from '../../feed/v3/catalog.ts';
import { packageIdParam, versionKeyParam } from '../http/params.ts';
import type { Handler, RouteContext } from './context.ts';

/** Handler of `/v3/catalog/data/{id}/{version}.json`. */
export function catalogRoutes(ctx: RouteContext): { leaf: Handler } {
  const { repo } = ctx;
  return {
    leaf: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const leaf = c.req.param('leaf')!;
      const key = versionKeyParam(leaf.slice(0, -'.json'.length));
      return ctx.document(c, lowerId, async (urls) => {
        const record = key ? await repo.getRecord(lowerId, key) : null;
        return record ? buildCatalogLeaf(record, urls) : null;
      }, { notFound: `Package ${lowerId} ${leaf} was not found.` });
    },
  };
}
