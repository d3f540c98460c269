/**
 * Small numerical helpers shared by the Bayesian layers and the predictive summaries.
 *
 * - softplus and its inverse: the posterior scale is sigma = softplus(rho) = log(1 + e^rho)
 *   (Blundell et al., 2015, "Weight Uncertainty in Neural Networks", Sec. 3.2), which keeps sigma > 0
 *   for any real rho; the inverse sets rho from a wanted initial sigma.
 *
 * The Gaussian log-density, log 2π and the normal quantile live in src/math.
 */
import * as tf from '@tensorflow/tfjs';

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
