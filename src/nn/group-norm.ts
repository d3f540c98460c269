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
import { groupNormBackward, groupNormForward, groupNormKernelAvailable } from '../runtime/group-norm-kernel';
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
    if (x.dtype === 'float32' && groupNormKernelAvailable(c)) return this.applyFused(x);
    const cg = c / g;
    // Per-(example, group) statistics [b, g], spread to per-(example, channel) maps [b, 1, 1, c] before
    // they meet a full-size tensor: that broadcast's innermost run is the C contiguous channels, which the
    // wasm SIMD kernels take in vectors, where the direct form's [b, 1, 1, G, 1] against [b, H, W, G, C/G]
    // splats runs of C/G (4) values. The gradient is written out for the same reason (autodiff of the
    // direct form broadcasts back over [b, H, W, G, C/G] several times): with ĝ = dy·γ and means over each
    // example's group,  dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) / sqrt(σ² + ε),  dγ = Σ dy · x̂,  dβ = Σ dy.
    const spread = (stat: tf.Tensor): tf.Tensor => tf.reshape(tf.mul(tf.reshape(stat, [b, g, 1]), tf.ones([1, 1, cg])), [b, 1, 1, c]);
    const groupMean = (t: tf.Tensor): tf.Tensor => tf.mean(tf.reshape(t, [b, h * w, g, cg]), [1, 3]);
    const eps = this.epsilon;
    // customGrad passes the inputs and then `save` in one rest list.
    const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as tf.GradSaveFunc;
      const centred = tf.sub(input, spread(groupMean(input)));
      const rstd = spread(tf.rsqrt(tf.add(groupMean(tf.square(centred)), eps)));
      const xHat = tf.mul(centred, rstd);
      save([xHat, rstd, gamma]);
      return {
        value: tf.add(tf.mul(xHat, gamma), beta),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const d = dy as tf.Tensor4D;
          const [xh, r, gm] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
          const gHat = tf.mul(d, gm);
          const m1 = spread(groupMean(gHat));
          const m2 = spread(groupMean(tf.mul(gHat, xh)));
          const dx = tf.mul(tf.sub(tf.sub(gHat, m1), tf.mul(xh, m2)), r);
          return [dx, tf.sum(tf.mul(d, xh), [0, 1, 2]), tf.sum(d, [0, 1, 2])];
        },
      };
    });
    return tf.tidy(() => norm(x, this.gamma, this.beta) as tf.Tensor4D);
  }

  /** The same normalisation and gradient as two SIMD kernels on wasm (runtime/group-norm-kernel.ts). */
  private applyFused(x: tf.Tensor4D): tf.Tensor4D {
    const { groups, epsilon } = this;
    const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const [y, xHat, rstd] = groupNormForward(input, gamma, beta, groups, epsilon);
      (args[3] as tf.GradSaveFunc)([xHat, rstd, gamma]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xh, r, gm] = saved as [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D];
          return groupNormBackward(dy as tf.Tensor4D, xh, r, gm, groups);
        },
      };
    });
    return tf.tidy(() => norm(x, this.gamma, this.beta) as tf.Tensor4D);
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
