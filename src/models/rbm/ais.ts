/**
 * Annealed importance sampling (Neal 2001) for the partition function of a Bernoulli RBM, following
 * Salakhutdinov & Murray, "On the quantitative analysis of deep belief networks" (ICML 2008), section 4.
 *
 * Start: the base-rate model A, independent pixels with biases b_A (logits of the data marginals), whose
 * Z_A is known. Intermediate distributions with 0 = beta_0 < beta_1 < ... < beta_K = 1 (eq. 13):
 *
 *   log p*_k(v) = (1 - beta_k) b_A^T v + beta_k b^T v + sum_j softplus(beta_k (c_j + v^T W_:j))
 *
 * so log Z_0 = log Z_A = sum_i softplus(b_A,i) + nHidden log 2. Each run draws v_1 ~ p_A, then for k = 1..K
 * adds log p*_k(v_k) - log p*_{k-1}(v_k) to its log weight and moves v with one Gibbs step that leaves
 * p_k invariant: h_j ~ sigma(beta_k (c_j + v^T W_:j)), v_i ~ sigma((1 - beta_k) b_A,i + beta_k (b_i + W_i: h)).
 * Then Z_B / Z_A is estimated by the mean weight r = (1/M) sum w_m, and the error bar is the one they
 * report: log(r +- 3 std(r)) with std(r) = std(w) / sqrt(M).
 *
 * The M runs are one tensor dimension; each temperature is one `tidy` with two matrix products
 * (v [W b_A b] and h W^T), and nothing is read back until the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { baseRateBiases, type BernoulliRBM } from './bernoulli';

export interface AISOptions {
  /** Seeds the base draws and every Gibbs step. */
  rng: Rng;
  /** Number of independent annealing runs M. @default 100 */
  runs?: number;
  /**
   * Number of intermediate temperatures K. Spaced like Salakhutdinov & Murray's 14,500 (1,000 in
   * [0, 0.5], 4,000 in [0.5, 0.9], 10,000 in [0.9, 1]), scaled to K. @default 5000
   */
  temperatures?: number;
  /** Explicit inverse temperatures, increasing from 0 to 1 (overrides `temperatures`). */
  betas?: ArrayLike<number>;
  /** Data whose pixel marginals define the base-rate model (e.g. the training set). Without it b_A = 0. */
  data?: tf.Tensor2D;
  /** Base-rate visible biases b_A directly (overrides `data`). */
  baseBiases?: tf.Tensor1D;
}

export interface AISResult {
  /** Estimate of log Z. */
  logZ: number;
  /** log Z with the mean weight lowered by 3 standard errors (-Infinity when that is <= 0). */
  logZLow: number;
  /** log Z with the mean weight raised by 3 standard errors. */
  logZHigh: number;
  /** Delta-method standard error of log Z: std(w) / (sqrt(M) mean(w)). */
  logZStd: number;
  /** log Z_A of the base-rate model. */
  logZBase: number;
  /** log importance weight of each run. */
  logWeights: Float64Array;
  /** Effective sample size (sum w)^2 / sum w^2 of the weights, in 1..M. */
  effectiveSampleSize: number;
  /** Number of temperatures used. */
  temperatures: number;
}

/** Salakhutdinov & Murray's spacing of K inverse temperatures: 1/14.5 in [0,0.5), 4/14.5 in [0.5,0.9), the rest in [0.9,1]. */
export function aisBetas(K: number): Float64Array {
  if (!Number.isInteger(K) || K < 3) throw new Error(`aisBetas: need an integer number of temperatures >= 3, got ${K}`);
  const k1 = Math.max(1, Math.round((K * 1) / 14.5));
  const k2 = Math.max(1, Math.round((K * 4) / 14.5));
  const k3 = K - k1 - k2;
  const out = new Float64Array(K + 1);
  let i = 0;
  for (let j = 0; j < k1; j++) out[i++] = (0.5 * j) / k1;
  for (let j = 0; j < k2; j++) out[i++] = 0.5 + (0.4 * j) / k2;
  for (let j = 0; j <= k3; j++) out[i++] = 0.9 + (0.1 * j) / k3;
  return out;
}

