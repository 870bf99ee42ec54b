/**
 * Configuration, read once at start-up into a typed object. Every setting comes from the
 * environment and most can be overridden by a flag of `galleon serve`: {@link SETTINGS} lists them
 * with their flags, defaults and meanings (the source of `galleon serve --help`).
 */
import { resolve, join } from 'node:path';
import { z } from 'zod';

export interface Config {
  port: number;
  host: string;
  /** folder for the embedded database (`<dataDir>/db`), package files (`<dataDir>/packages`) and temp files */
  dataDir: string;
  /** `postgres://` URL selecting PostgreSQL; null selects the embedded database */
  databaseUrl: string | null;
  /** public absolute base URL used in every emitted link (no trailing slash) */
  baseUrl: string;
  /** honour X-Forwarded-Proto/Host/Prefix when no baseUrl is configured */
  trustProxy: boolean;
  /** bootstrap API key allowed to push, unlist, relist and delete; null refuses every write */
  apiKey: string | null;
  /** largest accepted nupkg, bytes */
  maxPackageBytes: number;
  /** whether `baseUrl` was configured explicitly (otherwise derived from host and port) */
  baseUrlConfigured: boolean;
  /** log level for pino: fatal, error, warn, info, debug, trace, silent */
  logLevel: string;
  /** log lines: `pretty` (readable), `json` (one object a line) or `auto` (pretty when stdout is a terminal) */
  logFormat: 'auto' | 'pretty' | 'json';
  /** how often buffered download counts are written, milliseconds */
  downloadFlushMs: number;
  /**
   * the start-up sweep only looks at package folders and temp files last changed at least this long
   * ago (and before the process started), milliseconds: 0 on the embedded database (one process), an
   * hour on PostgreSQL, where other nodes may be pushing into a shared folder
   */
  sweepMinAgeMs: number;
}

/**
 * One setting of `galleon serve`: its environment variable, its flag (null: environment only), the
 * default and meaning shown by `galleon serve --help`, and the schema its text must satisfy. The help
 * text, the flags `galleon serve` accepts (cli/main.ts) and the error messages all come from
 * {@link SETTINGS}, so they cannot drift from what {@link loadConfig} reads.
 */
export interface Setting {
  env: string;
  /** `--name` of `galleon serve`, or null for a setting read from the environment only */
  flag: string | null;
  /** placeholder of the flag's value in the help text; null for an on/off flag (no value) */
  value: string | null;
  /** the default, as the help text and README show it */
  default: string;
  meaning: string;
  /** what an accepted value looks like, completing "it must be …" in the error message */
  expected: string;
  /** never echo the value in an error message (keys, URLs with passwords) */
  secret?: boolean;
  schema: z.ZodType;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An absolute http(s) URL with a host, e.g. https://nuget.example.com/feed. */
const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && /^https?:\/\//i.test(v);
  } catch {
    return false;
  }
});

/** Every setting `galleon serve` reads, in the order of its help text and the README table. */
export const SETTINGS: readonly Setting[] = [
  { env: 'PORT', flag: '--port', value: 'N', default: '5555', meaning: 'TCP port to listen on (0: any free port)', expected: 'a whole number from 0 to 65535', schema: z.coerce.number().int().min(0).max(65535).default(5555) },
  { env: 'HOST', flag: '--host', value: 'ADDRESS', default: '127.0.0.1', meaning: 'address to bind; 0.0.0.0 or :: listens on every interface and then needs GALLEON_BASE_URL (or GALLEON_TRUST_PROXY=1 behind a reverse proxy)', expected: 'an IP address or host name', schema: z.string().min(1).default('127.0.0.1') },
  { env: 'GALLEON_DATA_DIR', flag: '--data-dir', value: 'DIR', default: './data', meaning: 'folder of the embedded database (db/), the package files (packages/) and the quarantine; must be writable', expected: 'a folder path', schema: z.string().min(1).default('./data') },
  { env: 'DATABASE_URL', flag: '--database-url', value: 'URL', default: 'unset: embedded database', meaning: 'a postgres:// URL selects PostgreSQL instead of the embedded database', expected: 'a postgres:// or postgresql:// URL such as postgres://galleon:secret@db.example.com:5432/galleon', secret: true, schema: z.string().regex(/^postgres(ql)?:\/\//).optional() },
  { env: 'GALLEON_BASE_URL', flag: '--base-url', value: 'URL', default: 'http://HOST:PORT', meaning: 'public absolute URL used in every link Galleon emits (set it behind a reverse proxy, and with HOST=0.0.0.0)', expected: 'an absolute http:// or https:// URL, the address clients use, such as https://nuget.example.com', schema: httpUrl.optional() },
  { env: 'GALLEON_TRUST_PROXY', flag: '--trust-proxy', value: null, default: '0', meaning: 'with 1 and no GALLEON_BASE_URL, links follow X-Forwarded-Proto/-Host/-Prefix and Host', expected: '1, 0, true or false', schema: z.enum(['0', '1', 'true', 'false']).default('0') },
  { env: 'GALLEON_API_KEY', flag: '--api-key', value: 'KEY', default: 'unset: writes refused', meaning: 'key allowed to push, unlist, relist and delete', expected: 'a non-empty key', secret: true, schema: z.string().min(1).optional() },
  { env: 'GALLEON_MAX_PACKAGE_MB', flag: '--max-package-mb', value: 'MB', default: '250', meaning: 'largest accepted package, in MB (bigger pushes get 413)', expected: 'a positive number of megabytes', schema: z.coerce.number().positive().default(250) },
  { env: 'GALLEON_LOG_LEVEL', flag: '--log-level', value: 'LEVEL', default: 'info', meaning: `log level: ${LOG_LEVELS.join(', ')}`, expected: `one of ${LOG_LEVELS.join(', ')}`, schema: z.enum(LOG_LEVELS).default('info') },
  { env: 'GALLEON_LOG_FORMAT', flag: '--log-format', value: 'FORMAT', default: 'auto', meaning: 'pretty (readable lines) or json (one JSON object a line); auto: pretty when stdout is a terminal, else json', expected: 'auto, pretty or json', schema: z.enum(['auto', 'pretty', 'json']).default('auto') },
  { env: 'GALLEON_SWEEP_MIN_AGE_MINUTES', flag: '--sweep-min-age-minutes', value: 'MINUTES', default: '0 embedded, 60 PostgreSQL', meaning: 'the start-up sweep only looks at package folders and temp files last changed this long ago (and before the start); keep it above your longest push when several nodes share one package folder', expected: 'a number of minutes, 0 or more', schema: z.coerce.number().min(0).optional() },
  { env: 'GALLEON_DOWNLOAD_FLUSH_MS', flag: null, value: 'MS', default: '10000', meaning: 'how often buffered download counts are written, in milliseconds', expected: 'a positive whole number of milliseconds', schema: z.coerce.number().int().positive().default(10_000) },
];

/** Map from `galleon serve` flag to environment variable (derived from {@link SETTINGS}). */
export const CONFIG_FLAGS: Record<string, string> = Object.fromEntries(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, s.env]));

