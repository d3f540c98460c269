/**
 * Native (libtensorflow) against the kit's wasm, per benchmark workload, interleaved run by run in one
 * process, so each ratio comes from the same minutes of the shared machine. This is the measurement
 * behind `nativeThreadDefaults` and the backend rule in src/runtime/backend.ts.
 *
 *   node --import tsx test/native/speed.ts [--only flows,bnn] [--runs 5] [--seconds 1.5] [--json FILE]
 *
 * The native thread pools are fixed when libtensorflow loads, so compare thread settings in separate
 * runs: `TF_NUM_INTRAOP_THREADS=2 TF_NUM_INTEROP_THREADS=2 node --import tsx test/native/speed.ts`.
 * Run under `flock /tmp/genlab-timing.lock` on the shared machine.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/runtime/backend';
import { WORKLOADS, workloadRng } from '../bench/workloads';
import { timeWorkload, type Variant, type WorkloadRun } from '../bench/measure';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const only = arg('--only')?.split(',');
  const settings = { runs: Number(arg('--runs') ?? 5), runSeconds: Number(arg('--seconds') ?? 1.5) };
  const native = await initBackend({ backend: 'tensorflow', announce: false });
  await initBackend({ backend: 'wasm', announce: false });
  const env = ['TF_NUM_INTEROP_THREADS', 'TF_NUM_INTRAOP_THREADS', 'TF_ENABLE_ONEDNN_OPTS'].map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(' ');
  console.log(`native ${native.provider} vs wasm; ${env}; ${settings.runs} runs of ~${settings.runSeconds} s, interleaved`);
  const variants: Variant[] = ['wasm', 'tensorflow'].map((name) => ({ name, apply: async () => { if (tf.getBackend() !== name) await tf.setBackend(name); } }));
  const out: Record<string, Record<string, number>> = {};
  console.log('workload    wasm steps/s          native steps/s        native/wasm');
  for (const w of WORKLOADS.filter((w) => !only || only.includes(w.name))) {
    const runs = await timeWorkload(w, variants, settings, () => workloadRng(w.name));
    const get = (n: string): WorkloadRun => {
      const r = runs.get(n)!;
      if ('error' in r) throw new Error(`${w.name} on ${n}: ${r.error}`);
      return r;
    };
    const a = get('wasm').stepsPerSec;
    const b = get('tensorflow').stepsPerSec;
    const pairwise = b.runs.map((x, i) => x / a.runs[i]!).sort((p, q) => p - q);
    const ratio = pairwise[pairwise.length >> 1]!;
    out[w.name] = { wasm: a.median, native: b.median, ratio };
    const f = (s: { median: number; min: number; max: number }): string => `${s.median.toFixed(1)} [${s.min.toFixed(1)}-${s.max.toFixed(1)}]`.padEnd(22);
    console.log(`${w.name.padEnd(12)}${f(a)}${f(b)}${ratio.toFixed(2)}x`);
  }
  const file = arg('--json');
  if (file) fs.writeFileSync(file, JSON.stringify({ env, settings, date: new Date().toISOString(), results: out }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
