/**
 * `galleon install` and `galleon sync`: the command-line face of the reference client. `cli/main.ts`
 * dispatches to {@link runClientCommand}. Arguments are parsed with node's `util.parseArgs`; data
 * (plans, `--passthru`, sync changes) goes to stdout, progress and messages to stderr.
 *
 * Exit codes: 0 success, 1 failure (feed, plan, install or file errors), 2 usage (unknown option, bad
 * value, unparseable specification, nothing to install given).
 */
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SOURCE, FeedClient, FeedError, normalizeSource, type FeedCredentials } from './feed-client.ts';
import { InstallFailedError, installModules, type InstalledPackage } from './install.ts';
import { ModuleInventory, defaultDestination, psModulePaths } from './installed.ts';
import { DEFAULT_LOCKFILE, readLockfile, writeLockfile, type LockedModule } from './lockfile.ts';
import { getModuleFastPlan, type PlanEntry } from './plan.ts';
import { createReporter, type ProgressStream } from './progress.ts';
import { discoverRequirementFiles, readRequirementFile, type SpecFileType } from './requires.ts';
import { ModuleFastSpec, ModuleSpecError, parseModuleSpec } from './spec.ts';
// sync.ts (and its YAML parser) is loaded only by `galleon sync`: install starts ~50 ms sooner
import type { SyncChange } from './sync.ts';

