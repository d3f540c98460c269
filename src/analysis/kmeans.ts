/**
 * k-means clustering (Lloyd, 1982) with k-means++ seeding (Arthur & Vassilvitskii, 2007): the local,
 * one-hot representation the representation-learning lecture sets against distributed codes. Each input
 * is described by the one prototype nearest to it, so k prototypes can separate at most k regions of
 * input space, where n binary features of a distributed code can separate up to 2^n.
 *
 *   assign:  c(x) = argmin_j ||x - mu_j||²          update:  mu_j = mean of the x with c(x) = j
 *
 * Each Lloyd step never increases the inertia Σ_x ||x - mu_c(x)||², so the loop stops at a local
 * minimum (no assignment changes) or after `maxIterations`. Distances are computed by tfjs as
 * ||x||² - 2 x·mu + ||mu||², in chunks so memory stays bounded; the bookkeeping is plain JS.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';

export interface KMeansConfig {
  /** Number of clusters k. */
  k: number;
  /** Seeds the k-means++ choice of initial centres. */
  rng: Rng;
  /** Most Lloyd iterations. @default 100 */
  maxIterations?: number;
  /** Rows per distance chunk (bounds memory for large n). @default 2000 */
  chunkSize?: number;
}

export interface KMeansResult {
  /** Cluster centres mu_j, [k, D]. */
  centroids: tf.Tensor2D;
  /** Index of the nearest centre of each training row. */
  assignments: Int32Array;
  /** Sum of squared distances of the rows to their centres, after the last iteration. */
  inertia: number;
  /** Inertia after each iteration (never increasing). */
  inertiaHistory: number[];
  /** Lloyd iterations run. */
  iterations: number;
  /** True when the last iteration changed no assignment. */
  converged: boolean;
}

/** Nearest centre and squared distance for every row of x [n, D] (chunked tfjs products). */
export function nearestCentroid(x: tf.Tensor2D, centroids: tf.Tensor2D, chunkSize = 2000): { index: Int32Array; dist2: Float64Array } {
  if (x.rank !== 2 || centroids.rank !== 2 || x.shape[1] !== centroids.shape[1]) {
    throw new Error(`nearestCentroid: x [n, D] and centroids [k, D] must share D; got [${x.shape}] and [${centroids.shape}]`);
  }
  const n = x.shape[0];
  const index = new Int32Array(n);
  const dist2 = new Float64Array(n);
  const muSq = tf.tidy(() => tf.sum(tf.square(centroids), 1));
  try {
    for (let lo = 0; lo < n; lo += chunkSize) {
      const size = Math.min(chunkSize, n - lo);
      const [idx, d] = tf.tidy(() => {
        const xb = tf.slice(x, lo, size);
        const d2 = tf.add(tf.sub(tf.sum(tf.square(xb), 1, true), tf.mul(2, tf.matMul(xb, centroids, false, true))), muSq);
        return [tf.argMin(d2, 1).dataSync(), tf.maximum(tf.min(d2, 1), 0).dataSync()];
      });
      index.set(idx as Int32Array, lo);
      for (let i = 0; i < size; i++) dist2[lo + i] = d![i]!;
    }
  } finally {
    muSq.dispose();
  }
  return { index, dist2 };
}

/** Cluster the rows of `x` [n, D] into `k` groups. The same rng gives the same result. */
export function kMeans(x: tf.Tensor2D, config: KMeansConfig): KMeansResult {
  const { k, rng } = config;
  if (x.rank !== 2) throw new Error(`kMeans: x must be [n, D], got shape [${x.shape}]`);
  const [n, D] = x.shape;
  if (!Number.isInteger(k) || k < 1) throw new Error(`kMeans: k must be a positive integer, got ${k}`);
  if (k > n) throw new Error(`kMeans: k (${k}) cannot exceed the number of rows (${n}); use fewer clusters`);
  const maxIt = config.maxIterations ?? 100;
  const chunk = config.chunkSize ?? 2000;
  const data = x.dataSync();

  // k-means++: the first centre uniformly, each next one with probability ∝ squared distance to the
  // nearest centre chosen so far (an O(log k)-competitive start, Arthur & Vassilvitskii 2007, Thm 3.1).
  const centres = new Float32Array(k * D);
  const copyRow = (row: number, j: number) => centres.set(data.subarray(row * D, row * D + D), j * D);
  copyRow(rng.int(n), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    const prev = j - 1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let t = 0; t < D; t++) {
        const diff = data[i * D + t]! - centres[prev * D + t]!;
        d += diff * diff;
      }
      if (d < best[i]!) best[i] = d;
      total += best[i]!;
    }
    let pick = n - 1;
    if (total > 0) {
      let u = rng.random() * total;
      for (let i = 0; i < n; i++) {
        u -= best[i]!;
        if (u < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.int(n); // every row coincides with a centre already: any row will do
    }
    copyRow(pick, j);
  }

  let centroids = tf.tensor2d(centres, [k, D]);
  let assignments = new Int32Array(n).fill(-1);
  const inertiaHistory: number[] = [];
  let converged = false;
  let iterations = 0;
  for (let it = 0; it < maxIt; it++) {
    iterations = it + 1;
    const { index, dist2 } = nearestCentroid(x, centroids, chunk);
    let changed = 0;
    for (let i = 0; i < n; i++) if (index[i] !== assignments[i]) changed++;
    assignments = index;
    // Update: each centre moves to the mean of its rows; an empty cluster keeps its centre.
    const sums = new Float64Array(k * D);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const j = index[i]!;
      counts[j]!++;
      for (let t = 0; t < D; t++) sums[j * D + t] += data[i * D + t]!;
    }
    const old = centroids.dataSync();
    const next = new Float32Array(k * D);
    for (let j = 0; j < k; j++) {
      for (let t = 0; t < D; t++) next[j * D + t] = counts[j]! > 0 ? sums[j * D + t]! / counts[j]! : old[j * D + t]!;
    }
    centroids.dispose();
    centroids = tf.tensor2d(next, [k, D]);
    if (changed === 0) {
      converged = true;
      break;
    }
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += dist2[i]!;
    inertiaHistory.push(inertia);
  }
  const { index, dist2 } = nearestCentroid(x, centroids, chunk);
  assignments = index;
  const inertia = dist2.reduce((a, b) => a + b, 0);
  inertiaHistory.push(inertia);
  return { centroids, assignments, inertia, inertiaHistory, iterations, converged };
}

/** The local (one-hot) code of cluster indices: row i has a single 1 in column `index[i]`, [n, k]. */
export function oneHotCode(index: ArrayLike<number>, k: number): tf.Tensor2D {
  if (!Number.isInteger(k) || k < 1) throw new Error(`oneHotCode: k must be a positive integer, got ${k}`);
  for (let i = 0; i < index.length; i++) {
    const j = index[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= k) throw new Error(`oneHotCode: index[${i}] = ${j} is not a cluster in 0..${k - 1}`);
  }
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(index), 'int32'), k), 'float32')) as tf.Tensor2D;
}
