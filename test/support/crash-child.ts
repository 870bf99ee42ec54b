/**
 * Test helper: runs the real `galleon serve` command (`node bin/galleon.js serve`) in a child process
 * so that a test can SIGKILL it (crash safety) or SIGTERM it (graceful stop) and restart it on the
 * same data folder and database.
 *
 * ```ts
 * const child = await startChildServer({ dataDir, databaseUrl });   // waits until it serves
 * await pushPackage(child.url, bytes);
 * child.kill('SIGKILL');
 * await child.exited;                                                // { code: null, signal: 'SIGKILL' }
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_KEY } from './server.ts';

const GALLEON_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'galleon.js');

/** A `galleon serve` child process that is serving. */
export interface ChildServer {
  /** base URL it listens on, e.g. http://127.0.0.1:41234 (it binds port 0 and logs the real one) */
  url: string;
  process: ChildProcess;
  /** settles when the process has exited (never rejects) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** everything it wrote to stdout and stderr so far (pino JSON lines), for failure messages */
  output(): string;
  /** sends a signal; no-op once it has exited */
  kill(signal: NodeJS.Signals): void;
  /**
   * Resolves with the first log entry (parsed pino line) whose `msg` is `msg`, already written or still
   * to come, e.g. 'start-up sweep done'.
   * @throws when the process exits or `timeoutMs` (default 60 s) passes first
   */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/**
 * Starts `node bin/galleon.js serve` on 127.0.0.1, port 0, with the test API key.
 *
 * @param opts.dataDir     GALLEON_DATA_DIR (embedded database under `<dataDir>/db` unless databaseUrl)
 * @param opts.databaseUrl DATABASE_URL of a PostgreSQL database, or null for the embedded one
 * @param opts.env         further environment variables (e.g. GALLEON_DOWNLOAD_FLUSH_MS)
 * @param opts.timeoutMs   how long to wait for "Galleon is serving" (default 60 s)
 * @param opts.bin         another checkout's bin/galleon.js (a build with an added migration)
 * @throws Error with the child's output when it exits or times out before serving
 */
export async function startChildServer(opts: {
  dataDir: string;
  databaseUrl?: string | null;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** the `galleon` entry point to run (default this checkout's bin/galleon.js) */
  bin?: string;
}): Promise<ChildServer> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    GALLEON_DATA_DIR: opts.dataDir,
    GALLEON_API_KEY: TEST_API_KEY,
    GALLEON_LOG_LEVEL: 'info',
    GALLEON_BASE_URL: undefined,
    DATABASE_URL: opts.databaseUrl ?? undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [opts.bin ?? GALLEON_BIN, 'serve'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`galleon serve did not start within ${opts.timeoutMs ?? 60_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      out += text;
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'Galleon is serving' && typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`galleon serve exited (code ${code}, signal ${signal}) before serving:\n${out}`));
    });
  });
  const findEntry = (msg: string): Record<string, unknown> | null => {
    for (const line of out.split('\n')) {
      if (!line.includes(msg)) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === msg) return entry;
      } catch {
        // not a log line
      }
    }
    return null;
  };
  return {
    url,
    process: child,
    exited,
    output: () => out,
    waitForLog: async (msg, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const entry = findEntry(msg);
        if (entry) return entry;
        if (exitedFlag) throw new Error(`galleon serve exited before logging "${msg}":\n${out}`);
        if (Date.now() > deadline) throw new Error(`galleon serve did not log "${msg}" within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill: (signal) => {
      if (!exitedFlag) child.kill(signal);
    },
  };
}