/** Where the commands read and write; defaults are the process's. Tests pass their own. */
export interface ClientIO {
  stdout?: { write(chunk: string): boolean };
  stderr?: ProgressStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const INSTALL_HELP = `Usage: galleon install [options] [specification...]

Installs PowerShell modules from a NuGet v3 feed, resolving dependencies (a port of ModuleFast).

Specifications (each argument; quote them in your shell):
  Name                 any version (highest stable)
  Name=1.2.3           exactly 1.2.3               Name:[1.0,2.0)   a NuGet range (floats: Name:2.2.*)
  Name>=1.2.3          1.2.3 or higher             Name:1.2.3       1.2.3 or higher (NuGet minimum)
  Name>1.2.3 Name<1.2.3 Name<=1.2.3                exclusive/inclusive bounds
  !Name  Name!  Name!<2.0                          also accept prereleases for this module
  "@{ModuleName='Name'; ModuleVersion='1.0'; MaximumVersion='2.0'; RequiredVersion='1.5'; Guid='...'}"
                       a PowerShell ModuleSpecification hashtable
With no specification and no --path, every *.requires.{psd1,ps1,psm1,json,jsonc} file in the current
directory is read.

Options:
  -p, --path PATH          read specifications from a requirement file: .psd1 (module manifest
                           RequiredModules, or a Name = version table), .json/.jsonc (object or array),
                           .ps1/.psm1 (#Requires -Modules), an http(s) URL, or a directory of
                           *.requires.* files; repeatable
      --spec-file-type T   how to read object-shaped requirement files: auto (default), ModuleFast,
                           PSResourceGet or PSDepend
  -d, --destination DIR    module folder to install into (created when missing); default: your
                           PowerShell modules folder ($XDG_DATA_HOME/powershell/Modules or
                           ~/.local/share/powershell/Modules; Documents\\PowerShell\\Modules on Windows)
      --destination-only   only modules in the destination count as installed (ignore PSModulePath)
  -s, --source URL         NuGet v3 service index; default $GALLEON_SOURCE, else
                           ${DEFAULT_SOURCE}; a bare host means https://host/index.json
      --username NAME      user for HTTP Basic authentication (default $GALLEON_USERNAME)
      --password SECRET    password or token (default $GALLEON_PASSWORD); both or neither
      --plan               resolve and print the plan (Name, Version, Source); install nothing
      --json               with --plan or --passthru: print a JSON array instead of a table
      --passthru           print the installed modules (Name, Version, Path)
      --prerelease         accept prereleases for every module
      --update             look for newer versions even when installed ones satisfy the specification
      --strict-semver      plain NuGet range rules: Name<2.0.0 then accepts 2.0.0-preview
                           (by default a prerelease of an excluded upper bound is not accepted)
      --ci                 CI mode: honour an existing lockfile instead of the specifications (and no
                           --update), then write the lockfile of what was resolved
      --ci-lockfile PATH   lockfile for --ci (default ./${DEFAULT_LOCKFILE})
      --throttle-limit N   parallel downloads and extractions (default: logical CPUs, here ${availableParallelism()})
      --timeout SECONDS    per-request timeout (default 30); failed requests (network errors, 408, 429,
                           5xx) are retried 3 times, honouring Retry-After
      --user-agent TEXT    User-Agent header (default starts with "ModuleFast", which asks Galleon for
                           its dependency-only metadata)
      --verbose            explain each decision on stderr
  -h, --help               show this help

Progress is drawn on stderr when it is a terminal. Exit codes: 0 success, 1 failure, 2 usage error.
Examples:
  galleon install Az.Accounts "Pester>=5.4" --destination ./Modules
  galleon install --path ./build.requires.psd1 --ci
  galleon install Az=12.0.0 --plan --json
`;

export const SYNC_HELP = `Usage: galleon sync [options] <spec.yaml>

Keeps a project-local module folder in line with a YAML list of requirements:

  - Name: PSSQLite
    Version: 1.1.0          # exact version, or a list of exact versions
    VersionMIN: 1.0.0       # inclusive minimum
    VersionMAX: 2.0.0       # inclusive maximum
    Repository: PSGallery   # an http(s) service index URL is used as the source; other names use --source

A version is allowed when it is one of Version or lies within VersionMIN..VersionMAX (no constraint:
every version). Version folders outside the spec are renamed to <version>.disabled (locked folders are
retried), disabled versions back in the spec are renamed back, and modules without an allowed version are
installed (the highest Version, else the highest version within the bounds), with their dependencies.
Prints every change.

Options:
  -d, --destination DIR    the module folder (default ./Modules, created when missing)
  -s, --source URL         NuGet v3 service index; default $GALLEON_SOURCE, else ${DEFAULT_SOURCE}
      --username NAME      HTTP Basic user (default $GALLEON_USERNAME)
      --password SECRET    HTTP Basic password (default $GALLEON_PASSWORD)
      --throttle-limit N   parallel downloads (default: logical CPUs)
      --timeout SECONDS    per-request timeout (default 30)
      --user-agent TEXT    User-Agent header
      --verbose            explain each step on stderr
  -h, --help               show this help

Exit codes: 0 success, 1 failure, 2 usage error.
`;

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs `galleon install ...` or `galleon sync ...`.
 * @param args  the arguments after the command name
 * @returns the exit code: 0 ok, 1 failure, 2 usage
 */
export async function runClientCommand(command: 'install' | 'sync', args: string[], io: ClientIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const name = `galleon ${command}`;
  try {
    if (command === 'install') return await runInstall(args, { stdout, stderr, env, cwd });
    if (command === 'sync') return await runSync(args, { stdout, stderr, env, cwd });
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ModuleSpecError) {
      stderr.write(`${name}: ${err.message}\nRun "${name} --help" for the options.\n`);
      return 2;
    }
    stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (env.GALLEON_DEBUG && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
    return 1;
  }
}

type IO = Required<ClientIO>;

const COMMON_OPTIONS = {
  destination: { type: 'string', short: 'd' },
  source: { type: 'string', short: 's' },
  username: { type: 'string' },
  password: { type: 'string' },
  'throttle-limit': { type: 'string' },
  timeout: { type: 'string' },
  'user-agent': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const INSTALL_OPTIONS = {
  ...COMMON_OPTIONS,
  path: { type: 'string', short: 'p', multiple: true },
  'spec-file-type': { type: 'string' },
  'destination-only': { type: 'boolean' },
  plan: { type: 'boolean' },
  json: { type: 'boolean' },
  passthru: { type: 'boolean' },
  prerelease: { type: 'boolean' },
  update: { type: 'boolean' },
  'strict-semver': { type: 'boolean' },
  ci: { type: 'boolean' },
  'ci-lockfile': { type: 'string' },
} as const;

interface Common {
  source: string;
  credentials: FeedCredentials | null;
  throttle: number;
  timeoutSeconds: number;
  userAgent: string | undefined;
}

function commonSettings(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Common {
  let source: string;
  try {
    source = normalizeSource((values.source as string | undefined) ?? env.GALLEON_SOURCE ?? DEFAULT_SOURCE);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const username = (values.username as string | undefined) ?? env.GALLEON_USERNAME;
  const password = (values.password as string | undefined) ?? env.GALLEON_PASSWORD;
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError('give both --username and --password (or GALLEON_USERNAME and GALLEON_PASSWORD), or neither.');
  }
  const throttleText = values['throttle-limit'] as string | undefined;
  const throttle = throttleText === undefined ? availableParallelism() : Number(throttleText);
  if (!Number.isInteger(throttle) || throttle < 1) throw new UsageError(`--throttle-limit must be a positive whole number, not "${throttleText}".`);
  const timeoutText = values.timeout as string | undefined;
  const timeoutSeconds = timeoutText === undefined ? 30 : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${timeoutText}".`);
  return {
    source,
    credentials: username !== undefined ? { username, password: password! } : null,
    throttle,
    timeoutSeconds,
    userAgent: values['user-agent'] as string | undefined,
  };
}

function makeClient(common: Common, source: string, warn: (m: string) => void): FeedClient {
  return new FeedClient({
    source,
    credentials: common.credentials,
    timeoutSeconds: common.timeoutSeconds,
    userAgent: common.userAgent,
    onRetry: ({ url, attempt, delayMs, reason }) => warn(`${reason} from ${url}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s.`),
  });
}

async function runInstall(args: string[], io: IO): Promise<number> {
  const { values, positionals } = usage(() => parseArgs({ args, options: INSTALL_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) {
    io.stdout.write(INSTALL_HELP);
    return 0;
  }
  const common = commonSettings(values, io.env);
  const specFileType = parseSpecFileType(values['spec-file-type']);
  const destination = values.destination !== undefined ? resolve(io.cwd, values.destination) : defaultDestination(io.env);
  const reporter = createReporter(io.stderr, { verbose: values.verbose === true });
  const started = Date.now();
  let update = values.update === true;

  // ---- what to install
  const lockfilePath = resolve(io.cwd, values['ci-lockfile'] ?? DEFAULT_LOCKFILE);
  let specs: ModuleFastSpec[] | null = null;
  if (values.ci) {
    specs = await readLockfile(lockfilePath);
    if (specs !== null) {
      reporter.info(`Using the lockfile ${lockfilePath} (${specs.length} modules); other specifications and --update are ignored.`);
      update = false;
    }
  }
  if (specs === null) {
    specs = positionals.map((p) => parseModuleSpec(p));
    const readOptions = { specFileType, onWarning: (m: string) => reporter.warn(m) };
    for (const p of values.path ?? []) {
      const target = /^https?:\/\//i.test(p) ? p : resolve(io.cwd, p);
      specs.push(...(await readRequirementFile(target, readOptions)));
    }
    if (positionals.length === 0 && (values.path ?? []).length === 0) {
      const files = await discoverRequirementFiles(io.cwd);
      if (files.length === 0) {
        throw new UsageError(`no module specification given, and no *.requires.{psd1,ps1,psm1,json,jsonc} file in ${io.cwd}.`);
      }
      for (const f of files) {
        reporter.verbose(`Reading specifications from ${f}.`);
        specs.push(...(await readRequirementFile(f, readOptions)));
      }
    }
    if (specs.length === 0) throw new UsageError('the requirement files list no modules.');
  }

  // ---- plan
  const client = makeClient(common, common.source, (m) => reporter.warn(m));
  try {
    const inventory = new ModuleInventory({
      destination,
      modulePaths: values['destination-only'] ? [] : psModulePaths(io.env.PSModulePath),
      onWarning: (m) => reporter.warn(m),
    });
    reporter.phase('Resolving', specs.length);
    const plan = await getModuleFastPlan(specs, {
      client,
      inventory,
      prerelease: values.prerelease === true,
      strictSemVer: values['strict-semver'] === true,
      update,
      onWarning: (m) => reporter.warn(m),
      onVerbose: (m) => reporter.verbose(m),
      onProgress: ({ resolved, total, name }) => reporter.update(resolved, total, name),
    });
    reporter.done();
    const planSeconds = (Date.now() - started) / 1000;
    reporter.verbose(`Plan: ${plan.entries.length} modules to install, ${plan.satisfied.length} requirements already met, ${planSeconds.toFixed(2)} s, ${client.requestCount} requests.`);

    if (values.plan) {
      writePlan(io, plan.entries, values.json === true);
      if (plan.entries.length === 0 && !values.json) reporter.info('Nothing to install: every module is already installed.');
      return 0;
    }

    // ---- install
    let installed: InstalledPackage[] = [];
    if (plan.entries.length === 0) {
      reporter.info('All required modules are already installed.');
    } else {
      reporter.phase('Installing', plan.entries.length);
      try {
        installed = await installModules(plan.entries, {
          client,
          destination,
          inventory,
          throttle: common.throttle,
          onWarning: (m) => reporter.warn(m),
          onVerbose: (m) => reporter.verbose(m),
          onProgress: ({ done, total, name }) => reporter.update(done, total, name),
        });
      } catch (err) {
        // say what did land before the error (each of those folders is complete and usable)
        if (err instanceof InstallFailedError && err.installed.length > 0) {
          reporter.done();
          const names = err.installed.map((p) => `${p.name} ${p.folderVersion}`).join(', ');
          io.stderr.write(`Installed ${err.installed.length} of ${plan.entries.length} modules before the failure: ${names}\n`);
          if (values.passthru) writeInstalled(io, err.installed, values.json === true);
        }
        throw err;
      }
      reporter.done();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      reporter.info(`Installed ${installed.length} module${installed.length === 1 ? '' : 's'} into ${destination} in ${seconds} s.`);
      const searched = psModulePaths(io.env.PSModulePath);
      if (!searched.includes(resolve(destination)) && resolve(destination) !== resolve(defaultDestination(io.env))) {
        reporter.info(`Note: ${destination} is not in PSModulePath; add it there so PowerShell finds these modules.`);
      }
    }

    if (values.ci) {
      const locked: LockedModule[] = [
        ...installed.map((p) => ({ name: p.name, version: p.version.toNormalizedString() })),
        ...plan.satisfied.map((s) => ({ name: s.module.name, version: s.module.version.toNormalizedString() })),
      ];
      await writeLockfile(lockfilePath, locked);
      reporter.verbose(`Wrote the lockfile ${lockfilePath}.`);
    }
    if (values.passthru) writeInstalled(io, installed, values.json === true);
    return 0;
  } finally {
    reporter.done();
    await client.close();
  }
}

function parseSpecFileType(value: string | undefined): SpecFileType {
  if (value === undefined) return 'auto';
  const known: Record<string, SpecFileType> = { auto: 'auto', autodetect: 'auto', modulefast: 'ModuleFast', psresourceget: 'PSResourceGet', psdepend: 'PSDepend' };
  const t = known[value.toLowerCase()];
  if (!t) throw new UsageError(`--spec-file-type must be auto, ModuleFast, PSResourceGet or PSDepend, not "${value}".`);
  return t;
}

function writePlan(io: IO, entries: readonly PlanEntry[], json: boolean): void {
  if (json) {
    const rows = entries.map((e) => ({ name: e.name, version: e.version.toNormalizedString(), source: e.packageContent }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) return;
  io.stdout.write(table(['Name', 'Version', 'Source'], entries.map((e) => [e.name, e.version.toNormalizedString(), e.packageContent])));
}

function writeInstalled(io: IO, installed: readonly InstalledPackage[], json: boolean): void {
  if (json) {
    const rows = installed.map((p) => ({ name: p.name, version: p.version.toNormalizedString(), source: p.packageContent, path: p.path }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (installed.length === 0) return;
  io.stdout.write(table(['Name', 'Version', 'Path'], installed.map((p) => [p.name, p.version.toNormalizedString(), p.path])));
}

/** A plain left-aligned text table with a header and a dashed rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

async function runSync(args: string[], io: IO): Promise<number> {
  const { values, positionals } = usage(() => parseArgs({ args, options: COMMON_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) {
    io.stdout.write(SYNC_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the YAML spec file.' : `give one spec file, not ${positionals.length}.`);
  const common = commonSettings(values, io.env);
  const specPath = resolve(io.cwd, positionals[0]!);
  const destination = resolve(io.cwd, values.destination ?? 'Modules');
  const reporter = createReporter(io.stderr, { verbose: values.verbose === true, bar: false });
  const { readSyncSpec, syncModules } = await import('./sync.ts');
  const entries = await readSyncSpec(specPath);
  const clients = new Map<string, FeedClient>();
  const clientFor = (source: string | null) => {
    let url: string;
    try {
      url = source === null ? common.source : normalizeSource(source);
    } catch (err) {
      if (err instanceof FeedError) throw new UsageError(err.message);
      throw err;
    }
    let c = clients.get(url);
    if (!c) {
      c = makeClient(common, url, (m) => reporter.warn(m));
      clients.set(url, c);
    }
    return c;
  };
  try {
    const changes = await syncModules(entries, {
      destination,
      clientFor,
      throttle: common.throttle,
      onWarning: (m) => reporter.warn(m),
      onVerbose: (m) => reporter.verbose(m),
      onChange: (c) => io.stdout.write(`${formatChange(c)}\n`),
    });
    if (changes.length === 0) io.stdout.write(`Nothing to change: ${destination} already matches ${specPath}.\n`);
    return 0;
  } finally {
    for (const c of clients.values()) await c.close();
  }
}

/** One line per sync change: `disabled  PSSQLite 2.1.0  (outside the spec) -> /path`. */
export function formatChange(c: SyncChange): string {
  return `${c.action.padEnd(9)} ${c.name} ${c.version}  (${c.reason}) -> ${c.path}`;
}
