/**
 * `galleon serve` as a new user meets it, through the real command (`node bin/galleon.js`) in a child
 * process: `--help` lists every setting with its variable, default and meaning; a mistyped option is one
 * line and exit 2; every start-up failure (port in use, PostgreSQL unreachable or refusing the login,
 * a data folder it cannot write, GALLEON_BASE_URL not an absolute http(s) URL, HOST=0.0.0.0 without
 * GALLEON_BASE_URL) is one line naming the setting and the fix, exit 1, no stack trace; a start says
 * where to point clients, where the data is, which database and whether writes are enabled; and logs
 * are JSON on a pipe, readable lines with GALLEON_LOG_FORMAT=pretty.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, publicAddressProblem, SETTINGS } from '../server/config.ts';
import { formatLine, prettyLogs } from '../server/log.ts';
import { explainDatabaseError, StartupError } from '../server/startup.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'galleon.js');
const ADMIN_URL = process.env.GALLEON_TEST_DATABASE_URL;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: this one's without any Galleon setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const s of SETTINGS) delete out[s.env];
  delete out.GALLEON_DEBUG;
  return { ...out, ...env };
}

/** Runs `galleon <args>` to its end (killed after `timeoutMs`: a start that hangs fails the test). */
function galleon(args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts `galleon serve` and waits until its stdout satisfies `until`; then stops it with SIGTERM.
 * @returns the run once it exited
 */
function serveUntil(
  args: string[],
  env: Record<string, string>,
  until: (stdout: string) => boolean,
  whileServing: (stdout: string) => Promise<void> = async () => {},
  timeoutMs = 60_000,
): Promise<Run & { matched: boolean; failure: unknown }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let matched = false;
    let failure: unknown = null;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (!matched && until(stdout)) {
        matched = true;
        void whileServing(stdout)
          .catch((err) => (failure = err))
          .finally(() => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, matched, failure });
    });
  });
}

/** One line on stderr, no stack trace, exit `code`. */
function expectOneLine(run: Run, code: number): string {
  expect(run.signal, run.stderr + run.stdout).toBeNull();
  expect(run.code, run.stderr + run.stdout).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(lines[0]).toMatch(/^galleon serve: /);
  return lines[0]!;
}

/**
 * Makes `path` refuse new entries for this user: `chattr +i` as root (root ignores permission bits),
 * `chmod a-w` otherwise. @returns the undo, or null when this file system cannot do it
 */
function makeReadOnly(path: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    if (spawnSync('chmod', ['a-w', path]).status === 0) return () => void spawnSync('chmod', ['u+w', path]);
    return null;
  }
  if (spawnSync('chattr', ['+i', path]).status === 0) return () => void spawnSync('chattr', ['-i', path]);
  return null;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'galleon-serve-command-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('galleon serve --help and usage errors', () => {
  it('lists every setting with its flag, environment variable, default and meaning', async () => {
    const run = await galleon(['serve', '--help']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    for (const s of SETTINGS) {
      const i = lines.findIndex((l) => l.includes(` ${s.env} `));
      expect(i, `${s.env} in:\n${run.stdout}`).toBeGreaterThan(0);
      if (s.flag) expect(lines[i]).toMatch(new RegExp(`^\\s+${s.flag}\\b`));
      expect(lines[i]).toContain(`default: ${s.default}`);
      // the meaning follows, wrapped, on the next lines
      expect(lines.slice(i + 1, i + 4).join(' ').replace(/\s+/g, ' ')).toContain(s.meaning.split(' ').slice(0, 4).join(' '));
    }
    expect((await galleon(['help', 'serve'])).stdout).toBe(run.stdout);
  });

  it('refuses a mistyped option in one line naming the nearest one, exit 2, and a stray argument likewise', async () => {
    const line = expectOneLine(await galleon(['serve', '--prot', '8080']), 2);
    expect(line).toMatch(/unknown option --prot \(did you mean --port\?\)\. Run "galleon serve --help"/);
    expect(expectOneLine(await galleon(['serve', 'now']), 2)).toMatch(/unexpected argument "now"/);
    expect(expectOneLine(await galleon(['serve', '--port']), 2)).toMatch(/option --port needs a value/);
    const unknown = await galleon(['srve']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "srve"/);
  });
});

