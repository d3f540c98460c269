#!/usr/bin/env node
/**
 * `npm run html [-- FOLDER] [--out build/html] [--plain-math]`: the HTML edition of executed notebooks
 * (html-edition.ts). `--plain-math` shows equations as TeX source instead of typesetting them with KaTeX.
 */
import path from 'path';
import { buildHtmlEdition } from './html-edition';
import { plainMath } from './markdown';

async function main(argv: string[]): Promise<number> {
  let inDir: string | undefined;
  let outDir: string | undefined;
  let plain = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--out') outDir = argv[++i];
    else if (a === '--plain-math') plain = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: html [FOLDER of executed notebooks, default notebooks] [--out build/html] [--plain-math: TeX source, not KaTeX]\n');
      return 0;
    } else if (a.startsWith('-')) {
      process.stderr.write(`html: unknown option ${a}\n`);
      return 2;
    } else inDir = a;
  }
  const { index, pages } = await buildHtmlEdition({ inDir, outDir, math: plain ? plainMath : undefined });
  for (const p of pages) {
    const errors = p.mathErrors > 0 ? `, ${p.mathErrors} equation(s) KaTeX could not parse (shown in red)` : '';
    process.stdout.write(`${p.file}  ${p.figures} figures, ${p.toc.length} headings${errors}\n`);
  }
  process.stdout.write(`open ${path.resolve(index)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`html: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
