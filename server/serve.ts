/**
 * `galleon serve`: listens (answering 503 until ready), checks that the data and package folders are
 * writable, takes the data folder's lock (embedded database), opens the database (migrating under an
 * advisory lock), and then, in the background, sweeps what an earlier crash left behind
 * (server/sweep.ts: quarantine, never deletion). Hot documents already in the cache are answered by a raw
 * `node:http` fast path before Hono is involved; everything else goes through the app. SIGTERM and
 * SIGINT stop accepting connections, drain in-flight requests (idle keep-alive connections are closed
 * at once, busy ones after their last answer, everything at the drain timeout) and flush buffered
 * download counts. Requests Node's parser rejects, and targets with dot segments or an encoded NUL,
 * get a plain-text 4xx before any route sees them.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../db/connection.ts';
import { PackageRepository } from '../db/packages.ts';
import { createApp } from './app.ts';
import { serveCached, serveStoredFile } from './fast-path.ts';
import type { BlobName } from './storage/blob-store.ts';
import { openPackageStorage } from './storage/index.ts';
import { DocumentCache, StoredVersionCache } from './cache.ts';
import { embeddedDbDir, packagesDir, publicAddressProblem, quarantineDir, type Config } from './config.ts';
import { lockDataDir } from './data-lock.ts';
import { createLogger } from './log.ts';
import { checkFolderWritable, checkTreeWritable, describeDatabaseUrl, explainDatabaseError, explainListenError, StartupError } from './startup.ts';
import { runStartupSweep } from './sweep.ts';
import type { EmbeddedDatabaseFault } from '../db/embedded.ts';
import { DownloadCounter } from './downloads.ts';
import { LocalInvalidator } from './services/invalidator.ts';
import { PackageService } from './services/packages.ts';

export interface RunningServer {
  server: Server;
  /** the URL the server listens on, e.g. http://127.0.0.1:5555 */
  url: string;
  config: Config;
  db: DatabaseHandle;
  /** drains requests, flushes download counts and closes the database */
  stop(): Promise<void>;
  /** settles when the background start-up sweep has finished (tests wait for it) */
  sweepDone: Promise<void>;
}

/** How long `stop()` waits for in-flight requests before closing their connections, by default. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/**
 * Starts Galleon with `config`.
 *
 * Start-up order: the address check (HOST=0.0.0.0 needs GALLEON_BASE_URL), listening (a port in use
 * fails at once; requests get 503 "Starting." until the database is open), the data folder (writable,
 * locked on the embedded database), the package folder (writable), the database. Then one info line
 * "Galleon is serving" with `serviceIndex`, `dataDir`, `database`, `writes` (and `url`, `baseUrl`, `ms`).
 *
 * @param opts.installSignalHandlers stop cleanly on SIGTERM/SIGINT (the CLI sets it; tests do not)
 * @param opts.drainTimeoutMs how long `stop()` lets in-flight requests finish before it closes their
 *        connections (default {@link DEFAULT_DRAIN_TIMEOUT_MS}; Docker's default stop grace is 10 s,
 *        Kubernetes' 30 s)
 * @throws StartupError (server/startup.ts) with a one-line message naming the setting and the fix for
 *         every cause it recognises: HOST without GALLEON_BASE_URL, the port in use or not bindable, a
 *         data, database or package folder not writable, PostgreSQL unreachable or refusing the login;
 *         DataDirInUseError when another process holds the embedded database; other errors as they are
 */
