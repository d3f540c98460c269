/**
 * Translate images by whole pixels, filling with zeros: t(x) in the lecture's definitions of
 * equivariance, f(t(x)) = t(f(x)), and invariance, f(t(x)) = f(x).
 *
 *   t(x)[b, i, j, c] = x[b, i - dy, j - dx, c]   (0 where i - dy or j - dx falls outside the image)
 */
import * as tf from '@tensorflow/tfjs';

/** `x` (NHWC) moved `dy` pixels down and `dx` right (negative: up, left), zeros shifted in. */
export function shiftImages<T extends tf.Tensor4D>(x: T, dy: number, dx: number): T {
  if (x.rank !== 4) throw new Error(`shiftImages: expected NHWC images [n, h, w, c], got shape [${x.shape.join(', ')}]`);
  const [, h, w] = x.shape;
  if (!Number.isInteger(dy) || !Number.isInteger(dx) || Math.abs(dy) >= h || Math.abs(dx) >= w) {
    throw new Error(`shiftImages: dy and dx must be integers smaller than the image (${h} x ${w}) in size, got ${dy}, ${dx}`);
  }
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [Math.max(dy, 0), Math.max(-dy, 0)], [Math.max(dx, 0), Math.max(-dx, 0)], [0, 0]]);
    return tf.slice(padded, [0, Math.max(-dy, 0), Math.max(-dx, 0), 0], [-1, h, w, -1]) as T;
  });
}
