#!/usr/bin/env node
/**
 * `npm run html [-- FOLDER] [--out build/html] [--plain-math]`: the HTML edition of executed notebooks
 * (html-edition.ts). `--plain-math` shows equations as TeX source instead of typesetting them with KaTeX.
 */
import { existsSync } from 'fs';
import path from 'path';
import { Command, commandMain, flag, UsageError, value } from '../cli/command';
import { buildHtmlEdition } from './html-edition';
import { plainMath } from './markdown';

interface HtmlSettings {
  inDir?: string;
  outDir?: string;
  plain: boolean;
}

export const HTML_COMMAND: Command<HtmlSettings> = {
  name: 'html',
  invocation: 'npm run html --',
  synopsis: '[options] [FOLDER of executed notebooks, default notebooks]',
  description: 'Writes the HTML edition: one page per notebook and an index, opening offline.',
  failed: 'the edition could not be built',
  init: () => ({ plain: false }),
  options: {
    out: value('DIR', 'site folder (default build/html)', (s, v) => {
      s.outDir = v;
    }),
    'plain-math': flag('show equations as TeX source instead of typesetting them with KaTeX', (s) => {
      s.plain = true;
    }),
  },
  positionals: (s, values) => {
    if (values.length > 1) throw new UsageError(`give one folder of notebooks, not ${values.length}.`);
    s.inDir = values[0];
    if (s.inDir !== undefined && !existsSync(s.inDir)) throw new UsageError(`no folder ${s.inDir}; give a folder of executed notebooks.`);
  },
};

if (require.main === module) {
  commandMain(HTML_COMMAND, async (s, io) => {
    const { index, pages } = await buildHtmlEdition({ inDir: s.inDir, outDir: s.outDir, math: s.plain ? plainMath : undefined });
    for (const p of pages) {
      const errors = p.mathErrors > 0 ? `, ${p.mathErrors} equation(s) KaTeX could not parse (shown in red)` : '';
      io.out(`${p.file}  ${p.figures} figures, ${p.toc.length} headings${errors}\n`);
    }
    io.out(`open ${path.resolve(index)}\n`);
    return 0;
  });
}
