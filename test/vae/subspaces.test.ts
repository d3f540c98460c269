import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { mat, matmul, normalQuantile, symmetricEigen, transpose } from '../../src/math';
import { interpolate, priorGrid } from '../../src/models/vae/latent';
import { PCA } from '../../src/models/vae/pca';
import { principalAngles } from '../../src/models/vae/subspaces';
import { randomOrthogonal } from '../math/helpers';

test('principal angles are recovered from rotated, re-mixed bases (columns and rows)', () => {
  const D = 9;
  const anglesDeg = [3, 30, 70];
  const rad = anglesDeg.map((a) => (a * Math.PI) / 180);
  // Q1 = [e0, e1, e2]; Q2 = [cos θ_i e_i + sin θ_i e_{i+3}]: principal angles exactly θ.
  const q1 = mat(D, 3);
  const q2 = mat(D, 3);
  for (let i = 0; i < 3; i++) {
    q1.data[i * 3 + i] = 1;
    q2.data[i * 3 + i] = Math.cos(rad[i]!);
    q2.data[(i + 3) * 3 + i] = Math.sin(rad[i]!);
  }
  const R = randomOrthogonal(D, 'angles-rot');
  const mix = mat(3, 3, [2, 0.5, -1, 0, 1, 0.3, 1, 0, 3]); // invertible: the span is unchanged
  const a = matmul(matmul(R, q1), mix);
  const b = matmul(R, q2);
  const got = principalAngles(a, b).sort((x, y) => x - y);
  got.forEach((g, i) => assert.ok(Math.abs(g - anglesDeg[i]!) < 1e-6, `angle ${i}: ${g} vs ${anglesDeg[i]}`));
  const rows = principalAngles(tf.tensor2d(Float32Array.from(transpose(a).data), [3, D]), tf.tensor2d(Float32Array.from(transpose(b).data), [3, D]), { basis: 'rows' });
  rows.sort((x, y) => x - y).forEach((g, i) => assert.ok(Math.abs(g - anglesDeg[i]!) < 1e-3, `rows, angle ${i}: ${g}`));
  // Different dimensions: min(p, q) angles; a subspace inside the other: all zero.
  const sub = principalAngles(mat(D, 1, Array.from({ length: D }, (_, i) => a.data[i * 3]!)), a);
  assert.equal(sub.length, 1);
  assert.ok(sub[0]! < 1e-6);
});

test('PCA by subspace iteration matches a full eigen-decomposition of the sample covariance', () => {
  const n = 1500;
  const D = 16;
  const d = 4;
  const r = seed('pca-data');
  // Anisotropic data: x = s ⊙ g R + offset, variances 25, 16, 9, 6, then small ones.
  const scales = Array.from({ length: D }, (_, i) => [5, 4, 3, 2.45][i] ?? 1 / (i + 1));
  const R = randomOrthogonal(D, 'pca-rot');
  const g = mat(n, D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) g.data[i * D + j] = r.normal() * scales[j]! + (j === 0 ? 3 : 0);
  const X = matmul(g, transpose(R));
  const x = tf.tensor2d(Float32Array.from(X.data), [n, D]);
  const before = tf.memory().numTensors;
  const pca = PCA.fit(x, { components: d, rng: seed('pca') });

  // Oracle: Jacobi on the full D x D sample covariance (in float64 from the float32 data).
  const xs = x.dataSync();
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j]! += xs[i * D + j]! / n;
  const C = mat(D, D);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) C.data[a * D + b]! += ((xs[i * D + a]! - mean[a]!) * (xs[i * D + b]! - mean[b]!)) / (n - 1);
  const full = symmetricEigen(C);
  pca.variances.forEach((v, i) => assert.ok(Math.abs(v - full.values[i]!) < 1e-4 * full.values[0]!, `variance ${i}: ${v} vs ${full.values[i]}`));
  const top = mat(D, d);
  for (let i = 0; i < D; i++) for (let k = 0; k < d; k++) top.data[i * d + k] = full.vectors.data[i * D + k]!;
  const topT = tf.tensor2d(Float32Array.from(transpose(top).data), [d, D]);
  const angles = principalAngles(pca.components, topT, { basis: 'rows' });
  topT.dispose();
  assert.ok(Math.max(...angles) < 0.05, `angles to the exact subspace: ${angles}`);
  let total = 0;
  for (let i = 0; i < D; i++) total += C.data[i * D + i]!;
  assert.ok(Math.abs(pca.totalVariance - total) < 1e-3 * total);
  // Components are orthonormal; the projection keeps the variance along them.
  const gram = tf.tidy(() => tf.matMul(pca.components, pca.components, false, true).arraySync() as number[][]);
  gram.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-5)));
  const coordVar = tf.tidy(() => tf.moments(pca.transform(x), 0).variance.dataSync());
  coordVar.forEach((v, i) => assert.ok(Math.abs((v * n) / (n - 1) - pca.variances[i]!) < 1e-3 * pca.variances[0]!));
  pca.dispose();
  assert.equal(tf.memory().numTensors, before, 'PCA.fit leaves only its outputs, and dispose frees them');
  x.dispose();
});

test('latent helpers: the prior grid at normal quantiles, interpolation endpoints', () => {
  const g = priorGrid(3);
  assert.deepEqual(g.shape, [9, 2]);
  const pts = g.arraySync();
  const q = normalQuantile(5 / 6);
  assert.ok(Math.abs(pts[0]![0]! + q) < 1e-6 && Math.abs(pts[0]![1]! - q) < 1e-6, 'top-left is (-q, +q)');
  assert.ok(Math.abs(pts[4]![0]!) < 1e-6 && Math.abs(pts[4]![1]!) < 1e-6, 'centre is the origin');
  const path = interpolate(tf.tensor1d([0, 2]), tf.tensor1d([4, -2]), 5).arraySync();
  assert.deepEqual(path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]]);
  g.dispose();
});
