/**
 * The route table of the Galleon HTTP application: every route of every protocol on one line, read
 * top to bottom (URL space: README "The feeds" and the protocol reference sections named per file).
 * Handlers live in routes/<resource>.ts and take the shared RouteContext (routes/context.ts); HTTP
 * rules shared with the raw fast path live in http/. Dependencies are injected (ports.ts), so tests
 * drive the app with `app.request()` and object literals (server/app.test.ts).
 */
import { Hono } from 'hono';
import { mapError } from './errors.ts';
import { lowerPath } from './http/params.ts';
import { createRouteContext, setReason, type AppDeps, type Env } from './routes/context.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { dependenciesRoutes } from './routes/dependencies.ts';
import { flatContainerRoutes } from './routes/flat-container.ts';
import { homeRoutes } from './routes/home.ts';
import { packagePageRoutes } from './routes/package-page.ts';
import { publishRoutes } from './routes/publish.ts';
import { registrationRoutes } from './routes/registration.ts';
import { searchRoutes } from './routes/search.ts';
import { serviceIndexRoutes } from './routes/service-index.ts';

export type { AppDeps } from './routes/context.ts';

/** Builds the Galleon HTTP application. Paths match case-insensitively (§10 rule 3). */
export function createApp(deps: AppDeps): Hono<Env> {
  const ctx = createRouteContext(deps);
  const app = new Hono<Env>({ getPath: (req) => lowerPath(req.url) });
  app.onError((err, c) => {
    const mapped = mapError(err);
    if (mapped.internal) deps.log.error({ err, url: c.req.url, method: c.req.method }, 'request failed');
    setReason(c, mapped.message);
    return c.text(mapped.message, mapped.status as 400, mapped.headers);
  });
  app.notFound((c) => c.text('Not found. The service index is at /v3/index.json.', 404));

  const home = homeRoutes(ctx);
  const index = serviceIndexRoutes(ctx);
  const publish = publishRoutes(ctx);
  const flat = flatContainerRoutes(ctx);
  const registration = registrationRoutes(ctx);
  const catalog = catalogRoutes(ctx);
  const dependencies = dependenciesRoutes(ctx);
  const search = searchRoutes(ctx);
  const pages = packagePageRoutes(ctx);

  app.get('/', home.home);
  app.get('/health', index.health);
  // service index (§1); ModuleFast gets the dependency-only one (http/variant.ts)
  app.get('/index.json', index.index);
  app.get('/v3/index.json', index.index);
  app.get('/v3/dependencies/index.json', index.dependencyIndex);
  // push, unlist, relist (§2)
  app.put('/api/v2/package', publish.push);
  app.put('/api/v2/package/', publish.push);
  app.delete('/api/v2/package/:id/:version', publish.unlist);
  app.post('/api/v2/package/:id/:version', publish.relist);
  // flat container (§3)
  app.get('/v3/flatcontainer/:id/index.json', flat.versions);
  app.get('/v3/flatcontainer/:id/:version/:file', flat.file);
  // registration hive (§4) and catalog leaves (§7.3)
  app.get('/v3/registration/:id/index.json', registration.index);
  app.get('/v3/registration/:id/page/:lower/:upper{.+\\.json}', registration.page);
  app.get('/v3/registration/:id/:leaf{.+\\.json}', registration.leaf);
  app.get('/v3/catalog/data/:id/:leaf{.+\\.json}', catalog.leaf);
  // dependency-only hive (§5, ModuleFast)
  app.get('/v3/dependencies/:id/index.json', dependencies.index);
  app.get('/v3/dependencies/:id/page/:lower/:upper{.+\\.json}', dependencies.page);
  // search and autocomplete (§6)
  app.get('/v3/search', search.search);
  app.get('/v3/autocomplete', search.autocomplete);
  // package details page (PackageDetailsUriTemplate/5.1.0)
  app.get('/packages/:id/:version?', pages.page);
  return app;
}
