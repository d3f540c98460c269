/**
 * The decoder objective (GPT; Radford et al., 2018): with causal attention the output at position n sees
 * tokens 1..n only, and is trained to predict token n + 1. The loss is the mean cross-entropy
 * −(1/BN) Σ log p(t_{n+1} | t_1..t_n) in nats per token; bits per character follow by multiplying by
 * tokens-per-character / ln 2.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { TransformerModel } from './model';
import { tokenNll } from './objectives';

export class CausalLanguageModel implements Trainable {
  constructor(readonly model: TransformerModel) {
    if (!model.config.causal) throw new Error('CausalLanguageModel: the model must be causal (config causal: true), or every position would see the token it predicts');
  }

  /**
   * batch.tokens: [B, N + 1] windows; inputs are the first N, targets the last N. Dropout (if the model has a
   * rate) in training steps only: `ctx.training` with the step's rng.
   */
  loss(batch: Batch, ctx?: StepContext): LossTerms {
    const w = batch['tokens'];
    if (w === undefined) throw new Error('CausalLanguageModel: the batch needs "tokens" [B, N + 1] (see tokenWindows)');
    return tf.tidy(() => {
      const [B, N1] = w.shape as [number, number];
      const input = tf.slice(w, [0, 0], [B, N1 - 1]) as tf.Tensor2D;
      const target = tf.slice(w, [0, 1], [B, N1 - 1]);
      return { nll: tf.mean(tokenNll(this.model.logits(input, { dropout: ctx?.training ? ctx.rng : undefined }), target)) as tf.Scalar };
    });
  }

  /** Mean nats per token on windows [n, N + 1], in batches (no gradient). */
  evaluate(windows: tf.Tensor2D, batchSize = 64): number {
    let total = 0;
    const n = windows.shape[0];
    for (let i = 0; i < n; i += batchSize) {
      const size = Math.min(batchSize, n - i);
      total += tf.tidy(() => this.loss({ tokens: tf.slice(windows, [i, 0], [size, -1]) })['nll']!.dataSync()[0]!) * size;
    }
    return total / n;
  }

  variables(): tf.Variable[] {
    return this.model.variables();
  }

  dispose(): void {
    this.model.dispose();
  }
}
