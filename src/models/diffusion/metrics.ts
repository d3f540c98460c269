/**
 * Sample-quality metrics for low-dimensional data: how close is a set of generated samples to the data
 * distribution, judged against held-out data points?
 *
 * - KDE negative log-likelihood: fit a Gaussian kernel density estimate to the samples and report the
 *   mean -log density of held-out points (nats). The kernel follows scipy.stats.gaussian_kde: covariance
 *   factor^2 Cov(samples), with Scott's factor n^(-1/(d+4)) by default. Reference: the same figure with
 *   fresh data points in place of the samples.
 * - Maximum mean discrepancy (Gretton et al. 2012, JMLR 13) with the RBF kernel
 *   k(x, y) = exp(-||x - y||^2 / (2 h^2)); h defaults to the median heuristic (median distance between
 *   pooled points) times `bandwidthScale`.
 */
import * as tf from '@tensorflow/tfjs';
import { cholesky } from '../../math';
import { invertLower, meanAndCovariance } from '../../math/covariance';

export interface KdeOptions {
  /**
   * Kernel bandwidth factor: 'scott' = n^(-1/(d+4)), 'silverman' = (n (d + 2) / 4)^(-1/(d+4)), or a number
   * (the factor itself, as scipy's `bw_method` scalar). The kernel covariance is factor^2 Cov(samples).
   * @default 'scott'
   */
  bandwidth?: 'scott' | 'silverman' | number;
  /** An explicit kernel covariance H (d x d), replacing factor^2 Cov(samples) (e.g. for a single sample). */
  kernelCov?: number[][];
  /** Query points per chunk (memory: chunk x n floats). @default 1024 */
  chunk?: number;
}

function check2d(x: tf.Tensor, what: string): [number, number] {
  if (x.rank !== 2) throw new Error(`${what}: expected a tensor of shape [n, d], got [${x.shape.join(', ')}]`);
  return [x.shape[0]!, x.shape[1]!];
}

/** The bandwidth factor of a Gaussian KDE on n points in d dimensions. */
export function kdeFactor(n: number, d: number, bandwidth: KdeOptions['bandwidth'] = 'scott'): number {
  if (typeof bandwidth === 'number') {
    if (!(bandwidth > 0)) throw new Error(`kde: a numeric bandwidth factor must be > 0, got ${bandwidth}`);
    return bandwidth;
  }
  if (bandwidth === 'scott') return Math.pow(n, -1 / (d + 4));
  if (bandwidth === 'silverman') return Math.pow((n * (d + 2)) / 4, -1 / (d + 4));
  throw new Error(`kde: unknown bandwidth "${String(bandwidth)}"; use 'scott', 'silverman' or a number`);
}

/**
 * log q(y) for each row y of `points` under the Gaussian KDE of `samples`:
 * q(y) = 1/n sum_i N(y; x_i, H), H = factor^2 Cov(samples). Returns a [m] tensor.
 */
export function kdeLogDensity(points: tf.Tensor, samples: tf.Tensor, options: KdeOptions = {}): tf.Tensor1D {
  const [m, d] = check2d(points, 'kdeLogDensity (points)');
  const [n, ds] = check2d(samples, 'kdeLogDensity (samples)');
  if (d !== ds) throw new Error(`kdeLogDensity: points have ${d} columns but samples have ${ds}`);
  let H: number[][];
  if (options.kernelCov !== undefined) {
    H = options.kernelCov;
    if (H.length !== d || H.some((row) => row.length !== d)) throw new Error(`kdeLogDensity: kernelCov must be ${d} x ${d}`);
  } else {
    const f = kdeFactor(n, d, options.bandwidth);
    const { cov } = meanAndCovariance(samples.dataSync(), n, d);
    H = cov.map((row) => row.map((v) => v * f * f));
  }
  const L = cholesky(H);
  const W = invertLower(L); // H^{-1} = W^T W, so (y - x)^T H^{-1} (y - x) = ||W (y - x)||^2
  const logDet2piH = d * Math.log(2 * Math.PI) + 2 * L.reduce((s, row, i) => s + Math.log(row[i]!), 0);
  const chunk = options.chunk ?? 1024;
  return tf.tidy(() => {
    const Wt = tf.tensor2d(W.flat(), [d, d]).transpose();
    const xs = tf.matMul(samples as tf.Tensor2D, Wt);
    const xs2 = tf.reshape(tf.sum(tf.square(xs), 1), [1, n]);
    const parts: tf.Tensor[] = [];
    for (let lo = 0; lo < m; lo += chunk) {
      const ys = tf.matMul(tf.slice(points, [lo, 0], [Math.min(chunk, m - lo), d]) as tf.Tensor2D, Wt);
      const d2 = tf.add(tf.sub(tf.sum(tf.square(ys), 1, true), tf.mul(2, tf.matMul(ys, xs, false, true))), xs2);
      parts.push(tf.logSumExp(tf.mul(d2, -0.5), 1));
    }
    return tf.sub(tf.concat(parts), Math.log(n) + 0.5 * logDet2piH) as tf.Tensor1D;
  });
}

/** Mean negative log-likelihood (nats) of held-out points under the Gaussian KDE of the samples. */
export function kdeNll(heldOut: tf.Tensor, samples: tf.Tensor, options: KdeOptions = {}): number {
  const logq = kdeLogDensity(heldOut, samples, options);
  const v = tf.tidy(() => tf.neg(tf.mean(logq)).dataSync()[0]!);
  logq.dispose();
  return v;
}

