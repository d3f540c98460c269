/**
 * The copy of a notebook the browser opens: the runner's own parameter injection (a cell tagged
 * `injected-parameters` after the `parameters` cell, exactly what `genlab-run --profile quick` runs),
 * outputs cleared, written into the folder the Jupyter server serves. The copy sits inside the project
 * (build/e2e/work/...), so the kernel, started in the copy's folder, resolves `genlab-ts` and the data
 * the same way as from notebooks/.
 */
import { mkdirSync } from 'fs';
import path from 'path';
import { injectParameters, planParameters, type ProfileSettings } from '../../src/runner/parameters';
import { readNotebook, writeNotebook, type Notebook } from '../../src/runner/nbformat';

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
