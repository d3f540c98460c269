/**
 * A transformer over token sequences, the one network behind the notebook's decoder (GPT-style, causal)
 * and encoder (BERT-style, bidirectional): token embedding X = Ω_e T, positional information, L
 * pre-norm transformer layers, a final layer norm, and a linear map to one logit per vocabulary entry.
 *
 * Follows the shape of nanoGPT's `GPT` (Karpathy), including its residual dropout (off by default):
 * a decoder trained for many epochs on a million characters overfits (issue 20: the transformers
 * notebook's decoder at width 64 reached 1.89 bits/char on training windows against 2.08 held out after
 * 6,000 steps; dropout 0.1 halved that gap but ended at 2.14, as it also slowed learning).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { LayerNorm } from '../../nn/layer-norm';
import { ownedVariable } from '../../nn/variable';
import { TransformerBlock } from './block';
import { Linear } from './dense';
import { sinusoidalEncoding } from './positional';
import { dropout, validateDropoutRate } from '../../nn/dropout';

export type PositionalKind = 'learned' | 'sinusoidal' | 'none';

export interface TransformerConfig {
  /** Number of token ids V (inputs and outputs). */
  vocabSize: number;
  /** Longest sequence N_max the model accepts. */
  contextLength: number;
  /** Width D of token vectors. @default 64 */
  dModel?: number;
  /** Heads per layer. @default 4 */
  heads?: number;
  /** Transformer layers L. @default 2 */
  layers?: number;
  /** Hidden width of each layer's fully connected network. @default 4 · dModel */
  ffHidden?: number;
  /** Causal (decoder) or bidirectional (encoder) attention. @default false */
  causal?: boolean;
  /** Absolute positional encoding added to the embeddings. @default 'learned' */
  positional?: PositionalKind;
  /** Relative-position terms in the logits for offsets within ±R (0: none). @default 0 */
  relativeDistance?: number;
  /**
   * How X = Ω_e T is computed: 'gather' picks rows of Ω_e (its gradient is an unsorted segment sum),
   * 'oneHot' multiplies by the one-hot T (a dense matMul, whose gradient Tᵀ G copies the [B·N, V] one-hot
   * to transpose it). Same numbers; 'gather' measured about 10% faster for the decoder's whole step
   * (V = 768, wasm). @default 'gather'
   */
  embedding?: 'gather' | 'oneHot';
  /**
   * Tie the output layer to the embedding (Press & Wolf, 2017; GPT-2): logits = h Ω_eᵀ + β, so a token's
   * input vector is also the direction that predicts it. Saves V·D parameters, a third of a small model's
   * at V = 768, D = 64, and gives the rarely seen tokens' rows a gradient at every step. Not a free win at
   * this size: the notebook's decoder (V = 768, D = 64, 2 layers, 800 steps) reached 2.51 bits per character
   * tied against 2.41 untied, so it stays untied there. @default false
   */
  tieEmbeddings?: boolean;
  /**
   * Residual dropout rate (GPT-2, nanoGPT): inverted dropout on the embeddings and on each attention
   * and fully connected output before it joins the residual stream. Applied only when a call passes a
   * random source (`forward(x, { dropout: rng })`; `CausalLanguageModel` passes the step's rng in training
   * steps; the encoder objectives do not use dropout), so
   * evaluation and sampling are deterministic. @default 0
   */
  dropout?: number;
  rng: Rng;
}

export interface TransformerOutput {
  /** Final hidden states [B, N, D] (after the last layer norm). */
  hidden: tf.Tensor3D;
  /** Attention weights per layer, each [B, H, N, N] (empty unless asked for). */
  attention: tf.Tensor4D[];
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Also return the attention weights of every layer. @default false */
  attention?: boolean;
  /**
   * The random source for dropout: given in training steps only (the step's `ctx.rng`); without it, or
   * with `dropout` 0 in the config, no unit is dropped. @default undefined (no dropout)
   */
  dropout?: Rng;
}

/** Integer ids [B, N], from nested arrays or a tensor. */
export type TokenInput = tf.Tensor2D | number[][];

