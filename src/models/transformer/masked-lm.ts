/**
 * The encoder's pre-training objective, masked-token prediction (BERT; Devlin et al., 2019, §3.1): pick
 * 15% of the positions; of those, 80% become the [MASK] token, 10% a random token, 10% stay; the model
 * (bidirectional attention) predicts the original token at the picked positions only. The random and
 * unchanged 10%s keep the model from learning that only [MASK] positions matter.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { TransformerModel } from './model';
import { tokenNll } from './objectives';

export interface MaskingConfig {
  /** Id of the [MASK] token (usually the last id of the model's vocabulary). */
  maskId: number;
  /** Ids drawn for the "random token" replacements: [0, randomVocab). */
  randomVocab: number;
  /** Fraction of positions picked. @default 0.15 */
  rate?: number;
  /** Of the picked: fraction set to [MASK]. @default 0.8 */
  maskFraction?: number;
  /** Of the picked: fraction set to a random token. @default 0.1 */
  randomFraction?: number;
}

export interface MaskedTokens {
  /** The corrupted ids, model input [B, N]. */
  input: tf.Tensor2D;
  /** 1 at picked positions, 0 elsewhere [B, N]. */
  picked: tf.Tensor2D;
}

/** BERT's corruption of tokens [B, N] int32, seeded by `rng`. */
export function maskTokens(tokens: tf.Tensor2D, config: MaskingConfig, rng: Rng): MaskedTokens {
  const rate = config.rate ?? 0.15;
  const pm = config.maskFraction ?? 0.8;
  const pr = config.randomFraction ?? 0.1;
  if (!(rate > 0 && rate <= 1) || pm < 0 || pr < 0 || pm + pr > 1) {
    throw new Error(`maskTokens: need 0 < rate <= 1 and maskFraction + randomFraction <= 1, got ${rate}, ${pm}, ${pr}`);
  }
  return tf.tidy(() => {
    const shape = tokens.shape;
    const picked = tf.less(rng.uniform(shape), rate);
    const u = rng.uniform(shape);
    const random = tf.cast(tf.floor(rng.uniform(shape, 0, config.randomVocab)), 'int32');
    const toMask = tf.logicalAnd(picked, tf.less(u, pm));
    const toRandom = tf.logicalAnd(picked, tf.logicalAnd(tf.greaterEqual(u, pm), tf.less(u, pm + pr)));
    let input = tf.where(toRandom, random, tokens);
    input = tf.where(toMask, tf.fill(shape, config.maskId, 'int32'), input);
    return { input: tf.cast(input, 'int32') as tf.Tensor2D, picked: tf.cast(picked, 'float32') as tf.Tensor2D };
  });
}

export class MaskedLanguageModel implements Trainable {
  readonly masking: MaskingConfig;

  constructor(
    readonly model: TransformerModel,
    masking: MaskingConfig,
  ) {
    if (model.config.causal) throw new Error('MaskedLanguageModel: the encoder must be bidirectional (causal: false)');
    if (masking.maskId < 0 || masking.maskId >= model.config.vocabSize) {
      throw new Error(`MaskedLanguageModel: maskId ${masking.maskId} is not an id of the model (vocabSize ${model.config.vocabSize}); add one id for [MASK]`);
    }
    this.masking = masking;
  }

  /** batch.tokens [B, N]: mean cross-entropy over the picked positions (nats per masked token). */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const t = batch['tokens'];
    if (t === undefined) throw new Error('MaskedLanguageModel: the batch needs "tokens" [B, N]');
    return tf.tidy(() => {
      const { input, picked } = maskTokens(t as tf.Tensor2D, this.masking, ctx.rng);
      const nll = tokenNll(this.model.logits(input), t);
      return { mlm: tf.div(tf.sum(tf.mul(nll, picked)), tf.maximum(tf.sum(picked), 1)) as tf.Scalar };
    });
  }

  variables(): tf.Variable[] {
    return this.model.variables();
  }

  dispose(): void {
    this.model.dispose();
  }
}
