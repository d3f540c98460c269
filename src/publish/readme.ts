/**
 * Rewrite the generated blocks of the README: the results table (`results`) from the full run's
 * results file, and the lecture map (`lecture-map`) from the notebooks. Idempotent.
 */
import { existsSync, promises as fs, readdirSync } from 'fs';
import path from 'path';
import { readNotebook } from '../runner/nbformat';
import { lectureMapMarkdown, notebookMap } from './lecture-map';
import { replaceBlock } from './readme-blocks';
import { parseResultsFile, resultsTable } from './results-table';

export interface ReadmeOptions {
  /** @default 'README.md' */
  readme?: string;
  /** @default 'notebooks/results/full.json' */
  results?: string;
  /** @default 'notebooks' */
  notebooks?: string;
  /** Which blocks to write. @default both */
  blocks?: readonly ('results' | 'lecture-map')[];
  /** Report instead of writing: true when the file would change. @default false */
  check?: boolean;
}

/** Update the README; returns whether its text changed (or would change, with `check`). */
export async function updateReadme(options: ReadmeOptions = {}): Promise<{ changed: boolean; text: string }> {
  const readme = options.readme ?? 'README.md';
  const resultsFile = options.results ?? 'notebooks/results/full.json';
  const dir = options.notebooks ?? 'notebooks';
  const blocks = options.blocks ?? ['results', 'lecture-map'];
  const before = await fs.readFile(readme, 'utf8');
  let text = before;
  if (blocks.includes('results')) {
    if (!existsSync(resultsFile)) {
      throw new Error(`${resultsFile} not found: produce it with npm run notebooks:publish (a full run), or pass --results FILE.`);
    }
    const doc = parseResultsFile(await fs.readFile(resultsFile, 'utf8'), resultsFile);
    // Link as seen from the README's folder.
    const source = path.relative(path.dirname(path.resolve(readme)), path.resolve(resultsFile)).split(path.sep).join('/');
    text = replaceBlock(text, 'results', resultsTable(doc, { source }), readme);
  }
  if (blocks.includes('lecture-map')) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb'))
      .sort();
    const maps = [];
    for (const f of files) {
      const link = path.relative(path.dirname(path.resolve(readme)), path.resolve(dir, f)).split(path.sep).join('/');
      maps.push(notebookMap(await readNotebook(path.join(dir, f)), link));
    }
    text = replaceBlock(text, 'lecture-map', lectureMapMarkdown(maps), readme);
  }
  const changed = text !== before;
  if (changed && options.check !== true) await fs.writeFile(readme, text, 'utf8');
  return { changed, text };
}
