import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { criticLoss, discriminatorLoss, generatorLoss } from '../../src/models/gan';

before(async () => {
  await tf.setBackend('cpu');
});

const sig = (l: number) => 1 / (1 + Math.exp(-l));
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

const realLogits = [2, -1, 0.5];
const fakeLogits = [-3, 0, 1.5, -0.2];

test('discriminator loss = -v: -mean log d(x_real) - mean log(1 - d(x_fake)), by hand', () => {
  const want =
    -realLogits.reduce((s, l) => s + Math.log(sig(l)), 0) / realLogits.length -
    fakeLogits.reduce((s, l) => s + Math.log(1 - sig(l)), 0) / fakeLogits.length;
  close(value(discriminatorLoss(tf.tensor1d(realLogits), tf.tensor1d(fakeLogits))), want);
  // Confident and right: tiny loss, no overflow for large logits.
  const big = value(discriminatorLoss(tf.tensor1d([80]), tf.tensor1d([-80])));
  assert.ok(big >= 0 && big < 1e-30 + 1e-7, String(big));
});

test('minimax generator loss = mean log(1 - d(G(z))); non-saturating = -mean log d(G(z)); wasserstein = -mean f', () => {
  const minimax = fakeLogits.reduce((s, l) => s + Math.log(1 - sig(l)), 0) / fakeLogits.length;
  const ns = -fakeLogits.reduce((s, l) => s + Math.log(sig(l)), 0) / fakeLogits.length;
  close(value(generatorLoss(tf.tensor1d(fakeLogits), 'minimax')), minimax);
  close(value(generatorLoss(tf.tensor1d(fakeLogits), 'nonSaturating')), ns);
  close(value(generatorLoss(tf.tensor1d(fakeLogits), 'wasserstein')), -fakeLogits.reduce((a, b) => a + b, 0) / 4);
  close(value(criticLoss(tf.tensor1d(realLogits), tf.tensor1d(fakeLogits))), -1.7 / 4 - 1.5 / 3);
  assert.throws(() => generatorLoss(tf.tensor1d([0]), 'hinge' as never), /unknown kind "hinge"/);
});

test('saturation: d/dl of the minimax loss is -sigma(l) -> 0 as d -> 0, the non-saturating one -(1 - sigma(l)) -> -1', () => {
  const l = tf.tensor1d([-8, -2, 0, 3]);
  const gMinimax = tf.grad((x: tf.Tensor) => tf.mul(generatorLoss(x, 'minimax'), 4))(l).arraySync() as number[];
  const gNs = tf.grad((x: tf.Tensor) => tf.mul(generatorLoss(x, 'nonSaturating'), 4))(l).arraySync() as number[];
  [-8, -2, 0, 3].forEach((li, i) => {
    close(gMinimax[i]!, -sig(li));
    close(gNs[i]!, -(1 - sig(li)));
  });
  assert.ok(Math.abs(gMinimax[0]!) < 1e-3 && Math.abs(gNs[0]! + 1) < 1e-3);
  l.dispose();
});
