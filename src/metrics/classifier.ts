/**
 * A small dense classifier trained to *judge* samples: its class probabilities give the class-histogram
 * and confidence scores (classes.ts), its last hidden layer the features for the Fréchet distance
 * (frechet.ts), the role the Inception network plays in FID (Heusel et al. 2017). Built on the shared
 * `nn.MLP`; trained with the shared Trainer on the softmax cross-entropy.
 *
 *   h = MLP_hidden(x) (ReLU layers),   p(y | x) = softmax(h W + b),   features(x) = h
 *
 * Any model with `features` and `probs` can serve as the evaluator (`SampleEvaluator`); a convolutional
 * one can replace this MLP without changing the metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { type Activation, MLP, requireMatrix, requirePositiveInt } from '../nn';
import type { Rng } from '../runtime/rng';
import type { Batch, LossTerms, Trainable } from '../train/types';

/** What the sample metrics need from an evaluator network. */
export interface SampleEvaluator {
  /** Feature vectors for the Fréchet distance, [n, k]. */
  features(x: tf.Tensor2D): tf.Tensor2D;
  /** Class probabilities p(y | x), [n, classes]. */
  probs(x: tf.Tensor2D): tf.Tensor2D;
}

export interface FeatureClassifierConfig {
  /** Input width, e.g. 784. */
  inputDim: number;
  /** Hidden widths; the last is the feature width. @default [256, 128] */
  hidden?: number[];
  /** Number of classes. */
  nClasses: number;
  /** Seeds the weights. */
  rng: Rng;
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** L2 penalty weight on the weight matrices (sum of squares), per example. @default 0 */
  weightDecay?: number;
}

export class FeatureClassifier implements Trainable, SampleEvaluator {
  readonly body: MLP;
  readonly head: MLP;
  readonly nClasses: number;
  readonly weightDecay: number;

  constructor(config: FeatureClassifierConfig) {
    const inputDim = requirePositiveInt(config.inputDim, 'inputDim', 'FeatureClassifier');
    this.nClasses = requirePositiveInt(config.nClasses, 'nClasses', 'FeatureClassifier');
    if (this.nClasses < 2) throw new Error(`FeatureClassifier: nClasses must be at least 2, got ${config.nClasses}`);
    const hidden = config.hidden ?? [256, 128];
    if (hidden.length === 0) throw new Error('FeatureClassifier: hidden must list at least one width (the feature layer)');
    hidden.forEach((h, i) => requirePositiveInt(h, `hidden[${i}]`, 'FeatureClassifier'));
    this.weightDecay = config.weightDecay ?? 0;
    if (!(this.weightDecay >= 0)) throw new Error(`FeatureClassifier: weightDecay must be >= 0, got ${config.weightDecay}`);
    const act = config.activation ?? 'relu';
    // The body's last layer is a hidden layer too: MLP applies `outputActivation` there.
    this.body = new MLP({ sizes: [inputDim, ...hidden], rng: config.rng.fork('body'), activation: act, outputActivation: act });
    this.head = new MLP({ sizes: [hidden[hidden.length - 1]!, this.nClasses], rng: config.rng.fork('head') });
  }

  get featureDim(): number {
    return this.body.outputDim;
  }

  /** The last hidden layer, [n, featureDim]. */
  features(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.body.apply(requireMatrix(x, this.body.inputDim, 'FeatureClassifier(x)')) as tf.Tensor2D);
  }

  /** Class logits, [n, nClasses]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.features(x)) as tf.Tensor2D);
  }

  /** p(y | x), [n, nClasses]. */
  probs(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.logits(x)) as tf.Tensor2D);
  }

  /** Fraction of rows whose most probable class is the label (labels: indices [n]). */
  accuracy(x: tf.Tensor2D, y: tf.Tensor, batchSize = 1000): number {
    const n = x.shape[0];
    let correct = 0;
    for (let lo = 0; lo < n; lo += batchSize) {
      const size = Math.min(batchSize, n - lo);
      correct += tf.tidy(() => {
        const pred = tf.argMax(this.logits(tf.slice(x, [lo, 0], [size, x.shape[1]]) as tf.Tensor2D), 1);
        return tf.sum(tf.cast(tf.equal(pred, tf.cast(tf.slice(y, [lo], [size]), 'int32')), 'float32')).dataSync()[0]!;
      });
    }
    return correct / n;
  }

  /** Mean softmax cross-entropy (nats) plus the weight penalty. */
  loss(batch: Batch): LossTerms {
    const { x, y } = this.unpack(batch);
    const logp = tf.logSoftmax(this.logits(x));
    const onehot = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, this.nClasses);
    const xent = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
    if (this.weightDecay === 0) return { xent };
    const l2 = tf.addN([...this.body.weights, ...this.head.weights].map((w) => tf.sum(tf.square(w))));
    return { xent, l2: tf.mul(this.weightDecay, l2) as tf.Scalar };
  }

  /** Validation: cross-entropy and error rate. */
  evalTerms(batch: Batch): LossTerms {
    const { x, y } = this.unpack(batch);
    const logits = this.logits(x);
    const onehot = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, this.nClasses);
    const xent = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    const error = tf.sub(1, tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32'))) as tf.Scalar;
    return { loss: xent, error };
  }

  variables(): tf.Variable[] {
    return [...this.body.variables(), ...this.head.variables()];
  }

  dispose(): void {
    this.body.dispose();
    this.head.dispose();
  }

  private unpack(batch: Batch): { x: tf.Tensor2D; y: tf.Tensor } {
    const x = batch['x'];
    const y = batch['y'];
    if (x === undefined || y === undefined) {
      throw new Error(`FeatureClassifier: the batch needs "x" (inputs) and "y" (class indices) (has: ${Object.keys(batch).join(', ')})`);
    }
    return { x: requireMatrix(x, this.body.inputDim, 'FeatureClassifier batch x'), y };
  }
}
