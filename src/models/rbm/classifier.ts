/**
 * A sigmoid multilayer perceptron with a softmax output, trained by backpropagation on the softmax
 * cross-entropy: the network a deep belief net initialises (Hinton, Osindero & Teh 2006; Hinton &
 * Salakhutdinov 2006). With no hidden layers it is multinomial logistic regression, the linear classifier
 * used to compare features.
 *
 *   a_0 = x,   a_l = sigma(a_{l-1} W_l + c_l),   p(y | x) = softmax(a_L V + d)
 *
 * `fromDBN` copies each RBM's W and hidden biases c into W_l, c_l (the DBN's deterministic up-pass is
 * exactly this forward pass) and adds a fresh output layer; the plain constructor draws every layer at
 * random (Glorot normal), the baseline that pretraining is compared against.
 */
import * as tf from '@tensorflow/tfjs';
import { initialWeights, ownedVariable } from '../../nn';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, Trainable } from '../../train/types';
import type { DBN } from './dbn';

export interface MLPClassifierConfig {
  /** Input width followed by the hidden widths, e.g. [784, 256, 256]; [784] is logistic regression. */
  sizes: number[];
  /** Number of classes. */
  nClasses: number;
  /** Name of the batch entry with inputs. @default 'x' */
  inputKey?: string;
  /** Name of the batch entry with labels (class indices [B] or one-hot [B, nClasses]). @default 'y' */
  labelKey?: string;
  /** Seeds the random initial weights. */
  rng: Rng;
}

interface Layer {
  W: tf.Variable<tf.Rank.R2>;
  c: tf.Variable<tf.Rank.R1>;
}

export class MLPClassifier implements Trainable {
  readonly config: Required<Omit<MLPClassifierConfig, 'rng'>>;
  private hidden: Layer[] = [];
  private out!: Layer;

  /** A classifier with every layer drawn at random (Glorot normal weights, zero biases). */
  constructor(config: MLPClassifierConfig) {
    const { rng, ...settings } = config;
    this.config = { inputKey: 'x', labelKey: 'y', ...settings };
    const { sizes, nClasses } = this.config;
    if (sizes.length < 1 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`MLPClassifier: sizes must be positive integers [input, ...hidden], got [${sizes}]`);
    }
    if (!Number.isInteger(nClasses) || nClasses < 2) throw new Error(`MLPClassifier: nClasses must be an integer >= 2, got ${nClasses}`);
    for (let l = 1; l < sizes.length; l++) {
      this.hidden.push({
        W: ownedVariable(initialWeights('glorotNormal', sizes[l - 1]!, sizes[l]!, rng, 'sigmoid')),
        c: ownedVariable(tf.zeros([sizes[l]!]) as tf.Tensor1D),
      });
    }
    this.out = {
      W: ownedVariable(initialWeights('glorotNormal', sizes[sizes.length - 1]!, nClasses, rng, 'linear')),
      c: ownedVariable(tf.zeros([nClasses]) as tf.Tensor1D),
    };
  }

  /**
   * A classifier whose hidden layers start at a DBN's weights and hidden biases; the softmax layer is
   * random (from `config.rng`). The sizes are the DBN's.
   */
  static fromDBN(dbn: DBN, config: Omit<MLPClassifierConfig, 'sizes'>): MLPClassifier {
    const net = new MLPClassifier({ ...config, sizes: dbn.sizes });
    dbn.layers.forEach((rbm, l) => {
      net.hidden[l]!.W.assign(rbm.W);
      net.hidden[l]!.c.assign(rbm.c);
    });
    return net;
  }

  /** Hidden representation after the last sigmoid layer, [B, sizes.at(-1)]. */
  features(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.config.sizes[0]) {
      throw new Error(`MLPClassifier: expected inputs [batch, ${this.config.sizes[0]}], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      let a: tf.Tensor2D = x;
      for (const { W, c } of this.hidden) a = tf.sigmoid(tf.add(tf.matMul(a, W), c)) as tf.Tensor2D;
      return a;
    });
  }

  /** Class scores before the softmax, [B, nClasses]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(this.features(x), this.out.W), this.out.c));
  }

  /** Most probable class per row, int32 [B]. */
  predict(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.logits(x), 1) as tf.Tensor1D);
  }

  /** Fraction of rows classified correctly (labels as indices or one-hot). */
  accuracy(x: tf.Tensor2D, y: tf.Tensor): number {
    return tf.tidy(() => tf.mean(tf.cast(tf.equal(this.predict(x), this.labelIndices(y)), 'float32')).dataSync()[0]!);
  }

  /** Mean softmax cross-entropy -log p(y | x) (nats per example). */
  loss(batch: Batch): LossTerms {
    const { x, y } = this.unpack(batch);
    const logp = tf.logSoftmax(this.logits(x));
    const onehot = y.rank === 2 ? y : tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, this.config.nClasses);
    return { xent: tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar };
  }

  /** Validation: cross-entropy (as `loss`) and the error rate. */
  evalTerms(batch: Batch): LossTerms {
    const { x, y } = this.unpack(batch);
    const xent = this.loss(batch)['xent']!;
    const err = tf.sub(1, tf.mean(tf.cast(tf.equal(tf.argMax(this.logits(x), 1), this.labelIndices(y)), 'float32'))) as tf.Scalar;
    return { loss: xent, xent, error: err };
  }

  variables(): tf.Variable[] {
    return [...this.hidden.flatMap((l) => [l.W, l.c]), this.out.W, this.out.c];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }

  private labelIndices(y: tf.Tensor): tf.Tensor1D {
    return (y.rank === 2 ? tf.argMax(y, 1) : tf.cast(y, 'int32')) as tf.Tensor1D;
  }

  private unpack(batch: Batch): { x: tf.Tensor2D; y: tf.Tensor } {
    const x = batch[this.config.inputKey];
    const y = batch[this.config.labelKey];
    if (x === undefined || y === undefined) {
      throw new Error(
        `MLPClassifier: the batch needs "${this.config.inputKey}" and "${this.config.labelKey}" (has: ${Object.keys(batch).join(', ')})`,
      );
    }
    return { x: x as tf.Tensor2D, y };
  }
}
