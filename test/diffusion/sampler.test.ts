import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GaussianOracle, NoiseSchedule, noiseLoss, reverseSigma, sample } from '../../src/models/diffusion';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { moments, zeroPredictor } from './helpers';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

/**
 * With data x ~ N(m, diag(s^2)) the optimal noise predictor E[eps | z_t] has a closed form (GaussianOracle).
 * Plugged into ancestral sampling with T = 1000 small steps, the samples must have the data's mean and
 * variance. Tolerance: n = 20,000 samples give standard errors s/sqrt(n) <= 0.011 for the mean and
 * s^2 sqrt(2/n) (1% relative) for the variance; the discretisation of the reverse process adds a bias of
 * order beta_t (<= 2%) to the variance. We allow 0.04 on the mean and 6% on the variance; a sampler with
 * a wrong coefficient (e.g. sqrt(alpha_t) for sqrt(1 - beta_t)) or missing noise misses by far more.
 */
test('the optimal predictor for Gaussian data, plugged into the sampler, returns the data mean and variance', async () => {
  const s = NoiseSchedule.linear({ T: 1000 });
  const mean = [0.7, -1.5];
  const std = [0.5, 1.6];
  const oracle = new GaussianOracle(s, mean, std);
  for (const sigma of ['beta', 'posterior'] as const) {
    const before = tf.memory().numTensors;
    const r = await sample(oracle, s, { n: 20000, dim: 2, rng: seed(`gauss-${sigma}`), sigma, keep: [1000, 500], paths: 3 });
    const m = moments(r.x);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(m.mean[j]! - mean[j]!) < 0.04, `${sigma}: mean[${j}] ${m.mean[j]} vs ${mean[j]}`);
      const ratio = m.variance[j]! / std[j]! ** 2;
      assert.ok(Math.abs(ratio - 1) < 0.06, `${sigma}: variance[${j}] ${m.variance[j]} vs ${std[j]! ** 2}`);
    }
    // The starting frame is N(0, I); the paths run from z_T (index 0) to the samples (index T).
    const start = moments(r.frames.get(1000)!);
    assert.ok(Math.abs(start.variance[0]! - 1) < 0.05);
    assert.deepEqual(r.paths!.shape, [1001, 3, 2]);
    const last = tf.tidy(() => tf.sub(r.paths!.slice([1000, 0, 0], [1, 3, 2]).reshape([3, 2]), r.x.slice([0, 0], [3, 2])).abs().max().dataSync()[0]!);
    assert.equal(last, 0);
    r.dispose();
    assert.equal(tf.memory().numTensors, before, 'sampling leaks no tensors');
  }
});

test('the expected loss of the predictor that always answers 0 equals the data dimension D', () => {
  // E ||0 - eps||^2 = E chi^2_D = D whatever x and t. n = 50,000 rows: standard error sqrt(2D/n) = 0.015 for D = 3.
  const s = NoiseSchedule.linear({ T: 1000 });
  const x = tf.tidy(() => tf.mul(tf.randomNormal([50000, 3], 0, 1, 'float32', 7), 3));
  const loss = noiseLoss(zeroPredictor, s, x, seed('zero'));
  const v = loss.dataSync()[0]!;
  assert.ok(Math.abs(v - 3) < 0.075, `zero-predictor loss ${v}`);
  // The optimal predictor does much better on data from its Gaussian: its loss is E Var(eps | z_t) < D.
  const oracle = new GaussianOracle(s, [0, 0, 0], [3, 3, 3]);
  const lo = noiseLoss(oracle, s, x, seed('zero')).dataSync()[0]!;
  assert.ok(lo < 0.5 * v, `oracle loss ${lo}`);
  tf.dispose([x, loss]);
});

test('sigma choices: beta gives sqrt(beta_t), posterior gives sqrt(beta~_t) and keeps beta_1 at t = 1', () => {
  const s = NoiseSchedule.linear({ T: 10, betaStart: 0.01, betaEnd: 0.1 });
  assert.equal(reverseSigma(s, 5, 'beta'), Math.sqrt(s.beta[5]!));
  assert.equal(reverseSigma(s, 5, 'posterior'), Math.sqrt(s.posteriorVariance(5)));
  assert.equal(reverseSigma(s, 1, 'posterior'), Math.sqrt(s.beta[1]!));
  assert.equal(reverseSigma(s, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 3);
  assert.throws(() => reverseSigma(s, 3, [1, 2]), /2 sigma values for T = 10/);
});
