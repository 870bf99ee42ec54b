/**
 * The flat container (protocol reference §3): the version list of an id, and a version's nupkg,
 * nuspec, readme and embedded icon. Which file a URL names, its ETag and headers are http/files.ts's
 * rules, shared with the raw fast path (which answers the files already in memory before this route).
 */
import { Readable } from 'node:stream';
import { buildVersionsList } from '../../feed/v3/flat-container.ts';
import { fileHeaders, fileEtag, hasFile, resolveFlatFile } from '../http/files.ts';
import { matchesEtag } from '../http/negotiation.ts';
import { packageIdParam, versionKeyParam } from '../http/params.ts';
import { notFound, type Handler, type RouteContext } from './context.ts';

/** Handlers of `/v3/flatcontainer/{id}/index.json` and `/v3/flatcontainer/{id}/{version}/{file}` (GET and HEAD). */
export function flatContainerRoutes(ctx: RouteContext): { versions: Handler; file: Handler } {
  const { repo, stored, blobs, downloads, log } = ctx;
  return {
    versions: (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      // only ids and versions: a 5,000-version id must not cost 5,000 whole rows
      return ctx.document(c, lowerId, async () => buildVersionsList(await repo.getVersionSummaries(lowerId)), {
        notFound: `Package ${lowerId} was not found.`,
      });
    },
    file: async (c) => {
      const lowerId = packageIdParam(c.req.param('id'));
      const versionText = c.req.param('version')!;
      const key = versionKeyParam(versionText);
      const name = resolveFlatFile(lowerId, versionText, key, c.req.param('file')!);
      if (!name) return notFound(c, 'Not found.');
      const version = key ? await stored.get(lowerId, key) : null;
      if (!version) return notFound(c, `Package ${lowerId} ${versionText} was not found.`);
      if (!hasFile(version, name)) return notFound(c, name === 'readme' ? 'This package has no readme.' : 'This package has no embedded icon.');
      const etag = fileEtag(version.blobKey, name);
      if (matchesEtag(c.req.header('if-none-match'), etag)) return new Response(null, { status: 304, headers: { ETag: etag } });
      const opened = await blobs.open(version.blobKey, name);
      if (!opened) {
        log.error({ blobKey: version.blobKey, name }, 'stored package file is missing');
        throw new Error(`blob ${version.blobKey}/${name} missing`);
      }
      const headers = fileHeaders(name, opened.size, etag);
      if (c.req.method === 'HEAD') {
        opened.stream.destroy();
        return new Response(null, { status: 200, headers });
      }
      if (name === 'package.nupkg') downloads.count(lowerId, key!);
      if (name === 'icon') return new Response(await sniffIcon(opened.stream, headers), { status: 200, headers });
      return new Response(Readable.toWeb(opened.stream) as ReadableStream, { status: 200, headers });
    },
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads an icon (≤ 1 MB, §8.4) and sets its Content-Type from its magic bytes (PNG, JPEG; else octet-stream). */
async function sniffIcon(stream: NodeJS.ReadableStream, headers: Record<string, string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) headers['Content-Type'] = 'image/png';
  else if (bytes[0] === 0xff && bytes[1] === 0xd8) headers['Content-Type'] = 'image/jpeg';
  return bytes;
}
