/**
 * The transformer layer (the lecture's "Transformer layer"): self-attention, a fully connected network
 * applied to each token, residual connections around both, and layer norm.
 *
 * Pre-norm (Xiong et al., 2020; GPT-2): h = x + MHSA(LN₁(x)), y = h + FC(LN₂(h)). The original layer
 * (Vaswani et al., 2017) is post-norm, LN(x + MHSA(x)). Pre-norm is chosen because the residual path
 * then carries x unchanged from input to output, so gradients reach the first layers without passing
 * through any normalisation; small models train stably at a constant learning rate without the warm-up
 * that post-norm needs. A final LN after the last layer (in the model) puts the output on one scale.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { LayerNorm } from '../../nn/layer-norm';
import { Linear } from './dense';
import { MultiHeadAttention } from './multi-head';

export interface TransformerBlockConfig {
  dModel: number;
  heads: number;
  /** Hidden width of the fully connected network. @default 4 · dModel */
  ffHidden?: number;
  /** Relative-position distance R (0: none). @default 0 */
  relativeDistance?: number;
  rng: Rng;
}

/** Dropout of a block's two branch outputs (see `TransformerConfig.dropout`). */
export interface BlockDropout {
  attention: (t: tf.Tensor) => tf.Tensor;
  fc: (t: tf.Tensor) => tf.Tensor;
}

export class TransformerBlock {
  readonly attention: MultiHeadAttention;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(config: TransformerBlockConfig) {
    const { dModel, rng } = config;
    const hidden = config.ffHidden ?? 4 * dModel;
    this.attention = new MultiHeadAttention({ dModel, heads: config.heads, relativeDistance: config.relativeDistance ?? 0, rng });
    this.norm1 = new LayerNorm({ dim: dModel });
    this.norm2 = new LayerNorm({ dim: dModel });
    this.fc1 = new Linear(dModel, hidden, rng);
    this.fc2 = new Linear(hidden, dModel, rng);
  }

  /**
   * x [B, N, D] → { output [B, N, D], attention weights [B, H, N, N] }. `drop`, in training only: what
   * to apply to the attention and fully connected outputs before they join the residual stream
   * (residual dropout, GPT-2).
   */
  apply(x: tf.Tensor3D, causal: boolean, drop?: BlockDropout): { output: tf.Tensor3D; weights: tf.Tensor4D } {
    return tf.tidy(() => {
      const a = this.attention.apply(this.norm1.apply(x) as tf.Tensor3D, causal);
      const h = tf.add(x, drop ? drop.attention(a.output) : a.output);
      const f = this.fc2.apply(tf.relu(this.fc1.apply(this.norm2.apply(h))));
      return { output: tf.add(h, drop ? drop.fc(f) : f) as tf.Tensor3D, weights: a.weights };
    });
  }

  variables(): tf.Variable[] {
    return [...this.attention.variables(), ...this.norm1.variables(), ...this.norm2.variables(), ...this.fc1.variables(), ...this.fc2.variables()];
  }

  dispose(): void {
    this.attention.dispose();
    this.norm1.dispose();
    this.norm2.dispose();
    this.fc1.dispose();
    this.fc2.dispose();
  }
}