/** Thrown for an unusable setting; the message names the variable, its flag and what it must be. */
export class ConfigError extends Error {
  readonly code = 'config';
}

const envSchema = z.object(Object.fromEntries(SETTINGS.map((s) => [s.env, s.schema])));

/**
 * Builds the configuration from environment variables (empty strings count as unset).
 *
 * @throws ConfigError naming the offending variable, its flag and the accepted values, e.g.
 *         `GALLEON_BASE_URL "nuget.local" is not usable: it must be an absolute http:// or https:// URL …`
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const name = String(parsed.error.issues[0].path[0]);
    const setting = SETTINGS.find((s) => s.env === name)!;
    const shown = setting.secret ? '' : ` ${JSON.stringify(cleaned[name])}`;
    throw new ConfigError(
      `${name}${shown} is not usable: it must be ${setting.expected}. Fix the environment variable${setting.flag ? ` or the ${setting.flag} flag` : ''}.`,
    );
  }
  const e = parsed.data as {
    PORT: number;
    HOST: string;
    GALLEON_DATA_DIR: string;
    DATABASE_URL?: string;
    GALLEON_BASE_URL?: string;
    GALLEON_TRUST_PROXY: string;
    GALLEON_API_KEY?: string;
    GALLEON_MAX_PACKAGE_MB: number;
    GALLEON_LOG_LEVEL: string;
    GALLEON_LOG_FORMAT: 'auto' | 'pretty' | 'json';
    GALLEON_DOWNLOAD_FLUSH_MS: number;
    GALLEON_SWEEP_MIN_AGE_MINUTES?: number;
  };
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  const hostPart = displayHost.includes(':') ? `[${displayHost}]` : displayHost;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.GALLEON_DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    baseUrl: (e.GALLEON_BASE_URL ?? `http://${hostPart}:${e.PORT}`).replace(/\/+$/, ''),
    baseUrlConfigured: e.GALLEON_BASE_URL !== undefined,
    trustProxy: e.GALLEON_TRUST_PROXY === '1' || e.GALLEON_TRUST_PROXY === 'true',
    apiKey: e.GALLEON_API_KEY ?? null,
    maxPackageBytes: Math.floor(e.GALLEON_MAX_PACKAGE_MB * 1024 * 1024),
    logLevel: e.GALLEON_LOG_LEVEL,
    logFormat: e.GALLEON_LOG_FORMAT,
    downloadFlushMs: e.GALLEON_DOWNLOAD_FLUSH_MS,
    sweepMinAgeMs: Math.round((e.GALLEON_SWEEP_MIN_AGE_MINUTES ?? (e.DATABASE_URL ? 60 : 0)) * 60_000),
  };
}

/** Where the embedded database keeps its files. */
export function embeddedDbDir(config: Config): string {
  return join(config.dataDir, 'db');
}

/** Where the sweep moves package folders no database row references (server/sweep.ts). */
export function quarantineDir(config: Config): string {
  return join(config.dataDir, 'quarantine');
}

/** Where package files are stored. */
export function packagesDir(config: Config): string {
  return join(config.dataDir, 'packages');
}

/** Whether `host` is a wildcard address (0.0.0.0, ::): the server listens on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '::0';
}

/**
 * Why `config` cannot serve links other machines can follow, or null when it can. Listening on every
 * interface (HOST=0.0.0.0 or ::) with neither GALLEON_BASE_URL nor GALLEON_TRUST_PROXY=1 would write
 * http://127.0.0.1:PORT into every service index and registration page, which other machines cannot
 * reach: `galleon serve` refuses to start instead (only the operator knows the name other machines use).
 *
 * @returns a one-line message naming the setting and the fix, or null
 */
export function publicAddressProblem(config: Config): string | null {
  if (!isWildcardHost(config.host) || config.baseUrlConfigured || config.trustProxy) return null;
  return `HOST=${config.host} listens on every interface, but Galleon writes absolute links and does not know the name other machines use to reach it: set GALLEON_BASE_URL=http://<name other machines use>:${config.port} (or --base-url), or bind HOST=127.0.0.1 for this machine only.`;
}