export async function startServer(
  initialConfig: Config,
  opts: { installSignalHandlers?: boolean; logger?: pino.Logger; clock?: () => Date; drainTimeoutMs?: number } = {},
): Promise<RunningServer> {
  let config = initialConfig;
  const addressProblem = publicAddressProblem(config);
  if (addressProblem) throw new StartupError(addressProblem);
  const log = opts.logger ?? createLogger(config);
  const started = Date.now();
  const embedded = !config.databaseUrl;

  // Requests arriving before the database is open get a 503 with Retry-After.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'Retry-After': '1' }).end('Starting.');
  };
  // Open connections. Per request nothing is recorded (a cached read costs a few µs, and bookkeeping
  // per request was 20-35 % of it); at stop() each socket's answer in progress is looked up instead.
  const sockets = new Set<Socket>();
  let draining = false;
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    // while stopping, every answer tells the client not to reuse the connection
    if (draining) res.shouldKeepAlive = false;
    const target = req.url ?? '/';
    if (target.includes('%') || target.includes('/.') || target.includes('\\')) {
      const refusal = refuseTarget(target);
      if (refusal !== null) {
        plainText(res, 400, refusal);
        return;
      }
    }
    handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  server.maxHeadersCount = 200;
  // Listen before any database work: a port in use is reported at once, not after the database
  // opened (and a port of 0, in tests, is known before links are built from it).
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw explainListenError(err, config.host, config.port);
  }
  // a start that fails drops the connections that were waiting for it
  const closeListener = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let lock: { release(): Promise<void> } | null = null;
  let db: DatabaseHandle;
  const { blobs, staging } = openPackageStorage(packagesDir(config));
  let onFault: (err: EmbeddedDatabaseFault) => void = () => {};
  try {
    if (embedded) {
      // PGlite reports an unwritable folder as an obscure error from inside PostgreSQL: probe first
      await checkFolderWritable(config.dataDir, 'The data folder');
      // the embedded database is one process's: a second one on the same folder would corrupt it
      lock = await lockDataDir(config.dataDir, 'serve');
      if (existsSync(embeddedDbDir(config))) checkTreeWritable(embeddedDbDir(config), 'The embedded database folder');
    }
    try {
      await blobs.checkWritable();
    } catch (err) {
      throw new StartupError((err as Error).message, { cause: err });
    }
    log.info({ database: embedded ? embeddedDbDir(config) : 'postgres' }, embedded ? 'opening the embedded database' : 'connecting to PostgreSQL');
    try {
      db = await openDatabase({
        databaseUrl: config.databaseUrl,
        embeddedDir: embedded ? embeddedDbDir(config) : null,
        log,
        onEmbeddedFault: (err) => onFault(err),
      });
    } catch (err) {
      throw config.databaseUrl ? explainDatabaseError(err, config.databaseUrl) : err;
    }
  } catch (err) {
    await lock?.release();
    await closeListener();
    throw err;
  }
  const repo = new PackageRepository(db.db);

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (!config.baseUrlConfigured && config.port === 0) config = { ...config, baseUrl: url };

  const cache = new DocumentCache();
  const downloads = new DownloadCounter(repo, config.downloadFlushMs, (err) => log.error({ err }, 'download count flush failed'));
  downloads.start();
  const clock = opts.clock ?? (() => new Date());
  const packages = new PackageService({ repo, blobs, invalidator: new LocalInvalidator(cache), clock, log });
  const stored = new StoredVersionCache((id, key) => repo.getStoredVersion(id, key), cache);
  const app = createApp({ config, repo, blobs, staging, cache, downloads, packages, stored, log });
  const storedFiles = {
    stored,
    cachedBlob: (key: string, name: BlobName) => blobs.cached(key, name),
    countDownload: (id: string, key: string) => downloads.count(id, key),
    openBlob: (key: string, name: BlobName) => blobs.open(key, name),
    onMissing: (blobKey: string, name: BlobName) => log.error({ blobKey, name }, 'stored package file is missing'),
  };

  const honoListener = getRequestListener(app.fetch as any, {
    errorHandler: (err) => {
      log.error({ err }, 'unhandled request error');
      return new Response('Internal server error.', { status: 500 });
    },
  });
  const cachedBase = config.baseUrlConfigured || !config.trustProxy ? config.baseUrl : null;
  handle = (req, res) => {
    if (cachedBase !== null && serveCached(req, res, cache, cachedBase)) return;
    if (serveStoredFile(req, res, storedFiles)) return;
    void honoListener(req, res);
  };
  // the one line a person starting Galleon needs: where to point clients, where the data is, which
  // database, and whether (and how) pushes are possible
  log.info(
    {
      serviceIndex: `${config.baseUrl}/v3/index.json`,
      dataDir: config.dataDir,
      database: db.kind === 'embedded' ? 'embedded' : `postgres (${describeDatabaseUrl(config.databaseUrl!)})`,
      writes: config.apiKey ? 'enabled' : 'disabled: set GALLEON_API_KEY (or --api-key) to allow push, unlist and relist',
      url,
      baseUrl: config.baseUrl,
      ms: Date.now() - started,
    },
    'Galleon is serving',
  );

  // crash leftovers, in the background and never by deletion: only what is older than this process
  // and than GALLEON_SWEEP_MIN_AGE_MINUTES (an hour on PostgreSQL, where other nodes may be pushing
  // into a shared folder)
  const sweepAbort = new AbortController();
  const olderThanMs = Math.min(started, Date.now() - config.sweepMinAgeMs);
  const sweepDone = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => runStartupSweep({ blobs, staging, repo, quarantineRoot: quarantineDir(config), log }, { olderThanMs, signal: sweepAbort.signal }))
    .then(() => undefined);

  const drainTimeoutMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info({ connections: sockets.size }, 'stopping: draining in-flight requests');
      draining = true;
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          log.warn({ connections: sockets.size, drainTimeoutMs }, 'requests still in flight after the drain timeout; closing their connections');
          server.closeAllConnections();
        }, drainTimeoutMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        // idle keep-alive connections go now; busy ones as soon as their answer in progress is sent
        for (const socket of sockets) {
          const res = answerInProgress(socket);
          if (!res) socket.end();
          else if (!res.headersSent) res.shouldKeepAlive = false;
          else res.once('finish', () => socket.end());
        }
      });
      sweepAbort.abort();
      await sweepDone;
      await downloads.stop();
      await db.close();
      await lock?.release();
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
  // the embedded database failed in a way that leaves it unusable (db/embedded.ts): stop serving and,
  // under the CLI, exit non-zero so that a supervisor restarts Galleon (crash recovery replays the WAL)
  onFault = (err) => {
    log.fatal({ err }, 'the embedded database failed; Galleon is stopping (restart it: nothing acknowledged is lost)');
    if (opts.installSignalHandlers) void stop().finally(() => process.exit(70));
  };
  return { server, url, config, db, stop, sweepDone };
}

