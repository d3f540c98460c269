/**
 * The Fréchet distance between Gaussian fits of two feature sets, the statistic behind FID (Heusel et al.
 * 2017), with any feature map:
 *
 *   FD = ||mu_1 - mu_2||^2 + tr(C_1 + C_2 - 2 (C_1^{1/2} C_2 C_1^{1/2})^{1/2})
 *
 * which is the squared 2-Wasserstein distance between N(mu_1, C_1) and N(mu_2, C_2) (Dowson & Landau 1982).
 * The product's square root is taken in the symmetric form C_1^{1/2} C_2 C_1^{1/2}, whose eigenvalues are
 * those of C_1 C_2, so only symmetric eigen-decompositions are needed (src/math). Float64 throughout.
 *
 * FD is biased upward for finite samples (the covariance estimates carry noise), so compare FDs computed
 * on equal numbers of samples, and report the floor of two real sets of the same sizes beside them.
 */
import * as tf from '@tensorflow/tfjs';
import { type Mat, mat, meanAndCovariance, symmetricSqrt, traceSqrt } from '../math';

/** A Gaussian fit N(mean, cov) of n feature vectors. */
export interface GaussianFit {
  mean: Float64Array;
  /** (n - 1)-normalised sample covariance, d x d. */
  cov: Mat;
  n: number;
}

/** Features of a batch of inputs: the evaluator's feature map, [n, k]. */
export type FeatureFn = (x: tf.Tensor2D) => tf.Tensor2D;

/** Mean and sample covariance of rows [n, d] (a tensor or row-major values). */
export function fitGaussian(features: tf.Tensor | { values: ArrayLike<number>; n: number; d: number }): GaussianFit {
  let values: ArrayLike<number>;
  let n: number;
  let d: number;
  if (features instanceof tf.Tensor) {
    if (features.rank !== 2) throw new Error(`fitGaussian: expected features [n, d], got shape [${features.shape.join(', ')}]`);
    [n, d] = features.shape as [number, number];
    values = features.dataSync();
  } else ({ values, n, d } = features);
  if (n < 2) throw new Error(`fitGaussian: need at least 2 feature vectors, got ${n}`);
  const fit = meanAndCovariance(values, n, d); // (n - 1)-normalised, as the FID convention has it
  const mean = Float64Array.from(fit.mean);
  const cov = mat(d, d);
  fit.cov.forEach((row, j) => cov.data.set(row, j * d));
  return { mean, cov, n };
}

/** Gaussian fit of `features(x)`, computed in batches of `batchSize` rows (nothing kept on the tensor side). */
export function fitFeatureGaussian(features: FeatureFn, x: tf.Tensor2D, batchSize = 500): GaussianFit {
  const n = x.shape[0];
  const parts: Float32Array[] = [];
  let d = 0;
  for (let lo = 0; lo < n; lo += batchSize) {
    const size = Math.min(batchSize, n - lo);
    const f = tf.tidy(() => features(tf.slice(x, [lo, 0], [size, x.shape[1]]) as tf.Tensor2D));
    if (f.rank !== 2 || f.shape[0] !== size) {
      f.dispose();
      throw new Error(`fitFeatureGaussian: the feature map must return one row per input ([${size}, k]), got [${f.shape.join(', ')}]`);
    }
    d = f.shape[1]!;
    parts.push(f.dataSync() as Float32Array);
    f.dispose();
  }
  const values = new Float32Array(n * d);
  let off = 0;
  for (const p of parts) {
    values.set(p, off);
    off += p.length;
  }
  return fitGaussian({ values, n, d });
}

/** The Fréchet distance between two Gaussian fits of the same dimension. */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  const d = a.mean.length;
  if (b.mean.length !== d) throw new Error(`frechetDistance: the fits have different dimensions (${d} vs ${b.mean.length})`);
  let meanTerm = 0;
  let traceTerm = 0;
  for (let j = 0; j < d; j++) {
    meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
    traceTerm += a.cov.data[j * d + j]! + b.cov.data[j * d + j]!;
  }
  const s = symmetricSqrt(a.cov);
  // M = S C_2 S, symmetrised against rounding.
  const tmp = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const sik = s.data[i * d + k]!;
      if (sik === 0) continue;
      for (let j = 0; j < d; j++) tmp[i * d + j]! += sik * b.cov.data[k * d + j]!;
    }
  }
  const m = mat(d, d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const tik = tmp[i * d + k]!;
      if (tik === 0) continue;
      for (let j = 0; j < d; j++) m.data[i * d + j]! += tik * s.data[k * d + j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (m.data[i * d + j]! + m.data[j * d + i]!);
      m.data[i * d + j] = v;
      m.data[j * d + i] = v;
    }
  }
  return meanTerm + traceTerm - 2 * traceSqrt(m);
}
