/**
 * The small convolutional classifier of the notebook's "why convolutions fit images" section (the
 * LeNet pattern, LeCun et al., 1998): two blocks of 3 x 3 convolution, ReLU and 2 x 2 max pooling, then
 * one dense layer to the class logits.
 *
 *   28x28x1 -conv3x3-> 28x28x16 -pool-> 14x14x16 -conv3x3-> 14x14x32 -pool-> 7x7x32 -dense-> 10
 *
 * With the default channels [16, 32] on MNIST it has 160 + 4,640 + 15,690 = 20,490 parameters, against
 * 269,322 for a 784-256-256-10 dense network: weight sharing (one kernel at every position) and
 * locality (a unit sees only a 3 x 3 patch) are the difference. `batchNorm` puts a batch norm after
 * each convolution (before the ReLU), for the normalisation section.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d, MaxPool2d, type NormMode, requirePositiveInt } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { ImageClassifier } from './classifier';

export interface SmallCNNConfig {
  /** One image, [height, width, channels]. @default [28, 28, 1] */
  inputShape?: [number, number, number];
  /** Output channels of each conv-ReLU-pool block. @default [16, 32] */
  channels?: number[];
  /** Kernel size of the convolutions ('same' padding). @default 3 */
  kernelSize?: number;
  /** Number of classes. @default 10 */
  nClasses?: number;
  /** Batch norm after each convolution. @default false */
  batchNorm?: boolean;
  /** Seeds the weights. */
  rng: Rng;
}

export class SmallCNN extends ImageClassifier {
  readonly inputShape: readonly [number, number, number];
  readonly nClasses: number;
  readonly convs: Conv2d[] = [];
  readonly norms: BatchNorm[] = [];
  readonly pool = new MaxPool2d({ poolSize: 2 });
  /** The dense head: weight [features, nClasses] and bias. */
  readonly headWeight: tf.Variable;
  readonly headBias: tf.Variable;

  constructor(config: SmallCNNConfig) {
    super();
    const owner = 'SmallCNN';
    this.inputShape = config.inputShape ?? [28, 28, 1];
    this.inputShape.forEach((v, i) => requirePositiveInt(v, `inputShape[${i}]`, owner));
    this.nClasses = requirePositiveInt(config.nClasses ?? 10, 'nClasses', owner);
    const channels = config.channels ?? [16, 32];
    if (channels.length === 0) throw new Error('SmallCNN: channels must list at least one block, e.g. [16, 32]');
    channels.forEach((c, i) => requirePositiveInt(c, `channels[${i}]`, owner));
    const k = requirePositiveInt(config.kernelSize ?? 3, 'kernelSize', owner);
    let [h, w, c] = this.inputShape;
    channels.forEach((out, i) => {
      if (h < 2 || w < 2) throw new Error(`SmallCNN: ${channels.length} pooling blocks halve a ${this.inputShape[0]} x ${this.inputShape[1]} image below 1 pixel; use fewer channels entries`);
      this.convs.push(new Conv2d({ inChannels: c, outChannels: out, kernelSize: k, bias: !config.batchNorm, rng: config.rng.fork(`conv${i}`) }));
      if (config.batchNorm) this.norms.push(new BatchNorm({ channels: out }));
      [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), out];
    });
    const features = h * w * c;
    const std = Math.sqrt(2 / (features + this.nClasses));
    const headRng = config.rng.fork('head');
    this.headWeight = tf.tidy(() => tf.variable(tf.mul(headRng.randn([features, this.nClasses]), std)));
    this.headBias = tf.tidy(() => tf.variable(tf.zeros([this.nClasses])));
  }

  logits(x: tf.Tensor4D, training: NormMode): tf.Tensor2D {
    this.checkImages(x);
    return tf.tidy(() => {
      let h = x;
      this.convs.forEach((conv, i) => {
        const z = conv.apply(h);
        const n = this.norms[i];
        h = this.pool.apply(tf.relu(n === undefined ? z : n.apply(z, training)));
      });
      const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
      return tf.add(tf.matMul(flat, this.headWeight as tf.Tensor2D), this.headBias) as tf.Tensor2D;
    });
  }

  variables(): tf.Variable[] {
    return [...this.convs.flatMap((c) => c.variables()), ...this.norms.flatMap((n) => n.variables()), this.headWeight, this.headBias];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
