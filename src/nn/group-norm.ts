/**
 * Group normalisation (Wu & He, 2018), the normalisation of DDPM's U-Net: the C channels of an NHWC map
 * are split into G groups of C/G, and each example is normalised over (height, width, its group's channels),
 *
 *   GN[x]_{b,i,j,c} = γ_c (x_{b,i,j,c} − μ_{b,g}) / sqrt(σ²_{b,g} + ε) + β_c,    g = ⌊c / (C/G)⌋,
 *
 * with μ_{b,g}, σ²_{b,g} the mean and (biased) variance over the H·W·C/G values of group g of example b,
 * and a learned per-channel gain γ (starts at 1) and shift β (starts at 0). Like layer norm it uses no
 * batch statistics, so training and inference agree for any batch size (a diffusion sampler runs the net
 * on batches whose noise level differs from training's mix). G = 1 is layer norm over (H, W, C); G = C
 * is instance norm.
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export interface GroupNormConfig {
  /** Channels C of the input (the last axis). */
  channels: number;
  /** Number of groups G; must divide C. @default the largest of 8, 4, 2, 1 dividing C with C/G >= 4 (defaultGroups) */
  groups?: number;
  /** ε added to the variance. @default 1e-5 */
  epsilon?: number;
}

/**
 * The default G: the largest of 8, 4, 2, 1 that divides C and leaves at least 4 channels per group. Wu & He
 * use 32 groups for ResNets of 64-2048 channels and report G from 8 to 32 within a few tenths of a percent;
 * the kit's U-Nets have 4-64 channels. A group of one channel (instance norm) would also erase any
 * per-channel constant added before it, such as the U-Net's time bias: at least 4 channels per group keep
 * the differences between their shifts.
 */
export function defaultGroups(channels: number): number {
  return [8, 4, 2].find((g) => channels % g === 0 && channels / g >= 4) ?? 1;
}

export class GroupNorm {
  readonly channels: number;
  readonly groups: number;
  readonly epsilon: number;
  /** Gain γ, shape [C], starts at 1. */
  readonly gamma: tf.Variable<tf.Rank.R1>;
  /** Shift β, shape [C], starts at 0. */
  readonly beta: tf.Variable<tf.Rank.R1>;

  constructor(config: GroupNormConfig) {
    this.channels = requirePositiveInt(config.channels, 'channels', 'GroupNorm');
    this.groups = requirePositiveInt(config.groups ?? defaultGroups(this.channels), 'groups', 'GroupNorm');
    if (this.channels % this.groups !== 0) {
      throw new Error(`GroupNorm: groups (${this.groups}) must divide channels (${this.channels}); pick a divisor such as ${divisors(this.channels).join(', ')}`);
    }
    this.epsilon = config.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`GroupNorm: epsilon must be positive, got ${this.epsilon}`);
    this.gamma = ownedVariable(tf.ones([this.channels]) as tf.Tensor1D);
    this.beta = ownedVariable(tf.zeros([this.channels]) as tf.Tensor1D);
  }

  /** Normalise x [B, H, W, C] per example and group. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.channels) {
      throw new Error(`GroupNorm: expected an NHWC batch [batch, height, width, ${this.channels}], got shape [${x.shape.join(', ')}]`);
    }
    const [b, h, w, c] = x.shape;
    const g = this.groups;
    return tf.tidy(() => {
      const grouped = tf.reshape(x, [b, h, w, g, c / g]);
      const mean = tf.mean(grouped, [1, 2, 4], true);
      const centred = tf.sub(grouped, mean);
      const variance = tf.mean(tf.square(centred), [1, 2, 4], true);
      const normed = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon))), [b, h, w, c]);
      return tf.add(tf.mul(normed, this.gamma), this.beta) as tf.Tensor4D;
    });
  }

  variables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}
