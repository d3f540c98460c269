/**
 * The prior p_z of every flow here: a standard normal N(0, I) on R^D.
 *
 *   log p_z(z) = −½ ‖z‖² − (D/2) log 2π
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';

/** log 2π, the per-dimension constant of a standard normal log-density. */
export const LOG_2PI = Math.log(2 * Math.PI);

/** log N(z; 0, I) per row of a `[n, D]` tensor (raw ops: call inside a tidy or dispose the result). */
export function standardNormalLogProb(z: tf.Tensor2D): tf.Tensor1D {
  const d = z.shape[1];
  return tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 1)), 0.5 * d * LOG_2PI) as tf.Tensor1D;
}

/** n draws from N(0, I_D) as `[n, D]`, seeded from `rng`. */
export function standardNormalSample(n: number, dim: number, rng: Rng): tf.Tensor2D {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`standardNormalSample: n must be a positive integer, got ${n}`);
  return rng.randn([n, dim]) as tf.Tensor2D;
}