describe('galleon serve start-up failures: one line, exit 1', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it('port in use: says so before opening any database (the data folder is never created)', async () => {
    const dataDir = join(root, 'port-in-use');
    const line = expectOneLine(await galleon(['serve'], { PORT: String(busyPort), HOST: '127.0.0.1', GALLEON_DATA_DIR: dataDir }), 1);
    expect(line).toMatch(new RegExp(`Port ${busyPort} is already in use on 127\\.0\\.0\\.1.*PORT=<port> \\(or --port <port>\\)`));
    expect(existsSync(dataDir)).toBe(false);
    // on PostgreSQL too: no connection is attempted (this URL would fail differently)
    const pg = expectOneLine(await galleon(['serve', '--port', String(busyPort), '--database-url', 'postgres://nobody@127.0.0.1:1/none'], { GALLEON_DATA_DIR: dataDir }), 1);
    expect(pg).toMatch(/already in use/);
  });

  it('GALLEON_BASE_URL that is not an absolute http(s) URL names the variable, its flag and an example', async () => {
    for (const bad of ['nuget.example.com', 'ftp://nuget.example.com', '/feed']) {
      const line = expectOneLine(await galleon(['serve'], { GALLEON_BASE_URL: bad, GALLEON_DATA_DIR: join(root, 'bad-url') }), 1);
      expect(line).toContain(`GALLEON_BASE_URL ${JSON.stringify(bad)} is not usable: it must be an absolute http:// or https:// URL`);
      expect(line).toMatch(/--base-url/);
    }
    expect(existsSync(join(root, 'bad-url'))).toBe(false);
    // every other setting is checked the same way, and secrets are never echoed
    expect(expectOneLine(await galleon(['serve', '--port', 'eighty']), 1)).toMatch(/PORT "eighty" is not usable: it must be a whole number from 0 to 65535\. .*--port/);
    const secret = expectOneLine(await galleon(['serve'], { DATABASE_URL: 'mysql://u:hunter2@db/x' }), 1);
    expect(secret).toMatch(/DATABASE_URL is not usable: it must be a postgres:\/\//);
    expect(secret).not.toContain('hunter2');
  });

  it('HOST=0.0.0.0 (or ::) without GALLEON_BASE_URL: tells the user to set GALLEON_BASE_URL to the name other machines use', async () => {
    for (const host of ['0.0.0.0', '::']) {
      const line = expectOneLine(await galleon(['serve'], { HOST: host, PORT: '8123', GALLEON_DATA_DIR: join(root, 'wildcard') }), 1);
      expect(line).toContain(`HOST=${host} listens on every interface`);
      expect(line).toContain('set GALLEON_BASE_URL=http://<name other machines use>:8123');
    }
  });

  it('HOST=0.0.0.0 is accepted with GALLEON_BASE_URL, or with GALLEON_TRUST_PROXY=1 (links then follow the request)', () => {
    expect(publicAddressProblem(loadConfig({ HOST: '0.0.0.0' }))).toMatch(/set GALLEON_BASE_URL=/);
    expect(publicAddressProblem(loadConfig({ HOST: '0.0.0.0', GALLEON_BASE_URL: 'https://nuget.example.com' }))).toBeNull();
    expect(publicAddressProblem(loadConfig({ HOST: '::', GALLEON_TRUST_PROXY: '1' }))).toBeNull();
    expect(publicAddressProblem(loadConfig({ HOST: '192.0.2.10' }))).toBeNull();
  });

  it('PostgreSQL unreachable, unknown host, unknown user or database: names DATABASE_URL and the fix, never the password', async () => {
    const dataDir = join(root, 'pg');
    const refused = expectOneLine(await galleon(['serve', '--port', '0'], { DATABASE_URL: 'postgres://galleon:s3cret@127.0.0.1:1/galleon', GALLEON_DATA_DIR: dataDir }), 1);
    expect(refused).toMatch(/Cannot connect to PostgreSQL at galleon@127\.0\.0\.1:1\/galleon: connection refused\. Start PostgreSQL there, or fix DATABASE_URL/);
    const unknownHost = expectOneLine(await galleon(['serve', '--port', '0'], { DATABASE_URL: 'postgres://galleon:s3cret@no-such-host.invalid/galleon', GALLEON_DATA_DIR: dataDir }), 1);
    expect(unknownHost).toMatch(/no-such-host\.invalid.*does not resolve.*DATABASE_URL/);
    for (const line of [refused, unknownHost]) expect(line).not.toContain('s3cret');
    if (!ADMIN_URL) {
      console.info('GALLEON_TEST_DATABASE_URL is not set: login and missing-database messages not checked');
      return;
    }
    const admin = new URL(ADMIN_URL);
    const withUser = (user: string, password: string, db = admin.pathname.slice(1)) => {
      const u = new URL(ADMIN_URL);
      u.username = user;
      u.password = password;
      u.pathname = `/${db}`;
      return u.toString();
    };
    const noUser = expectOneLine(await galleon(['serve', '--port', '0'], { DATABASE_URL: withUser('galleon_no_such_role', 'pw'), GALLEON_DATA_DIR: dataDir }), 1);
    expect(noUser).toMatch(/PostgreSQL at galleon_no_such_role@.* refused the login \(.*galleon_no_such_role.*\): check the user and password in DATABASE_URL/);
    const noDb = expectOneLine(await galleon(['serve', '--port', '0'], { DATABASE_URL: withUser(decodeURIComponent(admin.username), decodeURIComponent(admin.password), 'galleon_no_such_db'), GALLEON_DATA_DIR: dataDir }), 1);
    expect(noDb).toMatch(/has no database "galleon_no_such_db": create it \(createdb galleon_no_such_db\)/);

    // a wrong password, where the server checks passwords (a trust-only test server cannot refuse one)
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`drop role if exists galleon_pw_test`);
      await sql.unsafe(`create role galleon_pw_test login password 'right-password'`);
      const probe = postgres(withUser('galleon_pw_test', 'wrong-password'), { max: 1, connect_timeout: 5 });
      const accepted = await probe`select 1`.then(() => true, () => false);
      await probe.end();
      if (accepted) console.info('the test PostgreSQL trusts every login: the wrong-password message is not checked');
      else {
        const wrong = expectOneLine(await galleon(['serve', '--port', '0'], { DATABASE_URL: withUser('galleon_pw_test', 'wrong-password'), GALLEON_DATA_DIR: dataDir }), 1);
        expect(wrong).toMatch(/refused the login \(password authentication failed.*\): check the user and password in DATABASE_URL/);
        expect(wrong).not.toContain('wrong-password');
      }
    } finally {
      await sql.unsafe(`drop role if exists galleon_pw_test`).catch(() => {});
      await sql.end();
    }
  });

  describe('a data folder Galleon cannot write to', () => {
    const cases: [string, (dataDir: string) => string, RegExp][] = [
      ['the data folder itself', (d) => d, /The data folder .*read-only-data is not writable \((EPERM|EACCES|EROFS)\): give the user running Galleon write access.*GALLEON_DATA_DIR \(--data-dir\)/],
      ['pg_wal of an existing embedded database', (d) => join(d, 'db', 'pg_wal'), /The embedded database folder .*db\/pg_wal is not writable \((EPERM|EACCES|EROFS)\).*GALLEON_DATA_DIR/],
      ['only packages/', (d) => join(d, 'packages'), /The package folder .*packages is not writable \((EPERM|EACCES|EROFS)\).*GALLEON_DATA_DIR.*Nothing was changed/],
    ];
    for (const [what, target, message] of cases) {
      it(`${what}: says which folder and how to fix it (no PGlite error, no hang, no 500 at the first push)`, async (ctx) => {
        const dataDir = join(root, 'read-only-data');
        await rm(dataDir, { recursive: true, force: true });
        mkdirSync(join(dataDir, 'packages', '.tmp'), { recursive: true });
        // an existing embedded database: a copy of the build's migrated, empty cluster
        cpSync(join(inject('embeddedTemplateDir'), 'db'), join(dataDir, 'db'), { recursive: true });
        const undo = makeReadOnly(target(dataDir));
        if (!undo) {
          ctx.skip(true, 'this file system cannot make a folder read-only for this user (chattr +i / chmod)');
          return;
        }
        try {
          const line = expectOneLine(await galleon(['serve', '--port', '0'], { GALLEON_DATA_DIR: dataDir }, 30_000), 1);
          expect(line).toMatch(message);
        } finally {
          undo();
        }
      });
    }
  });
});

