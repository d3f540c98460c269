/** Shared paths and helpers of the publish tests. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseNotebook } from '../../src/runner/nbformat';
import type { Notebook } from '../../src/runner/nbformat';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixture(name: string): Notebook {
  const file = path.join(FIXTURES, name);
  return parseNotebook(readFileSync(file, 'utf8'), file);
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh scratch folder, removed when the test process exits. */
export function tmpDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `genlab-publish-test-${label}-`));
  made.push(dir);
  return dir;
}
