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

/**
 * The standard normal quantile Phi^-1(p) for 0 < p < 1 (P. J. Acklam's algorithm with one step of
 * Newton refinement is unnecessary at this accuracy for interval plots).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const A = (i: number): number => a[i]!;
  const B = (i: number): number => b[i]!;
  const C = (i: number): number => c[i]!;
  const D = (i: number): number => d[i]!;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C(0) * q + C(1)) * q + C(2)) * q + C(3)) * q + C(4)) * q + C(5)) / ((((D(0) * q + D(1)) * q + D(2)) * q + D(3)) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A(0) * r + A(1)) * r + A(2)) * r + A(3)) * r + A(4)) * r + A(5)) * q) /
    (((((B(0) * r + B(1)) * r + B(2)) * r + B(3)) * r + B(4)) * r + 1);
}
