/**
 * The one call a notebook's set-up cell makes: protect the kernel's sockets from colliding sends
 * (src/tslab/kernel-sockets.ts), pick the tensor backend (announced once, with the reason) and load
 * plotly.js into the page once, so figures drawn later in the notebook render offline. Safe to re-run:
 * every step is idempotent within a kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend, type BackendName } from '../runtime/backend';
import { loadPlotly } from '../plot/show';
import { inNotebook } from '../tslab/display';
import { serializeKernelSends } from '../tslab/kernel-sockets';

export interface SetupOptions {
  /** Force a backend (else `GENLAB_BACKEND`, else automatic). @default undefined */
  backend?: BackendName;
  /** Emit the plotly.js loader (only matters inside a notebook). @default true */
  plotly?: boolean;
}

/**
 * Pick the backend and load plotly.js. Resolves to nothing, so `await setupNotebook();` as a cell's
 * last line prints only the backend line; `currentBackend()` returns the details.
 */
export async function setupNotebook(options: SetupOptions = {}): Promise<void> {
  // Before anything adds display traffic: tslab 1.0.22 does not wait for its sends (kernel-sockets.ts).
  if (inNotebook()) serializeKernelSends();
  const info = await initBackend({ backend: options.backend, announce: false });
  if (options.plotly !== false && inNotebook()) loadPlotly();
  // In a notebook the line is printed on every run of the set-up cell, so the saved output says
  // which backend produced the numbers below it.
  console.log(`${describeBackend(info)} (tfjs ${tf.version_core})`);
}
