/**
 * Strided sampling (DDIM, and DDPM on a subsequence): with η = 1 and every step it is the ancestral step with
 * the posterior variance (DDPM eq. 6-7); the step keeps q(z_s | x) exact given the true noise; with the exact
 * predictor for Gaussian data, 50 deterministic steps return the data's mean and variance; leaks and errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GaussianOracle, NoiseSchedule, sampleStrided, stridedCoefficients, stridedSteps, posteriorCoefficients } from '../../src/models/diffusion';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { moments } from './helpers';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

test('stridedSteps spreads S steps over 1..T and ends at T', () => {
  assert.deepEqual(stridedSteps(1000, 5), [1, 251, 501, 750, 1000]);
  assert.deepEqual(stridedSteps(10, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(stridedSteps(1000, 1), [1000]);
  assert.throws(() => stridedSteps(100, 101), /S must be an integer in 1..100/);
});

test('eta = 1 with every step is the DDPM step with the posterior variance: same mean coefficients and sigma', () => {
  // DDPM: mean = (z_t - beta_t / sqrt(1 - alpha_t) eps) / sqrt(1 - beta_t), variance beta~_t.
  // Strided: z_s = sqrt(alpha_s) x^ + ce eps, x^ = (z_t - sqrt(1 - alpha_t) eps) / sqrt(alpha_t). Compare the
  // coefficients of z_t and of eps in the mean, and sigma, for several t.
  const s = NoiseSchedule.linear({ T: 1000 });
  for (const t of [2, 10, 300, 999, 1000]) {
    const { cx, ce, sigma } = stridedCoefficients(s, t, t - 1, 1);
    const at = s.alpha[t]!, b = s.beta[t]!;
    const zCoef = cx / Math.sqrt(at);
    const epsCoef = -cx * Math.sqrt(1 - at) / Math.sqrt(at) + ce;
    assert.ok(Math.abs(zCoef - 1 / Math.sqrt(1 - b)) < 1e-9, `t ${t}: z coefficient ${zCoef}`);
    assert.ok(Math.abs(epsCoef - -b / Math.sqrt(1 - at) / Math.sqrt(1 - b)) < 1e-9, `t ${t}: eps coefficient ${epsCoef}`);
    assert.ok(Math.abs(sigma ** 2 - s.posteriorVariance(t)) < 1e-12, `t ${t}: sigma^2 ${sigma ** 2} vs ${s.posteriorVariance(t)}`);
  }
  // The same mean through the posterior's own coefficients q(z_{t-1} | z_t, x) with x = x^.
  const t = 400;
  const pc = posteriorCoefficients(s, t);
  const { cx, ce } = stridedCoefficients(s, t, t - 1, 1);
  const at = s.alpha[t]!;
  // x^ = (z - sqrt(1-at) e)/sqrt(at): pc.x x^ + pc.z z against cx x^ + ce e, for z = 0.7, e = -1.3.
  const z = 0.7, e = -1.3, xh = (z - Math.sqrt(1 - at) * e) / Math.sqrt(at);
  assert.ok(Math.abs(pc.cx * xh + pc.cz * z - (cx * xh + ce * e)) < 1e-9);
});

test('a strided step keeps the marginal: with x known and eps the true noise, z_s has mean sqrt(alpha_s) x and variance 1 - alpha_s', () => {
  const s = NoiseSchedule.linear({ T: 1000 });
  for (const eta of [0, 0.5, 1]) {
    const { cx, ce, sigma } = stridedCoefficients(s, 800, 200, eta);
    // z_s = cx x + ce eps + sigma eps' with independent eps, eps': variance ce^2 + sigma^2.
    assert.ok(Math.abs(cx - Math.sqrt(s.alpha[200]!)) < 1e-12);
    assert.ok(Math.abs(ce ** 2 + sigma ** 2 - (1 - s.alpha[200]!)) < 1e-12, `eta ${eta}`);
  }
  assert.equal(stridedCoefficients(s, 50, 0, 1).sigma, 0, 'the last step to s = 0 adds no noise');
});

/**
 * Exact predictor for x ~ N(m, diag(s^2)): 200 deterministic DDIM steps and all 1,000 ancestral (eta = 1)
 * steps must return the data's moments. n = 20,000: standard errors <= 0.011 (mean) and 1% (variance). Coarse
 * steps shrink the variance (measured for s = 0.5: 25% low with 20 steps, 10% with 50, 2% with 200, 0.0% with
 * 1,000), so tolerances 0.05 and 6%; a sampler with a wrong coefficient misses by far more (dropping the ce
 * term gives a variance near 0).
 */
test('with the exact predictor for Gaussian data, strided sampling returns the data mean and variance, without leaks', async () => {
  const s = NoiseSchedule.linear({ T: 1000 });
  const mean = [0.7, -1.5];
  const std = [0.5, 1.6];
  const oracle = new GaussianOracle(s, mean, std);
  for (const [eta, steps] of [[0, 200], [1, 1000]] as const) {
    const before = tf.memory().numTensors;
    const x = await sampleStrided(oracle, s, { n: 20000, dim: 2, rng: seed(`ddim-${eta}`), steps, eta, batchSize: 8000 });
    assert.deepEqual(x.shape, [20000, 2]);
    const m = moments(x);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(m.mean[j]! - mean[j]!) < 0.05, `eta ${eta}: mean[${j}] ${m.mean[j]} vs ${mean[j]}`);
      assert.ok(Math.abs(m.variance[j]! / std[j]! ** 2 - 1) < 0.06, `eta ${eta}: variance[${j}] ${m.variance[j]} vs ${std[j]! ** 2}`);
    }
    x.dispose();
    assert.equal(tf.memory().numTensors, before, 'no leaks');
  }
});

test('eta = 0 is deterministic given z_T; clipping keeps samples in range; clear errors', async () => {
  const s = NoiseSchedule.linear({ T: 100 });
  const oracle = new GaussianOracle(s, [3], [2]);
  const a = await sampleStrided(oracle, s, { n: 500, dim: 1, rng: seed('det'), steps: 20 });
  const b = await sampleStrided(oracle, s, { n: 500, dim: 1, rng: seed('det'), steps: 20 });
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  const c = await sampleStrided(oracle, s, { n: 500, dim: 1, rng: seed('det'), steps: 20, clip: [-1, 1] });
  const cv = c.dataSync();
  assert.ok(cv.every((v) => v >= -1 - 1e-5 && v <= 1 + 1e-5), 'clipped');
  assert.ok(a.dataSync().some((v) => v > 2), 'unclipped samples of N(3, 4) exceed 1');
  tf.dispose([a, b, c]);
  await assert.rejects(sampleStrided(oracle, s, { n: 5, dim: 1, rng: seed('e'), steps: [10, 5] }), /steps must be increasing integers in 1..100/);
  await assert.rejects(sampleStrided(oracle, s, { n: 5, dim: 1, rng: seed('e'), steps: 10, eta: -1 }), /eta must be >= 0/);
  await assert.rejects(sampleStrided(oracle, s, { n: 5, dim: 1, rng: seed('e'), steps: 10, clip: [1, -1] }), /clip must be \[lo, hi\]/);
});
