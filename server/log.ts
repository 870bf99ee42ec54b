/**
 * The server's logger: pino, writing to stdout either one JSON object a line (what log collectors,
 * `docker logs | jq` and the tests read) or readable lines for a person at a terminal (pino-pretty, in
 * process: no worker thread). `GALLEON_LOG_FORMAT` chooses (config.ts): `json`, `pretty`, or `auto`
 * (the default: pretty when stdout is a terminal, JSON otherwise).
 *
 * A pretty line is the time, the level, the message and then the entry's fields as `key=value` on the
 * same line, e.g.
 * `12:00:01.234 INFO  Galleon is serving  serviceIndex=http://127.0.0.1:5555/v3/index.json dataDir=/srv/data …`;
 * an error's stack follows on the next lines.
 */
import { createRequire } from 'node:module';
import pino from 'pino';
import type { Config } from './config.ts';

/** Whether `format` (config `logFormat`) gives readable lines on a stream that is (`isTTY`) or is not a terminal. */
export function prettyLogs(format: Config['logFormat'], isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

/**
 * Creates the logger `galleon serve` uses, at `config.logLevel`, in `config.logFormat`.
 *
 * @param opts.isTTY whether stdout is a terminal (default `process.stdout.isTTY`); decides `auto` and colours
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, opts: { isTTY?: boolean } = {}): pino.Logger {
  const isTTY = opts.isTTY ?? process.stdout.isTTY === true;
  if (!prettyLogs(config.logFormat, isTTY)) return pino({ level: config.logLevel });
  // loaded only for pretty output: JSON logging (servers, tests) starts without it
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const stream = pretty({
    colorize: isTTY,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: (log: Record<string, unknown>, messageKey: string) => formatLine(log, messageKey),
  });
  return pino({ level: config.logLevel }, stream);
}

const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

/**
 * The message of a pretty line: `msg`, two spaces, then every other field as `key=value` (strings
 * with spaces quoted, objects as JSON), then an error's message and, on the next lines, its stack.
 */
export function formatLine(log: Record<string, unknown>, messageKey = 'msg'): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(log)) {
    if (HIDDEN.has(key) || key === messageKey || value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  let line = String(log[messageKey] ?? '');
  if (parts.length) line += `  ${parts.join(' ')}`;
  const err = log.err as { message?: string; stack?: string } | undefined;
  if (err && typeof err === 'object') line += `${parts.length ? ' ' : '  '}err=${formatValue(err.message ?? '')}${err.stack ? `\n${err.stack}` : ''}`;
  return line;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}
