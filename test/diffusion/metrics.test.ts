import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fitGaussian, kdeLogDensity, kdeNll, medianDistance, mmd2, sampleGaussian } from '../../src/models/diffusion';
import { seed } from '../../src/runtime/rng';
import { moments } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

/** log N(y; m, H) in 2-D, written out (float64). */
function logGauss2(y: number[], m: number[], H: number[][]): number {
  const [a, b, c, d] = [H[0]![0]!, H[0]![1]!, H[1]![0]!, H[1]![1]!];
  const det = a * d - b * c;
  const u = y[0]! - m[0]!;
  const v = y[1]! - m[1]!;
  const q = (d * u * u - (b + c) * u * v + a * v * v) / det;
  return -0.5 * q - Math.log(2 * Math.PI) - 0.5 * Math.log(det);
}

test('a KDE of a single point with kernel covariance H is the Gaussian density N(y; point, H)', () => {
  const H = [[0.5, 0.2], [0.2, 0.3]];
  const pts = [[0, 0], [1, -0.5], [2.5, 3]];
  const got = kdeLogDensity(tf.tensor2d(pts), tf.tensor2d([[0.3, -0.1]]), { kernelCov: H }).dataSync();
  pts.forEach((y, i) => assert.ok(Math.abs(got[i]! - logGauss2(y, [0.3, -0.1], H)) < 1e-4, `${got[i]} vs ${logGauss2(y, [0.3, -0.1], H)}`));
});

test("Scott's-rule KDE equals the sum over kernels written out (scipy.stats.gaussian_kde convention)", () => {
  const rng = seed('kde');
  const samples = tf.tidy(() => tf.matMul(rng.randn([300, 2]) as tf.Tensor2D, tf.tensor2d([[1, 0.5], [0, 0.4]])));
  const s = samples.arraySync() as number[][];
  const n = s.length;
  const mx = s.reduce((a, r) => a + r[0]!, 0) / n;
  const my = s.reduce((a, r) => a + r[1]!, 0) / n;
  let cxx = 0;
  let cxy = 0;
  let cyy = 0;
  for (const r of s) {
    cxx += (r[0]! - mx) ** 2;
    cxy += (r[0]! - mx) * (r[1]! - my);
    cyy += (r[1]! - my) ** 2;
  }
  const f2 = Math.pow(n, -2 / 6); // Scott: factor n^(-1/(d+4)), squared, d = 2
  const H = [[(f2 * cxx) / (n - 1), (f2 * cxy) / (n - 1)], [(f2 * cxy) / (n - 1), (f2 * cyy) / (n - 1)]];
  const queries = [[0, 0], [1, 1], [-2, 0.3], [4, -4]];
  const got = kdeLogDensity(tf.tensor2d(queries), samples).dataSync();
  queries.forEach((y, i) => {
    const logs = s.map((x) => logGauss2(y, x, H));
    const max = Math.max(...logs);
    const want = max + Math.log(logs.reduce((a, l) => a + Math.exp(l - max), 0) / n);
    assert.ok(Math.abs(got[i]! - want) < 1e-3, `query ${i}: ${got[i]} vs ${want}`);
  });
  const nll = kdeNll(tf.tensor2d(queries), samples);
  assert.ok(Math.abs(nll + Array.from(got).reduce((a, v) => a + v, 0) / 4) < 1e-4);
  samples.dispose();
});

