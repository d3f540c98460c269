/**
 * Multi-head self-attention (Vaswani et al., 2017; the lecture's "Multiple heads"): H heads, each with
 * its own Q_h = β_q,h + Ω_q,h x, K_h, V_h of width D/H, run in parallel and concatenated, then mixed by
 * an output projection Ω_o. The H projections are stored side by side in one [D, D] matrix per role, so
 * all heads come from one matMul, and attention runs once over a [B, H, N, N] batch: no loop over heads
 * or positions.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { ownedVariable } from '../../nn/variable';
import { causalMask, scaledDotProductAttention } from './attention';
import { Linear } from './dense';
import { relativeOffsetOneHot } from './positional';

export interface MultiHeadAttentionConfig {
  /** Width D of the token vectors. */
  dModel: number;
  /** Number of heads H; D must be a multiple of H (each head has D_q = D / H). */
  heads: number;
  /** Learned relative-position terms for offsets within ±R (0: none). @default 0 */
  relativeDistance?: number;
  /** Scale the logits by 1/√D_q (the lecture's scaling); false only to show what it prevents. @default true */
  scaled?: boolean;
  rng: Rng;
}

export interface SelfAttentionOutput {
  /** [B, N, D]. */
  output: tf.Tensor3D;
  /** [B, H, N, N]: row n of head h holds the weights output n gives to each position. */
  weights: tf.Tensor4D;
}

export class MultiHeadAttention {
  readonly dModel: number;
  readonly heads: number;
  readonly headDim: number;
  readonly relativeDistance: number;
  readonly scaled: boolean;
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly out: Linear;
  /** Relative-position terms [H, 2R + 1] (null when R = 0); start at zero. */
  readonly relative: tf.Variable<tf.Rank.R2> | null;
  private readonly constants = new Map<string, tf.Tensor>();

  constructor(config: MultiHeadAttentionConfig) {
    const { dModel, heads, rng } = config;
    if (!Number.isInteger(heads) || heads <= 0 || !Number.isInteger(dModel) || dModel % heads !== 0) {
      throw new Error(`MultiHeadAttention: dModel (${dModel}) must be a positive multiple of heads (${heads})`);
    }
    this.dModel = dModel;
    this.heads = heads;
    this.headDim = dModel / heads;
    this.relativeDistance = config.relativeDistance ?? 0;
    this.scaled = config.scaled ?? true;
    this.query = new Linear(dModel, dModel, rng);
    this.key = new Linear(dModel, dModel, rng);
    this.value = new Linear(dModel, dModel, rng);
    this.out = new Linear(dModel, dModel, rng);
    this.relative = this.relativeDistance > 0 ? ownedVariable(tf.zeros([heads, 2 * this.relativeDistance + 1]) as tf.Tensor2D) : null;
  }

  /** Self-attention of x [B, N, D]; `causal` hides keys after each query. */
  apply(x: tf.Tensor3D, causal: boolean): SelfAttentionOutput {
    const [B, N] = x.shape;
    return tf.tidy(() => {
      // [B, N, D] → [B, N, H, D/H] → [B, H, N, D/H]: the heads become a batch axis.
      const split = (t: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(t, [B, N, this.heads, this.headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
      // Q, K and V from one [D, 3D] product (weights side by side): one matMul, one bias add and, in the
      // backward pass, one product per gradient instead of three each (the layer's step is dominated by
      // per-kernel overhead at these sizes).
      const [q, k, v] = tf.split(this.projectQkv(x), 3, 2).map(split) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      let bias: tf.Tensor | undefined;
      if (causal) bias = this.constant(`mask${N}`, () => causalMask(N));
      if (this.relative !== null) {
        const oh = this.constant(`rel${N}`, () => relativeOffsetOneHot(N, this.relativeDistance));
        const rel = tf.reshape(tf.matMul(this.relative, oh, false, true), [1, this.heads, N, N]);
        bias = bias === undefined ? rel : tf.add(rel, bias);
      }
      const { output, weights } = scaledDotProductAttention(q, k, v, { bias, scale: this.scaled ? undefined : 1 });
      const merged = tf.reshape(tf.transpose(output, [0, 2, 1, 3]), [B, N, this.dModel]);
      return { output: this.out.apply(merged) as tf.Tensor3D, weights };
    });
  }

  /** [Q K V] = x [Ω_q Ω_k Ω_v] + [β_q β_k β_v]: x [B, N, D] → [B, N, 3D]. */
  private projectQkv(x: tf.Tensor3D): tf.Tensor3D {
    const [B, N, D] = x.shape;
    const W = tf.concat([this.query.W, this.key.W, this.value.W], 1);
    const y = tf.matMul(tf.reshape(x, [B * N, D]) as tf.Tensor2D, W as tf.Tensor2D);
    const bs = [this.query.b, this.key.b, this.value.b];
    const biased = bs.every((b) => b !== null) ? tf.add(y, tf.concat(bs as tf.Tensor1D[], 0)) : y;
    return tf.reshape(biased, [B, N, 3 * D]) as tf.Tensor3D;
  }

  /** A constant (mask, offset one-hot) made once per sequence length and kept out of every tidy. */
  private constant(name: string, make: () => tf.Tensor): tf.Tensor {
    let t = this.constants.get(name);
    if (t === undefined || t.isDisposed) {
      t = tf.keep(make());
      this.constants.set(name, t);
    }
    return t;
  }

  variables(): tf.Variable[] {
    const vs = [...this.query.variables(), ...this.key.variables(), ...this.value.variables(), ...this.out.variables()];
    return this.relative === null ? vs : [...vs, this.relative];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }
}
