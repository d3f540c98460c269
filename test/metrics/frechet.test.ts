import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fitFeatureGaussian, fitGaussian, frechetDistance, type GaussianFit } from '../../src/metrics';
import { mat, matmul, symmetricSqrt } from '../../src/math';

before(async () => {
  await tf.setBackend('cpu');
});

const fit = (mean: number[], cov: number[][]): GaussianFit => ({ mean: Float64Array.from(mean), cov: mat(cov.length, cov.length, cov.flat()), n: 1000 });

test('symmetric square root: S S = A for a random SPD matrix', () => {
  const d = 6;
  let s = 1;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const B = mat(d, d, Array.from({ length: d * d }, r));
  const A = mat(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) A.data[i * d + j]! += B.data[i * d + k]! * B.data[j * d + k]!;
  const S = symmetricSqrt(A);
  const SS = matmul(S, S);
  for (let i = 0; i < d * d; i++) assert.ok(Math.abs(SS.data[i]! - A.data[i]!) < 1e-10);
});

test('Fréchet distance against the closed form for 2-D Gaussians: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M))', () => {
  // For 2x2 PSD M, the eigenvalues' square roots sum to sqrt(tr M + 2 sqrt(det M)); with M = C1^1/2 C2 C1^1/2,
  // tr M = tr(C1 C2) and det M = det C1 det C2. Non-commuting covariances, so no shortcut applies.
  const C1 = [[2, 0.6], [0.6, 0.5]];
  const C2 = [[0.3, -0.2], [-0.2, 1.4]];
  const m1 = [0.5, -1];
  const m2 = [-0.3, 0.7];
  const tr12 = C1[0]![0]! * C2[0]![0]! + C1[0]![1]! * C2[1]![0]! + C1[1]![0]! * C2[0]![1]! + C1[1]![1]! * C2[1]![1]!;
  const det = (C: number[][]) => C[0]![0]! * C[1]![1]! - C[0]![1]! * C[1]![0]!;
  const want = (m1[0]! - m2[0]!) ** 2 + (m1[1]! - m2[1]!) ** 2 + 2 + 0.5 + 0.3 + 1.4 - 2 * Math.sqrt(tr12 + 2 * Math.sqrt(det(C1) * det(C2)));
  const got = frechetDistance(fit(m1, C1), fit(m2, C2));
  assert.ok(Math.abs(got - want) < 1e-10, `${got} vs ${want}`);
  // Symmetric, zero for identical fits, and for diagonal covariances sum (sigma_1 - sigma_2)^2.
  assert.ok(Math.abs(frechetDistance(fit(m2, C2), fit(m1, C1)) - want) < 1e-10);
  assert.ok(Math.abs(frechetDistance(fit(m1, C1), fit(m1, C1))) < 1e-10);
  const diag = frechetDistance(fit([0, 0, 0], [[4, 0, 0], [0, 1, 0], [0, 0, 9]]), fit([1, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 0.25]]));
  assert.ok(Math.abs(diag - (1 + 1 + 0 + 2.5 ** 2)) < 1e-10);
  assert.throws(() => frechetDistance(fit([0], [[1]]), fit([0, 0], [[1, 0], [0, 1]])), /different dimensions/);
});

test('fits from samples: mean and covariance match, batched feature fits equal unbatched ones', () => {
  const x = tf.tidy(() => tf.add(tf.matMul(tf.randomNormal([20000, 2], 0, 1, 'float32', 11), tf.tensor2d([[1, 0.5], [0, 0.8]])), tf.tensor1d([3, -1]))) as tf.Tensor2D;
  const f = fitGaussian(x);
  // Cov = L^T L with L the mixing matrix: [[1, 0.5], [0.5, 0.89]].
  const want = [1, 0.5, 0.5, 0.89];
  want.forEach((w, i) => assert.ok(Math.abs(f.cov.data[i]! - w) < 0.04, `cov[${i}] ${f.cov.data[i]} vs ${w}`));
  assert.ok(Math.abs(f.mean[0]! - 3) < 0.03 && Math.abs(f.mean[1]! + 1) < 0.03);
  const before = tf.memory().numTensors;
  const g = fitFeatureGaussian((t) => tf.mul(t, 2) as tf.Tensor2D, x, 777);
  assert.equal(tf.memory().numTensors, before);
  g.cov.data.forEach((v, i) => assert.ok(Math.abs(v - 4 * f.cov.data[i]!) < 1e-3 * Math.abs(v) + 1e-6));
  // Two samples of the same Gaussian: FD near 0 (finite-sample bias only); shifted by (1, 0): near 1.
  const y = tf.tidy(() => tf.add(x, tf.tensor1d([1, 0])));
  assert.ok(Math.abs(frechetDistance(f, fitGaussian(y)) - 1) < 1e-6);
  tf.dispose([x, y]);
});
