import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DDPM, NoiseMLP, NoiseSchedule, timeEmbedding } from '../../src/models/diffusion';
import { Trainer } from '../../src/train';
import { seed } from '../../src/runtime/rng';

before(async () => {
  await tf.setBackend('cpu');
});

test('sinusoidal embedding: [sin(t w_i), cos(t w_i)] with w_i = 10000^(-i/k), per row or broadcast', () => {
  const e = timeEmbedding(tf.tensor1d([0, 7, 300], 'int32'), 8).arraySync();
  const k = 4;
  [0, 7, 300].forEach((t, r) => {
    for (let i = 0; i < k; i++) {
      const w = Math.pow(10000, -i / k);
      assert.ok(Math.abs(e[r]![i]! - Math.sin(t * w)) < 1e-4);
      assert.ok(Math.abs(e[r]![k + i]! - Math.cos(t * w)) < 1e-4);
    }
  });
  assert.deepEqual(timeEmbedding(7, 8).shape, [1, 8]);
  assert.throws(() => timeEmbedding(3, 7), /even/);
});

test('noise MLP: shapes, a shared step equals per-row steps, clear shape errors', () => {
  const net = new NoiseMLP({ dim: 3, hidden: [16, 16], embedDim: 8, rng: seed(1) });
  const z = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
  const a = net.predict(z, 42);
  const b = net.predict(z, tf.fill([5], 42, 'int32') as tf.Tensor1D);
  assert.deepEqual(a.shape, [5, 3]);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!) < 1e-5);
  assert.equal(net.parameterCount, 3 * 16 + 16 + 8 * 16 + 16 * 16 + 16 + 8 * 16 + 16 * 3 + 3);
  assert.throws(() => net.predict(tf.zeros([5, 2]), 1), /\[n, 3\]/);
  assert.throws(() => net.predict(z, tf.tensor1d([1, 2], 'int32')), /2 steps for 5 rows/);
  tf.dispose([z, a, b]);
  net.dispose();
});

test('untrained predictors answer 0 (zero-initialised output), so the loss starts at the zero-predictor level', () => {
  for (const linearSkip of [false, true]) {
    const net = new NoiseMLP({ dim: 4, hidden: [8], embedDim: 6, linearSkip, rng: seed(3) });
    const z = tf.randomNormal([7, 4], 0, 1, 'float32', 5);
    const out = net.predict(z, tf.tensor1d([1, 2, 3, 4, 5, 6, 7], 'int32'));
    assert.equal(tf.tidy(() => tf.max(tf.abs(out)).dataSync()[0]!), 0);
    // The skip adds U [embedDim, dim] and c [dim].
    assert.equal(net.parameterCount, 4 * 8 + 8 + 6 * 8 + 8 * 4 + 4 + (linearSkip ? 6 * 4 + 4 : 0));
    tf.dispose([z, out]);
    net.dispose();
  }
});

test('the linear skip receives gradient and learns the large-t identity eps-hat ≈ z', () => {
  // Data = a point mass at 0: then z_t = sqrt(1 - alpha_t) eps and the optimal predictor is z / sqrt(1 - alpha_t),
  // linear in z. A width-2 MLP cannot pass 16 dimensions through; the skip can.
  const s = NoiseSchedule.linear({ T: 50, betaStart: 0.05, betaEnd: 0.3 });
  const x = tf.zeros([256, 16]);
  const final: number[] = [];
  for (const linearSkip of [false, true]) {
    const model = new DDPM({ dim: 16, schedule: s, hidden: [2], embedDim: 8, linearSkip, rng: seed(4) });
    const opt = tf.train.adam(0.05);
    let last = NaN;
    for (let i = 0; i < 150; i++) {
      const cost = opt.minimize(() => model.loss({ x }, { rng: seed(i) } as never)['mse']!, true, model.variables())!;
      last = cost.dataSync()[0]!;
      cost.dispose();
    }
    final.push(last);
    opt.dispose();
    model.dispose();
  }
  x.dispose();
  assert.ok(final[1]! < 0.25 * 16, `with skip: ${final[1]}`);
  assert.ok(final[1]! < 0.5 * final[0]!, `without ${final[0]}, with ${final[1]}`);
});

test('DDPM trains through the shared Trainer: loss falls below the zero-predictor level D, memory stays flat, dispose frees all', async () => {
  const base = tf.memory().numTensors;
  const rng = seed('ddpm-train');
  const model = new DDPM({ dim: 2, schedule: NoiseSchedule.linear({ T: 100, betaStart: 1e-3, betaEnd: 0.1 }), hidden: [32, 32], embedDim: 16, rng });
  const nVars = model.variables().length;
  // Data on a small circle: far from N(0, I), so predicting eps from z_t is learnable.
  const x = tf.tidy(() => {
    const th = tf.mul(tf.randomUniform([512], 0, 2 * Math.PI, 'float32', 5), 1);
    return tf.stack([tf.cos(th), tf.sin(th)], 1);
  });
  const trainer = new Trainer(model, { rng: rng.fork('trainer'), batchSize: 128, learningRate: 3e-3 });
  await trainer.fit({ x }, { epochs: 2, progress: false });
  const afterFirst = tf.memory().numTensors;
  await trainer.fit({ x }, { epochs: 20, progress: false });
  assert.equal(tf.memory().numTensors, afterFirst, 'no tensors leak across training steps');
  const loss = trainer.history['mse']!.filter((v) => Number.isFinite(v));
  assert.ok(loss[0]! > 1.2, `first-epoch loss ${loss[0]}`);
  assert.ok(loss[loss.length - 1]! < 0.8, `last-epoch loss ${loss[loss.length - 1]} (zero predictor: 2)`);
  const r = await model.sample({ n: 10, rng: seed(2) });
  assert.deepEqual(r.x.shape, [10, 2]);
  r.dispose();
  assert.throws(() => model.loss({ y: x }, { rng: seed(0) } as never), /no "x"/);
  trainer.dispose();
  model.dispose();
  x.dispose();
  assert.equal(nVars, 2 * 3 + 2);
  assert.equal(tf.memory().numTensors, base, 'dispose frees every variable');
});