/**
 * Refuses request targets no client sends and the routes must never see: a `.` or `..` path segment,
 * literal or percent-encoded, with `/` or `\` as separator (URL parsing would silently resolve
 * `/v3/flatcontainer/%2e%2e/index.json` to `/v3/index.json`), and an encoded NUL anywhere (package
 * ids, versions and search terms never contain one, and PostgreSQL text cannot hold it).
 *
 * @param target the request target as received, e.g. "/v3/search?q=json"
 * @returns the message of a 400 answer, or null when the target is acceptable
 */
export function refuseTarget(target: string): string | null {
  if (/%00/.test(target)) return 'The request URL contains an encoded NUL character (%00).';
  const q = target.indexOf('?');
  const path = (q < 0 ? target : target.slice(0, q)).replace(/%2e/gi, '.');
  if (path.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) {
    return 'The request path has a "." or ".." segment; Galleon URLs never do.';
  }
  return null;
}

/**
 * The response a connection is writing, or null when it is idle: Node keeps it as the socket's
 * `_httpMessage` (what its own `server.closeIdleConnections()` reads).
 */
function answerInProgress(socket: Socket): ServerResponse | null {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return res && !res.writableFinished ? res : null;
}

function plainText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message) }).end(message);
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request line or headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long to arrive.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Content Too Large', 'The chunk extensions of the request body are too large.'],
};

/**
 * Answers a request Node's HTTP parser rejected (bad framing, NUL or spaces in the target, headers over
 * the limit) with a plain message, as every other 4xx; Node's own answer has no body.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', 'The request is not valid HTTP/1.1.'];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`,
  );
}
