/**
 * Test harness for driving the real .NET CLI (`dotnet nuget push`, `dotnet restore`, `dotnet pack`,
 * `dotnet add package`, `dotnet package search`, `dotnet nuget delete`) against a running Galleon.
 *
 * Every run is isolated from the machine's NuGet state: a sandbox folder holds a NuGet.Config whose only
 * package source is the Galleon under test (`<clear />` first, `allowInsecureConnections="true"` because
 * the test server speaks plain HTTP, protocol reference §2.4), its own global packages folder
 * (`NUGET_PACKAGES`) and HTTP cache (`NUGET_HTTP_CACHE_PATH`), and the CLI runs without telemetry,
 * first-run banner, MSBuild node reuse or compiler server, in English.
 *
 * Typical use:
 * ```ts
 * const sandbox = await createDotnetSandbox(`${server.url}/v3/index.json`);
 * const r = await runDotnet(['nuget', 'push', file, '--source', sandbox.source, '--api-key', KEY], { sandbox });
 * expect(r.code, r.output).toBe(0);
 * await sandbox.dispose();
 * ```
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';

/**
 * The .NET SDK version of the `dotnet` on PATH (e.g. "10.0.401"), or null when there is none or it
 * does not answer within 60 s. Runs `dotnet --version` once per process.
 */
export function dotnetSdkVersion(): string | null {
  if (sdkVersion !== undefined) return sdkVersion;
  const r = spawnSync('dotnet', ['--version'], { encoding: 'utf8', timeout: 60_000, env: quietEnv({}) });
  sdkVersion = r.status === 0 && /^\d+\.\d+\.\d+/.test(r.stdout.trim()) ? r.stdout.trim() : null;
  return sdkVersion;
}
let sdkVersion: string | null | undefined;

/** One isolated NuGet world for the CLI: config, global packages folder, HTTP cache, work folders. */
export interface DotnetSandbox {
  /** the sandbox root folder; holds NuGet.Config, so projects created below it see only Galleon */
  root: string;
  /** the Galleon service index URL, e.g. http://127.0.0.1:5555/v3/index.json */
  source: string;
  /** name of the source in NuGet.Config ("galleon") */
  sourceName: string;
  /** path of the sandbox NuGet.Config */
  configFile: string;
  /** the global packages folder restore extracts into (NUGET_PACKAGES) */
  packagesDir: string;
  /** the NuGet HTTP cache folder (NUGET_HTTP_CACHE_PATH) */
  httpCacheDir: string;
  /** environment variables every `dotnet` run in this sandbox gets (on top of process.env) */
  env: Record<string, string>;
  /** makes a fresh, empty folder under the sandbox root, e.g. for one project */
  newDir(name: string): Promise<string>;
  /** removes the whole sandbox */
  dispose(): Promise<void>;
}

/**
 * Creates a sandbox whose NuGet.Config lists only `source` (plus `allowInsecureConnections="true"` so
 * that push and delete to an http:// Galleon are allowed, §2.4).
 *
 * @param source absolute URL of the Galleon service index
 */
