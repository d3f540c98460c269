/** One affine layer x -> x W + b of a network's trunk: what pre-training hands to a classifier. */
import type * as tf from '@tensorflow/tfjs';

export interface DenseLayer {
  /** Weights [in, out]. */
  W: tf.Tensor2D;
  /** Biases [out]. */
  b: tf.Tensor1D;
}
