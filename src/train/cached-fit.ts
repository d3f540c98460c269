/**
 * `fit` through the weight cache (weight-cache.ts stores entries; this file decides when one stands in
 * for training). The key is a hash of everything that determines what `fit` would return, listed in
 * weight-cache.ts; the trainer is reached only through its seam: `describe()` for its settings and
 * `snapshot()` / `restore()` for the state a run changes.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../runtime/rng';
import type { Batch, Dataset, History, StepContext } from './types';
import type { FitOptions, Trainer } from './trainer';
import { Fingerprint, libraryFingerprint, loadEntry, saveEntry } from './weight-cache';

/** One `fit` call as the cache sees it. */
export interface FitCall {
  /** The run's name (`FitOptions.cache`) and the cache folder in use. */
  name: string;
  dir: string;
  /** The training data, or null for a fit without data. */
  train: Dataset | null;
  options: FitOptions;
  /** Examples per epoch (`ctx.datasetSize`) and steps per epoch. */
  n: number;
  stepsPerEpoch: number;
}

/**
 * Restore `call`'s result from the cache when an identical run was saved; otherwise run `train` (the
 * trainer's loop) and save what it leaves.
 */
export async function fitThroughCache(trainer: Trainer, call: FitCall, train: () => Promise<History>): Promise<History> {
  const { name, dir } = call;
  const key = (await cacheKey(trainer, call)).digest();
  const hit = loadEntry(dir, name, key, (m) => console.warn(m));
  if (hit !== null) {
    try {
      await trainer.restore({
        variables: hit.model,
        optimizer: hit.optimizer,
        epochs: hit.meta.epochs,
        steps: hit.meta.steps,
        // JSON keeps NaN as null.
        history: Object.fromEntries(Object.entries(hit.meta.history).map(([k, v]) => [k, v.map((x) => (x === null ? NaN : x))])) as History,
      });
    } finally {
      tf.dispose([...hit.model, ...hit.optimizer.map((w) => w.tensor)]);
    }
    console.log(`weight cache: restored "${name}" (${hit.meta.epochs} epochs, trained in ${Math.round(hit.meta.seconds)} s on ${hit.meta.created.slice(0, 16).replace('T', ' ')} UTC) from ${dir}`);
    return trainer.history;
  }
  const t0 = Date.now();
  const history = await train();
  const s = await trainer.snapshot();
  saveEntry(
    dir,
    { name, key, created: new Date().toISOString(), seconds: (Date.now() - t0) / 1000, backend: tf.getBackend(), epochs: s.epochs, steps: s.steps, history },
    s.variables,
    s.optimizer,
  );
  console.log(`weight cache: saved "${name}" to ${dir}`);
  return history;
}

/** The cache key: every input that determines what `fit` would return (see weight-cache.ts). */
async function cacheKey(trainer: Trainer, call: FitCall): Promise<Fingerprint> {
  const { name, train, options, n, stepsPerEpoch } = call;
  const setup = trainer.describe();
  const state = await trainer.snapshot();
  const f = new Fingerprint()
    .add('name', name)
    .add('library', libraryFingerprint())
    .add('backend', tf.getBackend())
    .add('model', trainer.model.constructor.name);
  state.variables.forEach((v, i) => f.addTensor(`state${i}`, v));
  for (const [label, data] of [['train', train ?? undefined], ['validation', options.validation]] as const) {
    if (data === undefined) continue;
    for (const k of Object.keys(data).sort()) f.addTensor(`${label}.${k}`, data[k]!);
  }
  // Hyperparameters outside the variables (a KL weight, a prior, a noise level) show in the loss.
  const model = trainer.model;
  const probe = model.evalTerms ?? model.loss;
  if (probe !== undefined) {
    const rows = Math.min(n, 32);
    const names: string[] = [];
    const stacked = tf.tidy(() => {
      const batch: Batch = {};
      for (const [k, t] of Object.entries(train ?? {})) batch[k] = tf.slice(t, 0, rows);
      const ctx: StepContext = { epoch: state.epochs, step: 0, globalStep: state.steps, datasetSize: n, batchSize: rows, rng: new Rng('genlab-weight-cache-probe'), training: false };
      const terms = probe.call(model, batch, ctx);
      names.push(...Object.keys(terms).sort());
      return names.length === 0 ? tf.zeros([0]) : tf.stack(names.map((k) => tf.reshape(terms[k]!, [])));
    });
    const probed = Array.from(stacked.dataSync());
    stacked.dispose();
    f.add('probe', names.map((k, i) => [k, probed[i]]));
  }
  const steps = options.epochs * stepsPerEpoch;
  f.add('trainer', { seed: setup.seed, epochs: state.epochs, steps: state.steps, batchSize: setup.batchSize, clipNorm: setup.clipNorm ?? null, ema: setup.ema, n, stepsPerEpoch });
  f.add('optimizer', { type: setup.optimizer.type, config: setup.optimizer.config });
  for (const w of state.optimizer) f.addTensor(`optimizer.${w.name.replace(/^.*\//, '')}`, w.tensor);
  f.add('lr', Array.from({ length: steps }, (_v, i) => setup.learningRate(state.steps + i)));
  const { validation: _v, progress: _p, cache: _c, metrics, augment, ...rest } = options;
  f.add('fit', { ...rest, validation: options.validation !== undefined, metrics: metrics?.toString() ?? null, augment: augment?.name ?? null });
  return f;
}
