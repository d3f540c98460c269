import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, invertLower, meanAndCovariance, solveLower } from '../../src/math';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('meanAndCovariance: column means and the (n - 1)- or n-normalised covariance', () => {
  // Rows (1, 2), (3, 0), (5, 4): means (3, 2); centred (-2, 0), (0, -2), (2, 2).
  const values = [1, 2, 3, 0, 5, 4];
  const unbiased = meanAndCovariance(values, 3, 2);
  assert.deepEqual(unbiased.mean, [3, 2]);
  // Sums of products: xx = 8, xy = 4, yy = 8.
  assert.deepEqual(unbiased.cov, [[4, 2], [2, 4]]);
  const ml = meanAndCovariance(values, 3, 2, 'n');
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) close(ml.cov[a]![b]!, [[8, 4], [4, 8]][a]![b]! / 3, 1e-15, `ml cov ${a}${b}`);
  assert.throws(() => meanAndCovariance([1, 2], 1, 2), /need at least 2 rows, got 1/);
  assert.throws(() => meanAndCovariance([1, 2, 3], 2, 2), /3 values are not 2 rows of 2/);
});

test('solveLower and invertLower against L y = b and L L⁻¹ = I', () => {
  const L = cholesky([[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]]);
  const b = [1, -2, 0.5];
  const y = solveLower(L, b);
  for (let i = 0; i < 3; i++) close(L[i]!.reduce((s, v, k) => s + v * y[k]!, 0), b[i]!, 1e-14, `(L y)_${i}`);
  const inv = invertLower(L);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) close(L[i]!.reduce((s, v, k) => s + v * inv[k]![j]!, 0), i === j ? 1 : 0, 1e-14, `(L L⁻¹)_${i}${j}`);
  }
  assert.throws(() => solveLower(L, [1, 2]), /L is 3 x 3, b has 2 entries/);
});
