/**
 * One output token per input position (sequence labelling, the lecture's "word classification"): the
 * model's logits at position n predict target n. The synthetic tasks use it: for reversal, output n must
 * copy input N − 1 − n, which only attention can fetch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { TransformerModel } from './model';
import { tokenNll } from './objectives';

export class TokenTagger implements Trainable {
  constructor(readonly model: TransformerModel) {}

  /** batch.x [B, N] inputs, batch.y [B, N] targets: mean cross-entropy per position. */
  loss(batch: Batch, _ctx?: StepContext): LossTerms {
    const x = batch['x'];
    const y = batch['y'];
    if (x === undefined || y === undefined) throw new Error('TokenTagger: the batch needs "x" and "y", both [B, N]');
    return tf.tidy(() => ({ ce: tf.mean(tokenNll(this.model.logits(x as tf.Tensor2D), y)) as tf.Scalar }));
  }

  /** Argmax predictions [B, N]. */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.argMax(this.model.logits(x), -1), 'int32') as tf.Tensor2D);
  }

  /** Fraction of sequences predicted exactly (every position right). */
  exactAccuracy(x: tf.Tensor2D, y: tf.Tensor2D): number {
    return tf.tidy(() => {
      const right = tf.cast(tf.equal(this.predict(x), tf.cast(y, 'int32')), 'float32');
      return tf.mean(tf.min(right, 1)).dataSync()[0]!;
    });
  }

  variables(): tf.Variable[] {
    return this.model.variables();
  }

  dispose(): void {
    this.model.dispose();
  }
}
