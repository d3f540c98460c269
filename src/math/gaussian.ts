/**
 * Gaussian log-densities on tensors, the one home of the formula for every model:
 *
 *   log N(x | μ, σ²) = −½ ((x − μ)/σ)² − log σ − ½ log 2π,
 *
 * elementwise (`gaussianLogDensity`), or summed over the last axis for a diagonal Gaussian given by its
 * log-variance (`diagGaussianLogDensity`, the VAE's parameterisation) and for N(0, I)
 * (`standardNormalLogDensity`). The plain-number version is `normalLogPdf` (normal.ts).
 *
 * Each keeps the order of operations its models have always trained with, so moving them here changed
 * no result in the last bit.
 */
import * as tf from '@tensorflow/tfjs';
import { HALF_LOG_2PI, LOG_2PI } from './normal';

/** Elementwise log N(x | mu, sigma²); `mu` and `sigma` broadcast. */
export function gaussianLogDensity(x: tf.Tensor, mu: tf.Tensor | number, sigma: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(x, mu), sigma);
    return tf.sub(tf.neg(tf.add(tf.mul(0.5, tf.square(z)), HALF_LOG_2PI)), tf.log(sigma));
  });
}

/**
 * log N(z | μ, diag(exp(logVar))) summed over the last axis: the density of a diagonal Gaussian given
 * by its log-variance (a VAE's posterior q(z|x)).
 */
export function diagGaussianLogDensity(z: tf.Tensor, mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const sq = tf.div(tf.square(tf.sub(z, mu)), tf.exp(logVar));
    return tf.mul(-0.5, tf.sum(tf.add(tf.add(sq, logVar), LOG_2PI), -1));
  });
}

/**
 * log N(z | 0, I) summed over the last axis: −½ ‖z‖² − (D/2) log 2π with D the last dimension (a
 * `[n, D]` tensor gives `[n]`; `[K, n, D]` gives `[K, n]`).
 */
export function standardNormalLogDensity(z: tf.Tensor2D): tf.Tensor1D;
export function standardNormalLogDensity(z: tf.Tensor): tf.Tensor;
export function standardNormalLogDensity(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = z.shape[z.rank - 1]!;
    return tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), -1)), 0.5 * d * LOG_2PI);
  });
}
