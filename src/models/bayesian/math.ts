/**
 * Small numerical helpers shared by the Bayesian layers and the predictive summaries.
 *
 * - softplus and its inverse: the posterior scale is sigma = softplus(rho) = log(1 + e^rho)
 *   (Blundell et al., 2015, "Weight Uncertainty in Neural Networks", Sec. 3.2), which keeps sigma > 0
 *   for any real rho; the inverse sets rho from a wanted initial sigma.
 * - normalQuantile: the standard normal inverse CDF (Acklam's rational approximation, relative error
 *   about 1e-9), for central predictive intervals mean +- z * std.
 */
import * as tf from '@tensorflow/tfjs';

/** log(2 pi) / 2: the constant of a Gaussian log density. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** sigma = softplus(rho) = log(1 + exp(rho)), numerically stable for large |rho|. */
export function softplus(rho: tf.Tensor): tf.Tensor {
  return tf.softplus(rho);
}

/** rho with softplus(rho) = sigma (for sigma > 0): rho = log(e^sigma - 1). */
export function inverseSoftplus(sigma: number): number {
  if (!(sigma > 0)) throw new Error(`inverseSoftplus: sigma must be > 0, got ${sigma}`);
  // For large sigma, log(e^s - 1) = s + log(1 - e^-s) avoids overflow.
  return sigma > 20 ? sigma + Math.log1p(-Math.exp(-sigma)) : Math.log(Math.expm1(sigma));
}

/** Elementwise log N(x | mu, sigma^2). */
export function gaussianLogProb(x: tf.Tensor, mu: tf.Tensor | number, sigma: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(x, mu), sigma);
    return tf.sub(tf.neg(tf.add(tf.mul(0.5, tf.square(z)), HALF_LOG_2PI)), tf.log(sigma));
  });
}

/** The standard normal quantile lives with the other normal-distribution helpers. */
export { normalQuantile } from '../../math/normal';
