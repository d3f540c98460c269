/**
 * Exact computations for RBMs small enough to list the states of one layer.
 *
 * Z = sum_v sum_h exp(-E(v, h)) is intractable in general, but summing one layer out analytically leaves
 * a sum over the other layer's 2^n states. For the Bernoulli RBM,
 *
 *   log Z = logsumexp_h [ c^T h + sum_i softplus(b_i + W_i: h) ]   (or  logsumexp_v [ -F(v) ]),
 *
 * and for the Gaussian-Bernoulli RBM (integrating each v_i over a Gaussian, a_i = W_i: h):
 *
 *   log Z = logsumexp_h [ c^T h + sum_i (b_i a_i / sigma_i + a_i^2 / 2) ] + sum_i log(sqrt(2 pi) sigma_i).
 *
 * The states are enumerated in chunks (2^15 hidden states for a 784-pixel model is ~25M floats per pass)
 * and the log-sum-exp is accumulated in float64 on the JS side. These are the oracles for the tests and
 * for checking annealed importance sampling.
 */
import * as tf from '@tensorflow/tfjs';
import { BernoulliRBM } from './bernoulli';
import { GaussianBernoulliRBM } from './gaussian';
import type { RBM, RBMGradient } from './rbm';

/** Largest layer we enumerate: 2^24 states is already minutes of work. */
export const MAX_ENUMERATED_UNITS = 24;

/** States per enumeration chunk. */
const CHUNK = 4096;

/**
 * Binary states `start .. start + count - 1` of `n` units as rows, [count, n]: column i holds bit i of
 * the state's index (so `stateIndex` inverts it).
 */
export function binaryStates(n: number, start = 0, count = 2 ** n - start): tf.Tensor2D {
  if (!Number.isInteger(n) || n < 1 || n > 30) throw new Error(`binaryStates: n must be an integer in 1..30, got ${n}`);
  const data = new Float32Array(count * n);
  for (let r = 0; r < count; r++) {
    const s = start + r;
    for (let i = 0; i < n; i++) data[r * n + i] = (s >>> i) & 1;
  }
  return tf.tensor2d(data, [count, n]);
}

/** Index sum_i v_i 2^i of each binary row of `v` (the inverse of `binaryStates`). */
export function stateIndex(v: tf.Tensor2D): Int32Array {
  const n = v.shape[1];
  if (n > 30) throw new Error(`stateIndex: at most 30 units, got ${n}`);
  const data = v.dataSync();
  const out = new Int32Array(v.shape[0]);
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) if (data[r * n + i]! > 0.5) s |= 1 << i;
    out[r] = s;
  }
  return out;
}

/** Fraction of rows of `v` in each of the 2^n binary states. */
export function empiricalDistribution(v: tf.Tensor2D): Float64Array {
  const p = new Float64Array(2 ** v.shape[1]);
  const idx = stateIndex(v);
  for (const s of idx) p[s]! += 1 / idx.length;
  return p;
}

/** Total-variation distance 1/2 sum |p - q| between two distributions on the same states. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`totalVariation: distributions over ${p.length} and ${q.length} states`);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - q[i]!);
  return s / 2;
}

/** log sum exp of per-state values computed chunk by chunk, accumulated in float64. */
function chunkedLogSumExp(n: number, values: (states: tf.Tensor2D) => tf.Tensor1D): number {
  const total = 2 ** n;
  let max = -Infinity;
  let sum = 0;
  for (let start = 0; start < total; start += CHUNK) {
    const count = Math.min(CHUNK, total - start);
    const vals = tf.tidy(() => values(binaryStates(n, start, count)));
    const arr = vals.dataSync();
    vals.dispose();
    for (const x of arr) {
      if (x > max) {
        sum = sum * Math.exp(max - x) + 1;
        max = x;
      } else {
        sum += Math.exp(x - max);
      }
    }
  }
  return max + Math.log(sum);
}

function checkSize(n: number, layer: string): void {
  if (n > MAX_ENUMERATED_UNITS) {
    throw new Error(`exactLogZ: the ${layer} layer has ${n} units; enumeration needs at most ${MAX_ENUMERATED_UNITS} (2^${n} states). Use ais() for larger models.`);
  }
}

