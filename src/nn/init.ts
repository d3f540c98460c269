/**
 * Weight initialisation schemes for dense layers, each a draw from the `Rng` passed in.
 *
 * - 'glorotUniform': U(-l, l), l = sqrt(6 / (fan_in + fan_out))       (Glorot & Bengio, 2010, eq. 16)
 * - 'glorotNormal':  N(0, 2 / (fan_in + fan_out))                      (same variance, Gaussian)
 * - 'heNormal':      N(0, 2 / fan_in), for ReLU-like units             (He et al., 2015, eq. 10)
 * - 'lecunNormal':   N(0, 1 / fan_in), for smooth units (SiLU, tanh)   (LeCun et al., 1998)
 * - 'auto':          'heNormal' where the layer's activation is ReLU-like, 'glorotNormal' otherwise.
 *
 * Each scheme makes exactly one rng call per weight matrix (`uniform` or `randn` of shape
 * [fan_in, fan_out]), so a seed gives the same weights whatever network is built around it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { type Activation, isReluLike } from './activation';

export type InitScheme = 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'lecunNormal' | 'auto';

export const INIT_SCHEMES: readonly InitScheme[] = ['glorotUniform', 'glorotNormal', 'heNormal', 'lecunNormal', 'auto'];

/**
 * A fresh [fanIn, fanOut] weight matrix drawn by `scheme`; `activation` is the one applied to this
 * layer's output (only 'auto' reads it).
 */
export function initialWeights(scheme: InitScheme, fanIn: number, fanOut: number, rng: Rng, activation: Activation): tf.Tensor2D {
  return tf.tidy(() => {
    if (scheme === 'glorotUniform') {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return rng.uniform([fanIn, fanOut], -limit, limit) as tf.Tensor2D;
    }
    return tf.mul(rng.randn([fanIn, fanOut]), normalStd(scheme, fanIn, fanOut, activation)) as tf.Tensor2D;
  });
}

function normalStd(scheme: InitScheme, fanIn: number, fanOut: number, activation: Activation): number {
  switch (scheme) {
    case 'glorotNormal':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'heNormal':
      return Math.sqrt(2 / fanIn);
    case 'lecunNormal':
      return Math.sqrt(1 / fanIn);
    case 'auto':
      return isReluLike(activation) ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
    default:
      throw new Error(`Unknown init scheme "${String(scheme)}"; use one of ${INIT_SCHEMES.join(', ')}`);
  }
}