export class TransformerModel {
  readonly config: Required<Omit<TransformerConfig, 'rng'>>;
  /** Ω_e stored as [V, D] (row v is token v's embedding). */
  readonly embedding: tf.Variable<tf.Rank.R2>;
  /** Learned absolute positions [N_max, D], or null. */
  readonly positions: tf.Variable<tf.Rank.R2> | null;
  readonly blocks: TransformerBlock[];
  readonly finalNorm: LayerNorm;
  /** The output layer [D → V], or null when tied to the embedding. */
  readonly head: Linear | null;
  /** The output bias β [V] of a tied output layer (null when untied: the head has its own). */
  readonly headBias: tf.Variable<tf.Rank.R1> | null;
  private readonly sinusoid: tf.Tensor2D | null;

  constructor(config: TransformerConfig) {
    const c = {
      vocabSize: config.vocabSize,
      contextLength: config.contextLength,
      dModel: config.dModel ?? 64,
      heads: config.heads ?? 4,
      layers: config.layers ?? 2,
      ffHidden: config.ffHidden ?? 4 * (config.dModel ?? 64),
      causal: config.causal ?? false,
      positional: config.positional ?? 'learned',
      relativeDistance: config.relativeDistance ?? 0,
      embedding: config.embedding ?? 'gather',
      tieEmbeddings: config.tieEmbeddings ?? false,
      dropout: validateDropoutRate(config.dropout ?? 0, 'TransformerModel (dropout)'),
    };
    for (const k of ['vocabSize', 'contextLength', 'dModel', 'heads', 'layers', 'ffHidden'] as const) {
      if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`TransformerModel: ${k} must be a positive integer, got ${c[k]}`);
    }
    if (!['learned', 'sinusoidal', 'none'].includes(c.positional)) {
      throw new Error(`TransformerModel: positional must be 'learned', 'sinusoidal' or 'none', got "${c.positional}"`);
    }
    this.config = c;
    const rng = config.rng;
    // N(0, 0.02²) embeddings as GPT-2: small against the unit-scale layer norms.
    this.embedding = ownedVariable(() => tf.mul(rng.randn([c.vocabSize, c.dModel]), 0.02) as tf.Tensor2D);
    this.positions = c.positional === 'learned' ? ownedVariable(() => tf.mul(rng.randn([c.contextLength, c.dModel]), 0.02) as tf.Tensor2D) : null;
    this.sinusoid = c.positional === 'sinusoidal' ? sinusoidalEncoding(c.contextLength, c.dModel) : null;
    this.blocks = [];
    for (let l = 0; l < c.layers; l++) {
      this.blocks.push(new TransformerBlock({ dModel: c.dModel, heads: c.heads, ffHidden: c.ffHidden, relativeDistance: c.relativeDistance, rng }));
    }
    this.finalNorm = new LayerNorm({ dim: c.dModel });
    this.head = c.tieEmbeddings ? null : new Linear(c.dModel, c.vocabSize, rng);
    this.headBias = c.tieEmbeddings ? ownedVariable(tf.zeros([c.vocabSize]) as tf.Tensor1D) : null;
  }

  /** Ids as an int32 tensor, with a clear error for a wrong shape, a too-long sequence or an unknown id. */
  tokens(input: TokenInput): tf.Tensor2D {
    const t = Array.isArray(input) ? tf.tensor2d(input, undefined, 'int32') : input;
    if (t.rank !== 2) throw new Error(`TransformerModel: tokens must be [batch, length], got shape [${t.shape.join(', ')}]`);
    const N = t.shape[1];
    if (N > this.config.contextLength) {
      if (t !== input) t.dispose();
      throw new Error(`TransformerModel: sequence length ${N} exceeds the model's context of ${this.config.contextLength} tokens; crop the input to its last ${this.config.contextLength} tokens`);
    }
    const [lo, hi] = tf.tidy(() => [tf.min(t).dataSync()[0]!, tf.max(t).dataSync()[0]!]);
    if (lo! < 0 || hi! >= this.config.vocabSize || !Number.isInteger(lo) || !Number.isInteger(hi)) {
      if (t !== input) t.dispose();
      throw new Error(`TransformerModel: unknown token id ${lo! < 0 ? lo : hi}; ids must be integers in [0, ${this.config.vocabSize - 1}] (vocabSize ${this.config.vocabSize})`);
    }
    return t.dtype === 'int32' ? t : (tf.tidy(() => tf.cast(t, 'int32')) as tf.Tensor2D);
  }

  /** X = Ω_e T (+ absolute positions): [B, N, D]. */
  embed(tokens: tf.Tensor2D): tf.Tensor3D {
    const [B, N] = tokens.shape;
    const { vocabSize: V, dModel: D } = this.config;
    return tf.tidy(() => {
      const flat = tf.reshape(tokens, [-1]) as tf.Tensor1D;
      const rows = this.config.embedding === 'oneHot' ? tf.matMul(tf.oneHot(flat, V), this.embedding) : tf.gather(this.embedding, flat);
      let x = tf.reshape(rows, [B, N, D]) as tf.Tensor3D;
      if (this.positions !== null) x = tf.add(x, tf.slice(this.positions, [0, 0], [N, D]));
      if (this.sinusoid !== null) x = tf.add(x, tf.slice(this.sinusoid, [0, 0], [N, D]));
      return x;
    });
  }

  /** Hidden states of every position, and the attention weights when `attention` is true. */
  forward(input: TokenInput, options: ForwardOptions = {}): TransformerOutput {
    const tokens = this.tokens(input);
    const rate = this.config.dropout;
    const rng = options.dropout;
    // One fork per dropout site, so each draws its own mask.
    const drop = rng === undefined || rate === 0 ? undefined : (site: string) => (t: tf.Tensor) => dropout(t, rate, rng.fork(site)) as tf.Tensor3D;
    try {
      return tf.tidy(() => {
        let x = this.embed(tokens);
        if (drop) x = drop('embed')(x);
        const weights: tf.Tensor4D[] = [];
        for (const [l, block] of this.blocks.entries()) {
          const r = block.apply(x, this.config.causal, drop && { attention: drop(`attn${l}`), fc: drop(`fc${l}`) });
          x = r.output;
          if (options.attention) weights.push(r.weights);
        }
        return { hidden: this.finalNorm.apply(x) as tf.Tensor3D, attention: weights };
      });
    } finally {
      if (tokens !== input) tokens.dispose();
    }
  }

  /** Logits [B, N, V] of the token at each position (the next token, for a causal model). */
  logits(input: TokenInput, options: { dropout?: Rng } = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.forward(input, { dropout: options.dropout }).hidden;
      if (this.head !== null) return this.head.apply(h) as tf.Tensor3D;
      const [B, N, D] = h.shape;
      // h Ω_eᵀ with the transpose made explicit: the transposed product's gradient would copy the
      // [B·N, V] output gradient instead of the small [V, D] table.
      const y = tf.add(tf.matMul(tf.reshape(h, [B * N, D]) as tf.Tensor2D, tf.transpose(this.embedding)), this.headBias!);
      return tf.reshape(y, [B, N, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Parameters in the model. */
  get parameterCount(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  variables(): tf.Variable[] {
    const vs: tf.Variable[] = [this.embedding];
    if (this.positions !== null) vs.push(this.positions);
    for (const b of this.blocks) vs.push(...b.variables());
    vs.push(...this.finalNorm.variables(), ...(this.head !== null ? this.head.variables() : [this.headBias!]));
    return vs;
  }

  /** Copy every weight from a model of the same configuration (e.g. a pre-trained encoder into a fresh one). */
  copyFrom(other: TransformerModel): void {
    const mine = this.variables();
    const theirs = other.variables();
    if (mine.length !== theirs.length || mine.some((v, i) => v.shape.join() !== theirs[i]!.shape.join())) {
      throw new Error('TransformerModel.copyFrom: the two models have different configurations');
    }
    mine.forEach((v, i) => v.assign(theirs[i]!));
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
    for (const b of this.blocks) b.dispose();
    this.sinusoid?.dispose();
  }
}