/**
 * Exact log partition function by enumerating the smaller layer (the hidden layer for Gaussian visibles).
 */
export function exactLogZ(rbm: RBM): number {
  const { W, b, c } = rbm;
  if (rbm instanceof GaussianBernoulliRBM) {
    checkSize(rbm.nHidden, 'hidden');
    const sigma = rbm.sigma;
    const constant = tf.tidy(() => tf.sum(tf.log(tf.mul(Math.sqrt(2 * Math.PI), sigma))).dataSync()[0]!);
    return (
      constant +
      chunkedLogSumExp(rbm.nHidden, (h) => {
        const a = tf.matMul(h, W, false, true); // [S, nv]
        const quad = tf.sum(tf.add(tf.mul(a, tf.div(b, sigma)), tf.div(tf.square(a), 2)), 1);
        return tf.add(tf.sum(tf.mul(h, c), 1), quad) as tf.Tensor1D;
      })
    );
  }
  if (rbm instanceof BernoulliRBM) {
    if (rbm.nVisible <= rbm.nHidden) {
      checkSize(rbm.nVisible, 'visible');
      return chunkedLogSumExp(rbm.nVisible, (v) => tf.neg(rbm.freeEnergy(v)) as tf.Tensor1D);
    }
    checkSize(rbm.nHidden, 'hidden');
    return chunkedLogSumExp(rbm.nHidden, (h) => {
      const visible = tf.sum(tf.softplus(tf.add(tf.matMul(h, W, false, true), b)), 1);
      return tf.add(tf.sum(tf.mul(h, c), 1), visible) as tf.Tensor1D;
    });
  }
  throw new Error('exactLogZ: unsupported RBM type (expected BernoulliRBM or GaussianBernoulliRBM)');
}

/** Exact log p(v) = -F(v) - log Z per row, [B] (pass `logZ` to avoid recomputing it). */
export function exactLogProb(rbm: RBM, v: tf.Tensor2D, logZ = exactLogZ(rbm)): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.neg(rbm.freeEnergy(v)), logZ) as tf.Tensor1D);
}

/** p(v) for all 2^nVisible visible states of a small Bernoulli RBM, indexed like `binaryStates`. */
export function exactVisibleDistribution(rbm: BernoulliRBM): Float64Array {
  checkSize(rbm.nVisible, 'visible');
  const logZ = exactLogZ(rbm);
  const states = binaryStates(rbm.nVisible);
  const lp = exactLogProb(rbm, states, logZ);
  const out = Float64Array.from(lp.dataSync(), (x) => Math.exp(x));
  states.dispose();
  lp.dispose();
  return out;
}

/**
 * The exact log-likelihood gradient on data v for a small Bernoulli RBM:
 * <v h>_data - <v h>_model, with the model expectation summed over all 2^nVisible visible states,
 * E_model[v_i h_j] = sum_v p(v) v_i p(h_j = 1 | v).
 */
export function exactGradient(rbm: BernoulliRBM, v: tf.Tensor2D): RBMGradient {
  checkSize(rbm.nVisible, 'visible');
  const logZ = exactLogZ(rbm);
  return tf.tidy(() => {
    const states = binaryStates(rbm.nVisible);
    const p = tf.exp(exactLogProb(rbm, states, logZ)); // [S]
    const phModel = rbm.hiddenProbs(states);
    const pv = tf.mul(states, tf.expandDims(p, 1)); // p(v) v
    const phData = rbm.hiddenProbs(v);
    const n = v.shape[0];
    const dW = tf.sub(tf.div(tf.matMul(v, phData, true, false), n), tf.matMul(pv, phModel, true, false)) as tf.Tensor2D;
    const db = tf.sub(tf.mean(v, 0), tf.sum(pv, 0)) as tf.Tensor1D;
    const dc = tf.sub(tf.mean(phData, 0), tf.sum(tf.mul(phModel, tf.expandDims(p, 1)), 0)) as tf.Tensor1D;
    return { dW, db, dc };
  });
}
