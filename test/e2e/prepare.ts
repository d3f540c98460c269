/**
 * The copy of a notebook the browser opens: the runner's own parameter injection (a cell tagged
 * `injected-parameters` after the `parameters` cell, exactly what `genlab-run --profile quick` runs),
 * outputs cleared, written into the folder the Jupyter server serves. The copy sits inside the project
 * (build/e2e/work/...), so the kernel, started in the copy's folder, resolves `genlab-ts` and the data
 * the same way as from notebooks/.
 *
 * With `--saved` the copy is the committed file byte for byte instead (its saved outputs are what is
 * under test), and the figures it must show are counted from its JSON.
 */
import { mkdirSync, promises as fs } from 'fs';
import path from 'path';
import { PLOTLY_MIME } from '../../src/plot/show';
import { runRecord } from '../../src/publish/provenance';
import { injectParameters, planParameters, type ProfileSettings } from '../../src/runner/parameters';
import { parseNotebook, readNotebook, writeNotebook, type Notebook } from '../../src/runner/nbformat';

export interface PreparedNotebook {
  /** The original notebook. */
  source: string;
  /** Short name (file name without .ipynb). */
  name: string;
  /** The copy, absolute. */
  copy: string;
  /** The copy relative to the served root. */
  relPath: string;
  /** Runner settings of the profile (its `timeout` bounds the browser run too). */
  settings: ProfileSettings;
  /** What was injected. */
  injected: string | null;
}

function clearOutputs(nb: Notebook): void {
  for (const c of nb.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
}

export async function prepareNotebook(source: string, rootDir: string, profile: string): Promise<PreparedNotebook> {
  const nb = await readNotebook(source);
  const plan = planParameters(nb, source, { profile });
  injectParameters(nb, plan);
  clearOutputs(nb);
  const name = path.basename(source, '.ipynb');
  mkdirSync(rootDir, { recursive: true });
  const copy = path.join(rootDir, `${name}.ipynb`);
  await writeNotebook(copy, nb);
  return { source, name, copy, relPath: path.relative(rootDir, copy), settings: plan.settings, injected: plan.source };
}

export interface SavedCopy {
  /** Short name of the copy (file name without .ipynb). */
  name: string;
  /** The copy, absolute. */
  copy: string;
  /** The copy relative to the served root. */
  relPath: string;
  /** Outputs in the file whose data has the plotly MIME type: the figures the page must draw. */
  figures: number;
}

/** Whether a notebook carries the saved outputs of a full run (`metadata.genlab.run`). */
export async function hasSavedRun(file: string): Promise<boolean> {
  return runRecord(await readNotebook(file)) !== null;
}

/** Copy a notebook unchanged (no injection, outputs kept) into the served folder, as `<name>.ipynb`. */
export async function copySaved(source: string, rootDir: string, name = path.basename(source, '.ipynb')): Promise<SavedCopy> {
  // One read: the figures are counted in exactly the bytes that are copied.
  const text = await fs.readFile(source, 'utf8');
  const nb = parseNotebook(text, source);
  let figures = 0;
  for (const c of nb.cells) {
    if (c.cell_type !== 'code') continue;
    for (const o of c.outputs) if ((o.output_type === 'display_data' || o.output_type === 'execute_result') && o.data[PLOTLY_MIME] !== undefined) figures++;
  }
  mkdirSync(rootDir, { recursive: true });
  const copy = path.join(rootDir, `${name}.ipynb`);
  await fs.writeFile(copy, text);
  return { name, copy, relPath: path.relative(rootDir, copy), figures };
}
