/**
 * `galleon serve`: opens the database (migrating under an advisory lock), cleans what an earlier
 * crash left behind, and serves HTTP. Hot documents already in the cache are answered by a raw
 * `node:http` fast path before Hono is involved; everything else goes through the app. SIGTERM and
 * SIGINT stop accepting connections, drain in-flight requests and flush buffered download counts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../db/connection.ts';
import { PackageRepository } from '../db/packages.ts';
import { createApp } from './app.ts';
import { serveCached } from './fast-path.ts';
import { FsBlobStore } from './blob-store.ts';
import { DocumentCache } from './cache.ts';
import { embeddedDbDir, packagesDir, type Config } from './config.ts';
import { DownloadCounter } from './downloads.ts';
import { PackageService } from './ingest.ts';

export interface RunningServer {
  server: Server;
  /** the URL the server listens on, e.g. http://127.0.0.1:5555 */
  url: string;
  config: Config;
  db: DatabaseHandle;
  /** drains requests, flushes download counts and closes the database */
  stop(): Promise<void>;
}

/**
 * Starts Galleon with `config`.
 *
 * @param opts.installSignalHandlers stop cleanly on SIGTERM/SIGINT (the CLI sets it; tests do not)
 * @throws when the database cannot be opened or the port cannot be bound
 */
export async function startServer(
  initialConfig: Config,
  opts: { installSignalHandlers?: boolean; logger?: pino.Logger; clock?: () => Date } = {},
): Promise<RunningServer> {
  let config = initialConfig;
  const log = opts.logger ?? pino({ level: config.logLevel });
  const started = Date.now();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, embeddedDir: config.databaseUrl ? null : embeddedDbDir(config) });
  const repo = new PackageRepository(db.db);
  const blobs = new FsBlobStore(packagesDir(config));
  await blobs.init();
  await cleanLeftovers(blobs, repo, log);

  // listen first so that a port of 0 (tests) is known before links are built from it
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'Retry-After': '1' }).end('Starting.');
  };
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => handle(req, res));
  server.maxHeadersCount = 200;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (!config.baseUrlConfigured && config.port === 0) config = { ...config, baseUrl: url };

  const cache = new DocumentCache();
  const downloads = new DownloadCounter(repo, config.downloadFlushMs, (err) => log.error({ err }, 'download count flush failed'));
  downloads.start();
  const clock = opts.clock ?? (() => new Date());
  const packages = new PackageService({ repo, blobs, cache, clock, log });
  const app = createApp({ config, repo, blobs, cache, downloads, packages, log });

  const honoListener = getRequestListener(app.fetch as any, {
    errorHandler: (err) => {
      log.error({ err }, 'unhandled request error');
      return new Response('Internal server error.', { status: 500 });
    },
  });
  const cachedBase = config.baseUrlConfigured || !config.trustProxy ? config.baseUrl : null;
  handle = (req, res) => {
    if (cachedBase !== null && serveCached(req, res, cache, cachedBase)) return;
    void honoListener(req, res);
  };
  log.info(
    { url, baseUrl: config.baseUrl, database: db.kind, dataDir: config.dataDir, ms: Date.now() - started, writes: config.apiKey ? 'enabled' : 'disabled (no GALLEON_API_KEY)' },
    'Galleon is serving',
  );

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info({}, 'stopping: draining in-flight requests');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await downloads.stop();
      await db.close();
      log.info({}, 'stopped');
    })();
    return stopping;
  };
  if (opts.installSignalHandlers) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        stop().then(
          () => process.exit(0),
          (err) => {
            log.error({ err }, 'unclean stop');
            process.exit(1);
          },
        );
      });
    }
  }
  return { server, url, config, db, stop };
}

/**
 * Crash recovery at start-up: removes temp files of interrupted uploads and blob folders that no
 * row references (a push that died between storing its files and committing its rows). Assumes
 * this process is the only one writing to the blob store while it starts.
 */
async function cleanLeftovers(blobs: FsBlobStore, repo: PackageRepository, log: pino.Logger): Promise<void> {
  const temps = await blobs.cleanTemp();
  const referenced = await repo.allBlobKeys();
  let orphans = 0;
  for (const key of await blobs.listKeys()) {
    if (!referenced.has(key)) {
      await blobs.remove(key);
      orphans++;
    }
  }
  if (temps || orphans) log.warn({ tempFiles: temps, orphanBlobs: orphans }, 'removed leftovers of interrupted pushes');
}