export async function createDotnetSandbox(source: string): Promise<DotnetSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'galleon-dotnet-'));
  const packagesDir = join(root, 'nuget-packages');
  const httpCacheDir = join(root, 'nuget-http-cache');
  const tempDir = join(root, 'tmp');
  await mkdir(packagesDir);
  await mkdir(httpCacheDir);
  await mkdir(tempDir);
  const configFile = join(root, 'NuGet.Config');
  const sourceName = 'galleon';
  await writeFile(configFile, nugetConfigXml(sourceName, source));
  let counter = 0;
  return {
    root,
    source,
    sourceName,
    configFile,
    packagesDir,
    httpCacheDir,
    env: {
      NUGET_PACKAGES: packagesDir,
      NUGET_HTTP_CACHE_PATH: httpCacheDir,
      // dotnet's own temporary folders (NuGetScratch<user>, MSBuild's) go into the sandbox, removed with it
      TMPDIR: tempDir,
    },
    newDir: async (name) => {
      const dir = join(root, `${String(++counter).padStart(2, '0')}-${name}`);
      await mkdir(dir, { recursive: true });
      return dir;
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * The NuGet.Config text for a sandbox: every inherited source cleared, one source, insecure HTTP
 * allowed for it, and audit sources cleared so that NuGetAudit asks nobody but Galleon.
 */
export function nugetConfigXml(sourceName: string, source: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="${xmlEscape(sourceName)}" value="${xmlEscape(source)}" allowInsecureConnections="true" />
  </packageSources>
  <auditSources>
    <clear />
  </auditSources>
  <disabledPackageSources>
    <clear />
  </disabledPackageSources>
</configuration>
`;
}

/** What one `dotnet` run did. */
export interface DotnetResult {
  /** the arguments after `dotnet` */
  args: string[];
  /** exit code; null when the process was killed (time-out) */
  code: number | null;
  stdout: string;
  stderr: string;
  /** `dotnet <args>`, the exit code, stdout and stderr in one string: use as assertion message */
  output: string;
  /** wall-clock milliseconds */
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `dotnet <args>` and captures its output. The process (and any children it left in its process
 * group) is killed after `timeoutMs`; the result then has `timedOut: true` and `code: null`.
 *
 * @param opts.sandbox adds the sandbox environment (isolated packages folder and HTTP cache)
 * @param opts.cwd working folder; default the sandbox root (whose NuGet.Config then applies)
 * @param opts.timeoutMs default 180 000 ms (restore and pack take 30-90 s on a busy 2-core machine)
 */
export function runDotnet(
  args: string[],
  opts: { sandbox?: DotnetSandbox; cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<DotnetResult> {
  const cwd = opts.cwd ?? opts.sandbox?.root ?? process.cwd();
  const env = quietEnv({ ...opts.sandbox?.env, ...opts.env });
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const ms = Date.now() - started;
      const status = timedOut ? `killed after ${timeoutMs} ms` : `exit ${code}`;
      resolve({
        args,
        code: timedOut ? null : code,
        stdout,
        stderr,
        output: `dotnet ${args.join(' ')} (${status}, ${ms} ms)\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
        ms,
        timedOut,
      });
    });
  });
}

/** process.env plus the variables that keep the CLI quiet, English and free of lingering servers. */
function quietEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // a key or a source from the caller's environment must not leak into a test run
  delete env.NUGET_API_KEY;
  delete env.NUGET_SYMBOL_API_KEY;
  return {
    ...env,
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
    DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE: '1',
    DOTNET_CLI_UI_LANGUAGE: 'en',
    DOTNET_CLI_USE_MSBUILD_SERVER: '0',
    MSBUILDDISABLENODEREUSE: '1',
    UseSharedCompilation: 'false',
    NUGET_CERT_REVOCATION_MODE: process.env.NUGET_CERT_REVOCATION_MODE ?? 'offline',
    ...extra,
  };
}

/** A `<PackageReference>` of a generated project; `version` is written as given (a range such as "[1.0.0]" is fine). */
export interface PackageReferenceSpec {
  id: string;
  version: string;
}

/**
 * Writes `<name>.csproj`, an SDK-style project for `targetFramework` with the given package references and
 * extra properties, into `dir`. Returns the project path.
 */
export async function writeProject(
  dir: string,
  name: string,
  opts: { targetFramework?: string; references?: PackageReferenceSpec[]; properties?: Record<string, string> } = {},
): Promise<string> {
  const props = { TargetFramework: opts.targetFramework ?? 'net10.0', ...opts.properties };
  const propLines = Object.entries(props)
    .map(([k, v]) => `    <${k}>${xmlEscape(v)}</${k}>`)
    .join('\n');
  const refs = (opts.references ?? [])
    .map((r) => `    <PackageReference Include="${xmlEscape(r.id)}" Version="${xmlEscape(r.version)}" />`)
    .join('\n');
  const text = `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
${propLines}
  </PropertyGroup>
${refs ? `  <ItemGroup>\n${refs}\n  </ItemGroup>\n` : ''}</Project>
`;
  const path = join(dir, `${name}.csproj`);
  await writeFile(path, text);
  return path;
}

/**
 * The `Version` of each `<PackageReference Include="...">` in a project file's text, keyed by the id
 * as written. Handles the attribute and the child-element form that `dotnet add package` may write.
 */
export function packageReferencesOf(csprojText: string): Map<string, string | null> {
  const refs = new Map<string, string | null>();
  const re = /<PackageReference\b([^>]*?)(\/>|>([\s\S]*?)<\/PackageReference>)/g;
  for (const m of csprojText.matchAll(re)) {
    const include = /\bInclude\s*=\s*"([^"]*)"/.exec(m[1])?.[1];
    if (!include) continue;
    const attr = /\bVersion\s*=\s*"([^"]*)"/.exec(m[1])?.[1];
    const child = m[3] ? /<Version>\s*([^<]*?)\s*<\/Version>/.exec(m[3])?.[1] : undefined;
    refs.set(include, attr ?? child ?? null);
  }
  return refs;
}

