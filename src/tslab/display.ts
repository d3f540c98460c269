/**
 * The bridge between the library and the notebook page (src/tslab holds everything that reaches into
 * the tslab kernel: this file, and the socket fix of kernel-sockets.ts).
 *
 * tslab's public `display` sends one MIME type per message, but a figure wants a bundle (an HTML
 * rendering for JupyterLab and classic Notebook, the plotly JSON for front ends that have a plotly
 * renderer, plain text for terminals). tslab keeps the writer of the executing cell in
 * `tslab/dist/jupyter`'s `lastWriteDisplayData`; the kernel and this library resolve the same module
 * file, so we can send whole bundles through it. Outside a kernel (tests, scripts) nothing is shown and
 * `inNotebook()` is false, so callers fall back to plain logging.
 */
import { randomBytes } from 'crypto';
import { serializeKernelSends } from './kernel-sockets';

/** A Jupyter MIME bundle: MIME type -> payload (strings; JSON types as objects). */
export type MimeBundle = Record<string, string | object>;

type WriteDisplayData = (
  data: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

let jupyterModule: TslabJupyterModule | null | undefined;

function tslabJupyter(): TslabJupyterModule | null {
  if (jupyterModule === undefined) {
    try {
      // Resolved at run time: tslab is only present in a notebook set-up, never needed by tests.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      jupyterModule = require('tslab/dist/jupyter') as TslabJupyterModule;
    } catch {
      jupyterModule = null;
    }
  }
  return jupyterModule;
}

/** True while a tslab kernel is executing a cell (so displays reach the notebook). No side effects. */
export function inNotebook(): boolean {
  const j = tslabJupyter();
  return j !== null && typeof j.lastWriteDisplayData === 'function';
}

/**
 * Send a bundle through tslab. `setupNotebook()` installs the kernel's socket fix (kernel-sockets.ts)
 * explicitly; sending also makes sure of it (idempotent), so a notebook that skips the set-up cell
 * cannot crash its kernel with our extra display traffic.
 */
function write(bundle: MimeBundle, displayId: string | undefined, update: boolean): void {
  const j = tslabJupyter();
  if (j === null || j.lastWriteDisplayData === null) {
    throw new Error('display: not running inside a tslab kernel; check inNotebook() first');
  }
  serializeKernelSends();
  j.lastWriteDisplayData({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
}

/** Show a MIME bundle as a new output of the running cell. No-op outside a notebook. */
export function displayBundle(bundle: MimeBundle): void {
  if (inNotebook()) write(bundle, undefined, false);
}

/** An output that can be replaced in place (progress bars, live training curves). */
export interface LiveDisplay {
  /** Replace the output's content (the first call creates it). */
  update(bundle: MimeBundle): void;
  /** The Jupyter display id this output carries. */
  readonly id: string;
}

/**
 * An output that updates in place: the first `update` sends `display_data` with a display id, later
 * ones send `update_display_data`, so the saved notebook keeps one output, not hundreds.
 */
export function liveDisplay(): LiveDisplay {
  const id = randomBytes(8).toString('hex');
  let shown = false;
  return {
    id,
    update(bundle: MimeBundle): void {
      if (!inNotebook()) return;
      write(bundle, id, shown);
      shown = true;
    },
  };
}
