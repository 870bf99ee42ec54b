/**
 * A reverse proxy that demands HTTP Basic authentication in front of a test Galleon, standing in for a
 * private feed such as GitHub Packages (MODULEFAST.md §2e "source with a Basic credential"). Requests
 * without the right `Authorization: Basic ...` header get `401` with `WWW-Authenticate: Basic`; every other
 * request is forwarded by path to the target unchanged, and the answer is streamed back unchanged (no link
 * rewriting: start the Galleon behind it with `GALLEON_BASE_URL` set to {@link BasicAuthProxy.url}, so the
 * links it writes point at the proxy).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** whether it carried the expected credentials (and so was forwarded) */
  authorized: boolean;
}

/** A running {@link startBasicAuthProxy}. */
export interface BasicAuthProxy {
  /** `http://127.0.0.1:<port>`, no trailing slash */
  url: string;
  /** Every request seen, in arrival order. */
  requests: ProxiedRequest[];
  /** Sets the origin requests are forwarded to (e.g. the test Galleon's url); until then they get 502. */
  setTarget(origin: string): void;
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free loopback port.
 * @param credentials  the only user name and password it accepts
 */
export async function startBasicAuthProxy(credentials: { username: string; password: string }, realm = 'galleon-test'): Promise<BasicAuthProxy> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
  let target: URL | null = null;
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const authorized = req.headers.authorization === expected;
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorized });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': `Basic realm="${realm}", charset="UTF-8"`, 'content-type': 'text/plain' });
      res.end(req.headers.authorization ? 'Bad credentials' : 'Authentication required');
      return;
    }
    if (!target) {
      req.resume();
      res.writeHead(502).end('no target');
      return;
    }
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    delete headers.authorization;
    const upstream = request(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    setTarget: (origin) => {
      target = new URL(origin);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
