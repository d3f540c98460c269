/**
 * The variational dense layer against oracles: finite differences for the gradient of its loss w.r.t.
 * mu and rho, a Monte Carlo estimate for the closed-form KL, and KL(q || q) = 0 when the posterior is
 * made the prior.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed, Rng } from '../../src/runtime/rng';
import { VariationalDense, type VariationalMode } from '../../src/models/bayesian/variational-dense';
import { GaussianPrior, ScaleMixturePrior } from '../../src/models/bayesian/priors';
import type { Prior } from '../../src/models/bayesian/priors';

/** A layer with spread-out mu and rho so every term of the loss matters. */
function makeLayer(prior: Prior, klMode: 'auto' | 'monte-carlo'): VariationalDense {
  const layer = new VariationalDense({ inputDim: 3, units: 2, rng: seed('vd-init'), prior, initSigma: 0.3, klMode });
  const r = seed('vd-params');
  layer.kernelRho.assign(tf.tidy(() => tf.add(-1, tf.mul(0.4, r.randn([3, 2])))));
  layer.biasMu.assign(tf.tidy(() => tf.mul(0.5, r.randn([2]))));
  layer.biasRho.assign(tf.tidy(() => tf.add(-1.5, tf.mul(0.3, r.randn([2])))));
  return layer;
}

/** Loss with a fixed eps (same Rng seed each call), so it is a deterministic function of (mu, rho). */
function lossOf(layer: VariationalDense, x: tf.Tensor2D, target: tf.Tensor, mode: VariationalMode): tf.Scalar {
  return tf.tidy(() => {
    const { y, kl } = layer.forward(x, 4, new Rng('fixed-eps'), mode);
    return tf.add(tf.mul(0.1, tf.sum(tf.square(tf.sub(y, target)))), kl) as tf.Scalar;
  });
}

function gradCheck(prior: Prior, klMode: 'auto' | 'monte-carlo', mode: VariationalMode = 'sample'): void {
  const layer = makeLayer(prior, klMode);
  const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1]]);
  const target = tf.tensor2d([[1, -1], [0.5, 2], [0, 0]]);
  const vars = layer.variables();
  const { grads } = tf.variableGrads(() => lossOf(layer, x, target, mode), vars);
  const h = 1e-2;
  let checked = 0;
  for (const v of vars) {
    const g = grads[v.name]!.dataSync();
    const base = v.dataSync().slice();
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number): number => {
        const w = base.slice();
        w[i] = base[i]! + delta;
        v.assign(tf.tensor(w, v.shape));
        const l = lossOf(layer, x, target, mode);
        const val = l.dataSync()[0]!;
        l.dispose();
        return val;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      // float32 central differences: round-off ~1e-7 * |loss| / h plus O(h^2) curvature error.
      assert.ok(Math.abs(fd - g[i]!) <= 3e-3 + 2e-2 * Math.abs(fd), `d loss / d ${['kernelMu', 'kernelRho', 'biasMu', 'biasRho'][vars.indexOf(v)]}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`);
      checked++;
    }
  }
  assert.equal(checked, 2 * (3 * 2 + 2));
  tf.dispose([x, target, ...Object.values(grads)]);
  layer.dispose();
}

test('gradient of the layer loss w.r.t. mu and rho matches finite differences (closed-form KL)', async () => {
  await tf.setBackend('cpu');
  gradCheck(new GaussianPrior({ mu: 0.2, sigma: 0.7 }), 'auto');
});

test('gradient matches finite differences with a Monte Carlo KL and a scale-mixture prior', async () => {
  await tf.setBackend('cpu');
  gradCheck(new ScaleMixturePrior({ pi: 0.4, sigma1: 1.5, sigma2: 0.3 }), 'monte-carlo');
});

test('local reparameterisation: the gradient matches finite differences too', async () => {
  await tf.setBackend('cpu');
  gradCheck(new GaussianPrior({ mu: 0.2, sigma: 0.7 }), 'auto', 'local');
});

