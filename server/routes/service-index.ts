/**
 * The service index (protocol reference §1): the full one, or the dependency-only one for ModuleFast
 * (§5.3, chosen by User-Agent in http/variant.ts); `/v3/dependencies/index.json` is the dependency-only
 * one for every agent. Plus `/health` for load balancers and container health checks.
 */
import { buildDependenciesServiceIndex, buildServiceIndex } from '../../feed/v3/service-index.ts';
import { GLOBAL_CACHE_TAG } from '../cache.ts';
import { wantsDependencyFeed } from '../http/variant.ts';
import type { Handler, RouteContext } from './context.ts';

/** Handlers of `/index.json`, `/v3/index.json`, `/v3/dependencies/index.json` and `/health`. */
export function serviceIndexRoutes(ctx: RouteContext): { index: Handler; dependencyIndex: Handler; health: Handler } {
  return {
    index: (c) => {
      const slim = wantsDependencyFeed(c.req.header('user-agent'));
      return ctx.document(c, GLOBAL_CACHE_TAG + 'index', async (urls) => (slim ? buildDependenciesServiceIndex(urls) : buildServiceIndex(urls)), {
        notFound: '',
      });
    },
    dependencyIndex: (c) => ctx.document(c, GLOBAL_CACHE_TAG + 'index', async (urls) => buildDependenciesServiceIndex(urls), { notFound: '' }),
    health: (c) => c.json({ status: 'ok' }),
  };
}
