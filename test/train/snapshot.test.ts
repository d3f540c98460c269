/**
 * The trainer's snapshot/restore seam (what the weight cache saves and puts back) and the early-stopping
 * module on their own.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { EarlyStopper } from '../../src/train/early-stopping';
import type { Batch, LossTerms, Trainable } from '../../src/train/types';

before(async () => {
  await tf.setBackend('cpu');
});

class Linear implements Trainable {
  readonly w: tf.Variable;
  constructor(rng: Rng) {
    this.w = tf.tidy(() => tf.variable(tf.mul(rng.randn([2, 1]), 0.1)));
  }
  variables(): tf.Variable[] {
    return [this.w];
  }
  loss(batch: Batch): LossTerms {
    return { mse: tf.mean(tf.square(tf.sub(tf.matMul(batch['x']!, this.w), batch['y']!))) as tf.Scalar };
  }
  dispose(): void {
    this.w.dispose();
  }
}

function data(rng: Rng): { x: tf.Tensor; y: tf.Tensor } {
  const x = rng.randn([64, 2]);
  const y = tf.tidy(() => tf.matMul(x, tf.tensor2d([[1.5], [-0.5]])));
  return { x, y };
}

test('a snapshot restored into a fresh trainer continues exactly as the original', async () => {
  const d = data(seed('snap-data'));
  const make = (): Trainer => new Trainer(new Linear(seed('snap-model')), { rng: seed('snap-trainer'), batchSize: 16, learningRate: 0.05 });
  const a = make();
  await a.fit(d, { epochs: 2, progress: false });
  const s = await a.snapshot();
  assert.equal(s.epochs, 2);
  assert.equal(s.steps, 8);
  // Adam: the model's variable, then its two running powers beta^t.
  assert.equal(s.variables.length, 3);
  const copy = { ...s, variables: s.variables.map((v) => v.clone()), optimizer: s.optimizer.map((w) => ({ name: w.name, tensor: w.tensor.clone() })) };

  const b = make();
  assert.deepEqual(b.describe().seed, a.describe().seed);
  await b.restore(copy);
  tf.dispose([...copy.variables, ...copy.optimizer.map((w) => w.tensor)]);
  assert.equal(b.epochs, 2);
  assert.equal(b.steps, 8);
  assert.deepEqual(b.history, a.history);
  await a.fit(d, { epochs: 1, progress: false });
  await b.fit(d, { epochs: 1, progress: false });
  assert.deepEqual(Array.from(b.model.variables()[0]!.dataSync()), Array.from(a.model.variables()[0]!.dataSync()));
  assert.deepEqual(b.history['mse'], a.history['mse']);

  await assert.rejects(b.restore({ ...s, variables: [] }), /snapshot holds 0 tensors, the model and optimiser have 3/);
  for (const t of [a, b]) {
    t.model.dispose();
    t.dispose();
  }
  tf.dispose([d.x, d.y]);
});

test('EarlyStopper stops after `patience` epochs without improvement and restores the best weights', () => {
  const v = tf.variable(tf.scalar(0));
  const before = tf.memory().numTensors;
  const stopper = new EarlyStopper({ monitor: 'm', patience: 2, minDelta: 0.1 }, () => [v]);
  const h = { epoch: [] as number[], m: [] as number[] };
  const values = [3, 2, 1.95, NaN, 1.5, 1.6];
  const stops: boolean[] = [];
  values.forEach((m, epoch) => {
    h.epoch.push(epoch + 1);
    h.m.push(m);
    tf.tidy(() => v.assign(tf.scalar(epoch)));
    stops.push(stopper.observe(h, epoch));
  });
  // 1.95 is within minDelta of 2 (no improvement), NaN is not counted, 1.5 improves, 1.6 does not.
  assert.deepEqual(stops, [false, false, false, false, false, false]);
  assert.equal(stopper.observe({ ...h, m: [...h.m, 1.45] }, 6), true, 'second epoch without an improvement of 0.1 stops');
  stopper.finish(h);
  assert.equal(v.dataSync()[0], 4, 'the weights of epoch 5 (index 4, m = 1.5) are back');
  assert.deepEqual((h as Record<string, number[]>)['best_epoch'], [5, 5, 5, 5, 5, 5]);
  stopper.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new EarlyStopper({ patience: 1 }, () => [v]).observe(h, 0), /monitors "val_loss", which is not in the history \(have: epoch, m/);
  v.dispose();
});
