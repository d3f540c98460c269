import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquares, linearRegions1d, ReluFeatureRegression } from '../../src/analysis';
import { evaluateDense } from '../../src/nn';
import { seed } from '../../src/runtime/rng';

test('least squares: P < N solves the normal equations; P > N interpolates with the smallest norm', () => {
  const rng = seed('ls');
  const phi = Array.from({ length: 8 }, () => Array.from({ length: 3 }, () => rng.normal()));
  const y = phi.map(() => rng.normal());
  const sol = leastSquares(phi, y);
  // Normal equations: Φᵀ(Φφ - y) = 0.
  const resid = phi.map((row, i) => row.reduce((s, v, p) => s + v * sol[p]!, 0) - y[i]!);
  for (let p = 0; p < 3; p++) assert.ok(Math.abs(phi.reduce((s, row, i) => s + row[p]! * resid[i]!, 0)) < 1e-10);
  // Wide: interpolates, and adding any null-space direction makes the norm larger.
  const wide = Array.from({ length: 4 }, () => Array.from({ length: 9 }, () => rng.normal()));
  const yw = wide.map(() => rng.normal());
  const mn = leastSquares(wide, yw);
  wide.forEach((row, i) => assert.ok(Math.abs(row.reduce((s, v, p) => s + v * mn[p]!, 0) - yw[i]!) < 1e-9));
  // The minimum-norm solution lies in the row space: it is Φᵀa for some a, i.e. orthogonal to the null space.
  const ridge = leastSquares(wide, yw, 1e-9);
  mn.forEach((v, p) => assert.ok(Math.abs(v - ridge[p]!) < 1e-6, 'min-norm = ridge limit λ → 0'));
});

test('ReluFeatureRegression: evenly spaced joints approximate a smooth target with error falling like 1/D²', () => {
  const f = (x: number): number => Math.sin(3 * x) + 0.3 * x * x;
  const xs = Array.from({ length: 400 }, (_v, i) => -2 + (4 * (i + 0.5)) / 400);
  const err = (D: number): number => {
    const m = ReluFeatureRegression.evenlySpaced(D, [-2, 2]).fit(xs, xs.map(f));
    return Math.sqrt(m.predict(xs).reduce((s, v, i) => s + (v - f(xs[i]!)) ** 2, 0) / xs.length);
  };
  const e8 = err(8);
  const e32 = err(32);
  // Piecewise-linear approximation: error ∝ h² ∝ 1/D², so 4x the joints gives about 16x less error.
  assert.ok(e8 / e32 > 12 && e8 / e32 < 20, `error ratio ${e8 / e32}`);
  // As a dense network: the same function, and D regions (the first joint sits on the left end).
  const m = ReluFeatureRegression.evenlySpaced(6, [-2, 2]).fit(xs, xs.map(f));
  const net = m.toDense();
  [-1.9, -0.3, 1.7].forEach((x) => assert.ok(Math.abs(evaluateDense(net, [x])[0]! - m.predict([x])[0]!) < 1e-12));
  assert.equal(linearRegions1d(net, [-2, 2]).count, 6);
  const g = ReluFeatureRegression.randomGaussian(5, 3, seed('g'));
  assert.equal(g.features([[1, 2, 3]])[0]!.length, 6);
  assert.throws(() => g.features([[1, 2]]), /3 values/);
  assert.throws(() => m.fit([1, 2], [1]), /as many targets/);
});
