/**
 * What `galleon serve` tells a person whose server cannot start: every cause it can recognise becomes
 * a {@link StartupError} whose message is one line naming the setting and the fix (cli/main.ts prints
 * it and exits 1, no stack trace). The checks run in server/serve.ts in the order that fails fastest:
 * the address (HOST and GALLEON_BASE_URL), the port (bound before any database work), the data folder
 * (writable), then the database (PostgreSQL reachable and accepting the login).
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, readdirSync } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A start-up failure with a one-line message for the operator: the setting at fault and the fix. */
export class StartupError extends Error {
  readonly code = 'startup';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * Turns an error of `server.listen(port, host)` into a {@link StartupError}: the port in use
 * (EADDRINUSE), a privileged port (EACCES), an address not of this machine (EADDRNOTAVAIL), a host
 * name that does not resolve (ENOTFOUND, EAI_AGAIN).
 */
export function explainListenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `Port ${port} is already in use on ${host} (another Galleon or another program listens there): stop it, or choose a free port with PORT=<port> (or --port <port>).`,
        { cause: err },
      );
    case 'EACCES':
      return new StartupError(`Binding ${where} was refused (EACCES): ports below 1024 need privileges; use PORT=5555 or another port above 1023 (or --port).`, { cause: err });
    case 'EADDRNOTAVAIL':
      return new StartupError(`HOST=${host} is not an address of this machine (EADDRNOTAVAIL): use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses (or --host).`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`HOST=${host} does not resolve (${code}): use an IP address such as 127.0.0.1 or 0.0.0.0 (or --host).`, { cause: err });
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Checks that `dir` takes new files: creates it when missing, then creates, fsyncs and removes a probe
 * file in it. Root ignores permission bits, so for root this only fails on an immutable folder
 * (`chattr +i`) or a read-only mount, exactly where PGlite or the first push would fail later.
 *
 * @param what how the message names the folder, e.g. "The data folder"
 * @throws StartupError naming the folder, the errno code and GALLEON_DATA_DIR
 */
export async function checkFolderWritable(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.probe-${process.pid}-${randomUUID()}`);
    const h = await open(probe, 'wx');
    try {
      await h.writeFile('galleon');
      await h.sync();
    } finally {
      await h.close();
    }
    await unlink(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new StartupError(
      `${what} ${dir} is not writable (${code}): give the user running Galleon write access to it (check its owner, mode, immutable flag or read-only mount), or point GALLEON_DATA_DIR (--data-dir) at a writable folder.`,
      { cause: err },
    );
  }
}

/**
 * Checks that every folder of the tree under `root` (an existing embedded database cluster, 30-odd
 * folders) may take writes, with `access(W_OK)`: no files are created inside PostgreSQL's folders. The
 * kernel answers EPERM for an immutable folder, EROFS on a read-only mount and EACCES for mode bits
 * (not for root). PGlite itself would stop with an obscure error or, for pg_wal, hang.
 *
 * @param what how the message names the tree, e.g. "The embedded database folder"
 * @throws StartupError naming the first folder that is not writable
 */
export function checkTreeWritable(root: string, what: string): void {
  const walk = (dir: string) => {
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new StartupError(
        `${what} ${dir} is not writable (${code}): give the user running Galleon write access to all of ${root} (check owners, modes, immutable flags or a read-only mount), or point GALLEON_DATA_DIR (--data-dir) at a writable folder.`,
        { cause: err },
      );
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
}

/** `user@host:port/database` of a postgres:// URL, without its password (for messages). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `${user}${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : '/'}`;
  } catch {
    return 'the DATABASE_URL server';
  }
}

/**
 * Turns an error of opening PostgreSQL (postgres.js, then the migrations) into a {@link StartupError}:
 * unreachable (connection refused, host not found, timeout), login refused (wrong password, no such
 * user, no pg_hba.conf entry), a database that does not exist, or a user without the right to create
 * the tables. Anything else is returned as it is.
 */
export function explainDatabaseError(err: unknown, databaseUrl: string): Error {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  // postgres.js reports a host with several addresses as an AggregateError of the attempts
  const code = e.code ?? e.errors?.[0]?.code;
  const where = describeDatabaseUrl(databaseUrl);
  const fix = 'fix DATABASE_URL (or --database-url), or unset it to use the embedded database';
  const db = (() => {
    try {
      return decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'the database';
    } catch {
      return 'the database';
    }
  })();
  switch (code) {
    case 'ECONNREFUSED':
      return new StartupError(`Cannot connect to PostgreSQL at ${where}: connection refused. Start PostgreSQL there, or ${fix}.`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`Cannot connect to PostgreSQL at ${where}: the host name does not resolve (${code}); ${fix}.`, { cause: err });
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupError(`Cannot connect to PostgreSQL at ${where}: no answer (${code}); check the host, port and firewall, or ${fix}.`, { cause: err });
    case '28P01':
    case '28000':
      return new StartupError(`PostgreSQL at ${where} refused the login (${e.message}): check the user and password in DATABASE_URL (or --database-url).`, { cause: err });
    case '3D000':
      return new StartupError(`PostgreSQL at ${where} has no database ${JSON.stringify(db)}: create it (createdb ${db}), or ${fix}.`, { cause: err });
    case '42501':
      return new StartupError(`PostgreSQL at ${where}: the user may not create Galleon's tables (${e.message}); grant it CREATE on the database, or ${fix}.`, { cause: err });
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}
