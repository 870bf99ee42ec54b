/**
 * Measures the bytes of the dependency-only registration documents against the full registration
 * documents for the Az 12.0.0 tree (90 packages generated from ../shared/psgallery): seeds a fresh
 * embedded Galleon, fetches every module's index from both hives, plain and gzip.
 * Run: node --import tsx bench/az-feed-size.ts
 */
import { gzipSync } from 'node:zlib';
import { buildFixtureSet, seedGallery } from '../test/fixtures/psgallery.ts';
import { startTestServer, TEST_API_KEY } from '../test/helpers/server.ts';

const server = await startTestServer('embedded');
try {
  const packages = await buildFixtureSet({ az: '12.0.0' });
  await seedGallery(server.url, TEST_API_KEY, packages);
  const ids = [...new Set(packages.map((p) => p.id.toLowerCase()))];
  let full = 0, slim = 0, fullGz = 0, slimGz = 0;
  for (const id of ids) {
    const f = Buffer.from(await (await fetch(`${server.url}/v3/registration/${id}/index.json`)).arrayBuffer());
    const s = Buffer.from(await (await fetch(`${server.url}/v3/dependencies/${id}/index.json`)).arrayBuffer());
    full += f.length; slim += s.length; fullGz += gzipSync(f).length; slimGz += gzipSync(s).length;
  }
  console.log(`Az 12.0.0 tree: ${ids.length} ids, ${packages.length} packages`);
  console.log(`full registration indexes:    ${full} bytes (${fullGz} gzip)`);
  console.log(`dependency-only indexes:      ${slim} bytes (${slimGz} gzip)`);
  console.log(`ratio full/dependency-only:   ${(full / slim).toFixed(2)}x plain, ${(fullGz / slimGz).toFixed(2)}x gzip`);
} finally {
  await server.dispose();
}
