import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FeedAuthenticationError,
  FeedClient,
  FeedRequestError,
  InvalidFeedResponseError,
  ModuleNotFoundError,
  chooseRegistrationBase,
  normalizeSource,
  parseRetryAfter,
} from './feed-client.ts';

describe('normalizeSource (ModuleFast -Source)', () => {
  it('turns a bare host into https://host/index.json', () => {
    expect(normalizeSource('pwsh.gallery')).toBe('https://pwsh.gallery/index.json');
  });
  it('adds https:// to a host with a path', () => {
    expect(normalizeSource('nuget.pkg.github.com/owner/index.json')).toBe('https://nuget.pkg.github.com/owner/index.json');
  });
  it('keeps http and https URLs', () => {
    expect(normalizeSource('http://127.0.0.1:5555/index.json')).toBe('http://127.0.0.1:5555/index.json');
    expect(normalizeSource(' https://example.com/v3/index.json ')).toBe('https://example.com/v3/index.json');
  });
  it('rejects empty text and other schemes', () => {
    expect(() => normalizeSource('')).toThrow(/empty/);
    expect(() => normalizeSource('ftp://example.com/index.json')).toThrow(/not an http or https URL/);
  });
});

describe('chooseRegistrationBase (§1.2: descending @type, first @id)', () => {
  const r = (type: string, id: string) => ({ '@type': type, '@id': id });
  it('prefers /Versioned, then 3.6.0, 3.4.0, 3.0.0-rc, 3.0.0-beta, bare', () => {
    const resources = [
      r('RegistrationsBaseUrl', 'https://x/bare/'),
      r('RegistrationsBaseUrl/3.0.0-beta', 'https://x/beta/'),
      r('RegistrationsBaseUrl/3.4.0', 'https://x/340/'),
      r('RegistrationsBaseUrl/3.6.0', 'https://x/360/'),
      r('RegistrationsBaseUrl/Versioned', 'https://x/versioned/'),
      r('PackageBaseAddress/3.0.0', 'https://x/flat/'),
    ];
    expect(chooseRegistrationBase({ resources })).toBe('https://x/versioned');
    expect(chooseRegistrationBase({ resources: resources.filter((x) => !x['@type'].endsWith('Versioned')) })).toBe('https://x/360');
    expect(chooseRegistrationBase({ resources: [resources[0]!, resources[1]!] })).toBe('https://x/beta');
  });
  it('returns null without a registration resource', () => {
    expect(chooseRegistrationBase({ resources: [r('PackageBaseAddress/3.0.0', 'https://x/flat/')] })).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('FeedClient over HTTP', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const seen: { url: string; auth: string | undefined; ua: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url!, auth: req.headers.authorization, ua: req.headers['user-agent'] });
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
    seen.length = 0;
  });

  const json = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const index = () => ({
    version: '3.0.0',
    resources: [
      { '@id': `${base}/reg-old/`, '@type': 'RegistrationsBaseUrl/3.4.0' },
      { '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' },
    ],
  });
  const client = (extra: Partial<ConstructorParameters<typeof FeedClient>[0]> = {}) =>
    new FeedClient({ source: `${base}/index.json`, retryBaseDelayMs: 1, timeoutSeconds: 5, ...extra });

  it('reads the service index once and shares registration requests in flight', async () => {
    let regHits = 0;
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      if (req.url === '/reg/az.accounts/index.json') {
        regHits++;
        return void setTimeout(() => json(res, { count: 1, items: [{ '@id': 'p', lower: '1.0.0', upper: '1.0.0', items: [] }] }), 30);
      }
      json(res, {}, 404);
    };
    const c = client();
    const results = await Promise.all([c.getRegistrationIndex('Az.Accounts'), c.getRegistrationIndex('az.accounts'), c.getRegistrationIndex('AZ.ACCOUNTS')]);
    await c.getRegistrationIndex('Az.Accounts');
    expect(results[0]).toBe(results[1]);
    expect(regHits).toBe(1);
    expect(seen.filter((s) => s.url === '/index.json')).toHaveLength(1);
    await c.close();
  });

  it('decodes gzip JSON', async () => {
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ count: 1, items: [{ '@id': 'x', lower: '2.0.0', upper: '2.0.0' }] })));
    };
    const c = client();
    expect((await c.getRegistrationIndex('Gz')).items[0]!.upper).toBe('2.0.0');
    await c.close();
  });

  it('maps 404 on a registration to ModuleNotFoundError naming the module and the source', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { error: 'nope' }, 404));
    const c = client();
    const err = await c.getRegistrationIndex('Missing.Module').catch((e) => e);
    expect(err).toBeInstanceOf(ModuleNotFoundError);
    expect(err.code).toBe('module_not_found');
    expect(err.message).toContain('Missing.Module');
    expect(err.message).toContain(`${base}/index.json`);
    await c.close();
  });

  it('refuses a registration index with count 0 (what ModuleFast calls an invalid result)', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { count: 0, items: [] }));
    const c = client();
    await expect(c.getRegistrationIndex('Empty')).rejects.toBeInstanceOf(InvalidFeedResponseError);
    await c.close();
  });

  it('retries 503 and 500, then succeeds', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      n++;
      if (n <= 2) return json(res, { error: 'busy' }, n === 1 ? 503 : 500);
      json(res, { count: 1, items: [] });
    };
    const retries: string[] = [];
    const c = client({ onRetry: (i) => retries.push(i.reason) });
    await c.getRegistrationIndex('Flaky');
    expect(n).toBe(3);
    expect(retries).toEqual(['HTTP 503', 'HTTP 500']);
    await c.close();
  });

  it('honours Retry-After on 429', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      if (++n === 1) return json(res, {}, 429, { 'retry-after': '1' });
      json(res, { count: 1, items: [] });
    };
    const delays: number[] = [];
    const c = client({ onRetry: (i) => delays.push(i.delayMs) });
    await c.getRegistrationIndex('Limited');
    expect(delays).toEqual([1000]);
    await c.close();
  });

  it('gives up at once when Retry-After asks for longer than the bound', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, {}, 429, { 'retry-after': '3600' }));
    const c = client({ maxRetryDelayMs: 2000 });
    const err = await c.getRegistrationIndex('Limited').catch((e) => e);
    expect(err).toBeInstanceOf(FeedRequestError);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/retry after 3600 s/);
    expect(seen.filter((s) => s.url !== '/index.json')).toHaveLength(1);
    await c.close();
  });

  it('stops after the retry budget and reports the last status', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { error: 'down' }, 502));
    const c = client({ maxRetries: 2 });
    const err = await c.getRegistrationIndex('Down').catch((e) => e);
    expect(err).toBeInstanceOf(FeedRequestError);
    expect(err.status).toBe(502);
    expect(seen.filter((s) => s.url !== '/index.json')).toHaveLength(3);
    await c.close();
  });

  it('does not retry other client errors', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, {}, 403));
    const c = client();
    const err = await c.getRegistrationIndex('Forbidden').catch((e) => e);
    expect(err.status).toBe(403);
    expect(seen.filter((s) => s.url !== '/index.json')).toHaveLength(1);
    await c.close();
  });

  it('turns 401/403 into FeedAuthenticationError: "requires authentication" without credentials, "failed" with them', async () => {
    handler = (req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="feed"' });
      res.end('no');
    };
    const anonymous = client();
    const required = await anonymous.getServiceIndex().catch((e) => e);
    expect(required).toBeInstanceOf(FeedAuthenticationError);
    expect(required).toBeInstanceOf(FeedRequestError);
    expect(required.code).toBe('authentication_required');
    expect(required.status).toBe(401);
    expect(required.message).toContain(`The source ${base}/index.json requires authentication`);
    expect(required.message).toContain('WWW-Authenticate: Basic realm="feed"');
    expect(required.message).toContain('--username');
    await anonymous.close();
    const wrong = client({ credentials: { username: 'me', password: 'hunter2' } });
    const failed = await wrong.openPackage(`${base}/pkg.nupkg`).catch((e) => e);
    expect(failed.code).toBe('authentication_failed');
    expect(failed.message).toContain(`Authentication failed for the source ${base}/index.json`);
    expect(failed.message).not.toContain('hunter2');
    expect(seen).toHaveLength(2); // never retried
    await wrong.close();
  });

  it('times out a silent server (and retries the timeout)', async () => {
    let hits = 0;
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      hits++; // never answer
      res.on('close', () => {});
    };
    const c = client({ timeoutSeconds: 0.2, maxRetries: 1 });
    const err = await c.getRegistrationIndex('Slow').catch((e) => e);
    expect(err).toBeInstanceOf(FeedRequestError);
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/timed out/);
    expect(hits).toBe(2);
    await c.close();
  });

  it('sends Basic credentials to the source origin only', async () => {
    const other = createServer((req, res) => {
      seen.push({ url: `other:${req.url}`, auth: req.headers.authorization, ua: req.headers['user-agent'] });
      res.writeHead(200, { 'content-length': '3' });
      res.end('zip');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    handler = (req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('me:s3cret').toString('base64')}`) return json(res, {}, 401);
      if (req.url === '/index.json') return json(res, index());
      if (req.url === '/pkg.nupkg') {
        res.writeHead(302, { location: `${otherBase}/blob.nupkg` });
        return res.end();
      }
      json(res, { count: 1, items: [] });
    };
    const c = client({ credentials: { username: 'me', password: 's3cret' }, userAgent: 'test-agent/1.0' });
    await c.getRegistrationIndex('Private');
    const dl = await c.openPackage(`${base}/pkg.nupkg`);
    const chunks: Buffer[] = [];
    for await (const ch of dl.body) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('zip');
    expect(dl.contentLength).toBe(3);
    expect(dl.url).toBe(`${otherBase}/blob.nupkg`);
    expect(seen.find((s) => s.url === 'other:/blob.nupkg')!.auth).toBeUndefined();
    expect(seen.every((s) => s.ua === 'test-agent/1.0')).toBe(true);
    await c.close();
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
  });

  it('fetches registration pages by @id and refuses pages without items', async () => {
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      if (req.url === '/page/good.json') return json(res, { '@id': 'x', items: [{ catalogEntry: { id: 'A', version: '1.0.0' } }] });
      json(res, { '@id': 'x' });
    };
    const c = client();
    expect((await c.getRegistrationPage(`${base}/page/good.json`)).items).toHaveLength(1);
    await expect(c.getRegistrationPage(`${base}/page/bad.json`)).rejects.toBeInstanceOf(InvalidFeedResponseError);
    await c.close();
  });

  it('reports a service index without a registration resource', async () => {
    handler = (_req, res) => json(res, { version: '3.0.0', resources: [{ '@id': 'x', '@type': 'PackageBaseAddress/3.0.0' }] });
    const c = client();
    await expect(c.getRegistrationIndex('A')).rejects.toThrow(/no RegistrationsBaseUrl resource/);
    await c.close();
  });
});

/** A self-signed certificate for 127.0.0.1/localhost, valid 2000–2100 (test only). */
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCGDcTzv6GKkQ7Hx9
xGyHTAtTVwmI/RET/4QKtMUkdwGhRANCAATbQkAn+eG+KOtbSjk6svSmhUdeAlfA
WeMjadpQS+Qg2eDSbamDD1zyl1wG/kJ1DKCBKfmmXJwr+biAbT+DrJjW
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBaDCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNtCQCf54b4o61tK
OTqy9KaFR14CV8BZ4yNp2lBL5CDZ4NJtqYMPXPKXXAb+QnUMoIEp+aZcnCv5uIBt
P4OsmNajTjBMMA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJbG9j
YWxob3N0MB0GA1UdDgQWBBREUa8EjpsayVpi9J3K8kPOrndA3DAKBggqhkjOPQQD
AgNJADBGAiEAh2pTBA9WG0Q66qP5L7NTcgqNocvAoyBtoVzhonAwLIUCIQDMcHXH
xlm9dIspBWp7t6tBF8gMe7E4UWfRdTo7NAt+NQ==
-----END CERTIFICATE-----
`;

describe('FeedClient over TLS', () => {
  it('negotiates HTTP/2 when the server offers it and keeps the connection for later requests', async () => {
    const versions: string[] = [];
    let sessions = 0;
    const server = createSecureServer({ key: TEST_KEY, cert: TEST_CERT, allowHTTP1: true }, (req, res) => {
      versions.push(req.httpVersion);
      const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body =
        req.url === '/index.json'
          ? { resources: [{ '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' }] }
          : { count: 1, items: [{ '@id': 'p', lower: '1.0.0', upper: '1.0.0', items: [] }] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    server.on('session', () => sessions++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new FeedClient({ source: `https://127.0.0.1:${(server.address() as AddressInfo).port}/index.json`, ca: TEST_CERT });
    for (const id of ['A', 'B', 'C', 'D']) await client.getRegistrationIndex(id);
    await client.close();
    await new Promise((r) => server.close(r));
    expect(versions).toHaveLength(5);
    expect(new Set(versions)).toEqual(new Set(['2.0']));
    expect(sessions).toBe(1);
  });
});
