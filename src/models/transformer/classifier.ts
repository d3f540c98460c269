/**
 * Fine-tuning an encoder for sequence classification (the lecture's "add an output layer and train on
 * task-specific data"): the encoder's final hidden states are averaged over positions and mapped to
 * class logits by a new linear layer; the whole network trains on the labelled examples.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { Linear } from './dense';
import type { TransformerModel } from './model';
import { tokenNll } from './objectives';

export class SequenceClassifier implements Trainable {
  readonly head: Linear;

  constructor(
    readonly encoder: TransformerModel,
    readonly classes: number,
    rng: Rng,
  ) {
    if (!Number.isInteger(classes) || classes < 2) throw new Error(`SequenceClassifier: classes must be an integer >= 2, got ${classes}`);
    this.head = new Linear(encoder.config.dModel, classes, rng);
  }

  /** Class logits [B, C] of tokens [B, N]. */
  logits(tokens: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(tf.mean(this.encoder.forward(tokens).hidden, 1)) as tf.Tensor2D);
  }

  /** batch.tokens [B, N], batch.labels [B] int32. */
  loss(batch: Batch, _ctx?: StepContext): LossTerms {
    const x = batch['tokens'];
    const y = batch['labels'];
    if (x === undefined || y === undefined) throw new Error('SequenceClassifier: the batch needs "tokens" [B, N] and "labels" [B]');
    return tf.tidy(() => ({ ce: tf.mean(tokenNll(this.logits(x as tf.Tensor2D), y)) as tf.Scalar }));
  }

  /** Fraction of correct argmax predictions. */
  accuracy(tokens: tf.Tensor2D, labels: tf.Tensor1D): number {
    return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(this.logits(tokens), -1), tf.cast(labels, 'int32')), 'float32')).dataSync()[0]!);
  }

  variables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.head.variables()];
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
