import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeedAuthenticationError, FeedRequestError, InvalidFeedResponseError, PackageNotFoundError } from './errors.ts';
import { parseRetryAfter } from './http.ts';
import { NuGetV3Reader, chooseRegistrationBase, choosePackageBaseAddress, normalizeSource, type NuGetV3ReaderOptions } from './reader.ts';

/** The reader with a test User-Agent (client/feed-client.ts's FeedClient is this reader set up as ModuleFast). */
class Reader extends NuGetV3Reader {
  constructor(options: Omit<NuGetV3ReaderOptions, 'userAgent'> & { userAgent?: string }) {
    super({ userAgent: 'galleon-protocol-test/1.0', ...options });
  }
}

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

describe('NuGetV3Reader over HTTP', () => {
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
  const client = (extra: Partial<ConstructorParameters<typeof Reader>[0]> = {}) =>
    new Reader({ source: `${base}/index.json`, retryBaseDelayMs: 1, timeoutSeconds: 5, ...extra });

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

  it('maps 404 on a registration to PackageNotFoundError naming the package, the source and the URL', async () => {
    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { error: 'nope' }, 404));
    const c = client();
    const err = await c.getRegistrationIndex('Missing.Module').catch((e) => e);
    expect(err).toBeInstanceOf(PackageNotFoundError);
    expect(err.code).toBe('package_not_found');
    expect(err.message).toContain('Missing.Module');
    expect(err.message).toContain(`${base}/index.json`);
    expect(err.url).toBe(`${base}/reg/missing.module/index.json`);
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
    expect(required.message).toContain('Give credentials for this source.');
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

  it('bounds the whole exchange of a JSON document, not only the silences (a slow drip times out)', async () => {
    let hits = 0;
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"count": 1, "items": [');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
      setTimeout(() => {
        clearInterval(drip);
        res.end(']}');
      }, 2000);
    };
    const c = client({ timeoutSeconds: 0.3, maxRetries: 1 });
    const started = Date.now();
    const err = await c.getRegistrationIndex('Drip').catch((e) => e);
    expect(err).toBeInstanceOf(FeedRequestError);
    expect(err.status).toBeNull();
    expect(err.message).toBe(`GET ${base}/reg/drip/index.json failed: timed out after 0.3 s`);
    expect(hits).toBe(1); // the body had started: not retried (as before undici's interceptors)
    expect(Date.now() - started).toBeLessThan(1500);
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

  it('decodes brotli and deflate JSON', async () => {
    handler = (req, res) => {
      if (req.url === '/index.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
        return res.end(brotliCompressSync(JSON.stringify(index())));
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ count: 1, items: [{ '@id': 'x', lower: '3.0.0', upper: '3.0.0' }] })));
    };
    const c = client();
    expect(await c.getRegistrationBase()).toBe(`${base}/reg`);
    expect((await c.getRegistrationIndex('Br')).items[0]!.lower).toBe('3.0.0');
    await c.close();
  });

  it('tells "not found" (404) from "unreachable" (no answer, status null), naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const retries: string[] = [];
    const dead = new Reader({ source: `http://127.0.0.1:${deadPort}/index.json`, retryBaseDelayMs: 1, maxRetries: 1, onRetry: (i) => retries.push(i.reason) });
    const unreachable = await dead.getServiceIndex().catch((e) => e);
    expect(unreachable).toBeInstanceOf(FeedRequestError);
    expect(unreachable.status).toBeNull();
    expect(unreachable.url).toBe(`http://127.0.0.1:${deadPort}/index.json`);
    expect(unreachable.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${deadPort}/index\\.json failed: .*ECONNREFUSED`));
    expect(retries).toHaveLength(1); // a refused connection is retried
    await dead.close();

    handler = (req, res) => (req.url === '/index.json' ? json(res, index()) : json(res, { error: 'gone' }, 404));
    const c = client();
    const missing = await c.getRegistrationIndex('Nope').catch((e) => e);
    expect(missing).toBeInstanceOf(PackageNotFoundError);
    expect(missing).not.toBeInstanceOf(FeedRequestError);
    const page = await c.getRegistrationPage(`${base}/page/nope.json`).catch((e) => e);
    expect(page).toBeInstanceOf(FeedRequestError);
    expect(page.status).toBe(404);
    expect(page.message).toBe(`GET ${base}/page/nope.json answered 404: {"error":"gone"}`);
    expect(seen.filter((s) => s.url !== '/index.json')).toHaveLength(2); // a 404 is never retried
    await c.close();
  });

  it('follows redirects up to five hops, counting every request, then reports the redirect', async () => {
    let stop = 5;
    handler = (req, res) => {
      const m = /^\/hop\/(\d+)$/.exec(req.url!);
      if (m && Number(m[1]) < stop) {
        res.writeHead(302, { location: `/hop/${Number(m[1]) + 1}` });
        return res.end();
      }
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    };
    const c = client();
    const dl = await c.openPackage(`${base}/hop/0`);
    dl.body.resume();
    expect(dl.url).toBe(`${base}/hop/5`);
    expect(c.requestCount).toBe(6);
    stop = 6;
    const err = await c.openPackage(`${base}/hop/0`).catch((e) => e);
    expect(err).toBeInstanceOf(FeedRequestError);
    expect(err.status).toBe(302);
    expect(err.message).toMatch(new RegExp(`^GET ${base}/hop/0 answered 302`));
    await c.close();
  });

  it('reads the flat container: base address, version list, download URL', async () => {
    handler = (req, res) => {
      if (req.url === '/index.json') {
        return json(res, {
          resources: [
            { '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' },
            { '@id': `${base}/flat/`, '@type': 'PackageBaseAddress/3.0.0' },
          ],
        });
      }
      if (req.url === '/flat/contoso.tools/index.json') return json(res, { versions: ['1.0.0', '2.0.0-beta.1'] });
      if (req.url === '/flat/contoso.tools/2.0.0-beta.1/contoso.tools.2.0.0-beta.1.nupkg') {
        res.writeHead(200, { 'content-length': '2' });
        return res.end('PK');
      }
      json(res, {}, 404);
    };
    const c = client();
    expect(await c.getPackageVersions('Contoso.Tools')).toEqual(['1.0.0', '2.0.0-beta.1']);
    expect(await c.getPackageVersions('contoso.tools')).toEqual(['1.0.0', '2.0.0-beta.1']);
    expect(seen.filter((s) => s.url === '/flat/contoso.tools/index.json')).toHaveLength(1);
    const url = await c.flatContainerPackageUrl('Contoso.Tools', '2.0.0-BETA.1');
    expect(url).toBe(`${base}/flat/contoso.tools/2.0.0-beta.1/contoso.tools.2.0.0-beta.1.nupkg`);
    const dl = await c.openPackage(url);
    const chunks: Buffer[] = [];
    for await (const ch of dl.body) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('PK');
    await expect(c.getPackageVersions('Missing')).rejects.toBeInstanceOf(PackageNotFoundError);
    await c.close();
    handler = (_req, res) => json(res, index());
    const noFlat = client();
    await expect(noFlat.getPackageVersions('A')).rejects.toThrow(/no PackageBaseAddress\/3\.0\.0 resource/);
    await noFlat.close();
  });

  it('walks every page of a paged registration, fetching only the linked ones', async () => {
    const leaf = (v: string) => ({ packageContent: `${base}/p/${v}.nupkg`, catalogEntry: { id: 'Big', version: v } });
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, index());
      if (req.url === '/reg/big/index.json') {
        return json(res, {
          count: 3,
          items: [
            { '@id': `${base}/reg/big/page/1.0.0/1.0.1.json`, lower: '1.0.0', upper: '1.0.1', count: 2 },
            { '@id': `${base}/reg/big/page/2.0.0/2.0.1.json`, lower: '2.0.0', upper: '2.0.1', count: 2, items: [] },
            { '@id': `${base}/reg/big/index.json#page/3.0.0/3.0.0`, lower: '3.0.0', upper: '3.0.0', count: 1, items: [leaf('3.0.0')] },
          ],
        });
      }
      const m = /^\/reg\/big\/page\/([^/]+)\/([^/]+)\.json$/.exec(req.url!);
      if (m) return json(res, { '@id': `${base}${req.url}`, lower: m[1], upper: m[2], count: 2, items: [leaf(m[1]!), leaf(m[2]!)] });
      json(res, {}, 404);
    };
    const c = client();
    const pages = await c.getAllRegistrationPages(await c.getRegistrationIndex('Big'));
    expect(pages.flatMap((p) => p.items!.map((l) => l.catalogEntry.version))).toEqual(['1.0.0', '1.0.1', '2.0.0', '2.0.1', '3.0.0']);
    expect(seen.map((s) => s.url).filter((u) => u.includes('/page/')).sort()).toEqual(['/reg/big/page/1.0.0/1.0.1.json', '/reg/big/page/2.0.0/2.0.1.json']);
    await c.close();
  });

  it('accepts documents from servers that spell member names in another casing', async () => {
    handler = (req, res) => {
      if (req.url === '/index.json') return json(res, { Resources: [{ '@Id': `${base}/reg/`, '@Type': 'RegistrationsBaseUrl/3.6.0' }] });
      json(res, {
        Count: 1,
        Items: [{ '@id': 'p', Lower: '1.0.0', Upper: '1.0.0', Items: [{ PackageContent: `${base}/a.nupkg`, CatalogEntry: { Id: 'A', Version: '1.0.0', DependencyGroups: [{ Dependencies: [{ Id: 'B', Range: '[1.0.0, )' }] }] } }] }],
      });
    };
    const c = client();
    const reg = await c.getRegistrationIndex('A');
    expect(reg.items[0]!.items![0]).toEqual({
      packageContent: `${base}/a.nupkg`,
      catalogEntry: { id: 'A', version: '1.0.0', dependencyGroups: [{ dependencies: [{ id: 'B', range: '[1.0.0, )' }] }] },
    });
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

describe('NuGetV3Reader over TLS', () => {
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
    const client = new Reader({ source: `https://127.0.0.1:${(server.address() as AddressInfo).port}/index.json`, ca: TEST_CERT });
    for (const id of ['A', 'B', 'C', 'D']) await client.getRegistrationIndex(id);
    await client.close();
    await new Promise((r) => server.close(r));
    expect(versions).toHaveLength(5);
    expect(new Set(versions)).toEqual(new Set(['2.0']));
    expect(sessions).toBe(1);
  });
});
