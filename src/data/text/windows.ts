/** Token windows for training: fixed-length slices of a token stream, as an int32 tensor. */
import * as tf from '@tensorflow/tfjs';

export interface WindowOptions {
  /** Step between window starts. @default length (non-overlapping) */
  stride?: number;
  /** At most this many windows (the first ones). @default all */
  limit?: number;
}

/** Windows [n, length] of `ids`; a decoder takes length = N + 1 (inputs and shifted targets). */
export function tokenWindows(ids: ArrayLike<number>, length: number, options: WindowOptions = {}): tf.Tensor2D {
  const stride = options.stride ?? length;
  if (!Number.isInteger(length) || length <= 0 || !Number.isInteger(stride) || stride <= 0) {
    throw new Error(`tokenWindows: length and stride must be positive integers, got ${length}, ${stride}`);
  }
  if (ids.length < length) throw new Error(`tokenWindows: ${ids.length} tokens cannot fill one window of ${length}`);
  let n = Math.floor((ids.length - length) / stride) + 1;
  if (options.limit !== undefined) n = Math.min(n, options.limit);
  const out = new Int32Array(n * length);
  for (let w = 0; w < n; w++) for (let j = 0; j < length; j++) out[w * length + j] = ids[w * stride + j]!;
  return tf.tensor2d(out, [n, length], 'int32');
}
