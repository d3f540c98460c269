/**
 * The weight cache: a hit restores exactly what training returns (weights, training state, optimiser
 * state, counters, history), so later training continues as if it had trained; any change to what
 * determines a run misses; `GENLAB_WEIGHT_CACHE=off` (the runner's setting) wins; a damaged entry is
 * reported and retrained.
 */
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer, type FitOptions } from '../../src/train/trainer';
import { cosineDecay } from '../../src/train/schedules';
import { resetWeightCacheChoice, useWeightCache, WEIGHT_CACHE_ENV } from '../../src/train/weight-cache';
import { isolateWeightCache } from './cache-env';
import { BayesianMLP, type BayesianMLPConfig } from '../../src/models/bayesian/mlp';
import { BernoulliRBM } from '../../src/models/rbm/bernoulli';

let dir = '';
isolateWeightCache();
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-wcache-'));
  useWeightCache(dir);
});

function data(tag = 'data'): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const r = seed(tag);
  const x = r.randn([96, 3]) as tf.Tensor2D;
  const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]])).squeeze([1]), tf.mul(0.3, r.randn([96])))) as tf.Tensor1D;
  return { x, y };
}

interface Run {
  model: BayesianMLP;
  trainer: Trainer;
  /** Calls of model.loss (training steps, plus the cache's one probe). */
  calls: () => number;
}

function make(config: Partial<BayesianMLPConfig> = {}, seedTag = 's', lr = 1e-2): Run {
  const model = new BayesianMLP({ inputDim: 3, hidden: [8], rng: seed(`${seedTag}/init`), ...config });
  let calls = 0;
  const loss = model.loss.bind(model);
  model.loss = (batch, ctx) => {
    calls++;
    return loss(batch, ctx);
  };
  const trainer = new Trainer(model, { rng: seed(`${seedTag}/train`), batchSize: 32, learningRate: cosineDecay({ lr, totalSteps: 60, minLr: 1e-4 }) });
  return { model, trainer, calls: () => calls };
}

const values = (vars: tf.Variable[]): number[][] => vars.map((v) => Array.from(v.dataSync()));
const entries = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.json'));
const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await f();
  } finally {
    console.log = log;
  }
};

test('a hit restores exactly what training returns, and training then continues identically', async () => {
  const d = data();
  const opts: FitOptions = { epochs: 6, validation: { x: d.x, y: d.y }, progress: false, cache: 'bnn' };
  const a = make();
  const historyA = structuredClone(await quiet(() => a.trainer.fit(d, opts)));
  assert.equal(entries().length, 1, 'the first run saves an entry');
  // The same run without the cache gives the same weights: caching never changes training.
  const plain = make();
  await plain.trainer.fit(d, { ...opts, cache: undefined });
  assert.deepEqual(values(plain.model.variables()), values(a.model.variables()), 'uncached = cached training');

  const b = make();
  const historyB = await quiet(() => b.trainer.fit(d, opts));
  assert.ok(b.calls() <= 1, `a hit must not train (model.loss called ${b.calls()} times; training took ${a.calls()})`);
  assert.deepEqual(values(b.model.variables()), values(a.model.variables()), 'restored = trained');
  assert.deepEqual(historyB, historyA);
  assert.equal(b.trainer.epochs, a.trainer.epochs);
  assert.equal(b.trainer.steps, a.trainer.steps);
  // Optimiser state and counters came back too: two more epochs match the trainer that really trained.
  await a.trainer.fit(d, { epochs: 2, progress: false });
  await b.trainer.fit(d, { epochs: 2, progress: false });
  assert.deepEqual(values(b.model.variables()), values(a.model.variables()), 'continued after restore = continued after training');
  for (const r of [a, b, plain]) {
    r.trainer.dispose();
    r.model.dispose();
  }
  tf.dispose([d.x, d.y]);
});

