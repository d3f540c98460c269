/**
 * The matrix of a linear map between tensors, column by column: column j is the map applied to the j-th
 * unit input. For a convolution this is the lecture's picture of convolution as a matrix with the kernel
 * repeated along shifted rows; its transpose is the transposed convolution.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The [outputSize, inputSize] matrix A of a linear map `f` that takes a batch [n, ...exampleShape] to a
 * batch [n, ...] (row-major flattening of one example on each side): f(x)_flat = A x_flat.
 */
export function linearMapMatrix(f: (x: tf.Tensor) => tf.Tensor, exampleShape: number[]): number[][] {
  const n = exampleShape.reduce((a, b) => a * b, 1);
  if (!(n >= 1 && n <= 4096)) throw new Error(`linearMapMatrix: an example has ${n} entries; the dense matrix is meant for small examples (1 to 4,096)`);
  const t = tf.tidy(() => tf.transpose(tf.reshape(f(tf.reshape(tf.eye(n), [n, ...exampleShape])), [n, -1])));
  const m = t.arraySync() as number[][];
  t.dispose();
  return m;
}
