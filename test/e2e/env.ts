/**
 * What the end-to-end test needs from the machine, found without installing anything: a Jupyter with
 * JupyterLab (and maybe Notebook 7) and a Chromium. When one is missing the test is skipped with a
 * message that says how to provide it.
 */
import { spawnSync } from 'child_process';

/** Env var naming the `jupyter` command to use, e.g. `/opt/venv/bin/jupyter`. */
export const JUPYTER_ENV = 'GENLAB_JUPYTER';
// Chromium is found where publishing finds it (figure snapshots drive the same browser).
export { CHROMIUM_ARGS, CHROMIUM_ENV, findChromium } from '../../src/publish/chromium';

export interface JupyterFound {
  /** The `jupyter` command (absolute path or a name on PATH). */
  command: string;
  /** JupyterLab's version. */
  lab: string;
  /** Notebook 7's version, or null when `jupyter notebook` is not installed next to JupyterLab. */
  notebook: string | null;
}

function version(command: string, sub: string): string | null {
  const r = spawnSync(command, [sub, '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return null;
  const v = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  return /^\d+\.\d+/.test(v) ? v : null;
}

/** JupyterLab from `$GENLAB_JUPYTER`, else `jupyter` on PATH; a reason string when there is none. */
export function findJupyter(): JupyterFound | string {
  const fromEnv = process.env[JUPYTER_ENV];
  const command = fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'jupyter';
  const lab = version(command, 'lab');
  if (lab === null) {
    return fromEnv
      ? `${JUPYTER_ENV}=${fromEnv}: \`${fromEnv} lab --version\` failed; point it at a jupyter that has JupyterLab (pip install jupyterlab).`
      : `no JupyterLab: \`jupyter lab --version\` failed on PATH. Install it (python3 -m venv .venv && .venv/bin/pip install jupyterlab) ` +
          `and set ${JUPYTER_ENV}=.venv/bin/jupyter, or put its jupyter on PATH.`;
  }
  const nb = version(command, 'notebook');
  // `jupyter notebook` of Notebook 6 (nbclassic) also answers; we drive Notebook 7 only.
  return { command, lab, notebook: nb !== null && Number(nb.split('.')[0]) >= 7 ? nb : null };
}

