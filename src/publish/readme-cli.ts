#!/usr/bin/env node
/**
 * `npm run readme [-- --only results|lecture-map] [--check] [--readme FILE] [--results FILE] [--notebooks DIR]`:
 * rewrite the generated blocks of the documentation (readme.ts). `--check` exits 1 when one is out of date.
 */
import { Command, commandMain, flag, oneOf, value } from '../cli/command';
import { BLOCK_FILES, README_BLOCKS, updateReadme } from './readme';
import type { ReadmeOptions } from './readme';

export const README_COMMAND: Command<ReadmeOptions> = {
  name: 'readme',
  invocation: 'npm run readme --',
  synopsis: '[options]',
  description: `Rewrites the generated blocks: ${README_BLOCKS.map((b) => `${b} in ${BLOCK_FILES[b]}`).join(', ')}.`,
  failed: 'a block is out of date (with --check)',
  init: () => ({}),
  options: {
    only: value('BLOCK', `write only this block (one of ${README_BLOCKS.join(', ')}; repeatable)`, (s, v, f) => {
      s.blocks = [...(s.blocks ?? []), oneOf(f, v, README_BLOCKS)];
    }, { multiple: true }),
    check: flag('change nothing; exit 1 when a block is out of date', (s) => {
      s.check = true;
    }),
    readme: value('FILE', 'write every block into this one file instead of their pages', (s, v) => {
      s.readme = v;
    }),
    results: value('FILE', 'results of the full runs (default notebooks/results/full.json)', (s, v) => {
      s.results = v;
    }),
    notebooks: value('DIR', 'folder of the notebooks (default notebooks)', (s, v) => {
      s.notebooks = v;
    }),
  },
};

if (require.main === module) {
  commandMain(README_COMMAND, async (s, io) => {
    const { files } = await updateReadme(s);
    for (const f of files) {
      if (s.check === true) io.out(f.changed ? `${f.file} is out of date: run npm run readme\n` : `${f.file} is up to date\n`);
      else io.out(f.changed ? `${f.file} updated\n` : `${f.file} already up to date\n`);
    }
    return s.check === true && files.some((f) => f.changed) ? 1 : 0;
  });
}
