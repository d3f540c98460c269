/**
 * A residual block (He et al., 2016, "Deep residual learning"; in the pre-activation order of He et al.,
 * 2016, "Identity mappings in deep residual networks", Fig. 4e; lecture, "Residual Connections" and
 * "Order of Operations"): the block adds a learned change to its input instead of replacing it,
 *
 *   y = x + f(x),   f = (conv ∘ ReLU ∘ BN) ∘ ... ∘ (conv ∘ ReLU ∘ BN)   (`layers` convolutions)
 *
 * The nonlinearity comes before each convolution, not after the sum: with ReLU last, the block could
 * only ever add non-negative changes (the lecture's point), and the path x -> y stays an exact identity.
 * Unrolled, a stack of blocks is a sum over paths of every length (Veit et al., 2016), so short paths
 * carry a gradient that deep stacks of plain layers shatter (Balduzzi et al., 2017).
 *
 * `skip: false` gives the same block without the addition, y = f(x): the plain network a residual one is
 * compared with, layer for layer. Channels and size are kept ('same' padding, stride 1), so x and f(x)
 * can be added. With `zeroLast` the last convolution starts at zero, so the block starts as the identity
 * (Goyal et al., 2017, set the last BN's γ to 0 for the same purpose).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { BatchNorm, type NormMode } from './batch-norm';
import { Conv2d } from './conv2d';
import { requirePositiveInt } from './validate';

export interface ResidualBlockConfig {
  /** Channels of the input and the output. */
  channels: number;
  /** Kernel size of every convolution (odd, so 'same' padding is symmetric). @default 3 */
  kernelSize?: number;
  /** Convolutions in the branch f. @default 2 */
  layers?: number;
  /** Batch norm before each ReLU. @default true */
  batchNorm?: boolean;
  /** Add the input to the branch (false: a plain block, y = f(x)). @default true */
  skip?: boolean;
  /** Start the last convolution at zero (f = 0: the block starts as the identity when `skip`). @default false */
  zeroLast?: boolean;
  /** Seeds the convolutions. */
  rng: Rng;
}

export class ResidualBlock {
  readonly channels: number;
  readonly skip: boolean;
  readonly convs: Conv2d[] = [];
  /** One per convolution, or empty without batch norm. */
  readonly norms: BatchNorm[] = [];

  constructor(config: ResidualBlockConfig) {
    const owner = 'ResidualBlock';
    this.channels = requirePositiveInt(config.channels, 'channels', owner);
    const k = requirePositiveInt(config.kernelSize ?? 3, 'kernelSize', owner);
    if (k % 2 === 0) throw new Error(`ResidualBlock: kernelSize must be odd (so the output keeps the input's size and aligns with it), got ${k}`);
    const layers = requirePositiveInt(config.layers ?? 2, 'layers', owner);
    const batchNorm = config.batchNorm ?? true;
    this.skip = config.skip ?? true;
    for (let l = 0; l < layers; l++) {
      const last = l === layers - 1;
      if (batchNorm) this.norms.push(new BatchNorm({ channels: this.channels }));
      this.convs.push(
        new Conv2d({
          inChannels: this.channels,
          outChannels: this.channels,
          kernelSize: k,
          // A bias before a batch norm is cancelled by its mean; keep one only without batch norm.
          bias: !batchNorm,
          init: last && (config.zeroLast ?? false) ? 'zero' : 'he',
          rng: config.rng.fork(`conv${l}`),
        }),
      );
    }
  }

  /** Number of convolutions in the branch (the block's depth in weight layers). */
  get layers(): number {
    return this.convs.length;
  }

  get parameterCount(): number {
    return this.convs.reduce((s, c) => s + c.parameterCount, 0) + this.norms.reduce((s, n) => s + n.parameterCount, 0);
  }

  /** The branch f(x); `training` selects batch or running statistics in the batch norms. */
  branch(x: tf.Tensor4D, training: NormMode): tf.Tensor4D {
    return tf.tidy(() => {
      let h = x;
      this.convs.forEach((conv, l) => {
        const n = this.norms[l];
        h = conv.apply(tf.relu(n === undefined ? h : n.apply(h, training)));
      });
      return h;
    });
  }

  /** x + f(x), or f(x) for a plain block. */
  apply(x: tf.Tensor4D, training: NormMode): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.channels) {
      throw new Error(`ResidualBlock: expected an NHWC input [batch, height, width, ${this.channels}], got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => (this.skip ? tf.add(x, this.branch(x, training)) : this.branch(x, training)));
  }

  variables(): tf.Variable[] {
    return [...this.convs.flatMap((c) => c.variables()), ...this.norms.flatMap((n) => n.variables())];
  }

  dispose(): void {
    for (const c of this.convs) c.dispose();
    for (const n of this.norms) n.dispose();
  }
}
