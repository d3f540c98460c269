import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule, posterior, posteriorCoefficients } from '../../src/models/diffusion';

const logNormal = (z: number, m: number, v: number): number => -((z - m) ** 2) / (2 * v) - 0.5 * Math.log(2 * Math.PI * v);

/**
 * Oracle: Bayes' rule done numerically in 1-D. q(z_{t-1} | z_t, x) ∝ q(z_t | z_{t-1}) q(z_{t-1} | x), evaluated
 * (in log space, shifted by its maximum) on a grid of step 1e-3 of the narrower factor's std spanning both
 * factors' centres ± 12 std, normalised by quadrature; mean and variance by quadrature too. For this smooth
 * integrand the quadrature error is far below the tolerances used.
 */
function numericPosterior(s: NoiseSchedule, t: number, x: number, zt: number): { mean: number; variance: number } {
  const b = s.beta[t]!;
  const aPrev = s.alpha[t - 1]!;
  const priorMean = Math.sqrt(aPrev) * x;
  const priorVar = 1 - aPrev;
  const likMean = zt / Math.sqrt(1 - b); // q(z_t | z_{t-1}) as a function of z_{t-1}: centred here
  const likVar = b / (1 - b);
  const sd = Math.sqrt(Math.min(priorVar, likVar));
  const lo = Math.min(priorMean - 12 * Math.sqrt(priorVar), likMean - 12 * Math.sqrt(likVar));
  const hi = Math.max(priorMean + 12 * Math.sqrt(priorVar), likMean + 12 * Math.sqrt(likVar));
  const h = sd * 1e-3;
  const logw = (z: number): number => logNormal(zt, Math.sqrt(1 - b) * z, b) + logNormal(z, priorMean, priorVar);
  let max = -Infinity;
  for (let z = lo; z <= hi; z += h) max = Math.max(max, logw(z));
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  for (let z = lo; z <= hi; z += h) {
    const w = Math.exp(logw(z) - max);
    m0 += w;
    m1 += w * z;
    m2 += w * z * z;
  }
  const mean = m1 / m0;
  return { mean, variance: m2 / m0 - mean * mean };
}

test('posterior q(z_{t-1} | z_t, x): mean and variance match Bayes rule computed numerically', () => {
  // A small-beta schedule and a few-step, large-beta one.
  for (const s of [NoiseSchedule.linear({ T: 1000 }), NoiseSchedule.linear({ T: 5, betaStart: 0.2, betaEnd: 0.6 })]) {
    for (const t of s.T === 5 ? [2, 3, 5] : [2, 10, 500, 1000]) {
      for (const [x, zt] of [[0.8, 0.3], [-1.2, 1.5]] as const) {
        const want = numericPosterior(s, t, x, zt);
        const { cx, cz, variance } = posteriorCoefficients(s, t);
        const scale = Math.max(want.variance, 1e-6);
        assert.ok(Math.abs(cx * x + cz * zt - want.mean) < 1e-4 * Math.sqrt(scale) + 1e-7, `T=${s.T} t=${t}: mean ${cx * x + cz * zt} vs ${want.mean}`);
        assert.ok(Math.abs(variance - want.variance) < 1e-3 * scale, `T=${s.T} t=${t}: var ${variance} vs ${want.variance}`);
      }
    }
  }
});

test('posterior on tensors applies the coefficients row-wise; at t = 1 it is the point x', () => {
  const s = NoiseSchedule.linear({ T: 10, betaStart: 0.05, betaEnd: 0.2 });
  const x = tf.tensor2d([[1, -2]]);
  const zt = tf.tensor2d([[0.5, 0.25]]);
  const { mean, variance } = posterior(s, x, zt, 4);
  const c = posteriorCoefficients(s, 4);
  const m = mean.dataSync();
  assert.ok(Math.abs(m[0]! - (c.cx * 1 + c.cz * 0.5)) < 1e-6);
  assert.ok(Math.abs(m[1]! - (c.cx * -2 + c.cz * 0.25)) < 1e-6);
  assert.equal(variance, s.posteriorVariance(4));
  const one = posteriorCoefficients(s, 1);
  assert.ok(Math.abs(one.cx - 1) < 1e-12 && one.cz === 0 && one.variance === 0);
  assert.throws(() => posterior(s, x, tf.tensor2d([[1, 2, 3]]), 2), /must match/);
  tf.dispose([x, zt, mean]);
});
