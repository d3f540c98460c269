/**
 * Timing primitives for the benchmark: medians with their spread, paired (interleaved) runs so that
 * "before / after" ratios come from the same moments of a shared, noisy machine.
 */
import * as tf from '@tensorflow/tfjs';
import type { Workload } from './workloads';
import type { Trainer } from '../../src/train/trainer';
import type { Trainable, Dataset } from '../../src/train/types';

export interface Stat {
  median: number;
  min: number;
  max: number;
  /** Each run's value. */
  runs: number[];
}

export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, runs: xs };
}

export interface Settings {
  /** Timed runs per measurement (the median and spread are over these). */
  runs: number;
  /** Target seconds per timed run (the number of steps or calls per run is chosen to fill it). */
  runSeconds: number;
}

const now = (): number => performance.now() / 1000;

/** A configuration to time: `apply` switches to it (backend, kernels) before each of its runs. */
export interface Variant {
  name: string;
  apply(): Promise<void>;
}

/**
 * Time `op` (one call = one unit of work) under each variant, interleaving the variants run by run.
 * Returns units per second per variant.
 */
export async function timeInterleaved(
  variants: Variant[],
  makeOp: (variant: Variant) => Promise<(units: number) => Promise<void | number>>,
  settings: Settings,
  maxUnits = 1000,
): Promise<Map<string, Stat>> {
  const ops = new Map<string, (units: number) => Promise<void | number>>();
  // An op may time itself (a worker process) and return its seconds; else the wall time counts.
  const timed = async (op: (units: number) => Promise<void | number>, units: number): Promise<number> => {
    const t0 = now();
    const own = await op(units);
    return typeof own === 'number' ? own : now() - t0;
  };
  const unitsPerRun = new Map<string, number>();
  for (const v of variants) {
    await v.apply();
    const op = await makeOp(v);
    await op(1); // warm-up: kernel compilation, operator caches, first allocations
    const one = Math.max(await timed(op, 1), 1e-6);
    ops.set(v.name, op);
    unitsPerRun.set(v.name, Math.max(1, Math.min(maxUnits, Math.round(settings.runSeconds / one))));
  }
  const rates = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < settings.runs; r++) {
    for (const v of variants) {
      await v.apply();
      const units = unitsPerRun.get(v.name)!;
      rates.get(v.name)!.push(units / (await timed(ops.get(v.name)!, units)));
    }
  }
  return new Map([...rates].map(([k, xs]) => [k, stat(xs)]));
}

export interface WorkloadRun {
  stepsPerSec: Stat;
  samplesPerSec: Stat;
  secondsPerEpoch: Stat;
  /** Peak bytes held by tensors during two training steps (tf.profile). */
  peakBytes: number;
}

/**
 * A variant that trains a workload's twin outside this process (PyTorch in a worker), timed in the same
 * interleaved runs as the kit's variants. `run` returns the seconds the burst of steps took.
 */
export interface ExternalVariant {
  name: string;
  open(workload: Workload): Promise<{ run(units: number): Promise<number>; close(): Promise<void> }>;
}

interface Built {
  model: Trainable;
  data: Dataset;
  trainer: Trainer;
}

function disposeBuilt(b: Built): void {
  b.trainer.dispose();
  b.model.dispose();
  tf.dispose(Object.values(b.data));
}

/**
 * Train `workload` with the shared Trainer under each variant (all on one backend, or each switching
 * backend in `apply`), timing `fit` over a few steps per run. A variant whose build or step throws is
 * reported with its error instead of numbers.
 */
export async function timeWorkload(
  workload: Workload,
  variants: Variant[],
  settings: Settings,
  makeRng: () => import('../../src/runtime/rng').Rng,
  external: ExternalVariant[] = [],
): Promise<Map<string, WorkloadRun | { error: string }>> {
  const built = new Map<string, Built>();
  const results = new Map<string, WorkloadRun | { error: string }>();
  const usable: Variant[] = [];
  const steps = async (b: Built, n: number): Promise<void> => {
    await b.trainer.fit(b.data, { epochs: 1, maxStepsPerEpoch: n, progress: false, syncEvery: 50 });
  };
  for (const v of variants) {
    await v.apply();
    let b: Built | undefined;
    try {
      b = workload.build(makeRng());
      await steps(b, 1);
      built.set(v.name, b);
      usable.push(v);
    } catch (e) {
      if (b) disposeBuilt(b);
      results.set(v.name, { error: (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160) });
    }
  }
  const opened = new Map<string, Awaited<ReturnType<ExternalVariant['open']>>>();
  for (const e of external) {
    try {
      opened.set(e.name, await e.open(workload));
    } catch (err) {
      results.set(e.name, { error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160) });
    }
  }
  const outside: Variant[] = [...opened.keys()].map((name) => ({ name, apply: async () => {} }));
  try {
    const stats = await timeInterleaved(
      [...usable, ...outside],
      async (v) => {
        const o = opened.get(v.name);
        return o !== undefined ? (n) => o.run(n) : (n) => steps(built.get(v.name)!, n);
      },
      settings,
      200,
    );
    const stepsPerEpoch = Math.ceil(workload.datasetSize / workload.batchSize);
    for (const v of outside) {
      const s = stats.get(v.name)!;
      results.set(v.name, {
        stepsPerSec: s,
        samplesPerSec: stat(s.runs.map((x) => x * workload.batchSize)),
        secondsPerEpoch: stat(s.runs.map((x) => stepsPerEpoch / x)),
        peakBytes: NaN,
      });
    }
    for (const v of usable) {
      const s = stats.get(v.name)!;
      await v.apply();
      const b = built.get(v.name)!;
      const prof = await tf.profile(() => steps(b, 2));
      const scale = (k: number): Stat => stat(s.runs.map((x) => x * k));
      const inv = (k: number): Stat => stat(s.runs.map((x) => k / x));
      results.set(v.name, {
        stepsPerSec: s,
        samplesPerSec: scale(workload.batchSize),
        secondsPerEpoch: inv(stepsPerEpoch),
        peakBytes: prof.peakBytes,
      });
    }
  } finally {
    for (const o of opened.values()) await o.close();
    for (const [name, b] of built) {
      const v = variants.find((x) => x.name === name)!;
      await v.apply();
      disposeBuilt(b);
    }
  }
  return results;
}