/** Squared Euclidean distances between the rows of a [m, d] and b [n, d]: [m, n]. Call inside tidy. */
function sqDist(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const a2 = tf.sum(tf.square(a), 1, true);
  const b2 = tf.reshape(tf.sum(tf.square(b), 1), [1, b.shape[0]]);
  return tf.relu(tf.add(tf.sub(a2, tf.mul(2, tf.matMul(a, b, false, true))), b2)) as tf.Tensor2D;
}

/**
 * The median heuristic: the median Euclidean distance between distinct points of the pooled sample
 * [x; y]. Above `maxPoints` pooled points, every k-th point is used (k = ceil(total / maxPoints)).
 */
export function medianDistance(x: tf.Tensor, y: tf.Tensor, maxPoints = 2000): number {
  const [, d] = check2d(x, 'medianDistance (x)');
  const [, dy] = check2d(y, 'medianDistance (y)');
  if (d !== dy) throw new Error(`medianDistance: x has ${d} columns but y has ${dy}`);
  const pooledValues = tf.tidy(() => {
    const pooled = tf.concat([x, y]) as tf.Tensor2D;
    const total = pooled.shape[0];
    const stride = Math.ceil(total / maxPoints);
    const idx = tf.range(0, total, stride, 'int32');
    const p = tf.gather(pooled, idx) as tf.Tensor2D;
    return tf.sqrt(sqDist(p, p));
  });
  const k = pooledValues.shape[0]!;
  const all = pooledValues.dataSync();
  pooledValues.dispose();
  const upper = new Float32Array((k * (k - 1)) / 2);
  let c = 0;
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) upper[c++] = all[i * k + j]!;
  upper.sort();
  const mid = upper.length >> 1;
  return upper.length % 2 === 1 ? upper[mid]! : 0.5 * (upper[mid - 1]! + upper[mid]!);
}

export interface MmdOptions {
  /** RBF bandwidth h. @default bandwidthScale x the median heuristic */
  bandwidth?: number;
  /** Multiplies the median heuristic when `bandwidth` is not given. @default 1 */
  bandwidthScale?: number;
  /**
   * 'unbiased': the U-statistic MMD^2_u (Gretton et al. 2012, eq. 3), which leaves out the i = j terms of
   * the within-sample sums; its expectation is exactly MMD^2 (0 when the distributions agree), so it can
   * come out slightly negative. 'biased': the V-statistic MMD^2_b (eq. 5) = mean Kxx + mean Kyy - 2 mean Kxy,
   * which is >= 0 and exactly 0 for identical samples, but is biased upwards by about 2/n.
   * @default 'unbiased'
   */
  estimator?: 'unbiased' | 'biased';
  /** Rows per chunk of the kernel matrices. @default 1024 */
  chunk?: number;
}

/** Sum over all pairs (rows of a) x (rows of b) of the RBF kernel; one scalar tensor. Call inside tidy. */
function kernelSum(a: tf.Tensor2D, b: tf.Tensor2D, h: number, chunk: number): tf.Scalar {
  const parts: tf.Tensor[] = [];
  const m = a.shape[0];
  for (let lo = 0; lo < m; lo += chunk) {
    const ai = tf.slice(a, [lo, 0], [Math.min(chunk, m - lo), a.shape[1]]);
    parts.push(tf.sum(tf.exp(tf.div(sqDist(ai, b), -2 * h * h))));
  }
  return tf.addN(parts) as tf.Scalar;
}

/** MMD^2 between samples x [m, d] and y [n, d] under the RBF kernel; returns the estimate and the h used. */
export function mmd2(x: tf.Tensor, y: tf.Tensor, options: MmdOptions = {}): { mmd2: number; bandwidth: number } {
  const [m, d] = check2d(x, 'mmd2 (x)');
  const [n, dy] = check2d(y, 'mmd2 (y)');
  if (d !== dy) throw new Error(`mmd2: x has ${d} columns but y has ${dy}`);
  const estimator = options.estimator ?? 'unbiased';
  if (estimator === 'unbiased' && (m < 2 || n < 2)) throw new Error('mmd2: the unbiased estimator needs at least 2 rows in each sample');
  const h = options.bandwidth ?? (options.bandwidthScale ?? 1) * medianDistance(x, y);
  if (!(h > 0)) throw new Error(`mmd2: bandwidth must be > 0, got ${h}`);
  const chunk = options.chunk ?? 1024;
  const [sxx, syy, sxy] = tf.tidy(() =>
    tf.stack([kernelSum(x as tf.Tensor2D, x as tf.Tensor2D, h, chunk), kernelSum(y as tf.Tensor2D, y as tf.Tensor2D, h, chunk), kernelSum(x as tf.Tensor2D, y as tf.Tensor2D, h, chunk)]).dataSync(),
  ) as unknown as [number, number, number];
  // k(x, x) = 1: the diagonal of each within-sample sum contributes m (resp. n).
  const value =
    estimator === 'unbiased'
      ? (sxx - m) / (m * (m - 1)) + (syy - n) / (n * (n - 1)) - (2 * sxy) / (m * n)
      : sxx / (m * m) + syy / (n * n) - (2 * sxy) / (m * n);
  return { mmd2: value, bandwidth: h };
}

export interface SampleQuality {
  /** Mean -log density of the held-out points under the KDE of the samples (nats). */
  kdeNll: number;
  /** MMD^2 between samples and held-out points. */
  mmd2: number;
  /** The RBF bandwidth used for the MMD. */
  bandwidth: number;
}

/** Both metrics for one set of samples against held-out data (KDE: Scott; MMD: `mmd` options). */
export function sampleQuality(samples: tf.Tensor, heldOut: tf.Tensor, mmd: MmdOptions = {}): SampleQuality {
  const r = mmd2(samples, heldOut, mmd);
  return { kdeNll: kdeNll(heldOut, samples), mmd2: r.mmd2, bandwidth: r.bandwidth };
}