describe('a start that explains itself', () => {
  it('HOST=0.0.0.0 with GALLEON_BASE_URL serves links at that URL, and the serving line says where, what and whether writes work', async () => {
    const dataDir = join(root, 'first-start');
    const base = 'http://galleon.example:5555';
    let publish = '';
    const run = await serveUntil(
      ['--host', '0.0.0.0', '--port', '0'],
      { GALLEON_DATA_DIR: dataDir, GALLEON_BASE_URL: base },
      (out) => out.includes('"Galleon is serving"'),
      async (out) => {
        const { url } = out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.msg === 'Galleon is serving');
        const port = new URL(url).port;
        const index = (await (await fetch(`http://127.0.0.1:${port}/v3/index.json`)).json()) as { resources: { '@id': string; '@type': string }[] };
        publish = index.resources.find((r) => r['@type'] === 'PackagePublish/2.0.0')!['@id'];
      },
    );
    expect(run.matched, run.stdout + run.stderr).toBe(true);
    expect(run.failure).toBeNull();
    expect(publish).toBe(`${base}/api/v2/package`);
    expect(run.code).toBe(0); // SIGTERM: a clean stop
    const entries = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>); // not a terminal: JSON lines
    const msgs = entries.map((e) => e.msg);
    expect(msgs).toContain('opening the embedded database');
    expect(msgs).toContain('database ready');
    const serving = entries.find((e) => e.msg === 'Galleon is serving')!;
    expect(serving).toMatchObject({
      serviceIndex: `${base}/v3/index.json`,
      dataDir,
      database: 'embedded',
      writes: 'disabled: set GALLEON_API_KEY (or --api-key) to allow push, unlist and relist',
      baseUrl: base,
    });
    expect(msgs.indexOf('Galleon is serving')).toBeGreaterThan(msgs.indexOf('database ready'));
  });

  it('with GALLEON_LOG_FORMAT=pretty writes readable lines: time, level, message and the fields on one line', async () => {
    const run = await serveUntil(['--port', '0', '--api-key', 'k', '--log-format', 'pretty'], { GALLEON_DATA_DIR: join(root, 'pretty') }, (out) => out.includes('Galleon is serving'));
    expect(run.matched, run.stdout + run.stderr).toBe(true);
    const serving = run.stdout.split('\n').find((l) => l.includes('Galleon is serving'))!;
    expect(serving).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: Galleon is serving {2}serviceIndex=http:\/\/127\.0\.0\.1:\d+\/v3\/index\.json dataDir=\S+pretty database=embedded writes=enabled /);
    expect(run.stdout).not.toMatch(/^\{/m);
  });

  it('on a terminal (the default, auto) writes readable coloured lines, not JSON', async (ctx) => {
    // script(1) of util-linux runs the command on a pseudo-terminal
    if (spawnSync('script', ['--version']).status !== 0) {
      ctx.skip(true, 'script(1) is not installed: no pseudo-terminal to run galleon serve on');
      return;
    }
    const quote = (t: string) => `'${t.replace(/'/g, "'\\''")}'`;
    const command = [process.execPath, BIN, 'serve', '--port', '0', '--data-dir', join(root, 'tty')].map(quote).join(' ');
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: childEnv({}), stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (text.includes('Galleon is serving')) child.kill('SIGTERM');
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const serving = out.split('\n').find((l) => l.includes('Galleon is serving'));
    expect(serving, out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] \x1b\[32mINFO\x1b\[39m: .*Galleon is serving {2}serviceIndex=http:\/\/127\.0\.0\.1:\d+\/v3\/index\.json/);
    expect(out).not.toContain('{"level"');
  });

  it('chooses pretty output on a terminal and JSON elsewhere unless GALLEON_LOG_FORMAT says otherwise', () => {
    expect(prettyLogs('auto', true)).toBe(true);
    expect(prettyLogs('auto', false)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
    expect(formatLine({ level: 30, time: 1, pid: 2, hostname: 'h', msg: 'stopping', connections: 3, note: 'two words', list: [1] })).toBe(
      'stopping  connections=3 note="two words" list=[1]',
    );
  });

  it('explains PostgreSQL refusing a password or the rights to create tables (errors as postgres.js reports them)', () => {
    const url = 'postgres://galleon:s3cret@db.example.com:5433/gallery';
    const wrong = explainDatabaseError(Object.assign(new Error('password authentication failed for user "galleon"'), { code: '28P01' }), url);
    expect(wrong).toBeInstanceOf(StartupError);
    expect(wrong.message).toBe(
      'PostgreSQL at galleon@db.example.com:5433/gallery refused the login (password authentication failed for user "galleon"): check the user and password in DATABASE_URL (or --database-url).',
    );
    expect(explainDatabaseError(Object.assign(new Error('permission denied for schema public'), { code: '42501' }), url).message).toMatch(/may not create Galleon's tables.*grant it CREATE/);
    const timeout = explainDatabaseError(Object.assign(new Error('write CONNECT_TIMEOUT db.example.com:5433'), { code: 'CONNECT_TIMEOUT' }), url);
    expect(timeout.message).toMatch(/no answer \(CONNECT_TIMEOUT\); check the host, port and firewall/);
    const other = new Error('something else');
    expect(explainDatabaseError(other, url)).toBe(other);
  });

  it("README's configuration table lists every setting with its flag and default", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const s of SETTINGS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
      expect(row, s.env).toBeDefined();
      expect(row).toContain(s.flag ? `| \`${s.flag}\` |` : '| — |');
    }
  });
});
