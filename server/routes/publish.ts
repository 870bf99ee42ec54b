/**
 * Push, unlist and relist (protocol reference §2): `PUT /api/v2/package` with the nupkg (multipart or
 * raw body, upload/receive.ts), `DELETE` and `POST /api/v2/package/{id}/{version}`. Every one needs the API key.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { HttpError } from '../errors.ts';
import { pushProfile } from '../services/push-profile.ts';
import { receiveUpload } from '../upload/receive.ts';
import { setReason, type Handler, type RouteContext } from './context.ts';

/** Handlers of push (201 "Package … was pushed."), unlist (204) and relist (200 "Listed."). */
export function publishRoutes(ctx: RouteContext): { push: Handler; unlist: Handler; relist: Handler } {
  const { config, staging, packages } = ctx;
  return {
    push: async (c) => {
      const started = pushProfile.enabled ? performance.now() : 0;
      const lap = pushProfile.laps();
      ctx.requireKey(c);
      const incoming = c.env?.incoming;
      const body: Readable | null = incoming ?? (c.req.raw.body ? Readable.fromWeb(c.req.raw.body as any) : null);
      if (!body) throw new HttpError(400, 'The request body is empty: no package was sent.');
      const headers: IncomingHttpHeaders = incoming?.headers ?? Object.fromEntries(c.req.raw.headers);
      const upload = await receiveUpload(body, headers, staging.tempPath(), config.maxPackageBytes);
      lap('receive');
      const result = await packages.push(upload);
      setReason(c, 'Created');
      if (started) pushProfile.add('route (total)', performance.now() - started);
      return c.text(`Package ${result.id} ${result.version} was pushed.`, 201);
    },
    unlist: async (c) => {
      ctx.requireKey(c);
      await packages.setListed(c.req.param('id')!, c.req.param('version')!, false);
      return c.body(null, 204);
    },
    relist: async (c) => {
      ctx.requireKey(c);
      await packages.setListed(c.req.param('id')!, c.req.param('version')!, true);
      return c.text('Listed.', 200);
    },
  };
}
