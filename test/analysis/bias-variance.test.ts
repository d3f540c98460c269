import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biasVarianceDecomposition, meanSquaredError, ReluFeatureRegression } from '../../src/analysis';
import { seed } from '../../src/runtime/rng';

test('bias-variance: predictions μ + b + ε_r recover bias² = b² and variance = Var ε exactly', () => {
  const mu = [0.5, -1, 2, 0];
  // Four refits whose deviations from μ + b are ±s with mean 0 at every input.
  const b = 0.3;
  const s = 0.2;
  const signs = [[1, -1, 1, -1], [-1, 1, -1, 1], [1, 1, -1, -1], [-1, -1, 1, 1]];
  const preds = signs.map((row) => mu.map((m, i) => m + b + s * row[i]!));
  const d = biasVarianceDecomposition(preds, mu, 0.25);
  assert.ok(Math.abs(d.bias2 - b * b) < 1e-15);
  assert.ok(Math.abs(d.variance - s * s) < 1e-15);
  assert.ok(Math.abs(d.total - (b * b + s * s + 0.25)) < 1e-15);
  assert.ok(Math.abs(d.meanSquaredDeviation - (d.bias2 + d.variance)) < 1e-15);
  assert.throws(() => biasVarianceDecomposition([mu], mu, 0), /at least 2 refits/);
  assert.throws(() => biasVarianceDecomposition([mu, [1]], mu, 0), /4 predictions/);
});

test('bias-variance: refitting a line on many noisy training sets, the terms add up to the measured test error', () => {
  // Known answer: least-squares line fitted to a quadratic; noise σ² = 0.04. With 2000 refits the
  // measured error (fresh noisy targets) matches bias² + variance + σ² within its Monte Carlo error.
  const rng = seed('bv');
  const f = (x: number): number => x * x;
  const xs = Array.from({ length: 10 }, (_v, i) => -1 + (2 * i) / 9);
  const xt = Array.from({ length: 21 }, (_v, i) => -1 + i / 10);
  const sigma = 0.2;
  const preds: number[][] = [];
  const targets: number[][] = [];
  for (let r = 0; r < 2000; r++) {
    const ys = xs.map((x) => f(x) + sigma * rng.normal());
    const model = new ReluFeatureRegression([[1]], [10]).fit(xs, ys); // ReLU(x + 10) = x + 10 on [-1, 1]: a line
    preds.push(model.predict(xt));
    targets.push(xt.map((x) => f(x) + sigma * rng.normal()));
  }
  const d = biasVarianceDecomposition(preds, xt.map(f), sigma * sigma);
  const measured = meanSquaredError(preds, targets);
  // Bias of the best line to x² on this design: the fitted line is the constant mean of x² (by symmetry).
  const c = xs.reduce((s, x) => s + x * x, 0) / xs.length;
  const bias2 = xt.reduce((s, x) => s + (c - x * x) ** 2, 0) / xt.length;
  assert.ok(Math.abs(d.bias2 - bias2) < 2e-3, `bias² ${d.bias2} vs ${bias2}`);
  // Variance of a least-squares line at x: σ²(1/n + x²/Σx_i²), averaged over the test inputs.
  const sxx = xs.reduce((s, x) => s + x * x, 0);
  const variance = xt.reduce((s, x) => s + sigma ** 2 * (1 / xs.length + (x * x) / sxx), 0) / xt.length;
  assert.ok(Math.abs(d.variance - variance) < 0.1 * variance, `variance ${d.variance} vs ${variance}`);
  assert.ok(Math.abs(measured - d.total) < 0.03 * d.total, `measured ${measured} vs bias² + variance + noise ${d.total}`);
});
