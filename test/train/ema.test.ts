/**
 * The trainer's weight average (TrainerConfig.ema): the recurrence it keeps, checked against the weights
 * recorded after every step; swapping it in and back; snapshot/restore; errors; no leaks.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import type { Batch, LossTerms, Trainable } from '../../src/train/types';

before(async () => {
  await tf.setBackend('cpu');
});

class Linear implements Trainable {
  readonly w: tf.Variable;
  /** Not trained: the average must leave it alone. */
  readonly frozen: tf.Variable;
  constructor(rng: Rng) {
    this.w = tf.tidy(() => tf.variable(tf.mul(rng.randn([3, 1]), 0.1)));
    this.frozen = tf.variable(tf.tensor1d([7]), false);
  }
  variables(): tf.Variable[] {
    return [this.w, this.frozen];
  }
  loss(batch: Batch): LossTerms {
    return { mse: tf.mean(tf.square(tf.sub(tf.matMul(batch['x']!, this.w), batch['y']!))) as tf.Scalar };
  }
  dispose(): void {
    this.w.dispose();
    this.frozen.dispose();
  }
}

function data(rng: Rng): { x: tf.Tensor; y: tf.Tensor } {
  const x = rng.randn([40, 3]);
  const y = tf.tidy(() => tf.matMul(x, tf.tensor2d([[1.5], [-0.5], [0.25]])));
  return { x, y };
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

test('the average follows θ̄ ← d θ̄ + (1 − d) θ with d = min(ema, (1 + t) / (10 + t)), from the initial weights', async () => {
  const d = data(seed('ema-data'));
  const model = new Linear(seed('ema-model'));
  // 0.6: the warm-up (1 + t) / (10 + t) governs the first 13 steps, the constant decay the rest.
  const decay = 0.6;
  // One step per fit call, so the weights after every step can be recorded.
  const trainer = new Trainer(model, { rng: seed('ema-trainer'), batchSize: 8, learningRate: 0.05, optimizer: 'sgd', ema: decay });
  let expected = values(model.w);
  for (let t = 0; t < 30; t++) {
    await trainer.fit(d, { epochs: 1, maxStepsPerEpoch: 1, progress: false });
    const dt = Math.min(decay, (1 + t) / (10 + t));
    const w = values(model.w);
    expected = expected.map((a, i) => dt * a + (1 - dt) * w[i]!);
  }
  const trained = values(model.w);
  const averaged = await trainer.withAveragedWeights(() => values(model.w));
  averaged.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) < 1e-6, `θ̄[${i}] = ${a}, recurrence ${expected[i]}`));
  // SGD moves the weights far enough in 30 steps that the average lags visibly behind them.
  assert.ok(Math.max(...trained.map((w, i) => Math.abs(w - averaged[i]!))) > 1e-3, 'the average should differ from the last weights');
  // The trained weights are back afterwards, and the untrained variable was never averaged.
  assert.deepEqual(values(model.w), trained);
  assert.deepEqual(values(model.frozen), [7]);
  trainer.dispose();
  model.dispose();
  tf.dispose(Object.values(d));
});

test('withAveragedWeights puts the trained weights back when its function throws, and works with async functions', async () => {
  const d = data(seed('ema-throw-data'));
  const model = new Linear(seed('ema-throw-model'));
  const trainer = new Trainer(model, { rng: seed('ema-throw'), batchSize: 8, learningRate: 0.05, ema: 0.99 });
  await trainer.fit(d, { epochs: 2, progress: false });
  const trained = values(model.w);
  await assert.rejects(() => trainer.withAveragedWeights(() => { throw new Error('inside'); }), /inside/);
  assert.deepEqual(values(model.w), trained);
  const inside = await trainer.withAveragedWeights(async () => { await tf.nextFrame(); return values(model.w); });
  assert.notDeepEqual(inside, trained);
  assert.deepEqual(values(model.w), trained);
  trainer.dispose();
  model.dispose();
  tf.dispose(Object.values(d));
});

test('a snapshot carries the average: a restored trainer continues with the same θ̄', async () => {
  const d = data(seed('ema-snap-data'));
  const make = (): Trainer => new Trainer(new Linear(seed('ema-snap-model')), { rng: seed('ema-snap'), batchSize: 8, learningRate: 0.05, ema: 0.95 });
  const a = make();
  await a.fit(d, { epochs: 2, progress: false });
  const s = await a.snapshot();
  const copy = { ...s, variables: s.variables.map((v) => v.clone()), optimizer: s.optimizer.map((w) => ({ name: w.name, tensor: w.tensor.clone() })) };
  const b = make();
  await b.restore(copy);
  tf.dispose([...copy.variables, ...copy.optimizer.map((w) => w.tensor)]);
  await a.fit(d, { epochs: 1, progress: false });
  await b.fit(d, { epochs: 1, progress: false });
  const avgA = await a.withAveragedWeights(() => values(a.model.variables()[0]!));
  const avgB = await b.withAveragedWeights(() => values(b.model.variables()[0]!));
  assert.deepEqual(avgB, avgA);
  assert.notEqual(a.describe().ema, null);
  for (const t of [a, b]) {
    t.dispose();
    t.model.dispose();
  }
  tf.dispose(Object.values(d));
});

test('bad ema values and a trainer without an average are clear errors; no tensors leak', async () => {
  const model = new Linear(seed('ema-bad'));
  for (const bad of [0, 1, 1.5, -0.1, Number.NaN]) {
    assert.throws(() => new Trainer(model, { rng: seed('x'), ema: bad }), /ema is the weight average's decay, a number strictly between 0 and 1/);
  }
  const plain = new Trainer(model, { rng: seed('x') });
  assert.equal(plain.averaged, false);
  await assert.rejects(() => plain.withAveragedWeights(() => 0), /keeps no weight average; make it with `ema: 0.999`/);
  plain.dispose();
  const d = data(seed('ema-leak-data'));
  const before = tf.memory().numTensors;
  const trainer = new Trainer(model, { rng: seed('ema-leak'), batchSize: 8, ema: 0.99 });
  await trainer.fit(d, { epochs: 3, progress: false });
  await trainer.withAveragedWeights(() => tf.tidy(() => tf.sum(model.w).dataSync()));
  trainer.dispose();
  // The optimiser's state and the average are freed with the trainer.
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
  tf.dispose(Object.values(d));
});
