/**
 * Lifecycle (issue 4): SIGTERM stops `galleon serve` gracefully. New connections are refused, an
 * upload in flight completes with its 201, idle keep-alive connections do not hold the exit back,
 * buffered download counts are written before the process exits; and a client that stalls forever
 * cannot hold a stop past its drain timeout. Runs on every backend of `backends()`; the cases share
 * one data folder and database and run in order (the second restarts what the first stopped).
 */
import { randomBytes } from 'node:crypto';
import { Agent, get, request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/serve.ts';
import { UPLOAD_MEMORY_MAX_BYTES } from '../../server/upload/receive.ts';
import { startChildServer, type ChildServer } from '../support/crash-child.ts';
import { makeNupkg, nuspecXml } from '../support/make-nupkg.ts';
import { backends, createTestDatabase, pushPackage, TEST_API_KEY } from '../support/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** uploads up to this size stay in memory (server/upload/receive.ts); the stalled uploads here are larger, to reach the temp folder */
const SPILLED = UPLOAD_MEMORY_MAX_BYTES;

/** Resolves with the exit, or with 'still running' after `ms` (the test then fails instead of hanging). */
function exitWithin(child: ChildServer, ms: number) {
  return Promise.race([child.exited, sleep(ms).then(() => 'still running' as const)]);
}

/** Polls until `dir` holds at least one entry (an upload has reached the server's temp folder). */
async function waitForEntry(dir: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await readdir(dir).catch(() => [])).length > 0) return;
    await sleep(20);
  }
  throw new Error(`nothing appeared in ${dir}`);
}

/** Polls until `dir` is empty or missing. */
async function waitForEmpty(dir: string, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let names = await readdir(dir).catch(() => [] as string[]);
  while (names.length > 0 && Date.now() < deadline) {
    await sleep(20);
    names = await readdir(dir).catch(() => [] as string[]);
  }
  return names;
}

/**
 * Starts a raw upload of `bytes` (Content-Length declared) and returns a handle to finish it.
 * @param agent a keep-alive agent (the connection stays open after the answer unless the server closes it)
 */
function startUpload(base: string, bytes: Buffer, agent: Agent | false = false) {
  const u = new URL(base);
  const req = request({
    host: u.hostname,
    port: u.port,
    method: 'PUT',
    path: '/api/v2/package/',
    agent,
    headers: { 'X-NuGet-ApiKey': TEST_API_KEY, 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
  });
  const response = new Promise<{ status: number; text: string; connection: string | undefined } | { error: string }>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection }));
    });
    req.on('error', (err) => resolve({ error: err.message }));
  });
  return { req, response };
}

describe.each(backends())('graceful stop (%s database)', (backend) => {
  let storage: { dataDir: string; databaseUrl: string | null };
  let dropDatabase: (() => Promise<void>) | null = null;
  let child: ChildServer | null = null;
  const downloads = 7;
  let slowBytes: Buffer;

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'galleon-lifecycle-'));
    storage = { dataDir, databaseUrl: null };
    if (backend === 'postgres') {
      const db = await createTestDatabase();
      storage.databaseUrl = db.url;
      dropDatabase = db.drop;
    }
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (child) await child.exited;
    if (dropDatabase) await dropDatabase();
    if (storage) await rm(storage.dataDir, { recursive: true, force: true });
  });

  // an hour between flushes: only the flush at stop can write the download counts
  const env = { GALLEON_DOWNLOAD_FLUSH_MS: '3600000' };

  it('on SIGTERM refuses new connections, completes an upload in flight with 201, and exits 0 despite idle keep-alive connections', async () => {
    child = await startChildServer({ ...storage, env });
    const u = new URL(child.url);
    const counted = await makeNupkg({ nuspec: nuspecXml({ id: 'Counted.Package', version: '2.1.0' }) });
    expect((await pushPackage(child.url, counted)).status).toBe(201);
    for (let i = 0; i < downloads; i++) {
      const res = await fetch(`${child.url}/v3/flatcontainer/counted.package/2.1.0/counted.package.2.1.0.nupkg`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }

    // clients that keep their connections open after an answer (as NuGet and undici do for a minute)
    const idleClient = new Agent({ keepAlive: true });
    const uploadClient = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      get({ host: u.hostname, port: u.port, path: '/v3/index.json', agent: idleClient }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });

    slowBytes = await makeNupkg({
      nuspec: nuspecXml({ id: 'Slow.Upload', version: '1.0.0' }),
      entries: [{ name: 'content/payload.bin', data: randomBytes(SPILLED + 400_000), compress: false }],
    });
    const upload = startUpload(child.url, slowBytes, uploadClient);
    // past the in-memory limit, so that the upload in flight shows as a temp file
    upload.req.write(slowBytes.subarray(0, SPILLED + 100_000));
    await waitForEntry(join(storage.dataDir, 'packages', '.tmp'));

    child.kill('SIGTERM');
    await sleep(300);
    const refused = await new Promise<string>((resolve) => {
      const s = connect(Number(u.port), u.hostname);
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');

    upload.req.end(slowBytes.subarray(SPILLED + 100_000));
    const answer = await upload.response;
    expect(answer).toMatchObject({ status: 201 });
    // the answer tells the client not to reuse a connection to a server that is going away
    expect((answer as { connection?: string }).connection).toBe('close');
    expect(await exitWithin(child, 20_000)).toEqual({ code: 0, signal: null });
    child = null;
    idleClient.destroy();
    uploadClient.destroy();
  }, 120_000);

  it('after the restart, serves the drained upload and counts the downloads flushed at the stop', async () => {
    child = await startChildServer({ ...storage, env });
    const res = await fetch(`${child.url}/v3/flatcontainer/slow.upload/1.0.0/slow.upload.1.0.0.nupkg`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(slowBytes)).toBe(true);
    const search = (await (await fetch(`${child.url}/v3/search?q=packageid:Counted.Package`)).json()) as any;
    expect(search.data).toHaveLength(1);
    expect(search.data[0].totalDownloads).toBe(downloads);
    expect(search.data[0].versions.find((v: any) => v.version === '2.1.0').downloads).toBe(downloads);
    child.kill('SIGTERM');
    expect(await exitWithin(child, 20_000)).toEqual({ code: 0, signal: null });
    child = null;
  }, 120_000);

  it('closes a stalled upload at the drain timeout, so the stop completes and leaves no temp file', async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      GALLEON_DATA_DIR: storage.dataDir,
      GALLEON_API_KEY: TEST_API_KEY,
      ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    });
    const server = await startServer(config, { logger: pino({ level: 'silent' }), drainTimeoutMs: 500 });
    const bytes = await makeNupkg({
      nuspec: nuspecXml({ id: 'Stalled.Upload', version: '1.0.0' }),
      entries: [{ name: 'content/payload.bin', data: randomBytes(SPILLED + 200_000), compress: false }],
    });
    const upload = startUpload(server.url, bytes);
    upload.req.write(bytes.subarray(0, SPILLED + 50_000));
    const tmp = join(storage.dataDir, 'packages', '.tmp');
    await waitForEntry(tmp);

    const stopped = await Promise.race([server.stop().then(() => 'stopped'), sleep(20_000).then(() => 'still draining')]);
    expect(stopped).toBe('stopped');
    expect(await upload.response).toHaveProperty('error');
    expect(await waitForEmpty(tmp)).toEqual([]);
  }, 60_000);
});
