/**
 * Rewrite the generated blocks of the documentation: the results table (`results`) from the full
 * run's results file, the lecture map (`lecture-map`) from the notebooks and the runner's help
 * (`cli-help`) from its option table, each in its page under docs/ (`BLOCK_FILES`), linked from the
 * README. Idempotent.
 */
import { existsSync, promises as fs, readdirSync } from 'fs';
import path from 'path';
import { USAGE } from '../runner/args';
import { readNotebook } from '../runner/nbformat';
import { lectureMapMarkdown, notebookMap } from './lecture-map';
import { replaceBlock } from './readme-blocks';
import { parseResultsFile, resultsTable } from './results-table';

/** The generated blocks. */
export type ReadmeBlock = 'results' | 'lecture-map' | 'cli-help';
export const README_BLOCKS: readonly ReadmeBlock[] = ['results', 'lecture-map', 'cli-help'];

/**
 * Where each block lives (relative to the project folder): the README is a front door that fits on a
 * screen, so the long generated blocks have pages of their own in docs/, linked from it.
 */
export const BLOCK_FILES: Readonly<Record<ReadmeBlock, string>> = {
  results: 'docs/results.md',
  'lecture-map': 'docs/lecture-map.md',
  'cli-help': 'docs/running.md',
};

export interface ReadmeOptions {
  /** One file that holds every block to write (instead of each block's own page). @default each block in its `BLOCK_FILES` page */
  readme?: string;
  /** Project folder the `BLOCK_FILES` pages are relative to. @default '.' */
  root?: string;
  /** @default 'notebooks/results/full.json' */
  results?: string;
  /** @default 'notebooks' */
  notebooks?: string;
  /** Which blocks to write. @default all (`README_BLOCKS`) */
  blocks?: readonly ReadmeBlock[];
  /** Report instead of writing: true when a file would change. @default false */
  check?: boolean;
}

/** One file the generator rewrote (or would rewrite, with `check`). */
export interface ReadmeFileUpdate {
  file: string;
  changed: boolean;
  text: string;
}

/** The block's markdown, with links relative to `file`'s folder. */
async function blockContent(block: ReadmeBlock, file: string, resultsFile: string, dir: string): Promise<string> {
  const from = path.dirname(path.resolve(file));
  const link = (target: string): string => path.relative(from, path.resolve(target)).split(path.sep).join('/');
  if (block === 'cli-help') return ['```text', USAGE, '```'].join('\n');
  if (block === 'results') {
    if (!existsSync(resultsFile)) {
      throw new Error(`${resultsFile} not found: produce it with npm run notebooks:publish (a full run), or pass --results FILE.`);
    }
    const doc = parseResultsFile(await fs.readFile(resultsFile, 'utf8'), resultsFile);
    return resultsTable(doc, { source: link(resultsFile) });
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  const maps = [];
  for (const f of files) maps.push(notebookMap(await readNotebook(path.join(dir, f)), link(path.join(dir, f))));
  return lectureMapMarkdown(maps);
}

/** Update the generated blocks; `changed` is whether any file changed (or would change, with `check`). */
export async function updateReadme(options: ReadmeOptions = {}): Promise<{ changed: boolean; files: ReadmeFileUpdate[] }> {
  const resultsFile = options.results ?? 'notebooks/results/full.json';
  const dir = options.notebooks ?? 'notebooks';
  const blocks = options.blocks ?? README_BLOCKS;
  // Group the blocks by the file they live in, keeping the order of README_BLOCKS.
  const byFile = new Map<string, ReadmeBlock[]>();
  for (const block of README_BLOCKS.filter((b) => blocks.includes(b))) {
    const file = options.readme ?? path.join(options.root ?? '.', BLOCK_FILES[block]);
    byFile.set(file, [...(byFile.get(file) ?? []), block]);
  }
  const files: ReadmeFileUpdate[] = [];
  for (const [file, fileBlocks] of byFile) {
    const before = await fs.readFile(file, 'utf8');
    let text = before;
    for (const block of fileBlocks) text = replaceBlock(text, block, await blockContent(block, file, resultsFile, dir), file);
    const changed = text !== before;
    if (changed && options.check !== true) await fs.writeFile(file, text, 'utf8');
    files.push({ file, changed, text });
  }
  return { changed: files.some((f) => f.changed), files };
}
