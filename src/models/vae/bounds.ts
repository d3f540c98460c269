/**
 * Bounds on log p(x) for a trained VAE, per example (nats), evaluated in chunks.
 *
 * ELBO:  L(x) = E_q[log p(x|z)] - KL(q(z|x) || p(z)), the reconstruction term averaged over `samples`
 *        reparameterised draws, the KL in closed form.
 * Importance-weighted bound (Burda, Grosse & Salakhutdinov, 2016):
 *        L_K(x) = E[log (1/K) Σ_k w_k],  w_k = p(x, z_k) / q(z_k | x),  z_k ~ q(z|x).
 *        L_1 = ELBO (in expectation), L_K <= L_{K+1} <= log p(x), and L_K -> log p(x) as K -> ∞, so a
 *        large K (e.g. 100) estimates the log-likelihood and the gap L_K - L shows how far q(z|x) is
 *        from the true posterior. log-sum-exp keeps the average of tiny weights finite.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { requirePositiveInt } from '../../nn';
import { gaussianKlStandard } from './kl';
import type { VAE } from './vae';

export interface BoundOptions {
  /** Seeds the draws of z. */
  rng: Rng;
  /** Labels, for a conditional VAE. */
  y?: tf.Tensor;
  /** Examples per chunk. @default max(1, floor(8192 / samples)) */
  batchSize?: number;
}

export interface ElboOptions extends BoundOptions {
  /** Draws of z per example for the reconstruction term. @default 1 */
  samples?: number;
}

export interface ImportanceWeightedOptions extends BoundOptions {
  /** Importance samples per example. */
  K: number;
}

function chunked(x: tf.Tensor, y: tf.Tensor | undefined, batchSize: number, f: (xb: tf.Tensor, yb: tf.Tensor | undefined, chunk: number) => tf.Tensor1D): tf.Tensor1D {
  const n = x.shape[0]!;
  if (y !== undefined && y.shape[0] !== n) throw new Error(`bounds: x has ${n} rows but y has ${y.shape[0]}; pass one label per example`);
  const out = new Float32Array(n);
  for (let lo = 0, chunk = 0; lo < n; lo += batchSize, chunk++) {
    const size = Math.min(batchSize, n - lo);
    const values = tf.tidy(() => f(tf.slice(x, lo, size), y === undefined ? undefined : tf.slice(y, lo, size), chunk).dataSync());
    out.set(values, lo);
  }
  return tf.tensor1d(out);
}

/** The ELBO of each example, [n] (closed-form KL, reconstruction averaged over `samples` draws). */
export function elbo(model: VAE, x: tf.Tensor, options: ElboOptions): tf.Tensor1D {
  const S = requirePositiveInt(options.samples ?? 1, 'samples', 'elbo');
  const batchSize = options.batchSize ?? Math.max(1, Math.floor(8192 / S));
  return chunked(x, options.y, batchSize, (xb, yb, chunk) => {
    const rng = options.rng.fork(`chunk${chunk}`);
    const post = model.encode(xb, yb);
    const z = model.reparameterize(post, rng, S); // [S, n, L]
    const recon = tf.mean(model.logLikelihood(xb, model.decodeParams(z, yb)), 0);
    const kl = gaussianKlStandard(post.mu, post.logVar);
    return tf.sub(recon, kl) as tf.Tensor1D;
  });
}

/** The importance-weighted bound L_K of each example, [n]: an estimate of log p(x) from below. */
export function importanceWeightedBound(model: VAE, x: tf.Tensor, options: ImportanceWeightedOptions): tf.Tensor1D {
  const K = requirePositiveInt(options.K, 'K', 'importanceWeightedBound');
  const batchSize = options.batchSize ?? Math.max(1, Math.floor(8192 / K));
  const logK = Math.log(K);
  return chunked(x, options.y, batchSize, (xb, yb, chunk) => {
    const logW = model.logImportanceWeights(xb, K, options.rng.fork(`chunk${chunk}`), yb); // [K, n]
    return tf.sub(tf.logSumExp(logW, 0), logK) as tf.Tensor1D;
  });
}