test('any change to what determines the run misses', async () => {
  const d = data();
  const opts: FitOptions = { epochs: 2, progress: false, cache: 'bnn' };
  const base = make();
  await quiet(() => base.trainer.fit(d, opts));
  assert.equal(entries().length, 1);
  const changed = data('other-data');
  const variants: [string, () => Promise<void>][] = [
    ['another seed', async () => void (await make({}, 'other-seed').trainer.fit(d, opts))],
    ['a KL weight (outside the variables)', async () => void (await make({ klWeight: 0.5 }).trainer.fit(d, opts))],
    ['a learning rate', async () => void (await make({}, 's', 3e-3).trainer.fit(d, opts))],
    ['more epochs', async () => void (await make().trainer.fit(d, { ...opts, epochs: 3 }))],
    ['other data', async () => void (await make().trainer.fit(changed, opts))],
    ['another name', async () => void (await make().trainer.fit(d, { ...opts, cache: 'bnn-2' }))],
    ['early stopping', async () => void (await make().trainer.fit(d, { ...opts, validation: d, earlyStopping: { monitor: 'val_nll', patience: 1 } }))],
    ['an augmentation', async () => void (await make().trainer.fit(d, { ...opts, augment: { name: 'scale x by 2', apply: (b) => ({ ...b, x: tf.mul(b['x']!, 2) }) } }))],
    ['another augmentation', async () => void (await make().trainer.fit(d, { ...opts, augment: { name: 'scale x by 3', apply: (b) => ({ ...b, x: tf.mul(b['x']!, 3) }) } }))],
  ];
  let expected = 1;
  for (const [what, run] of variants) {
    await quiet(run);
    assert.equal(entries().length, ++expected, `changing ${what} must not hit the cached run`);
  }
  // And the unchanged run hits (no new entry).
  await quiet(() => make().trainer.fit(d, opts));
  assert.equal(entries().length, expected);
  tf.dispose([d.x, d.y, changed.x, changed.y]);
});

test("GENLAB_WEIGHT_CACHE=off (the runner's setting) wins over useWeightCache", async () => {
  process.env[WEIGHT_CACHE_ENV] = 'off';
  try {
    assert.equal(useWeightCache(dir), null);
    const d = data();
    const r = make();
    await r.trainer.fit(d, { epochs: 2, progress: false, cache: 'bnn' });
    assert.deepEqual(entries(), []);
    tf.dispose([d.x, d.y]);
  } finally {
    delete process.env[WEIGHT_CACHE_ENV];
  }
  assert.equal(useWeightCache(false), null, 'useWeightCache(false) turns it off');
  process.env[WEIGHT_CACHE_ENV] = dir;
  try {
    resetWeightCacheChoice();
    assert.equal(useWeightCache(dir), dir, 'a folder in the environment turns it on');
  } finally {
    delete process.env[WEIGHT_CACHE_ENV];
  }
});

test('an RBM with PCD gets its momentum buffers and persistent chains back', async () => {
  const x = tf.tidy(() => tf.cast(tf.greater(seed('rbm-data').uniform([64, 6]), 0.5), 'float32')) as tf.Tensor2D;
  const makeRbm = (): { rbm: BernoulliRBM; trainer: Trainer } => {
    const rbm = new BernoulliRBM({ nVisible: 6, nHidden: 3, persistent: true, nChains: 5, rng: seed('rbm-init') });
    return { rbm, trainer: new Trainer(rbm, { rng: seed('rbm-train'), batchSize: 16 }) };
  };
  const a = makeRbm();
  await quiet(() => a.trainer.fit({ x }, { epochs: 3, progress: false, cache: 'rbm' }));
  const b = makeRbm();
  await quiet(() => b.trainer.fit({ x }, { epochs: 3, progress: false, cache: 'rbm' }));
  assert.deepEqual(values(b.rbm.trainingState()), values(a.rbm.trainingState()));
  assert.ok(values(a.rbm.trainingState()).flat().some((v) => v !== 0), 'the state is not trivially zero');
  await a.trainer.fit({ x }, { epochs: 1, progress: false });
  await b.trainer.fit({ x }, { epochs: 1, progress: false });
  assert.deepEqual(values(b.rbm.variables()), values(a.rbm.variables()));
  tf.dispose(x);
});

test('a damaged entry is reported, retrained and overwritten', async () => {
  const d = data();
  const opts: FitOptions = { epochs: 2, progress: false, cache: 'bnn' };
  const a = make();
  await quiet(() => a.trainer.fit(d, opts));
  const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
  truncateSync(path.join(dir, bin), 10);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => void warnings.push(m);
  const b = make();
  try {
    await quiet(() => b.trainer.fit(d, opts));
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /ignoring the damaged entry .*bnn-.*\.json .*holds 10 bytes.*training instead/);
  assert.ok(b.calls() > 2, 'it trained');
  assert.deepEqual(values(b.model.variables()), values(a.model.variables()));
  // The overwritten entry now hits.
  const c = make();
  await quiet(() => c.trainer.fit(d, opts));
  assert.ok(c.calls() <= 1);
  tf.dispose([d.x, d.y]);
  rmSync(dir, { recursive: true, force: true });
});
