/** A tiny labelled data set shared by the DBN and pre-training tests. */
import * as tf from '@tensorflow/tfjs';
import { seed } from '../src/runtime/rng';

/** Two classes of 12-bit patterns (left half on or right half on) with 10% flipped bits; parity = bit 0. */
export function halfPatterns(n: number, label: string): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = seed(label);
  return tf.tidy(() => {
    const y = tf.cast(rng.bernoulli(tf.fill([n], 0.5)), 'int32') as tf.Tensor1D;
    const proto = tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    ]);
    const x = tf.abs(tf.sub(tf.gather(proto, y), rng.bernoulli(tf.fill([n, 12], 0.1)))) as tf.Tensor2D;
    return { x, y };
  });
}
