/**
 * Points in latent space for looking at a trained model.
 *
 * - `priorGrid`: a 2-D grid at equally spaced quantiles of N(0, 1) per axis, so each cell covers the same
 *   prior mass (Kingma & Welling, 2014, fig. 4: "linearly spaced coordinates on the unit square are
 *   transformed through the inverse CDF of the Gaussian"). Decoding it draws the learned manifold.
 * - `interpolate`: the straight path z(t) = (1 - t) z_a + t z_b between two codes.
 */
import * as tf from '@tensorflow/tfjs';
import { normalQuantile } from '../../math';
import { requirePositiveInt } from '../../nn';

/**
 * An n x n grid of 2-D latent points at the prior quantiles Φ⁻¹((i + ½)/n), row-major with the
 * second coordinate decreasing down the rows (so an image grid reads like a plot): [n², 2].
 */
export function priorGrid(n: number): tf.Tensor2D {
  requirePositiveInt(n, 'n', 'priorGrid');
  const q = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  const pts: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) pts.push(q[c]!, q[n - 1 - r]!);
  return tf.tensor2d(pts, [n * n, 2]);
}

/** `steps` points on the segment from `za` to `zb` (each [L] or [1, L]), endpoints included: [steps, L]. */
export function interpolate(za: tf.Tensor, zb: tf.Tensor, steps: number): tf.Tensor2D {
  if (requirePositiveInt(steps, 'steps', 'interpolate') < 2) throw new Error('interpolate: steps must be at least 2 (the two endpoints)');
  return tf.tidy(() => {
    const a = za.reshape([1, -1]);
    const b = zb.reshape([1, -1]);
    if (a.shape[1] !== b.shape[1]) throw new Error(`interpolate: the codes have different widths (${a.shape[1]} vs ${b.shape[1]})`);
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
    return tf.add(tf.mul(tf.sub(1, t), a), tf.mul(t, b)) as tf.Tensor2D;
  });
}