/** Per-(example, unit) mean and variance over the S draws of y [S, B, units], and the correlation of examples 0 and 1 in unit 0. */
function moments(y: tf.Tensor3D): { mean: Float32Array; variance: Float32Array; corr01: number } {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(y, 0);
    const a = tf.squeeze(tf.slice(y, [0, 0, 0], [-1, 1, 1]));
    const b = tf.squeeze(tf.slice(y, [0, 1, 0], [-1, 1, 1]));
    const ca = tf.sub(a, tf.mean(a));
    const cb = tf.sub(b, tf.mean(b));
    const corr = tf.div(tf.mean(tf.mul(ca, cb)), tf.sqrt(tf.mul(tf.mean(tf.square(ca)), tf.mean(tf.square(cb)))));
    return { mean: mean.dataSync() as Float32Array, variance: variance.dataSync() as Float32Array, corr01: corr.dataSync()[0]! };
  });
}

test('local reparameterisation: each pre-activation has the marginal of weight sampling, examples independent', async () => {
  await tf.setBackend('cpu');
  const layer = makeLayer(new GaussianPrior(), 'auto');
  const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.3, -0.7]]);
  const S = 20000;
  // Exact marginal of y = x.W + b: N(x.mu_W + mu_b, (x^2).sigma_W^2 + sigma_b^2).
  const post = layer.posterior();
  const exactMean = tf.tidy(() => tf.add(tf.matMul(x, post.kernelMu), post.biasMu).dataSync());
  const exactVar = tf.tidy(() => tf.add(tf.matMul(tf.square(x), tf.square(post.kernelSigma)), tf.square(post.biasSigma)).dataSync());
  // The rank-3 input path (hidden layers) must agree with the shared rank-2 one.
  const x3 = tf.broadcastTo(x.expandDims(0), [S, 2, 3]);
  for (const [mode, input] of [['sample', x], ['local', x], ['local', x3]] as const) {
    const { y } = layer.forward(input, S, seed(`moments-${mode}-${input.rank}`), mode);
    const m = moments(y);
    y.dispose();
    for (let i = 0; i < exactMean.length; i++) {
      const se = Math.sqrt(exactVar[i]! / S);
      assert.ok(Math.abs(m.mean[i]! - exactMean[i]!) < 5 * se, `${mode} (rank ${input.rank}) mean [${i}]: ${m.mean[i]} vs exact ${exactMean[i]} (se ${se})`);
      // The sample variance of S normals has relative standard error sqrt(2 / S) (0.01 here).
      assert.ok(Math.abs(m.variance[i]! / exactVar[i]! - 1) < 0.05, `${mode} (rank ${input.rank}) variance [${i}]: ${m.variance[i]} vs exact ${exactVar[i]}`);
    }
    // One weight draw is shared by a minibatch in 'sample' mode, so examples are correlated; 'local' draws them apart.
    if (mode === 'sample') assert.ok(Math.abs(m.corr01) > 0.2, `weight sampling should correlate examples, corr ${m.corr01}`);
    else assert.ok(Math.abs(m.corr01) < 0.03, `local draws should be independent across examples, corr ${m.corr01}`);
  }
  tf.dispose([x, x3, post.kernelMu, post.kernelSigma, post.biasMu, post.biasSigma]);
  layer.dispose();
});

test('local reparameterisation needs a closed-form KL and says so', async () => {
  await tf.setBackend('cpu');
  const layer = makeLayer(new ScaleMixturePrior({ pi: 0.5, sigma1: 1, sigma2: 0.1 }), 'auto');
  const x = tf.tensor2d([[0.5, -1, 2]]);
  assert.throws(() => layer.forward(x, 2, seed('lrt-mc'), 'local'), /no closed-form KL.*mode 'local'.*use mode 'sample'/);
  x.dispose();
  layer.dispose();
});

