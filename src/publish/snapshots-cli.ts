#!/usr/bin/env node
/**
 * `npm run notebooks:snapshots [-- notebooks/x.ipynb ...]`: give the figures of notebooks that are
 * already executed their PNG snapshots (snapshots.ts), without running them again. For notebooks
 * published where no Chromium was found, or before snapshots existed; `notebooks:publish` does the same
 * as part of every publish. Only the figures' HTML changes: outputs, checks and provenance stay.
 */
import { existsSync, readdirSync } from 'fs';
import path from 'path';
import { Command, commandMain, positiveNumber, UsageError, value } from '../cli/command';
import { readNotebook, writeNotebook } from '../runner/nbformat';
import { addFigureSnapshots, chromiumRenderer, figureOutputs, noSnapshotMessage } from './snapshots';

interface SnapshotSettings {
  files: string[];
  width?: number;
  scale?: number;
}

export const SNAPSHOTS_COMMAND: Command<SnapshotSettings> = {
  name: 'notebooks:snapshots',
  invocation: 'npm run notebooks:snapshots --',
  synopsis: '[options] [executed notebooks, default notebooks/*.ipynb]',
  description: "Adds a static PNG snapshot to every figure of executed notebooks, drawn by plotly.js in headless Chromium.",
  failed: 'a figure could not be drawn, or no Chromium was found',
  init: () => ({ files: [] }),
  options: {
    width: value('PX', 'width of a figure whose layout sets none (default 800)', (s, v, f) => {
      s.width = positiveNumber(f, v, true);
    }),
    scale: value('X', 'device pixels per CSS pixel (default 1)', (s, v, f) => {
      s.scale = positiveNumber(f, v);
    }),
  },
  positionals: (s, values) => {
    for (const v of values) {
      if (!v.endsWith('.ipynb') || !existsSync(v)) throw new UsageError(`${v}: not an existing .ipynb file.`);
      s.files.push(v);
    }
  },
};

if (require.main === module) {
  commandMain(SNAPSHOTS_COMMAND, async (s, io) => {
    const files = s.files.length > 0 ? s.files : readdirSync('notebooks').filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join('notebooks', f));
    const renderer = await chromiumRenderer();
    if (typeof renderer === 'string') {
      io.err(noSnapshotMessage(renderer) + '\n');
      return 1;
    }
    let failed = 0;
    try {
      io.out(`figure snapshots drawn by ${renderer.name}\n`);
      for (const file of files) {
        const nb = await readNotebook(file);
        if (figureOutputs(nb).length === 0) {
          io.out(`${file}: no figures\n`);
          continue;
        }
        const report = await addFigureSnapshots(nb, renderer, { width: s.width, scale: s.scale, log: (m) => io.err(`${file}: ${m}\n`) });
        await writeNotebook(file, nb);
        failed += report.failures.length;
        const kb = report.pngBytes.reduce((a, b) => a + b, 0) / 1024;
        io.out(`${file}: ${report.snapshotted}/${report.figures} figures, ${kb.toFixed(0)} KB of PNG\n`);
      }
    } finally {
      await renderer.close();
    }
    return failed > 0 ? 1 : 0;
  });
}
