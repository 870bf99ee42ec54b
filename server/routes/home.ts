/**
 * `GET /`: the home page (pages/home.ts) with the package counts, sent with a strict
 * Content-Security-Policy and never cached (the counts change with every push).
 */
import { HOME_CSP, renderHomePage } from '../pages/home.ts';
import type { Handler, RouteContext } from './context.ts';

/** Handler of `/`. */
export function homeRoutes(ctx: RouteContext): { home: Handler } {
  const { repo, config } = ctx;
  return {
    home: async (c) => {
      const [ids, versions] = await Promise.all([
        repo.autocompleteIds('', { prerelease: true, semVer2: true, packageType: null, skip: 0, take: 0 }),
        repo.countVersions(),
      ]);
      const html = renderHomePage(ctx.urlsFor(c), { packages: ids.totalHits, versions, writesEnabled: !!config.apiKey });
      return c.html(html, 200, {
        'Content-Security-Policy': HOME_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      });
    },
  };
}
