/**
 * What every image classifier of the convolutional-networks notebook shares: the softmax cross-entropy
 * loss, validation terms, accuracy and class probabilities, on NHWC images [n, h, w, c] with integer
 * labels. A subclass supplies `logits(x, training)`: `training` is the batch-norm mode (`NormMode`:
 * batch statistics and running-average updates during a training step, running averages otherwise,
 * 'batch' for batch statistics without updates), and the Trainer passes `ctx.training`.
 *
 *   loss = -(1 / |B|) Σ_{i ∈ B} log softmax(f(x_i))_{y_i}
 */
import * as tf from '@tensorflow/tfjs';
import type { NormMode } from '../../nn';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';

export abstract class ImageClassifier implements Trainable {
  /** Input [height, width, channels] of one image. */
  abstract readonly inputShape: readonly [number, number, number];
  abstract readonly nClasses: number;

  /** Class logits [n, nClasses] of NHWC images `x`. */
  abstract logits(x: tf.Tensor4D, training: NormMode): tf.Tensor2D;

  abstract variables(): tf.Variable[];

  abstract dispose(): void;

  /** Learned parameters (the running statistics of batch norms excluded). */
  get parameterCount(): number {
    return this.variables().filter((v) => v.trainable).reduce((s, v) => s + v.size, 0);
  }

  /** p(y | x) [n, nClasses], in inference mode. */
  probs(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.logits(this.checkImages(x), false)) as tf.Tensor2D);
  }

  /**
   * Fraction of images whose most probable class is the label, `batchSize` at a time; `mode` false
   * (inference, the default) or 'batch' (each batch normalised with its own statistics).
   */
  accuracy(x: tf.Tensor4D, y: tf.Tensor, batchSize = 500, mode: false | 'batch' = false): number {
    this.checkImages(x);
    const n = x.shape[0];
    let correct = 0;
    for (let lo = 0; lo < n; lo += batchSize) {
      const size = Math.min(batchSize, n - lo);
      correct += tf.tidy(() => {
        const xb = tf.slice(x, [lo, 0, 0, 0], [size, -1, -1, -1]);
        const pred = tf.argMax(this.logits(xb, mode), 1);
        return tf.sum(tf.cast(tf.equal(pred, tf.cast(tf.slice(y, [lo], [size]), 'int32')), 'float32')).dataSync()[0]!;
      });
    }
    return correct / n;
  }

  /** Mean cross-entropy (nats) on a batch `{ x, y }`. */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const { x, y } = this.unpack(batch);
    return { xent: crossEntropy(this.logits(x, ctx.training), y, this.nClasses) };
  }

  /** Validation: cross-entropy and error rate, in inference mode. */
  evalTerms(batch: Batch): LossTerms {
    const { x, y } = this.unpack(batch);
    const logits = this.logits(x, false);
    const error = tf.sub(1, tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32'))) as tf.Scalar;
    return { loss: crossEntropy(logits, y, this.nClasses), error };
  }

  protected checkImages(x: tf.Tensor): tf.Tensor4D {
    const [h, w, c] = this.inputShape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new Error(
        `${this.constructor.name}: expected images [n, ${h}, ${w}, ${c}] (NHWC), got shape [${x.shape.join(', ')}]` +
          (x.rank === 2 ? `; reshape flat images first, x.reshape([-1, ${h}, ${w}, ${c}]), or load them with loadMnist({ shape: 'image' })` : ''),
      );
    }
    return x as tf.Tensor4D;
  }

  private unpack(batch: Batch): { x: tf.Tensor4D; y: tf.Tensor } {
    const x = batch['x'];
    const y = batch['y'];
    if (x === undefined || y === undefined) {
      throw new Error(`${this.constructor.name}: the batch needs "x" (images) and "y" (class indices) (has: ${Object.keys(batch).join(', ')})`);
    }
    return { x: this.checkImages(x), y };
  }
}

/** -(1/n) Σ log softmax(logits)_y. */
export function crossEntropy(logits: tf.Tensor2D, y: tf.Tensor, nClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, nClasses);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}
