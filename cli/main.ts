/**
 * The `galleon` command, the one dispatcher (bin/galleon.js runs {@link main}): `galleon serve` runs
 * the gallery (server/), `galleon gc` checks its package folders (server/gc.ts), `galleon install` and
 * `galleon sync` are the reference client (client/cli.ts), `galleon help [command]` explains them.
 * This is the only room that imports both server/ and client/; neither imports it. Each command's
 * modules load only when it runs, so the client commands start without the server's.
 *
 * `galleon serve` parses its flags with node's `util.parseArgs`, from the settings table of
 * server/config.ts (`SETTINGS`): the flags, `galleon serve --help` and the error messages cannot drift
 * from what the server reads. Exit codes: 0 success, 1 a start-up failure (one line naming the setting
 * and the fix, no stack trace unless GALLEON_DEBUG=1), 2 a usage error (unknown command or option).
 */
import { parseArgs } from 'node:util';
import type { Setting } from '../server/config.ts';

/** Where {@link main} writes; the process's streams by default. Tests pass their own. */
export interface CliIO {
  stdout?: { write(chunk: string): boolean };
  stderr?: { write(chunk: string): boolean };
  env?: NodeJS.ProcessEnv;
}

export const USAGE = `galleon: a NuGet v3 gallery for PowerShell modules and .NET packages

Usage:
  galleon serve [options]      run the gallery server ("galleon serve --help" lists every option)
  galleon install [specs...]   install PowerShell modules from a NuGet v3 feed ("galleon install --help")
  galleon sync <spec.yaml>     keep a project's module folder in line with a YAML spec ("galleon sync --help")
  galleon gc [--apply]         find package folders no database row references (a dry run; "galleon gc --help")
  galleon help [command]       show this help, or a command's

With no options "galleon serve" serves http://127.0.0.1:5555 with the data under ./data on the embedded
database; writes are refused until GALLEON_API_KEY (or --api-key) is set.
`;

/**
 * Runs the `galleon` command line.
 *
 * @param argv the arguments after node and the script, e.g. `['serve', '--port', '8080']`
 * @returns the process exit code (0, 1, 2), or -1 while `galleon serve` keeps running
 */
export async function main(argv: string[], io: CliIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      stderr.write(USAGE);
      return 2;
    case '--help':
    case '-h':
      stdout.write(USAGE);
      return 0;
    case 'help':
      if (rest[0] === undefined) {
        stdout.write(USAGE);
        return 0;
      }
      if (!['serve', 'gc', 'install', 'sync'].includes(rest[0])) break;
      return main([rest[0], '--help'], io);
    case 'serve':
      return runServe(rest, { stdout, stderr, env });
    case 'gc': {
      const { runGc } = await import('../server/gc.ts');
      return runGc(rest, env);
    }
    case 'install':
    case 'sync': {
      const { runClientCommand } = await import('../client/cli.ts');
      return runClientCommand(command, rest, { stdout, stderr: stderr as NodeJS.WriteStream, env });
    }
  }
  const unknown = command === 'help' ? rest[0] : command;
  stderr.write(`galleon: unknown command "${unknown}". Run "galleon --help" for the commands.\n`);
  return 2;
}

type IO = Required<CliIO>;

/** The `parseArgs` name of a setting's flag: `--max-package-mb` → `max-package-mb`. */
const optionName = (s: Setting) => s.flag!.slice(2);

/**
 * `galleon serve [options]`: flags over the environment, then {@link startServer}. Resolves once the
 * server serves (-1: keep running) or with the exit code of a failure.
 */
