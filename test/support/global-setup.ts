/**
 * vitest globalSetup: creates one embedded database template for the whole run with the code path
 * `npm run build` uses (db/connection.ts `createEmbeddedTemplate`: PGlite's initdb in a child process,
 * every migration of db/migrations, a clean shut-down), from the sources under test rather than from
 * whatever dist/ holds. `startTestServer` copies its cluster into each fresh test data folder (a 30 MB
 * copy instead of PGlite's initdb, ~5 s of CPU, for every embedded test server);
 * test/first-start.test.ts hands the whole template to `openDatabase`. The first start of
 * `galleon serve` itself stays covered by the suites that start it as a child process on empty folders
 * (test/robustness/crash.test.ts, lifecycle.test.ts, test/first-start.test.ts).
 *
 * It also unpacks the vendored PowerShell Gallery manifests (./fixture-data.ts) before any test file
 * runs, so that suites reading `test/support/data/psgallery/manifests/` directly find them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createEmbeddedTemplate } from '../../db/connection.ts';
import { ensurePsGalleryManifests } from './fixture-data.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** folder of a migrated, empty embedded database cluster to copy (`<embeddedTemplateDir>/db`) */
    embeddedTemplate: string;
    /** the template it belongs to: the cluster and its manifest.json, as `openDatabase({ embeddedTemplate })` takes it */
    embeddedTemplateDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePsGalleryManifests();
  const root = await mkdtemp(join(tmpdir(), 'galleon-template-'));
  const templateDir = join(root, 'template');
  await createEmbeddedTemplate(templateDir);
  project.provide('embeddedTemplate', join(templateDir, 'db'));
  project.provide('embeddedTemplateDir', templateDir);
  return () => rm(root, { recursive: true, force: true });
}
