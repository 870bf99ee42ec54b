/**
 * Every real-world nupkg of ../shared/corpus pushed over HTTP to a running Galleon, on each
 * database backend: valid packages are accepted (201), the MALFORMED ones refused (400), repeated
 * identities answered 409, never a 5xx; every accepted version then downloads byte-identical and
 * appears in the flat container, the registration hive and search.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionKey } from '../feed/version.ts';
import { backends, pushPackage, startTestServer, type TestServer } from './helpers/server.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');

interface CorpusRow {
  file: string;
  id: string;
  version: string;
  kind: string;
  notes: string;
}

function readManifest(): CorpusRow[] {
  const lines = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const c = line.split('\t');
    return { file: c[0], id: c[1], version: c[2], kind: c[8], notes: c[9] ?? '' };
  });
}

/**
 * True when the nuspec lacks metadata the nuspec schema requires (§8.4: id, version, description,
 * authors). Two signing fixtures of NuGet.Client (`packageA`) are such packages: nuget.org refuses
 * them and so does Galleon, although the corpus does not mark them MALFORMED.
 */
function lacksRequiredMetadata(file: string): boolean {
  const zip = readFileSync(join(CORPUS, 'nupkgs', file));
  const entries = listZipEntries(zip);
  const nuspec = entries.find((e) => !e.name.includes('/') && e.name.toLowerCase().endsWith('.nuspec'));
  if (!nuspec) return false;
  const text = inflateEntry(zip, nuspec).toString('utf8');
  return !/<description>\s*[^<\s]/.test(text) || !/<authors>\s*[^<\s]/.test(text);
}

/** What a gallery must answer for each corpus file, in MANIFEST order. */
function expectations(rows: CorpusRow[]) {
  const accepted = new Set<string>();
  return rows.map((row) => {
    let status: number;
    if (row.notes.startsWith('MALFORMED')) status = 400;
    else if (lacksRequiredMetadata(row.file)) status = 400;
    // a symbol package pushed to the package endpoint is refused (nuget.org does the same, §2.3)
    else if (row.kind === 'symbols') status = 400;
    else {
      const key = `${row.id.toLowerCase()}/${versionKey(row.version)}`;
      status = accepted.has(key) ? 409 : 201;
      accepted.add(key);
    }
    return { ...row, status };
  });
}

/** Central-directory listing of a zip (enough for the corpus: no zip64 needed for this check). */
function listZipEntries(zip: Buffer): { name: string; method: number; compSize: number; localOffset: number }[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) return [];
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count && p + 46 <= zip.length && zip.readUInt32LE(p) === 0x02014b50; i++) {
    const nameLen = zip.readUInt16LE(p + 28);
    out.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
      method: zip.readUInt16LE(p + 10),
      compSize: zip.readUInt32LE(p + 20),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

function inflateEntry(zip: Buffer, e: { method: number; compSize: number; localOffset: number }): Buffer {
  const lh = e.localOffset;
  const start = lh + 30 + zip.readUInt16LE(lh + 26) + zip.readUInt16LE(lh + 28);
  const data = zip.subarray(start, start + e.compSize);
  return e.method === 8 ? inflateRawSync(data) : data;
}

const rows = expectations(readManifest());

describe.each(backends())('corpus pushed over HTTP (%s database)', (backend) => {
  let server: TestServer;
  const results = new Map<string, { status: number; text: string }>();

  beforeAll(async () => {
    server = await startTestServer(backend);
    const started = Date.now();
    for (const row of rows) {
      const bytes = readFileSync(join(CORPUS, 'nupkgs', row.file));
      results.set(row.file, await pushPackage(server.url, bytes));
    }
    console.log(`[${backend}] pushed ${rows.length} corpus files in ${Date.now() - started} ms`);
  }, 600_000);
  afterAll(async () => server?.dispose());

  it('answers each file as a gallery must: 201 valid, 400 malformed, 409 repeated identity, never 5xx', () => {
    const wrong = rows
      .map((row) => ({ file: row.file, expected: row.status, got: results.get(row.file)!.status, text: results.get(row.file)!.text }))
      .filter((r) => r.expected !== r.got);
    expect(wrong).toEqual([]);
    for (const r of results.values()) expect(r.status).toBeLessThan(500);
  });

  it('gives a plain reason with every refusal', () => {
    for (const row of rows.filter((r) => r.status !== 201)) {
      const { text } = results.get(row.file)!;
      expect(text.length, row.file).toBeGreaterThan(10);
      expect(text, row.file).not.toMatch(/internal server error/i);
    }
  });

  it('serves every accepted package byte-identical, listed in flat container, registration and search', async () => {
    for (const row of rows.filter((r) => r.status === 201)) {
      const lid = row.id.toLowerCase();
      const v = versionKey(row.version);
      const original = readFileSync(join(CORPUS, 'nupkgs', row.file));

      const dl = await fetch(`${server.url}/v3/flatcontainer/${lid}/${v}/${lid}.${v}.nupkg`);
      expect(dl.status, row.file).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer()).equals(original), `${row.file} bytes`).toBe(true);

      const versions = (await (await fetch(`${server.url}/v3/flatcontainer/${lid}/index.json`)).json()) as { versions: string[] };
      expect(versions.versions, row.file).toContain(v);

      const reg = (await (await fetch(`${server.url}/v3/registration/${lid}/index.json`)).json()) as any;
      const leaves = reg.items.flatMap((p: any) => p.items ?? []);
      const leaf = leaves.find((l: any) => versionKey(l.catalogEntry.version) === v);
      expect(leaf, `${row.file} registration`).toBeTruthy();
      const content = await fetch(leaf.packageContent);
      expect(content.status, `${row.file} packageContent`).toBe(200);
      await content.arrayBuffer();

      const search = (await (await fetch(`${server.url}/v3/search?q=packageid:${encodeURIComponent(row.id)}&prerelease=true&semVerLevel=2.0.0`)).json()) as any;
      expect(search.totalHits, `${row.file} search`).toBe(1);
      expect(search.data[0].versions.map((x: any) => versionKey(x.version)), row.file).toContain(v);
    }
  }, 300_000);

  it('leaves no blob behind for refused packages', async () => {
    const { readdir } = await import('node:fs/promises');
    const tmp = await readdir(join(server.dataDir, 'packages', '.tmp'));
    expect(tmp).toEqual([]);
  });
});
