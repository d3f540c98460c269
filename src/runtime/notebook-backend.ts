/**
 * A notebook's own backend preference: `metadata.genlab.backend` in the .ipynb, e.g.
 *
 *   "genlab": { "backend": { "prefer": "wasm", "why": "RealNVP: native 0.7x-1.8x of wasm (docs/native-backend.md)" } }
 *
 * It applies only to the automatic choice (`GENLAB_BACKEND` and the `backend` option still force), where
 * it decides for every native build (./backend.ts `automaticRule`). It exists for issue 22's rule that no
 * notebook may get slower because a native build was installed: CPU native is opt-in, so a notebook
 * whose models all measured faster on it says `"prefer": "tensorflow"` here, and `"prefer": "wasm"`
 * keeps a notebook on wasm even when a GPU build is installed.
 *
 * The kernel learns which notebook it runs from `JPY_SESSION_NAME`, which Jupyter Server (2.0 and
 * later, so JupyterLab 4 and Notebook 7) sets to the notebook's path, and which the kit's runner sets
 * the same way (src/runner/run-notebook.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NotebookBackendPreference {
  /** The backend to try first in automatic mode. */
  prefer: 'tensorflow' | 'wasm';
  /** Why, with the measurement; shown in the backend announcement. */
  why: string;
  /** The notebook file it came from. */
  notebook: string;
}

/** The environment variable Jupyter Server sets to the notebook's path in its kernels. */
export const NOTEBOOK_PATH_ENV = 'JPY_SESSION_NAME';

/**
 * Reads the preference of the notebook this kernel runs (or of `file`); null when there is no
 * notebook, no preference, or the file cannot be read. A malformed preference is an error naming
 * the notebook and the expected form, so a typo does not silently change the backend.
 */
export function notebookBackendPreference(
  env: NodeJS.ProcessEnv = process.env,
  file: string | undefined = env[NOTEBOOK_PATH_ENV],
): NotebookBackendPreference | null {
  if (!file || !file.endsWith('.ipynb')) return null;
  const resolved = path.resolve(file);
  let nb: { metadata?: { genlab?: { backend?: unknown } } };
  try {
    nb = JSON.parse(fs.readFileSync(resolved, 'utf8'));
  } catch {
    return null; // e.g. an untitled notebook not saved yet, or a path relative to another folder
  }
  const raw = nb.metadata?.genlab?.backend;
  if (raw === undefined) return null;
  const ok =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) &&
    ['tensorflow', 'wasm'].includes((raw as { prefer?: unknown }).prefer as string) &&
    typeof (raw as { why?: unknown }).why === 'string';
  if (!ok) {
    throw new Error(
      `${resolved}: metadata.genlab.backend must look like {"prefer": "wasm", "why": "the measurement"} ` +
        `(prefer: tensorflow or wasm); got ${JSON.stringify(raw)}.`,
    );
  }
  const pref = raw as { prefer: NotebookBackendPreference['prefer']; why: string };
  return { prefer: pref.prefer, why: pref.why, notebook: resolved };
}
