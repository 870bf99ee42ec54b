/**
 * The human-readable package page behind PackageDetailsUriTemplate/5.1.0 (`/packages/{id}/{version}`,
 * the version optional: the newest listed one); rendered by pages/package-page.ts.
 */
import { renderPackagePage } from '../pages/package-page.ts';
import { packageIdParam, versionKeyParam } from '../http/params.ts';
import { notFound, type Handler, type RouteContext } from './context.ts';

/** Handler of `/packages/{id}/{version?}`. */
export function packagePageRoutes(ctx: RouteContext): { page: Handler } {
  const { repo } = ctx;
  return {
    page: async (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const records = await repo.getRecords(lowerId);
      if (!records.length) return notFound(c, `Package ${lowerId} was not found.`);
      const versionText = c.req.param('version');
      const key = versionText ? versionKeyParam(versionText) : null;
      if (versionText && key === null) return notFound(c, `Package ${lowerId} ${versionText} was not found.`);
      const html = renderPackagePage(records, key, ctx.urlsFor(c));
      if (html === null) return notFound(c, `Package ${lowerId} ${versionText} was not found.`);
      return c.html(html);
    },
  };
}