async function runServe(args: string[], io: IO): Promise<number> {
  const { SETTINGS, ConfigError, loadConfig } = await import('../server/config.ts');
  const flagged = SETTINGS.filter((s) => s.flag !== null);
  // an on/off flag also takes an explicit value (--trust-proxy=0), which parseArgs' booleans refuse
  const explicit: Record<string, string> = {};
  const rest: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const setting = eq > 0 ? flagged.find((s) => s.value === null && s.flag === arg.slice(0, eq)) : undefined;
    if (setting) explicit[setting.env] = arg.slice(eq + 1);
    else rest.push(arg);
  }
  const options = Object.fromEntries([
    ...flagged.map((s) => [optionName(s), { type: s.value === null ? 'boolean' : 'string' }] as const),
    ['help', { type: 'boolean', short: 'h' }] as const,
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    io.stderr.write(`galleon serve: ${usageMessage(err as Error & { code?: string }, flagged)} Run "galleon serve --help" for the options.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(serveHelp(SETTINGS));
    return 0;
  }
  const env: Record<string, string | undefined> = { ...io.env, ...explicit };
  for (const s of flagged) {
    const v = values[optionName(s)];
    if (v !== undefined) env[s.env] = typeof v === 'boolean' ? (v ? '1' : '0') : v;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`galleon serve: ${err.message}\n`);
    return 1;
  }
  const { startServer } = await import('../server/serve.ts');
  try {
    await startServer(config, { installSignalHandlers: true });
  } catch (err) {
    io.stderr.write(`galleon serve: ${await startupMessage(err, io.env)}\n`);
    return 1;
  }
  return -1; // keep running
}

/** One line for a `parseArgs` error: an unknown option names the nearest known one. */
function usageMessage(err: Error & { code?: string }, flagged: readonly Setting[]): string {
  const named = /'(-[^'\s]*)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && named) {
    const flag = named.split('=')[0]!;
    const near = nearest(flag, [...flagged.map((s) => s.flag!), '--help']);
    return `unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}.`;
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${/'([^']*)'/.exec(err.message)?.[1] ?? '?'}": "galleon serve" takes options only.`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && named) return `option ${named.split(' ')[0]} needs a value.`;
  return err.message.split('\n')[0]!;
}

/** The flag within edit distance 2 of `flag`, if one is. */
function nearest(flag: string, flags: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const f of flags) {
    const d = editDistance(flag, f);
    if (d < bestDistance) [best, bestDistance] = [f, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The line printed for a start-up failure: the message of a recognised cause (StartupError,
 * DataDirInUseError), else "could not start: <first line of the message>" and where the stack is.
 */
async function startupMessage(err: unknown, env: NodeJS.ProcessEnv): Promise<string> {
  const { StartupError } = await import('../server/startup.ts');
  const { DataDirInUseError } = await import('../server/data-lock.ts');
  const e = err instanceof Error ? err : new Error(String(err));
  const firstLine = e.message.split('\n')[0]!.trim();
  if (e instanceof StartupError || e instanceof DataDirInUseError) return firstLine;
  if (env.GALLEON_DEBUG) return `could not start: ${firstLine}\n${e.stack ?? ''}`;
  return `could not start: ${firstLine} (GALLEON_DEBUG=1 prints the details)`;
}

/**
 * The text of `galleon serve --help`: every setting of `settings` with its flag, environment
 * variable, default and meaning (environment-only settings after the flags).
 */
export function serveHelp(settings: readonly Setting[]): string {
  const entry = (head: string, s: Setting) => {
    const first = `  ${head.padEnd(34)} ${s.env.padEnd(30)} default: ${s.default}`;
    return [first, ...wrap(s.meaning, 92).map((l) => `      ${l}`)].join('\n');
  };
  const flags = settings.filter((s) => s.flag !== null).map((s) => entry(s.value ? `${s.flag} ${s.value}` : s.flag!, s));
  const envOnly = settings.filter((s) => s.flag === null).map((s) => entry('(environment only)', s));
  return `Usage: galleon serve [options]

Runs the gallery: the NuGet v3 feed, the dependency-only feed and the push API. Every option is also an
environment variable; a flag wins over its variable.

  ${'option'.padEnd(34)} ${'environment variable'.padEnd(30)} default (meaning below)
${flags.join('\n')}
${envOnly.join('\n')}
  ${'-h, --help'.padEnd(34)} show this help

Start-up failures print one line naming the setting and the fix. Exit codes: 0 stopped cleanly (SIGTERM,
SIGINT), 1 could not start, 2 usage error, 70 the embedded database failed while serving.
`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
