import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { EmpiricalOracle, GaussianOracle, NoiseSchedule, noiseLoss, sample } from '../../src/models/diffusion';
import { initBackend } from '../../src/runtime/backend';
import { seed } from '../../src/runtime/rng';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

test('empirical oracle: for one data point, E[eps | z_t] = (z_t - sqrt(alpha_t) x) / sqrt(1 - alpha_t) exactly', () => {
  const s = NoiseSchedule.linear({ T: 100, betaStart: 1e-3, betaEnd: 0.05 });
  const oracle = new EmpiricalOracle(s, tf.tensor2d([[0.3, -0.2]]));
  const z = tf.tensor2d([[1, 1], [-0.5, 0.2]]);
  for (const t of [1, 30, 100]) {
    const a = s.alpha[t]!;
    const got = oracle.predict(z, t).arraySync() as number[][];
    const zs = z.arraySync() as number[][];
    zs.forEach((row, i) => row.forEach((v, j) => {
      const want = (v - Math.sqrt(a) * [0.3, -0.2][j]!) / Math.sqrt(1 - a);
      assert.ok(Math.abs(got[i]![j]! - want) < 1e-3 * Math.max(1, Math.abs(want)), `t=${t}: ${got[i]![j]} vs ${want}`);
    }));
  }
  oracle.dispose();
  z.dispose();
});

test('empirical oracle: many small steps reproduce the training points (memorisation); a few large steps cannot', async () => {
  const points = tf.tensor2d([[-1, 0], [1, 0], [0, 1.5]]);
  const dist = (x: tf.Tensor): number =>
    tf.tidy(() => {
      const d = tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(points, 0))), 2);
      return tf.mean(tf.sqrt(tf.min(d, 1))).dataSync()[0]!;
    });
  const fine = NoiseSchedule.linear({ T: 1000 });
  const o1 = new EmpiricalOracle(fine, points);
  const r1 = await sample(o1, fine, { n: 500, dim: 2, rng: seed('mem') });
  // With beta_1 = 1e-4 the last steps add noise of std ~0.01: samples sit within a few hundredths of a point.
  assert.ok(dist(r1.x) < 0.05, `fine: mean distance to the nearest training point ${dist(r1.x)}`);
  // T = 4 steps reaching a similar alpha_T: the reverse steps are Gaussian, q(z_{t-1} | z_t) is far from it.
  const coarse = new NoiseSchedule([0.3, 0.6, 0.9, 0.999]);
  const o2 = new EmpiricalOracle(coarse, points);
  const r2 = await sample(o2, coarse, { n: 500, dim: 2, rng: seed('mem') });
  assert.ok(dist(r2.x) > 4 * dist(r1.x), `coarse: ${dist(r2.x)} vs fine ${dist(r1.x)}`);
  tf.dispose([points]);
  r1.dispose();
  r2.dispose();
  o1.dispose();
  o2.dispose();
});

test('the closed-form predictors minimise the loss: perturbing the Gaussian oracle raises it', () => {
  const s = NoiseSchedule.linear({ T: 1000 });
  const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([20000, 2], 0, 1, 'float32', 3), 0.5), 1));
  const best = noiseLoss(new GaussianOracle(s, [1, 1], [0.5, 0.5]), s, x, seed('l')).dataSync()[0]!;
  const off = noiseLoss(new GaussianOracle(s, [1.3, 1], [0.5, 0.5]), s, x, seed('l')).dataSync()[0]!;
  const wide = noiseLoss(new GaussianOracle(s, [1, 1], [0.9, 0.9]), s, x, seed('l')).dataSync()[0]!;
  assert.ok(best < off && best < wide, `${best} ${off} ${wide}`);
  x.dispose();
});