/** One package of `dotnet package search --format json` output. */
export interface CliSearchPackage {
  id: string;
  /** the latest version the source reported, as printed by the CLI */
  latestVersion: string;
  [field: string]: unknown;
}

/**
 * Parses `dotnet package search --format json` output (SDK 8.0.2xx+): `{ version, problems?,
 * searchResult: [{ sourceName, packages: [...] , problems? }] }`, returned as the packages of every source.
 *
 * @throws Error when the output holds no JSON document of that shape
 */
export function parseCliSearchJson(stdout: string): { packages: CliSearchPackage[]; problems: unknown[] } {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`no JSON in dotnet package search output:\n${stdout}`);
  const doc = JSON.parse(stdout.slice(start)) as {
    problems?: unknown[];
    searchResult?: { packages?: CliSearchPackage[]; problems?: unknown[] }[];
  };
  if (!Array.isArray(doc.searchResult)) throw new Error(`unexpected dotnet package search JSON:\n${stdout}`);
  return {
    packages: doc.searchResult.flatMap((s) => s.packages ?? []),
    problems: [...(doc.problems ?? []), ...doc.searchResult.flatMap((s) => s.problems ?? [])],
  };
}

/** A dependency of a generated package, inside a dependency group for `targetFramework`. */
export interface LibraryDependency {
  id: string;
  /** a NuGet version range as written in a nuspec, e.g. "1.0.0" or "[2.0.0]" */
  range: string;
}

/**
 * Builds a minimal but complete library `.nupkg` in memory, the way `dotnet pack` lays one out
 * (root `<id>.nuspec`, `_rels/.rels`, `[Content_Types].xml`, one placeholder `lib/<tfm>/_._` so the
 * package is compatible with every project of that framework family, §8.4, §9.1).
 *
 * @param spec.targetFramework NuGet folder name of the lib folder and dependency group, default "netstandard2.0"
 */
export async function buildLibraryNupkg(spec: {
  id: string;
  version: string;
  description?: string;
  authors?: string;
  tags?: string;
  targetFramework?: string;
  dependencies?: LibraryDependency[];
}): Promise<Buffer> {
  const tfm = spec.targetFramework ?? 'netstandard2.0';
  const deps = (spec.dependencies ?? [])
    .map((d) => `        <dependency id="${xmlEscape(d.id)}" version="${xmlEscape(d.range)}" exclude="Build,Analyzers" />`)
    .join('\n');
  const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>${xmlEscape(spec.id)}</id>
    <version>${xmlEscape(spec.version)}</version>
    <authors>${xmlEscape(spec.authors ?? 'Galleon Tests')}</authors>
    <description>${xmlEscape(spec.description ?? `${spec.id} ${spec.version}, built by the Galleon end-to-end tests.`)}</description>
${spec.tags ? `    <tags>${xmlEscape(spec.tags)}</tags>\n` : ''}    <dependencies>
      <group targetFramework="${xmlEscape(folderToNuspecFramework(tfm))}"${deps ? `>\n${deps}\n      </group>` : ' />'}
    </dependencies>
  </metadata>
</package>
`;
  const rels = `<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/${spec.id}.nuspec" Id="R1" />
</Relationships>
`;
  const contentTypes = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="_" ContentType="application/octet" />
</Types>
`;
  const zip = new yazl.ZipFile();
  const mtime = new Date('2024-01-01T00:00:00Z');
  zip.addBuffer(Buffer.from(rels), '_rels/.rels', { mtime });
  zip.addBuffer(Buffer.from(nuspec), `${spec.id}.nuspec`, { mtime });
  zip.addBuffer(Buffer.alloc(0), `lib/${tfm}/_._`, { mtime });
  zip.addBuffer(Buffer.from(contentTypes), '[Content_Types].xml', { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** "netstandard2.0" → ".NETStandard2.0", "net8.0" → "net8.0": what `dotnet pack` writes in a group. */
function folderToNuspecFramework(folder: string): string {
  const m = /^netstandard(\d+\.\d+)$/.exec(folder);
  return m ? `.NETStandard${m[1]}` : folder;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
