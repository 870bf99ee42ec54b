/**
 * Packages the benchmarks push: PowerShell-module-shaped nupkgs (test/support/psgallery.ts
 * `buildGeneratedModule`, the shape PowerShellGet publishes), packages of a given size made of one
 * stored (incompressible) entry, and the multipart body `dotnet nuget push` sends.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeNupkg, nuspecXml } from '../../test/support/make-nupkg.ts';
import { buildGeneratedModule } from '../../test/support/psgallery.ts';

/** Folder where generated packages are kept between runs (they are deterministic in name and size). */
export const PACKAGE_CACHE_DIR = join(tmpdir(), 'galleon-bench-packages');

/**
 * A PowerShell module package `<id> <version>` requiring up to two other generated modules.
 * @param n  sequence number, used to vary dependencies, tags and exported functions
 */
export async function modulePackage(id: string, version: string, n: number, dependsOn: string[] = []): Promise<Buffer> {
  const pkg = await buildGeneratedModule({
    name: id,
    moduleVersion: version,
    requiredModules: dependsOn.map((d, i) => (i % 2 ? d : { ModuleName: d, ModuleVersion: '1.0.0' })),
    tags: ['Bench', `Area${n % 17}`, n % 3 ? 'Windows' : 'Linux'],
    functionsToExport: [`Get-Bench${n}`, `Set-Bench${n}`, `Test-Bench${n % 50}`],
    description: `Benchmark module number ${n}: reads, writes and converts things for the Galleon benchmark suite.`,
    projectUri: `https://example.com/bench/${id}`,
  });
  return pkg.bytes;
}

/**
 * A package of about `bytes` bytes (one stored entry of random bytes), cached on disk by size.
 * @returns the file path
 */
export async function sizedPackage(id: string, version: string, bytes: number): Promise<string> {
  await mkdir(PACKAGE_CACHE_DIR, { recursive: true });
  const path = join(PACKAGE_CACHE_DIR, `${id.toLowerCase()}.${version}.nupkg`);
  if (existsSync(path)) return path;
  const payload = Math.max(0, bytes - 700);
  const buf = await makeNupkg({
    nuspec: nuspecXml({ id, version, description: `A ${bytes}-byte benchmark package.`, authors: 'Galleon bench' }),
    entries: [{ name: 'content/payload.bin', data: randomBytes(payload), compress: false }],
  });
  await writeFile(`${path}.tmp`, buf);
  await rename(`${path}.tmp`, path);
  return path;
}

/** The multipart/form-data body NuGet's push sends for one package (parts as a list, no copy of the bytes). */
export function multipartBody(bytes: Buffer): { parts: Buffer[]; contentType: string; length: number } {
  const boundary = `----galleonbench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { parts: [head, bytes, tail], contentType: `multipart/form-data; boundary=${boundary}`, length: head.length + bytes.length + tail.length };
}
