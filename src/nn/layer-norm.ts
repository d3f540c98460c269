/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016): each example is normalised over its own features,
 *
 *   LN[h] = γ ⊙ (h − μ) / sqrt(σ² + ε) + β,   μ = (1/D) Σ_d h_d,   σ² = (1/D) Σ_d (h_d − μ)²,
 *
 * over the last axis (the D features of one token or one example), with a learned gain γ (starts at 1)
 * and shift β (starts at 0). Unlike batch norm it uses no statistics of the batch, so it behaves the
 * same in training and inference, for a batch of one, and for every position of a sequence; that is
 * why transformers use it.
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export interface LayerNormConfig {
  /** Width D of the normalised (last) axis. */
  dim: number;
  /** ε added to the variance, so a constant input does not divide by zero. @default 1e-5 */
  epsilon?: number;
}

export class LayerNorm {
  readonly dim: number;
  readonly epsilon: number;
  /** Gain γ, shape [D], starts at 1. */
  readonly gamma: tf.Variable<tf.Rank.R1>;
  /** Shift β, shape [D], starts at 0. */
  readonly beta: tf.Variable<tf.Rank.R1>;

  constructor(config: LayerNormConfig) {
    this.dim = requirePositiveInt(config.dim, 'dim', 'LayerNorm');
    this.epsilon = config.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`LayerNorm: epsilon must be positive, got ${this.epsilon}`);
    this.gamma = ownedVariable(tf.ones([this.dim]) as tf.Tensor1D);
    this.beta = ownedVariable(tf.zeros([this.dim]) as tf.Tensor1D);
  }

  /** Normalise x [..., D] over its last axis. */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.dim) {
      throw new Error(`LayerNorm: expected a tensor whose last axis has ${this.dim} features, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axis, true);
      const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normed, this.gamma), this.beta);
    });
  }

  variables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