/** Estimate log Z of a Bernoulli RBM by AIS from the base-rate model. */
export function ais(rbm: BernoulliRBM, options: AISOptions): AISResult {
  const M = options.runs ?? 100;
  if (!Number.isInteger(M) || M < 2) throw new Error(`ais: runs must be an integer >= 2, got ${options.runs}`);
  const betas = options.betas ? Float64Array.from(options.betas) : aisBetas(options.temperatures ?? 5000);
  if (betas.length < 2 || betas[0] !== 0 || betas[betas.length - 1] !== 1 || betas.some((x, i) => i > 0 && x < betas[i - 1]!)) {
    throw new Error('ais: betas must increase from exactly 0 to exactly 1');
  }
  const nv = rbm.nVisible;
  const nh = rbm.nHidden;
  const rng = options.rng;
  const bA: tf.Tensor1D = options.baseBiases
    ? tf.clone(options.baseBiases)
    : options.data
      ? baseRateBiases(options.data)
      : (tf.zeros([nv]) as tf.Tensor1D);
  if (bA.shape[0] !== nv) {
    bA.dispose();
    throw new Error(`ais: base-rate biases have ${options.baseBiases?.shape[0]} entries, the RBM has ${nv} visibles`);
  }
  // One product v [W, b_A, b] gives the hidden inputs and both bias terms.
  const Waug = tf.tidy(() => tf.concat([rbm.W, tf.expandDims(bA, 1), tf.expandDims(rbm.b, 1)], 1));
  let v = tf.tidy(() => rng.bernoulli(tf.broadcastTo(tf.sigmoid(bA), [M, nv])) as tf.Tensor2D);
  let logw = tf.zeros([M]) as tf.Tensor1D;
  const logZBase = tf.tidy(() => tf.sum(tf.softplus(bA)).dataSync()[0]!) + nh * Math.log(2);

  try {
    for (let k = 1; k < betas.length; k++) {
      const bPrev = betas[k - 1]!;
      const bk = betas[k]!;
      const last = k === betas.length - 1;
      const [vNext, logwNext] = tf.tidy(() => {
        const z = tf.matMul(v, Waug); // [M, nh + 2]
        const pre = tf.add(tf.slice(z, [0, 0], [M, nh]), rbm.c);
        const aTerm = tf.reshape(tf.slice(z, [0, nh], [M, 1]), [M]);
        const bTerm = tf.reshape(tf.slice(z, [0, nh + 1], [M, 1]), [M]);
        // log p*_k(v) - log p*_{k-1}(v) = (beta_k - beta_{k-1}) (b^T v - b_A^T v) + sum_j [softplus(beta_k pre) - softplus(beta_{k-1} pre)]
        const dBias = tf.mul(tf.sub(bTerm, aTerm), bk - bPrev);
        const dHidden = tf.sum(tf.sub(tf.softplus(tf.mul(pre, bk)), tf.softplus(tf.mul(pre, bPrev))), 1);
        const lw = tf.add(logw, tf.add(dBias, dHidden)) as tf.Tensor1D;
        if (last) return [tf.clone(v), lw] as [tf.Tensor2D, tf.Tensor1D];
        const h = rng.bernoulli(tf.sigmoid(tf.mul(pre, bk)));
        const visIn = tf.add(tf.mul(bA, 1 - bk), tf.mul(tf.add(tf.matMul(h, rbm.W, false, true), rbm.b), bk));
        return [rng.bernoulli(tf.sigmoid(visIn)) as tf.Tensor2D, lw];
      });
      v.dispose();
      logw.dispose();
      v = vNext;
      logw = logwNext;
    }
    const lw = Float64Array.from(logw.dataSync());
    return summarise(lw, logZBase, betas.length - 1);
  } finally {
    v.dispose();
    logw.dispose();
    Waug.dispose();
    bA.dispose();
  }
}

/** log-mean-exp of the weights, the +-3 standard-error bracket and the effective sample size. */
export function summarise(logWeights: Float64Array, logZBase: number, temperatures: number): AISResult {
  const M = logWeights.length;
  let a = -Infinity;
  for (const x of logWeights) a = Math.max(a, x);
  let s1 = 0;
  let s2 = 0;
  for (const x of logWeights) {
    const w = Math.exp(x - a);
    s1 += w;
    s2 += w * w;
  }
  const mean = s1 / M;
  const variance = Math.max(s2 / M - mean * mean, 0) * (M / (M - 1));
  const se = Math.sqrt(variance / M);
  const logR = a + Math.log(mean);
  return {
    logZ: logZBase + logR,
    logZLow: mean - 3 * se > 0 ? logZBase + a + Math.log(mean - 3 * se) : -Infinity,
    logZHigh: logZBase + a + Math.log(mean + 3 * se),
    logZStd: se / mean,
    logZBase,
    logWeights,
    effectiveSampleSize: (s1 * s1) / s2,
    temperatures,
  };
}

/** Average test log-likelihood mean_n(-F(x_n)) - log Z in nats, with the bracket from AIS's log Z bracket. */
export function averageLogLikelihood(rbm: BernoulliRBM, x: tf.Tensor2D, logZ: AISResult | number): { mean: number; low: number; high: number } {
  const negF = tf.tidy(() => tf.mean(tf.neg(rbm.freeEnergy(x))).dataSync()[0]!);
  if (typeof logZ === 'number') return { mean: negF - logZ, low: negF - logZ, high: negF - logZ };
  // A larger log Z means a lower likelihood: the bracket flips.
  return { mean: negF - logZ.logZ, low: negF - logZ.logZHigh, high: negF - logZ.logZLow };
}
