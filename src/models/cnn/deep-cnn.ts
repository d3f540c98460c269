/**
 * The plain and residual network families of the depth experiment (He et al., 2016, Sec. 4.1, the
 * plain-vs-residual comparison; lecture, "Limitations of Deep Networks" and "Residual Networks"). Both
 * have the same layers, parameters and cost; the only difference is whether each block adds its input
 * back (`residual: true`, y = x + f(x)) or not (y = f(x)).
 *
 *   image -stem conv3x3, stride 2-> [c0, h/2] -(blocks in stage 1)-> -BN-ReLU-conv3x3 stride 2-> [c1, h/4]
 *         -(blocks in stage 2)-> BN-ReLU -flatten (or global average pool)-> dense -> logits
 *
 * Each block is a pre-activation `ResidualBlock` of `layersPerBlock` convolutions (BN-ReLU-conv); the
 * first half of the blocks (rounded up) run at c0 channels, the rest at c1. Depth counts weight layers
 * as ResNet names do: stem + transition + layersPerBlock x blocks + the dense head, so `blocks` 2, 8, 14
 * with two convolutions per block give depths 7, 19, 31 (the last with 30 convolutions). The stride-2 stem
 * keeps the cost of a deep stack affordable on a CPU (a 14 x 14 map costs a quarter of 28 x 28).
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d, globalAvgPool, type NormMode, requirePositiveInt, ResidualBlock } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { ImageClassifier } from './classifier';

export interface DeepCNNConfig {
  /** Blocks of `layersPerBlock` convolutions (0 allowed: stem, transition and head only). */
  blocks: number;
  /** Skip connections around each block (false: the plain network). */
  residual: boolean;
  /** Channels of the two stages. @default [16, 32] */
  channels?: [number, number];
  /** Convolutions per block. @default 2 */
  layersPerBlock?: number;
  /** Batch norm before every ReLU. @default true */
  batchNorm?: boolean;
  /** One image, [height, width, channels]. @default [28, 28, 1] */
  inputShape?: [number, number, number];
  /**
   * How the last feature map reaches the dense layer: 'flatten' (every position has its own weights, as
   * in the small CNN) or 'pool' (global average pooling, as in ResNets: one number per channel).
   * @default 'flatten'
   */
  head?: 'flatten' | 'pool';
  /** @default 10 */
  nClasses?: number;
  /** Seeds the weights. */
  rng: Rng;
}

export class DeepCNN extends ImageClassifier {
  readonly inputShape: readonly [number, number, number];
  readonly nClasses: number;
  readonly residual: boolean;
  readonly stem: Conv2d;
  readonly stage1: ResidualBlock[] = [];
  readonly transitionNorm: BatchNorm | null;
  readonly transition: Conv2d;
  readonly stage2: ResidualBlock[] = [];
  readonly headNorm: BatchNorm | null;
  readonly head: 'flatten' | 'pool';
  readonly headWeight: tf.Variable;
  readonly headBias: tf.Variable;

  constructor(config: DeepCNNConfig) {
    super();
    const owner = 'DeepCNN';
    if (!Number.isInteger(config.blocks) || config.blocks < 0) throw new Error(`DeepCNN: blocks must be a non-negative integer, got ${String(config.blocks)}`);
    if (typeof config.residual !== 'boolean') throw new Error('DeepCNN: residual must be true (skip connections) or false (the plain network)');
    this.residual = config.residual;
    this.inputShape = config.inputShape ?? [28, 28, 1];
    this.inputShape.forEach((v, i) => requirePositiveInt(v, `inputShape[${i}]`, owner));
    this.nClasses = requirePositiveInt(config.nClasses ?? 10, 'nClasses', owner);
    const [c0, c1] = config.channels ?? [16, 32];
    requirePositiveInt(c0, 'channels[0]', owner);
    requirePositiveInt(c1, 'channels[1]', owner);
    const layers = requirePositiveInt(config.layersPerBlock ?? 2, 'layersPerBlock', owner);
    const bn = config.batchNorm ?? true;
    const rng = config.rng;
    this.stem = new Conv2d({ inChannels: this.inputShape[2], outChannels: c0, kernelSize: 3, stride: 2, bias: !bn, rng: rng.fork('stem') });
    const n1 = Math.ceil(config.blocks / 2);
    for (let b = 0; b < config.blocks; b++) {
      const block = new ResidualBlock({ channels: b < n1 ? c0 : c1, layers, batchNorm: bn, skip: this.residual, rng: rng.fork(`block${b}`) });
      (b < n1 ? this.stage1 : this.stage2).push(block);
    }
    this.transitionNorm = bn ? new BatchNorm({ channels: c0 }) : null;
    this.transition = new Conv2d({ inChannels: c0, outChannels: c1, kernelSize: 3, stride: 2, bias: !bn, rng: rng.fork('transition') });
    this.headNorm = bn ? new BatchNorm({ channels: c1 }) : null;
    this.head = config.head ?? 'flatten';
    if (this.head !== 'flatten' && this.head !== 'pool') throw new Error(`DeepCNN: head must be 'flatten' or 'pool', got ${JSON.stringify(config.head)}`);
    const [h2, w2] = this.transition.outputSize(...this.stem.outputSize(this.inputShape[0], this.inputShape[1]));
    const features = this.head === 'pool' ? c1 : h2 * w2 * c1;
    const headRng = rng.fork('head');
    this.headWeight = tf.tidy(() => tf.variable(tf.mul(headRng.randn([features, this.nClasses]), Math.sqrt(2 / (features + this.nClasses)))));
    this.headBias = tf.tidy(() => tf.variable(tf.zeros([this.nClasses])));
  }

  /** Weight layers: stem, transition, the blocks' convolutions and the dense head. */
  get depth(): number {
    return 3 + [...this.stage1, ...this.stage2].reduce((s, b) => s + b.layers, 0);
  }

  logits(x: tf.Tensor4D, training: NormMode): tf.Tensor2D {
    this.checkImages(x);
    return tf.tidy(() => {
      let h = this.stem.apply(x);
      for (const block of this.stage1) h = block.apply(h, training);
      h = this.transition.apply(tf.relu(this.transitionNorm === null ? h : this.transitionNorm.apply(h, training)));
      for (const block of this.stage2) h = block.apply(h, training);
      const last = tf.relu(this.headNorm === null ? h : this.headNorm.apply(h, training)) as tf.Tensor4D;
      const features = this.head === 'pool' ? globalAvgPool(last) : (tf.reshape(last, [last.shape[0], -1]) as tf.Tensor2D);
      return tf.add(tf.matMul(features, this.headWeight as tf.Tensor2D), this.headBias) as tf.Tensor2D;
    });
  }

  variables(): tf.Variable[] {
    return [
      ...this.stem.variables(),
      ...this.stage1.flatMap((b) => b.variables()),
      ...(this.transitionNorm?.variables() ?? []),
      ...this.transition.variables(),
      ...this.stage2.flatMap((b) => b.variables()),
      ...(this.headNorm?.variables() ?? []),
      this.headWeight,
      this.headBias,
    ];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
