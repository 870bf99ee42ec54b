/**
 * Where the vendored real-world test data lives (test/support/data/, see its README.txt), read relative
 * to this file so that a fresh clone needs nothing outside the repository:
 *
 * - {@link CORPUS_DIR}: 200 real `.nupkg` files (`nupkgs/`), `MANIFEST.tsv`, `METADATA.json`, stored as
 *   they are (a nupkg is already a deflated zip).
 * - {@link PSGALLERY_DATA_DIR}: `MODULES.tsv` (865 rows) and `manifests/` (865 `.psd1` files, 16 MB of
 *   text). The manifests are kept in git as `manifests.tar.gz` (2.8 MB) and unpacked next to it, into
 *   the git-ignored `manifests/` folder, by {@link ensurePsGalleryManifests}: once per checkout (again
 *   when the archive changes), from vitest's global setup (test/support/global-setup.ts) and lazily by
 *   the fixture builders in ./psgallery.ts, so that benchmarks and `seed.ts` get them too.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar';

/** test/support/data/ */
export const FIXTURE_DATA_DIR = join(import.meta.dirname, 'data');

/** The real-world nupkg corpus: `nupkgs/<file>`, `MANIFEST.tsv`, `METADATA.json`, `README.md`. */
export const CORPUS_DIR = join(FIXTURE_DATA_DIR, 'corpus');

/** The PowerShell Gallery manifest data: `MODULES.tsv`, `README.md`, `manifests.tar.gz` → `manifests/`. */
export const PSGALLERY_DATA_DIR = join(FIXTURE_DATA_DIR, 'psgallery');

/** File inside the unpacked `manifests/` holding the SHA-256 (hex) of the archive it came from. */
const STAMP = '.from-archive-sha256';

let ensured: string | null = null;

/**
 * Makes sure `<dataDir>/manifests/` holds exactly the contents of `<dataDir>/manifests.tar.gz` and
 * returns `dataDir`. Cheap after the first call in a process; otherwise hashes the 2.8 MB archive and
 * compares it with the stamp left by the last unpacking. Unpacks into a sibling temporary folder and
 * renames it into place, so that a concurrent caller (another benchmark, a second vitest run) sees
 * either no folder or a complete one; when another caller won the race its copy is kept.
 *
 * @param dataDir default {@link PSGALLERY_DATA_DIR}
 * @throws Error (from node:fs or tar) when the archive is missing or unreadable, or the folder not writable
 */
export function ensurePsGalleryManifests(dataDir: string = PSGALLERY_DATA_DIR): string {
  if (ensured === dataDir) return dataDir;
  const archive = join(dataDir, 'manifests.tar.gz');
  const target = join(dataDir, 'manifests');
  const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const stampOf = (dir: string) => (existsSync(join(dir, STAMP)) ? readFileSync(join(dir, STAMP), 'utf8').trim() : null);
  if (stampOf(target) !== sha) {
    const staging = join(dataDir, `.manifests-${process.pid}-${Date.now()}`);
    mkdirSync(staging, { recursive: true });
    try {
      // The archive's top folder is `manifests/`: unpack into staging, then move that folder.
      extract({ file: archive, cwd: staging, sync: true, strict: true });
      writeFileSync(join(staging, 'manifests', STAMP), `${sha}\n`);
      if (stampOf(target) !== sha) {
        rmSync(target, { recursive: true, force: true });
        try {
          renameSync(join(staging, 'manifests'), target);
        } catch (err) {
          // Another process renamed its complete copy into place between our check and our rename.
          if (stampOf(target) !== sha) throw err;
        }
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  ensured = dataDir;
  return dataDir;
}
