import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seed } from '../../src/runtime/rng';
import { cholesky, mat, matmul, orthonormalize, symmetricEigen, transpose } from '../../src/math';
import { principalAngles } from '../../src/models/vae/subspaces';
import { maxAbs, randomOrthogonal } from './helpers';

test('orthonormalize gives QᵀQ = I and keeps the column space; rejects dependent columns', () => {
  const r = seed('orth');
  const a = mat(6, 3);
  for (let i = 0; i < 18; i++) a.data[i] = r.normal();
  const q = orthonormalize(a);
  const eye = mat(3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.ok(maxAbs(matmul(transpose(q), q), eye) < 1e-12);
  assert.ok(Math.max(...principalAngles(a, q)) < 1e-6, 'same span');
  const dep = mat(3, 2, [1, 2, 2, 4, 3, 6]);
  assert.throws(() => orthonormalize(dep), /combination of the columns/);
});

test('Jacobi eigen-solver recovers a known spectrum and eigenvectors of R diag(λ) Rᵀ', () => {
  const n = 8;
  const lambdas = [9, 5.5, 3, 2.9, 1, 0.2, -0.5, -4];
  const R = randomOrthogonal(n, 'eig');
  const D = mat(n, n);
  lambdas.forEach((l, i) => (D.data[i * n + i] = l));
  const A = matmul(matmul(R, D), transpose(R));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) A.data[j * n + i] = A.data[i * n + j]!; // exact symmetry
  const { values, vectors } = symmetricEigen(A);
  values.forEach((v, i) => assert.ok(Math.abs(v - lambdas[i]!) < 1e-10, `λ${i}: ${v} vs ${lambdas[i]}`));
  for (let k = 0; k < n; k++) {
    // Same direction as column k of R up to sign: |<v_k, r_k>| = 1.
    let dot = 0;
    for (let i = 0; i < n; i++) dot += vectors.data[i * n + k]! * R.data[i * n + k]!;
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `eigenvector ${k}: |cos| = ${Math.abs(dot)}`);
  }
  assert.throws(() => symmetricEigen(mat(2, 2, [1, 2, 3, 4])), /not symmetric/);
});

test('Cholesky: L is lower-triangular with L Lᵀ = A (known 2x2 and a random SPD matrix); rejects non-SPD', () => {
  // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]] (by hand).
  const l2 = cholesky([[4, 2], [2, 3]]);
  assert.deepEqual(l2[0], [2, 0]);
  assert.equal(l2[1]![0], 1);
  assert.ok(Math.abs(l2[1]![1]! - Math.SQRT2) < 1e-15);
  const n = 6;
  const R = randomOrthogonal(n, 'chol');
  const D = mat(n, n);
  for (let i = 0; i < n; i++) D.data[i * n + i] = 0.5 + i;
  const A = matmul(matmul(R, D), transpose(R));
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A.data[Math.min(i, j) * n + Math.max(i, j)]!));
  const L = cholesky(a);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) assert.equal(L[i]![j], 0);
      let s = 0;
      for (let k = 0; k < n; k++) s += L[i]![k]! * L[j]![k]!;
      assert.ok(Math.abs(s - a[i]![j]!) < 1e-12, `(L Lᵀ)[${i}][${j}] = ${s} vs ${a[i]![j]}`);
    }
  }
  assert.throws(() => cholesky([[1, 2], [2, 1]]), /not positive definite/);
});
