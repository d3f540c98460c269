/** Shared bits for the diffusion tests. */
import * as tf from '@tensorflow/tfjs';
import type { NoisePredictor } from '../../src/models/diffusion';

/** Column means and (population) variances of a [n, d] tensor, as plain arrays. */
export function moments(x: tf.Tensor): { mean: number[]; variance: number[] } {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  });
}

/** The trivial predictor g_t(z) = 0. */
export const zeroPredictor: NoisePredictor = { predict: (z) => tf.zerosLike(z) };
