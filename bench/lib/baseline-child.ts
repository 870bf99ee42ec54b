/**
 * Child-process entry for the baselines Galleon is compared with in the same run:
 *
 * - `docs`: a bare `node:http` server answering, from memory, the exact bytes and headers Galleon
 *   answered for each request target (the ceiling of the hot-read scenario). Responses are keyed by
 *   request target and whether If-None-Match was sent.
 * - `sink`: a bare `node:http` server that streams every PUT body into a file, fsyncs it and answers
 *   201: the least work a push can cost (receive and store durably), the push scenario's baseline.
 *
 * Protocol (IPC, advanced serialization so Buffers travel as bytes): the parent sends
 * `{ type: 'start', mode, docs?, dir? }`; the child answers `{ type: 'ready', url, pid }`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';

/** One recorded answer: status, headers and raw (possibly gzip) body bytes. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The key under which the docs ceiling finds a recorded answer. */
export function ceilingKey(target: string, conditional: boolean): string {
  return `${conditional ? 'c' : 'u'}|${target}`;
}

process.once('message', (msg: any) => {
  if (msg?.type !== 'start') return;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  if (msg.mode === 'docs') {
    const docs = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
    for (const [k, v] of Object.entries(msg.docs as Record<string, RecordedResponse>)) {
      docs.set(k, { status: v.status, headers: v.headers, body: Buffer.from(v.body.buffer, v.body.byteOffset, v.body.byteLength) });
    }
    handler = (req, res) => {
      const doc = docs.get(ceilingKey(req.url ?? '/', req.headers['if-none-match'] !== undefined));
      if (!doc) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(doc.status, doc.headers);
      res.end(doc.body);
    };
  } else {
    const dir: string = msg.dir;
    let n = 0;
    handler = (req, res) => {
      const path = join(dir, `${process.pid}-${n++}.upload`);
      (async () => {
        await pipeline(req, createWriteStream(path));
        const h = await open(path, 'r+');
        await h.sync();
        await h.close();
        await rm(path, { force: true });
        res.writeHead(201, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Stored.');
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    };
  }
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid });
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
});
process.send?.({ type: 'awaiting' });
