/**
 * The U-Net's residual block, as in DDPM's network (Ho et al. 2020, appendix B; the pre-activation
 * ordering of He et al. 2016, "Identity mappings in deep residual networks"):
 *
 *   h = Conv₁(SiLU(GN₁(x))) + W_t SiLU(e(t))            (the time code e(t) as one bias per channel)
 *   y = S(x) + Conv₂(SiLU(GN₂(h)))                       (S = identity, or a 1×1 conv when C_in ≠ C_out)
 *
 * Conv₂ starts at zero (DDPM's `init_scale=0`), so a fresh block is the identity (or S) and a deep stack
 * starts as a short network: the residual branch's variance grows from 0 as it learns instead of adding up
 * over the blocks at initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { silu } from '../../nn/activation';
import { Conv2d } from '../../nn/conv2d';
import { GroupNorm } from '../../nn/group-norm';
import { initialWeights } from '../../nn/init';
import { requirePositiveInt } from '../../nn/validate';
import { ownedVariable } from '../../nn/variable';
import type { Rng } from '../../runtime/rng';

export interface ResBlockConfig {
  inChannels: number;
  outChannels: number;
  /** Width of the time code e(t) fed to the block; 0 for a block without time input. @default 0 */
  timeDim?: number;
  /** Groups of both group norms (must divide the channels). @default GroupNorm's defaultGroups(C) */
  groups?: number;
  /** Draws the initial weights. */
  rng: Rng;
}

export { silu };

export class ResBlock {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly timeDim: number;
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  /** 1×1 projection of the shortcut when C_in ≠ C_out, else null (identity). */
  readonly shortcut: Conv2d | null;
  /** W_t [timeDim, C_out] and its bias, or null without time input. */
  readonly time: { W: tf.Variable; b: tf.Variable } | null;

  constructor(config: ResBlockConfig) {
    const owner = 'ResBlock';
    this.inChannels = requirePositiveInt(config.inChannels, 'inChannels', owner);
    this.outChannels = requirePositiveInt(config.outChannels, 'outChannels', owner);
    this.timeDim = config.timeDim ?? 0;
    if (!Number.isInteger(this.timeDim) || this.timeDim < 0) throw new Error(`${owner}: timeDim must be a non-negative integer (0: no time input), got ${config.timeDim}`);
    const rng = config.rng;
    this.norm1 = new GroupNorm({ channels: this.inChannels, groups: config.groups });
    this.conv1 = new Conv2d({ inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: 3, rng: rng.fork('conv1') });
    this.norm2 = new GroupNorm({ channels: this.outChannels, groups: config.groups });
    this.conv2 = new Conv2d({ inChannels: this.outChannels, outChannels: this.outChannels, kernelSize: 3, init: 'zero', rng: rng.fork('conv2') });
    this.shortcut = this.inChannels === this.outChannels ? null
      : new Conv2d({ inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: 1, init: 'glorot', rng: rng.fork('shortcut') });
    this.time = this.timeDim === 0 ? null : {
      W: ownedVariable(initialWeights('lecunNormal', this.timeDim, this.outChannels, rng.fork('time'), 'linear')),
      b: ownedVariable(tf.zeros([this.outChannels])),
    };
  }

  /** y for x [B, H, W, C_in]; `temb` is the time code [B or 1, timeDim] (required iff timeDim > 0). */
  apply(x: tf.Tensor4D, temb?: tf.Tensor2D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new Error(`ResBlock: expected an NHWC batch with ${this.inChannels} channels, got shape [${x.shape.join(', ')}]`);
    }
    if ((this.time === null) !== (temb === undefined)) {
      throw new Error(this.time === null ? 'ResBlock: this block has no time input (timeDim 0) but a time code was passed'
        : `ResBlock: this block takes a time code [batch, ${this.timeDim}]; pass one`);
    }
    return tf.tidy(() => {
      let h = this.conv1.apply(silu(this.norm1.apply(x)) as tf.Tensor4D);
      if (this.time !== null && temb !== undefined) {
        if (temb.rank !== 2 || temb.shape[1] !== this.timeDim || (temb.shape[0] !== 1 && temb.shape[0] !== x.shape[0])) {
          throw new Error(`ResBlock: time code must be [${x.shape[0]} or 1, ${this.timeDim}], got [${temb.shape.join(', ')}]`);
        }
        const bias = tf.add(tf.matMul(silu(temb) as tf.Tensor2D, this.time.W as tf.Tensor2D), this.time.b);
        h = tf.add(h, tf.reshape(bias, [temb.shape[0], 1, 1, this.outChannels]));
      }
      const branch = this.conv2.apply(silu(this.norm2.apply(h)) as tf.Tensor4D);
      return tf.add(this.shortcut === null ? x : this.shortcut.apply(x), branch) as tf.Tensor4D;
    });
  }

  variables(): tf.Variable[] {
    return [
      ...this.norm1.variables(), ...this.conv1.variables(), ...this.norm2.variables(), ...this.conv2.variables(),
      ...(this.shortcut?.variables() ?? []), ...(this.time === null ? [] : [this.time.W, this.time.b]),
    ];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
