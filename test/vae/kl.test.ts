import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { gaussianKl, gaussianKlStandard } from '../../src/models/vae/kl';
import { diagGaussianLogDensity, standardNormalLogDensity } from '../../src/math';

/** Monte Carlo KL(q || p) = E_q[log q(z) - log p(z)] with S draws; returns mean and standard error. */
function mcKl(mu: number[], logVar: number[], logP: (z: tf.Tensor) => tf.Tensor, S: number): { mean: number; se: number } {
  return tf.tidy(() => {
    const m = tf.tensor1d(mu);
    const lv = tf.tensor1d(logVar);
    const z = tf.add(m, tf.mul(tf.exp(tf.mul(0.5, lv)), seed('mc-kl').randn([S, mu.length])));
    const d = tf.sub(diagGaussianLogDensity(z, m, lv), logP(z));
    const { mean, variance } = tf.moments(d);
    return { mean: mean.dataSync()[0]!, se: Math.sqrt(variance.dataSync()[0]! / S) };
  });
}

test('closed-form KL(q || N(0, I)) agrees with Monte Carlo within 4 standard errors', () => {
  const cases: [number[], number[]][] = [
    [[0, 0, 0], [0, 0, 0]],
    [[1.5, -0.3, 0.7], [-1, 0.5, 0.2]],
    [[-2, 3], [-3, 1.2]],
  ];
  for (const [mu, logVar] of cases) {
    const closed = tf.tidy(() => gaussianKlStandard(tf.tensor2d([mu]), tf.tensor2d([logVar])).dataSync()[0]!);
    const mc = mcKl(mu, logVar, standardNormalLogDensity, 200_000);
    assert.ok(Math.abs(closed - mc.mean) < 4 * mc.se + 1e-6, `mu=${mu} logVar=${logVar}: closed ${closed} vs MC ${mc.mean} ± ${mc.se}`);
  }
  // N(0, I) against itself: exactly zero.
  const zero = tf.tidy(() => gaussianKlStandard(tf.zeros([2, 5]), tf.zeros([2, 5])).dataSync());
  assert.deepEqual(Array.from(zero), [0, 0]);
});

test('general diagonal-Gaussian KL agrees with Monte Carlo and reduces to the standard case', () => {
  const mu1 = [0.5, -1, 2];
  const lv1 = [0.3, -0.7, 0];
  const mu2 = [-0.5, 0.2, 1];
  const lv2 = [1, -0.2, 0.5];
  const closed = tf.tidy(() => gaussianKl(tf.tensor1d(mu1), tf.tensor1d(lv1), tf.tensor1d(mu2), tf.tensor1d(lv2)).dataSync()[0]!);
  const mc = mcKl(mu1, lv1, (z) => diagGaussianLogDensity(z, tf.tensor1d(mu2), tf.tensor1d(lv2)), 200_000);
  assert.ok(Math.abs(closed - mc.mean) < 4 * mc.se, `closed ${closed} vs MC ${mc.mean} ± ${mc.se}`);
  const [a, b] = tf.tidy(() => {
    const m = tf.tensor2d([[0.3, -0.4]]);
    const v = tf.tensor2d([[0.2, -1.1]]);
    return [gaussianKl(m, v, tf.zeros([1, 2]), tf.zeros([1, 2])).dataSync()[0]!, gaussianKlStandard(m, v).dataSync()[0]!];
  });
  assert.ok(Math.abs(a! - b!) < 1e-6);
});
