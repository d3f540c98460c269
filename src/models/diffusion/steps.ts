/**
 * Reading schedule coefficients at a step t that is either one number (every row at the same step, as
 * in sampling) or an int32 tensor of per-row steps (as in training, t ~ U{1..T} per example).
 */
import * as tf from '@tensorflow/tfjs';

/** A diffusion step: one integer for the whole batch, or one integer per row (int32 tensor [n]). */
export type Step = number | tf.Tensor1D;

/**
 * `table[t]` shaped to broadcast against a batch of rank `rank` (`[n, 1, ...]` for per-row steps, a
 * scalar for one step). Call inside `tf.tidy`.
 */
export function coefAt(table: ArrayLike<number>, t: Step, rank: number, T: number, what: string): tf.Tensor {
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t < 0 || t > T) throw new Error(`${what}: step t must be an integer in 0..${T}, got ${t}`);
    return tf.scalar(table[t]!);
  }
  if (t.rank !== 1 || t.dtype !== 'int32') {
    throw new Error(`${what}: per-row steps must be an int32 tensor of shape [n], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  const col = tf.gather(tf.tensor1d(Float32Array.from(table as ArrayLike<number>)), t);
  return tf.reshape(col, [t.shape[0], ...new Array<number>(Math.max(rank - 1, 0)).fill(1)]);
}

/** Throws unless `t` has one entry per row of `x`. */
export function checkRows(x: tf.Tensor, t: Step, what: string): void {
  if (typeof t !== 'number' && t.shape[0] !== x.shape[0]) {
    throw new Error(`${what}: ${t.shape[0]} steps for ${x.shape[0]} rows; pass one step per row or a single number`);
  }
}