test('MMD: the biased (V) estimator is 0 for identical samples; the unbiased (U) one equals its formula', () => {
  const x = tf.randomNormal([50, 2], 0, 1, 'float32', 11);
  const h = 0.7;
  const b = mmd2(x, x, { bandwidth: h, estimator: 'biased' });
  assert.ok(Math.abs(b.mmd2) < 1e-6, `biased ${b.mmd2}`);
  // For X = Y: MMD^2_u = 2 (S - n) / (n (n - 1)) - 2 S / n^2 with S = sum_{i,j} k(x_i, x_j), enumerated here.
  const pts = x.arraySync() as number[][];
  const n = pts.length;
  let S = 0;
  for (const p of pts) for (const q of pts) S += Math.exp(-((p[0]! - q[0]!) ** 2 + (p[1]! - q[1]!) ** 2) / (2 * h * h));
  const u = mmd2(x, x, { bandwidth: h });
  const want = (2 * (S - n)) / (n * (n - 1)) - (2 * S) / (n * n);
  assert.ok(Math.abs(u.mmd2 - want) < 1e-5, `unbiased ${u.mmd2} vs ${want}`);
  assert.ok(u.mmd2 < 0);
  x.dispose();
});

test('MMD^2 between two Gaussians: the unbiased estimate matches the closed form', () => {
  // x ~ N(0, sx^2 I), y ~ N(mu, sy^2 I) in d = 2, kernel exp(-r^2 / (2 h^2)):
  // E k = (h^2 / (h^2 + v))^(d/2) exp(-|dm|^2 / (2 (h^2 + v))), v = the sum of the two variances.
  const h = 1;
  const sx = 1;
  const sy = 1.5;
  const mu = [1, 0];
  const ek = (v: number, dm2: number): number => (h * h) / (h * h + v) * Math.exp(-dm2 / (2 * (h * h + v)));
  const want = ek(2 * sx * sx, 0) + ek(2 * sy * sy, 0) - 2 * ek(sx * sx + sy * sy, 1);
  const rng = seed('mmd-gauss');
  const n = 3000;
  const x = tf.tidy(() => tf.mul(rng.randn([n, 2]), sx));
  const y = tf.tidy(() => tf.add(tf.mul(rng.randn([n, 2]), sy), tf.tensor2d([mu])));
  const got = mmd2(x, y, { bandwidth: h }).mmd2;
  // The U-statistic's standard deviation here is about 0.002 (n = 3000); allow 0.008.
  assert.ok(Math.abs(got - want) < 0.008, `${got} vs ${want}`);
  assert.ok(want > 0.05);
  tf.dispose([x, y]);
});

test('median heuristic = median of the pairwise distances in the pooled sample (enumerated)', () => {
  const a = [[0, 0], [1, 0], [0, 2]];
  const b = [[3, 1], [-1, -1]];
  const pooled = [...a, ...b];
  const dists: number[] = [];
  for (let i = 0; i < pooled.length; i++) for (let j = i + 1; j < pooled.length; j++) dists.push(Math.hypot(pooled[i]![0]! - pooled[j]![0]!, pooled[i]![1]! - pooled[j]![1]!));
  dists.sort((p, q) => p - q);
  const want = (dists[4]! + dists[5]!) / 2; // 10 pairs
  assert.ok(Math.abs(medianDistance(tf.tensor2d(a), tf.tensor2d(b)) - want) < 1e-5);
  const r = mmd2(tf.tensor2d(a), tf.tensor2d(b), { bandwidthScale: 0.25 });
  assert.ok(Math.abs(r.bandwidth - want / 4) < 1e-5);
});

test('the one-Gaussian floor: samples reproduce the fitted mean and covariance', () => {
  const rng = seed('floor');
  const data = tf.tidy(() => tf.add(tf.matMul(rng.randn([4000, 2]) as tf.Tensor2D, tf.tensor2d([[1, 0.8], [0, 0.6]])), tf.tensor2d([[2, -1]])));
  const fit = fitGaussian(data);
  const s = sampleGaussian(fit, 20000, rng.fork('draw'));
  const again = fitGaussian(s);
  const m = moments(s);
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(m.mean[j]! - fit.mean[j]!) < 0.05);
  for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) assert.ok(Math.abs(again.cov[j]![k]! - fit.cov[j]![k]!) < 0.06, `cov ${j}${k}`);
  tf.dispose([data, s]);
});
