/**
 * The document-size part of the `az` bench scenario alone (bench/scenarios/az.ts): bytes of the
 * dependency-only registration documents against the full registration indexes for the ids of the
 * Az 12.0.0 tree (90 packages generated from test/support/data/psgallery), plain and gzip, from a freshly
 * seeded embedded Galleon in its own process. `npm run bench -- az` prints the same table with the
 * plan and install times. Run: node --import tsx bench/az-feed-size.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentSizes, printDocumentSizes, startSeededAzGallery } from './scenarios/az.ts';

const work = await mkdtemp(join(tmpdir(), 'galleon-bench-az-size-'));
try {
  const { galleon, packages } = await startSeededAzGallery(work);
  try {
    printDocumentSizes(await documentSizes(galleon.url, packages));
  } finally {
    await galleon.stop();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
