import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import { VAE } from '../../src/models/vae/vae';
import { elbo, importanceWeightedBound } from '../../src/models/vae/bounds';

const LOG_2PI = Math.log(2 * Math.PI);

/** A tiny VAE with a 1-D latent, so log p(x) = log ∫ p(x|z) N(z; 0, 1) dz can be computed by quadrature. */
function tinyModel(): VAE {
  const m = new VAE({ inputDim: 6, latentDim: 1, hiddenDims: [8], activation: 'tanh', rng: seed('tiny') });
  // Sharpen the decoder so the posterior is narrow and far from the (untrained) q: a wide bound gap.
  for (const w of m.decoder.weights) w.assign(tf.tidy(() => tf.mul(w, 3)));
  return m;
}

const X = [
  [1, 0, 1, 1, 0, 0],
  [0, 1, 1, 0, 1, 1],
];

/** log p(x) by the trapezoid rule on z in [-10, 10] (the prior's mass outside is < 1e-22). */
function logMarginalByQuadrature(model: VAE, x: number[]): number {
  return tf.tidy(() => {
    const G = 8001;
    const z = tf.linspace(-10, 10, G).reshape([G, 1]);
    const dz = 20 / (G - 1);
    const logPxz = model.logLikelihood(tf.tensor1d(x), model.decodeParams(z)); // [G]
    const logPz = tf.mul(-0.5, tf.add(tf.square(z.reshape([G])), LOG_2PI));
    return tf.add(tf.logSumExp(tf.add(logPxz, logPz)), Math.log(dz)).dataSync()[0]!;
  });
}

test('K = 1: the importance weight is exactly the single-sample ELBO estimator log p(x|z) + log p(z) - log q(z|x)', () => {
  const model = tinyModel();
  const x = tf.tensor2d(X);
  const logW = tf.tidy(() => model.logImportanceWeights(x, 1, new Rng('k1')).dataSync());
  // The same ε by hand: z = z_μ + z_σ ε, then the three log densities written out in JS.
  const { mu, logVar } = model.encode(x);
  const eps = new Rng('k1').randn([1, 2, 1]);
  const muA = mu.dataSync();
  const lvA = logVar.dataSync();
  const epsA = eps.dataSync();
  for (let i = 0; i < 2; i++) {
    const z = muA[i]! + Math.exp(0.5 * lvA[i]!) * epsA[i]!;
    const logPxz = tf.tidy(() => model.logLikelihood(tf.tensor2d([X[i]!]), model.decodeParams(tf.tensor2d([[z]]))).dataSync()[0]!);
    const logPz = -0.5 * (z * z + LOG_2PI);
    const logQ = -0.5 * ((z - muA[i]!) ** 2 / Math.exp(lvA[i]!) + lvA[i]! + LOG_2PI);
    assert.ok(Math.abs(logW[i]! - (logPxz + logPz - logQ)) < 1e-4, `example ${i}: ${logW[i]} vs ${logPxz + logPz - logQ}`);
  }
  // importanceWeightedBound with K = 1 is that estimator, and its mean is the closed-form-KL ELBO.
  const R = 20000;
  const xs = tf.tidy(() => tf.tile(x, [R, 1]));
  const l1 = importanceWeightedBound(model, xs, { K: 1, rng: seed('r1') });
  const el = elbo(model, xs, { rng: seed('r2') });
  const [m1, s1, me, se] = tf.tidy(() => {
    const a = tf.moments(l1.reshape([R, 2]), 0);
    const b = tf.moments(el.reshape([R, 2]), 0);
    return [a.mean.dataSync(), tf.sqrt(tf.div(a.variance, R)).dataSync(), b.mean.dataSync(), tf.sqrt(tf.div(b.variance, R)).dataSync()];
  });
  for (let i = 0; i < 2; i++) {
    const tol = 4 * Math.hypot(s1![i]!, se![i]!);
    assert.ok(Math.abs(m1![i]! - me![i]!) < tol, `example ${i}: E[L_1] = ${m1![i]} vs ELBO ${me![i]} (tol ${tol})`);
  }
  tf.dispose([x, mu, logVar, eps, xs, l1, el]);
  model.dispose();
});

test('the importance-weighted bound increases with K towards log p(x) (quadrature) and never exceeds it in expectation', () => {
  const model = tinyModel();
  const R = 400; // independent repetitions per K
  for (let i = 0; i < X.length; i++) {
    const logPx = logMarginalByQuadrature(model, X[i]!);
    const xs = tf.tidy(() => tf.tile(tf.tensor2d([X[i]!]), [R, 1]));
    const stats = [1, 3, 10, 1000].map((K) => {
      const b = importanceWeightedBound(model, xs, { K, rng: seed(`iw${i}/${K}`) });
      const { mean, variance } = tf.moments(b);
      const out = { K, mean: mean.dataSync()[0]!, se: Math.sqrt(variance.dataSync()[0]! / R) };
      tf.dispose([b, mean, variance]);
      return out;
    });
    const analytic = tf.tidy(() => {
      const e = elbo(model, xs, { rng: seed('e'), samples: 10 });
      return e.mean().dataSync()[0]!;
    });
    const msg = `x${i}: log p(x) = ${logPx.toFixed(3)}, ELBO = ${analytic.toFixed(3)}, ` + stats.map((s) => `L_${s.K} = ${s.mean.toFixed(3)} ± ${s.se.toFixed(3)}`).join(', ');
    assert.ok(logPx - analytic > 0.5, `the test needs a real gap between ELBO and log p(x): ${msg}`);
    for (let k = 1; k < stats.length; k++) {
      const a = stats[k - 1]!;
      const b = stats[k]!;
      assert.ok(b.mean > a.mean + 3 * Math.hypot(a.se, b.se), `L_K must increase with K: ${msg}`);
    }
    for (const s of stats) assert.ok(s.mean < logPx + 3 * s.se, `L_K must stay below log p(x): ${msg}`);
    const last = stats[stats.length - 1]!;
    assert.ok(logPx - last.mean < 0.15 * (logPx - analytic), `L_1000 must close most of the gap: ${msg}`);
    xs.dispose();
  }
  model.dispose();
});
