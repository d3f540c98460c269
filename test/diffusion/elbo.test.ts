import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { EmpiricalOracle, GaussianOracle, NoiseSchedule, elbo, sample } from '../../src/models/diffusion';
import { initBackend } from '../../src/runtime/backend';
import { seed } from '../../src/runtime/rng';
import { zeroPredictor } from './helpers';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

test('ELBO of Gaussian data under the optimal predictor: an upper bound on the exact NLL, and close to it', async () => {
  // x ~ N(m, diag(s^2)): the exact mean NLL is the entropy sum_j 1/2 log(2 pi e s_j^2).
  const s = NoiseSchedule.linear({ T: 1000 });
  const mean = [0.5, -0.3];
  const std = [0.4, 0.8];
  const oracle = new GaussianOracle(s, mean, std);
  const rng = seed('elbo-gauss');
  const n = 2000;
  const x = tf.tidy(() => tf.add(tf.mul(rng.randn([n, 2]), tf.tensor2d([std])), tf.tensor2d([mean]))) as tf.Tensor2D;
  // The exact -log p(x_i) of each drawn point, to pair with the bound (pairing removes the sampling noise of x).
  const xs = x.arraySync() as number[][];
  const nll = xs.map((row) => row.reduce((a, v, j) => a + 0.5 * Math.log(2 * Math.PI * std[j]! ** 2) + (v - mean[j]!) ** 2 / (2 * std[j]! ** 2), 0));
  const gaps: Record<string, number> = {};
  const before = tf.memory().numTensors;
  for (const sigma of ['beta', 'posterior'] as const) {
    const r = await elbo(oracle, s, x, { rng: rng.fork(sigma), sigma });
    assert.ok(Math.abs(r.prior + r.diffusion + r.reconstruction - r.nats) < 1e-3);
    const gap = Array.from(r.perExample, (v, i) => v - nll[i]!);
    const g = gap.reduce((a, v) => a + v, 0) / n;
    const se = Math.sqrt(gap.reduce((a, v) => a + (v - g) ** 2, 0) / (n - 1) / n);
    // An upper bound: the mean gap may only dip below 0 by Monte Carlo noise (3 standard errors).
    assert.ok(g > -3 * se, `${sigma}: bound ${r.nats} below the exact NLL by ${-g} (se ${se})`);
    gaps[sigma] = g;
    assert.equal(r.perStep.length, 1000);
    assert.equal(r.perExample.length, n);
  }
  assert.equal(tf.memory().numTensors, before, 'elbo leaks no tensors');
  // With sigma_t^2 = beta_t (the true reverse variance for spread-out data, at small t) the bound is tight;
  // sigma_t^2 = beta~_t underestimates the early reverse variances and pays for it (about a nat here).
  assert.ok(gaps['beta']! < 0.1, `beta gap ${gaps['beta']}`);
  assert.ok(gaps['posterior']! > gaps['beta']!);
  // The prior term for these x, in closed form: 1/2 sum_j (aT x_j^2 + (1 - aT) - 1 - log(1 - aT)).
  const aT = s.alpha[1000]!;
  const prior = xs.reduce((acc, row) => acc + row.reduce((a, v) => a + 0.5 * (aT * v * v - aT - Math.log(1 - aT)), 0), 0) / n;
  const r0 = await elbo(zeroPredictor, s, x, { rng: rng.fork('zero') });
  assert.ok(Math.abs(r0.prior - prior) < 1e-6, `${r0.prior} vs ${prior}`);
  assert.ok(r0.nats > 10, 'the zero predictor has a far worse bound');
  x.dispose();
});
