/**
 * The client's feed: protocol/'s reader set up as ModuleFast reads a feed (the HTTP behaviour itself is
 * tested in protocol/reader.test.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PackageNotFoundError } from '../protocol/errors.ts';
import { DEFAULT_USER_AGENT, FeedAuthenticationError, FeedClient, ModuleNotFoundError } from './feed-client.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('FeedClient (the reader as ModuleFast)', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const agents: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      agents.push(req.headers['user-agent']);
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    agents.length = 0;
  });

  const json = (res: ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const index = () => ({ version: '3.0.0', resources: [{ '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' }] });
  const client = (extra: Partial<ConstructorParameters<typeof FeedClient>[0]> = {}) =>
    new FeedClient({ source: `${base}/index.json`, retryBaseDelayMs: 1, timeoutSeconds: 5, ...extra });

  it('introduces itself as ModuleFast, so Galleon answers with the dependency-only hive', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { count: 1, items: [] }));
    const c = client();
    await c.getRegistrationIndex('A');
    expect(DEFAULT_USER_AGENT).toMatch(/^ModuleFast /);
    expect(agents).toEqual([DEFAULT_USER_AGENT, DEFAULT_USER_AGENT]);
    await c.close();
  });

  it('maps 404 on a registration to ModuleNotFoundError naming the module and the source', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { error: 'nope' }, 404));
    const c = client();
    const err = await c.getRegistrationIndex('Missing.Module').catch((e) => e);
    expect(err).toBeInstanceOf(ModuleNotFoundError);
    expect(err).toBeInstanceOf(PackageNotFoundError);
    expect(err.code).toBe('module_not_found');
    expect(err.message).toBe(`Missing.Module: module was not found in the ${base}/index.json repository. Check the spelling and try again.`);
    expect(err.url).toBe(`${base}/reg/missing.module/index.json`);
    await c.close();
  });

  it('says which flags give credentials when the source requires them', async () => {
    handler = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="feed"' });
      res.end('no');
    };
    const c = client();
    const err = await c.getServiceIndex().catch((e) => e);
    expect(err).toBeInstanceOf(FeedAuthenticationError);
    expect(err.code).toBe('authentication_required');
    expect(err.message).toContain('--username');
    expect(err.message).toContain('GALLEON_USERNAME and GALLEON_PASSWORD');
    await c.close();
  });
});
