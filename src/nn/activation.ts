/**
 * Element-wise nonlinearities known by name, so a model config can say `activation: 'tanh'` and a
 * notebook can print it. One table for every dense network in the library.
 */
import * as tf from '@tensorflow/tfjs';

/** Element-wise nonlinearities the networks know by name. */
export type Activation = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'tanh' | 'sigmoid' | 'softplus' | 'silu';

export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'softplus', 'silu'];

/** ReLU-like activations (zero or near-zero for x < 0): He initialisation keeps their variance. */
export function isReluLike(act: Activation): boolean {
  return act === 'relu' || act === 'leakyRelu' || act === 'elu';
}

/** SiLU / swish, x σ(x) (Elfwing et al., 2018; Ramachandran et al., 2017), as in DDPM's networks. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * Apply a named activation. `leakyReluAlpha` is the negative slope of 'leakyRelu' (models differ:
 * the flows' conditioners use 0.01, the autoencoders tfjs' 0.2).
 */
export function activate(x: tf.Tensor, act: Activation, leakyReluAlpha = 0.2): tf.Tensor {
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, leakyReluAlpha);
    case 'elu':
      return tf.elu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softplus':
      return tf.softplus(x);
    case 'silu':
      return silu(x);
    default:
      throw new Error(`Unknown activation "${String(act)}"; use one of ${ACTIVATIONS.join(', ')}`);
  }
}