test('closed-form KL agrees with the Monte Carlo estimate E_q[log q - log p]', async () => {
  await tf.setBackend('cpu');
  const prior = new GaussianPrior({ mu: 0.3, sigma: 0.8 });
  const closed = makeLayer(prior, 'auto');
  const mc = makeLayer(new GaussianPrior({ mu: 0.3, sigma: 0.8 }), 'monte-carlo');
  const x = tf.zeros([1, 3]) as tf.Tensor2D;
  const exact = tf.tidy(() => closed.forward(x, 1, seed(1)).kl.dataSync()[0]!);
  // 8 independent batches of 1,000 samples: the spread of their means gives the standard error.
  const rng = seed('kl-mc');
  const means: number[] = [];
  for (let b = 0; b < 8; b++) means.push(tf.tidy(() => mc.forward(x, 1000, rng).kl.dataSync()[0]!));
  const mean = means.reduce((a, v) => a + v, 0) / means.length;
  const sd = Math.sqrt(means.reduce((a, v) => a + (v - mean) ** 2, 0) / (means.length - 1));
  const stderr = sd / Math.sqrt(means.length);
  assert.ok(exact > 0.5, `the test layer should be far from its prior (KL ${exact})`);
  assert.ok(Math.abs(mean - exact) <= 4 * stderr + 1e-3, `closed form ${exact} vs Monte Carlo ${mean} +- ${stderr}`);
  x.dispose();
  closed.dispose();
  mc.dispose();
});

test('the posterior used as a per-weight prior has KL 0, and shape mismatches are named', async () => {
  await tf.setBackend('cpu');
  const layer = makeLayer(new GaussianPrior(), 'auto');
  const x = tf.ones([2, 3]) as tf.Tensor2D;
  const before = tf.tidy(() => layer.forward(x, 1, seed(2)).kl.dataSync()[0]!);
  assert.ok(before > 0.1);
  layer.setPrior(layer.posteriorAsPrior());
  const after = tf.tidy(() => layer.forward(x, 1, seed(2)).kl.dataSync()[0]!);
  assert.ok(Math.abs(after) < 1e-4, `KL(q || q) should be 0, got ${after}`);
  const wrong = new GaussianPrior({ mu: tf.zeros([2, 3]) });
  assert.throws(() => layer.setPrior({ kernel: wrong, bias: new GaussianPrior() }), /kernel.*shape \[2,3\].*\[3,2\]/);
  wrong.dispose();
  assert.throws(() => layer.forward(tf.ones([2, 4]), 1, seed(3)), /expected input \[B, 3\]/);
  x.dispose();
  layer.dispose();
});

test('samples are a batch dimension: S draws give S different networks, memory stays flat', async () => {
  await tf.setBackend('cpu');
  const layer = makeLayer(new GaussianPrior(), 'auto');
  const x = tf.ones([5, 3]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const { y, kl } = layer.forward(x, 7, seed(i));
    assert.deepEqual(y.shape, [7, 5, 2]);
    const v = y.arraySync() as number[][][];
    assert.notEqual(v[0]![0]![0], v[1]![0]![0], 'different samples must use different weights');
    assert.equal(v[0]![0]![0], v[0]![1]![0], 'one sample uses one weight draw for every example');
    tf.dispose([y, kl]);
  }
  assert.equal(tf.memory().numTensors, before);
  const mean = layer.forward(x, 2, seed(9), 'mean');
  const expected = tf.tidy(() => tf.add(tf.matMul(x, layer.kernelMu as tf.Tensor2D), layer.biasMu));
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(mean.y, expected))).dataSync()[0]!) < 1e-5, "mode 'mean' is the network at w = mu");
  tf.dispose([mean.y, mean.kl, expected, x]);
  const count = tf.memory().numTensors;
  layer.dispose();
  assert.equal(tf.memory().numTensors, count - 4, 'dispose frees the four variables');
});

test('scale-mixture prior log density matches the direct formula', async () => {
  await tf.setBackend('cpu');
  const p = new ScaleMixturePrior({ pi: 0.3, sigma1: 2, sigma2: 0.1 });
  const w = [-3, -0.05, 0, 0.2, 5];
  const got = tf.tidy(() => Array.from(p.logProb(tf.tensor1d(w)).dataSync()));
  const n = (x: number, s: number): number => Math.exp(-0.5 * (x / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  w.forEach((x, i) => {
    const want = Math.log(0.3 * n(x, 2) + 0.7 * n(x, 0.1));
    assert.ok(Math.abs(got[i]! - want) < 1e-4, `log p(${x}): ${got[i]} vs ${want}`);
  });
});
