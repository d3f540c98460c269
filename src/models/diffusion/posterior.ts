/**
 * The posterior of the forward process, q(z_{t-1} | z_t, x) (DDPM eq. 6-7).
 *
 * The marginals q(z_t) and the reverse conditionals q(z_{t-1} | z_t) are unknown (they mix over the data
 * distribution), but conditioning on x as well makes the reverse step Gaussian. By Bayes' rule,
 *
 *   q(z_{t-1} | z_t, x)  ∝  q(z_t | z_{t-1}) q(z_{t-1} | x)
 *                        =  N(z_t; sqrt(1 - beta_t) z_{t-1}, beta_t I) N(z_{t-1}; sqrt(alpha_{t-1}) x, (1 - alpha_{t-1}) I),
 *
 * a product of two Gaussians in z_{t-1}: precisions add, precision-weighted means add, giving
 *
 *   variance  beta~_t = (1 - alpha_{t-1}) beta_t / (1 - alpha_t)
 *   mean      mu~_t   = sqrt(alpha_{t-1}) beta_t / (1 - alpha_t) x  +  sqrt(1 - beta_t) (1 - alpha_{t-1}) / (1 - alpha_t) z_t.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoiseSchedule } from './schedule';

/** The two coefficients of the posterior mean, mu~_t = cx x + cz z_t, and the variance beta~_t. */
export function posteriorCoefficients(schedule: NoiseSchedule, t: number): { cx: number; cz: number; variance: number } {
  if (!Number.isInteger(t) || t < 1 || t > schedule.T) {
    throw new Error(`posterior: step t must be an integer in 1..${schedule.T}, got ${t}`);
  }
  const a = schedule.alpha[t]!;
  const aPrev = schedule.alpha[t - 1]!;
  const b = schedule.beta[t]!;
  return {
    cx: (Math.sqrt(aPrev) * b) / (1 - a),
    cz: (Math.sqrt(1 - b) * (1 - aPrev)) / (1 - a),
    variance: ((1 - aPrev) * b) / (1 - a),
  };
}

/** q(z_{t-1} | z_t, x) = N(mean, variance I) for a batch (same step t for every row). */
export function posterior(schedule: NoiseSchedule, x: tf.Tensor, zt: tf.Tensor, t: number): { mean: tf.Tensor; variance: number } {
  if (!tf.util.arraysEqual(x.shape, zt.shape)) {
    throw new Error(`posterior: x has shape [${x.shape.join(', ')}] but z_t has [${zt.shape.join(', ')}]; they must match`);
  }
  const { cx, cz, variance } = posteriorCoefficients(schedule, t);
  return { mean: tf.tidy(() => tf.add(tf.mul(x, cx), tf.mul(zt, cz))), variance };
}
