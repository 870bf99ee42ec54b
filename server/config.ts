/**
 * Configuration, read once at start-up into a typed object. Every setting comes from the
 * environment and can be overridden by a flag of `galleon serve` (flag names in `CONFIG_FLAGS`).
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
  /** how often buffered download counts are written, milliseconds */
  downloadFlushMs: number;
  /**
   * the start-up sweep only looks at package folders and temp files last changed at least this long
   * ago (and before the process started), milliseconds: 0 on the embedded database (one process), an
   * hour on PostgreSQL, where other nodes may be pushing into a shared folder
   */
  sweepMinAgeMs: number;
}

/** Map from `galleon serve` flag to environment variable. */
export const CONFIG_FLAGS: Record<string, string> = {
  '--port': 'PORT',
  '--host': 'HOST',
  '--data-dir': 'GALLEON_DATA_DIR',
  '--database-url': 'DATABASE_URL',
  '--base-url': 'GALLEON_BASE_URL',
  '--trust-proxy': 'GALLEON_TRUST_PROXY',
  '--api-key': 'GALLEON_API_KEY',
  '--max-package-mb': 'GALLEON_MAX_PACKAGE_MB',
  '--log-level': 'GALLEON_LOG_LEVEL',
  '--sweep-min-age-minutes': 'GALLEON_SWEEP_MIN_AGE_MINUTES',
};

/** Thrown for an unusable setting; the message names the variable and the accepted values. */
export class ConfigError extends Error {
  readonly code = 'config';
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5555),
  HOST: z.string().min(1).default('127.0.0.1'),
  GALLEON_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  GALLEON_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  GALLEON_TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('0'),
  GALLEON_API_KEY: z.string().min(1).optional(),
  GALLEON_MAX_PACKAGE_MB: z.coerce.number().positive().default(250),
  GALLEON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GALLEON_DOWNLOAD_FLUSH_MS: z.coerce.number().int().positive().default(10_000),
  GALLEON_SWEEP_MIN_AGE_MINUTES: z.coerce.number().min(0).optional(),
});

/**
 * Builds the configuration from environment variables (empty strings count as unset).
 *
 * @throws ConfigError naming the offending variable
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}.`);
  }
  const e = parsed.data;
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

/**
 * Applies `--flag value` / `--flag=value` overrides onto an environment copy.
 *
 * @throws ConfigError for an unknown flag or a flag without a value
 */
export function applyFlags(argv: string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = CONFIG_FLAGS[flag];
    if (!name) throw new ConfigError(`Unknown option ${flag}. Run "galleon serve --help" for the list.`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (flag === '--trust-proxy' && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) value = '1';
    else value = argv[++i];
    if (value === undefined) throw new ConfigError(`Option ${flag} needs a value.`);
    out[name] = value;
  }
  return out;
}
