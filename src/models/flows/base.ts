/**
 * The prior p_z of every flow here: a standard normal N(0, I) on R^D. Its log-density
 * log p_z(z) = −½ ‖z‖² − (D/2) log 2π is math.standardNormalLogDensity.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';


/** n draws from N(0, I_D) as `[n, D]`, seeded from `rng`. */
export function standardNormalSample(n: number, dim: number, rng: Rng): tf.Tensor2D {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`standardNormalSample: n must be a positive integer, got ${n}`);
  return rng.randn([n, dim]) as tf.Tensor2D;
}
