/**
 * Ask the kernel about tfjs without touching the notebook: a hidden snippet prints the backend and
 * `tf.memory().numTensors` on stdout, which we read from its stream and never store.
 *
 * It looks tfjs up in `require.cache` instead of requiring it, so a notebook that never loaded
 * tfjs does not pay for loading it (or get a backend initialised) just to be measured.
 */
import type { Kernel } from './kernel';

/** What the probe found; nulls when tfjs is not loaded in the kernel. */
export interface TensorflowProbe {
  backend: string | null;
  numTensors: number | null;
}

const MARKER = '__genlab_probe__';

// Plain JavaScript that also type-checks as TypeScript under tslab (no top-level names: an IIFE).
const SNIPPET = `(() => {
  let out: { backend: string | null; numTensors: number | null } = { backend: null, numTensors: null };
  try {
    const mod = require.cache[require.resolve('@tensorflow/tfjs-core')];
    if (mod) {
      const tf = mod.exports;
      out = { backend: tf.getBackend() ?? null, numTensors: tf.memory().numTensors };
    }
  } catch (e) {}
  console.log('${MARKER}' + JSON.stringify(out));
})();`;

/** Run the probe; a failing or dead kernel yields nulls rather than an error. */
export async function queryTensorflow(kernel: Kernel, javascript = false): Promise<TensorflowProbe> {
  let text = '';
  const code = javascript ? SNIPPET.replace(': { backend: string | null; numTensors: number | null }', '') : SNIPPET;
  const outcome = await kernel.execute(code, {
    silent: true,
    onOutput: (m) => {
      if (m.header.msg_type === 'stream' && m.content.name === 'stdout') text += String(m.content.text ?? '');
    },
  });
  const line = text.split('\n').find((l) => l.startsWith(MARKER));
  if (outcome.status !== 'ok' || line === undefined) return { backend: null, numTensors: null };
  try {
    const v = JSON.parse(line.slice(MARKER.length)) as Partial<TensorflowProbe>;
    return {
      backend: typeof v.backend === 'string' ? v.backend : null,
      numTensors: typeof v.numTensors === 'number' ? v.numTensors : null,
    };
  } catch {
    return { backend: null, numTensors: null };
  }
}
