/**
 * Golden-document assertions: a built document is compared, as pretty-printed JSON text (so key order
 * counts), with `test/golden/<name>.json`. Run with `UPDATE_GOLDEN=1` to rewrite the files after an
 * intended change, then review the diff. A missing golden file fails the test unless updating.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** True when the run should rewrite golden files instead of comparing. */
export const UPDATING_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** Compares `doc` with `test/golden/<name>.json` (or rewrites it when `UPDATE_GOLDEN=1`). */
export function expectGolden(name: string, doc: unknown): void {
  const path = join(GOLDEN_DIR, `${name}.json`);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (UPDATING_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}
