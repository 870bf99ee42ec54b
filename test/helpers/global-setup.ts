/**
 * vitest globalSetup: creates one embedded database cluster for the whole run, migrated to the
 * current schema, that `startTestServer` copies into each fresh test data folder (a 40 MB copy instead
 * of PGlite's initdb, ~5 s of CPU, for every embedded test server). The copy is a real cluster made by
 * the same code path as `galleon serve` (db/connection.ts `openDatabase`); the first-start path
 * itself stays covered by the suites that start `galleon serve` as a child process on empty folders
 * (test/robustness/crash.test.ts, lifecycle.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/connection.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** folder of a migrated, empty embedded database cluster to copy (see test/helpers/global-setup.ts) */
    embeddedTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'galleon-template-'));
  const dir = join(root, 'db');
  const db = await openDatabase({ embeddedDir: dir });
  await db.close();
  project.provide('embeddedTemplate', dir);
  return () => rm(root, { recursive: true, force: true });
}
