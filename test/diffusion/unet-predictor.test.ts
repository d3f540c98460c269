/**
 * The U-Net noise predictor: flat rows in, flat rows out, equal to the U-Net on the reshaped images; a fresh
 * one answers 0 so the DDPM's loss is E‖ε‖² = D; the shared Trainer lowers the loss on small images; leaks
 * and errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DDPM, NoiseSchedule, NoiseUNet } from '../../src/models/diffusion';
import { Trainer } from '../../src/train';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { stepContext } from '../step-context';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

/** 8×8 "images" in [-1, 1]: a bright bar, horizontal or vertical, at a random position. */
function bars(n: number, label: string): tf.Tensor2D {
  const rng = seed(label);
  const rows: number[] = [];
  for (let k = 0; k < n; k++) {
    const pos = rng.int(6) + 1;
    const vertical = rng.random() < 0.5;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) rows.push((vertical ? j === pos : i === pos) ? 1 : -1);
  }
  return tf.tensor2d(rows, [n, 64]);
}

test('NoiseUNet: predict on flat rows equals the U-Net on the images; per-row and shared steps agree', () => {
  const net = new NoiseUNet({ height: 7, width: 5, channels: [8, 8], timeEmbedDim: 8, rng: seed('flat') });
  tf.tidy(() => { const r = seed('flat-r'); net.variables().forEach((v) => v.assign(tf.mul(r.randn(v.shape), 0.3))); });
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const z = tf.randomNormal([3, 35], 0, 1, 'float32', 1);
    const flat = net.predict(z, 12);
    assert.deepEqual(flat.shape, [3, 35]);
    const img = net.unet.apply(tf.reshape(z, [3, 7, 5, 1]) as tf.Tensor4D, 12);
    assert.ok(tf.max(tf.abs(tf.sub(flat, tf.reshape(img, [3, 35])))).dataSync()[0]! < 1e-6);
    const perRow = net.predict(z, tf.tensor1d([12, 12, 12], 'int32'));
    assert.ok(tf.max(tf.abs(tf.sub(flat, perRow))).dataSync()[0]! < 1e-5);
  });
  assert.equal(tf.memory().numTensors, before);
  net.dispose();
});

test('DDPM with a fresh U-Net scores the zero predictor E‖ε‖² = D; the Trainer then lowers the loss well below D', async () => {
  const schedule = NoiseSchedule.linear({ T: 200 });
  const net = new NoiseUNet({ height: 8, width: 8, channels: [8, 16], timeEmbedDim: 16, rng: seed('ddpm-unet') });
  const model = new DDPM({ dim: 64, schedule, net, rng: seed('ddpm') });
  assert.equal(model.net, net);
  const x = bars(256, 'bars');
  // Zero predictor: loss = mean over rows of χ²_64, mean 64, sd sqrt(128 / 2048) per estimate when averaged over 8 batches of 256.
  let zeroLoss = 0;
  for (let k = 0; k < 8; k++) {
    const terms = model.loss({ x }, stepContext(`zero-${k}`));
    zeroLoss += terms['mse']!.dataSync()[0]! / 8;
    tf.dispose(Object.values(terms));
  }
  assert.ok(Math.abs(zeroLoss - 64) < 2, `fresh loss ${zeroLoss} vs D = 64`);
  const trainer = new Trainer(model, { rng: seed('tr'), batchSize: 32, learningRate: 3e-3 });
  await trainer.fit({ x }, { epochs: 2, progress: false });
  // Adam's moment estimates exist from the first step on; after that the count must stay flat.
  const count = tf.memory().numTensors;
  await trainer.fit({ x }, { epochs: 8, progress: false });
  assert.equal(tf.memory().numTensors, count, 'training leaks no tensors');
  const last = trainer.history['mse']!.slice(-2).reduce((a, v) => a + v, 0) / 2;
  // The bars are nearly deterministic given a few pixels, so eps is well predictable except at small t;
  // 80 steps bring the loss to about a third of D in trial runs; a net without gradient stays at 64.
  assert.ok(last < 0.6 * 64, `loss after ${trainer.steps} steps: ${last}`);
  x.dispose();
  model.dispose();
});

test('NoiseUNet and DDPM: clear errors for shapes and sizes', () => {
  assert.throws(() => new NoiseUNet({ height: 3, width: 28, channels: [8, 8, 8], rng: seed('e') }), /input 3x28 is too small for 3 levels/);
  const net = new NoiseUNet({ height: 4, width: 4, channels: [8, 8], rng: seed('e') });
  tf.tidy(() => assert.throws(() => net.predict(tf.zeros([2, 15]), 3), /expected flat images z of shape \[n, 16\] \(4x4x1\), got \[2, 15\]/));
  assert.throws(() => new DDPM({ dim: 15, net, rng: seed('e') }), /the noise network's dim \(16\) differs from dim \(15\)/);
  net.dispose();
});
