import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Adam, GAN, type GANConfig, trainingMonitor } from '../../src/models/gan';
import { Trainer } from '../../src/train';
import { seed } from '../../src/runtime/rng';
import { stepContext } from '../step-context';

before(async () => {
  await tf.setBackend('cpu');
});

const small = (over: Partial<GANConfig> = {}): GANConfig => ({
  generator: { sizes: [2, 16, 2] },
  discriminator: { sizes: [2, 16, 1] },
  rng: seed('gan-small'),
  ...over,
});

test('our Adam takes the same steps as tf.train.adam', () => {
  const a = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const b = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const ours = new Adam([a], { beta1: 0.5, beta2: 0.99 });
  const stock = tf.train.adam(0.05, 0.5, 0.99, 1e-8);
  const f = (v: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.sub(v, tf.tensor1d([0.3, 0.1, -1]))), tf.tensor1d([1, 5, 0.2]))) as tf.Scalar;
  for (let i = 0; i < 25; i++) {
    const { grads } = tf.variableGrads(() => f(a), [a]);
    ours.apply([grads[a.name]!], 0.05);
    tf.dispose(Object.values(grads));
    stock.minimize(() => f(b), false, [b]);
  }
  const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  assert.ok(gap < 1e-5, `max |ours - tf| = ${gap}`);
  assert.equal(ours.steps, 25);
  ours.dispose();
  stock.dispose();
  tf.dispose([a, b]);
});

test('bad configs are clear errors naming the field', () => {
  assert.throws(() => new GAN(small({ generator: { sizes: [0, 16, 2] } })), /generator\.sizes\[0\] \(the latent size\) must be a positive integer, got 0/);
  assert.throws(() => new GAN(small({ discriminator: { sizes: [2, 16, 3] } })), /discriminator\.sizes\[2\] \(the discriminator's output width\) must be 1, got 3/);
  assert.throws(() => new GAN(small({ discriminator: { sizes: [3, 16, 1] } })), /generator\.sizes\[2\] = 2\) must equal the discriminator's input width \(discriminator\.sizes\[0\] = 3\)/);
  assert.throws(() => new GAN(small({ loss: 'wasserstein' })), /needs penalty \{ kind: 'gp'/);
  assert.throws(() => new GAN(small({ loss: 'hinge' as never })), /loss must be one of minimax, nonSaturating, wasserstein/);
  assert.throws(() => new GAN(small({ dSteps: 0 })), /dSteps must be a positive integer/);
  assert.throws(() => new GAN(small({ penalty: { kind: 'r1', weight: -1 } })), /penalty\.weight must be >= 0/);
  const m = new GAN(small());
  assert.throws(() => m.trainStep({ y: tf.zeros([4, 2]) }, stepContext('e')), /the batch has no "x"/);
  assert.throws(() => m.trainStep({ x: tf.zeros([4, 3]) }, stepContext('e')), /expected a \[batch, 2\] tensor/);
  m.dispose();
});

test('a training step leaks no tensors, updates both players, and is reproducible with a seed', () => {
  for (const over of [{}, { loss: 'minimax' as const }, { penalty: { kind: 'r1' as const, weight: 1 } }, { loss: 'wasserstein' as const, penalty: { kind: 'gp' as const, weight: 1 }, dSteps: 2 }]) {
    const run = () => {
      const m = new GAN(small({ ...over, rng: seed('repro') }));
      const x = tf.randomNormal([16, 2], 0, 1, 'float32', 7);
      const before = m.variables().map((v) => v.arraySync());
      // Warm-up step: first calls may create tfjs-internal constants.
      tf.tidy(() => m.trainStep({ x }, stepContext('warm')));
      const count = tf.memory().numTensors;
      const terms: number[] = [];
      for (let s = 0; s < 3; s++) {
        tf.tidy(() => {
          const t = m.trainStep({ x }, stepContext(`s${s}`));
          terms.push(...Object.values(t).map((v) => v.dataSync()[0]!));
        });
      }
      assert.equal(tf.memory().numTensors, count, `tensor count changed (${JSON.stringify(over)})`);
      const moved = m.variables().map((v, i) => JSON.stringify(v.arraySync()) !== JSON.stringify(before[i]));
      // A critic's output bias cancels in E_data f - E_g f and in the penalty: it gets no gradient.
      const expectStill = 'loss' in over && over.loss === 'wasserstein' ? 1 : 0;
      assert.equal(moved.filter((b) => !b).length, expectStill, `variables that did not move (${JSON.stringify(over)})`);
      if (expectStill === 1) assert.equal(moved[moved.length - 1], false);
      const weights = m.variables().map((v) => v.arraySync());
      m.dispose();
      x.dispose();
      return { terms, weights };
    };
    const a = run();
    const b = run();
    assert.deepEqual(a.terms, b.terms);
    assert.deepEqual(a.weights, b.weights);
    assert.ok(a.terms.every(Number.isFinite));
  }
});

test('through the shared Trainer: the generator moves its samples onto the data, memory stays flat, dispose frees all', async () => {
  const base = tf.memory().numTensors;
  const model = new GAN(small({ generator: { sizes: [2, 32, 2] }, discriminator: { sizes: [2, 32, 1] }, generatorLr: 5e-3, discriminatorLr: 5e-3, rng: seed('move') }));
  const data = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([512, 2], 0, 1, 'float32', 3), 0.3), tf.tensor1d([3, -2])));
  const trainer = new Trainer(model, { rng: seed('move-trainer'), batchSize: 64 });
  const mean = () => tf.tidy(() => tf.mean(model.sample(500, seed('m')), 0).arraySync() as number[]);
  const start = mean();
  const grid = { points: Float32Array.from([0, 0, 3, -2, 1, 1]), shape: [3, 2] as [number, number] };
  const mon = trainingMonitor(model, { n: 50, rng: seed('mon'), score: (x) => ({ meanX: tf.tidy(() => tf.mean(x).dataSync()[0]!) }), frameEvery: 2, surface: grid });
  await trainer.fit({ x: data }, { epochs: 4, progress: false, metrics: mon.metrics });
  const afterFirst = tf.memory().numTensors;
  await trainer.fit({ x: data }, { epochs: 26, progress: false, metrics: mon.metrics });
  assert.equal(tf.memory().numTensors, afterFirst, 'tensor count flat across fit calls');
  const end = mean();
  const dist = (p: number[]) => Math.hypot(p[0]! - 3, p[1]! + 2);
  assert.ok(dist(end) < 0.5 * dist(start) && dist(end) < 1, `mean ${start} -> ${end}`);
  assert.equal(model.steps, 30 * 8);
  assert.deepEqual(trainer.history['step'], Array.from({ length: 30 }, (_, i) => (i + 1) * 8));
  assert.equal(mon.frames.length, 15);
  assert.equal(mon.frames[0]!.samples.length, 50);
  assert.equal(mon.frames[0]!.surface!.length, 3);
  assert.ok(mon.frames.every((f) => f.surface!.every((v) => v > 0 && v < 1)));
  assert.ok(trainer.history['loss']!.every(Number.isFinite) && trainer.history['g']!.every(Number.isFinite));
  mon.dispose();
  trainer.dispose();
  model.dispose();
  data.dispose();
  assert.equal(tf.memory().numTensors, base);
});
