/**
 * Sinusoidal embedding of the diffusion step t (Vaswani et al. 2017, sec. 3.5; used for t by DDPM,
 * Ho et al. 2020, appendix B). One network g_t serves every step: it reads t through
 *
 *   emb(t) = [sin(t w_0), ..., sin(t w_{k-1}), cos(t w_0), ..., cos(t w_{k-1})],   w_i = maxPeriod^(-i/k),  k = dim/2,
 *
 * so that nearby steps get similar codes at every scale from one step (w_0 = 1) to maxPeriod steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Step } from './steps';

/** Embedding of t: [n, dim] for per-row steps, [1, dim] for one step (broadcasts over the batch). */
export function timeEmbedding(t: Step, dim: number, maxPeriod = 10000): tf.Tensor2D {
  if (!Number.isInteger(dim) || dim < 2 || dim % 2 !== 0) {
    throw new Error(`timeEmbedding: dim must be an even integer >= 2, got ${dim}`);
  }
  const k = dim / 2;
  const freqs = Float32Array.from({ length: k }, (_, i) => Math.pow(maxPeriod, -i / k));
  return tf.tidy(() => {
    const tt = typeof t === 'number' ? tf.tensor2d([[t]]) : tf.reshape(tf.cast(t, 'float32'), [t.shape[0], 1]);
    const angles = tf.mul(tt, tf.tensor2d(freqs, [1, k]));
    return tf.concat([tf.sin(angles), tf.cos(angles)], 1) as tf.Tensor2D;
  });
}
