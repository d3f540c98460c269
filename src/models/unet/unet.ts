/**
 * A U-Net (Ronneberger, Fischer & Brox 2015) in the form image diffusion models use (Ho et al. 2020,
 * appendix B): an encoder that halves the resolution level by level, a decoder that doubles it back,
 * and skip connections that hand each encoder level's features to the decoder level of the same size.
 *
 *   stem:     h = Conv3×3(x)                                                  [H, W, c_0]
 *   encoder:  level l = 0..L-1: `blocksPerLevel` residual blocks to c_l; keep s_l = h;
 *             then (l < L-1) downsample: a stride-2 3×3 conv, or 2×2 max / average pooling
 *   decoder:  level l = L-2..0: h = Conv3×3(nearest-upsample×2(h)) to c_l, cropped to s_l's size;
 *             h = [h, s_l] (channel concat; the skip) unless `skips` is false; residual blocks to c_l
 *   head:     y = Conv3×3(SiLU(GN(h)))                                        [H, W, outChannels]
 *
 * The skips carry the fine detail the bottleneck has no room for: without them the decoder must rebuild
 * every edge from a map 2^(L-1) times coarser. Sizes: 'same' stride-2 convolution and pooling give
 * ⌈n/2⌉, and the decoder crops its ×2 upsampled map back to the skip's size, so odd sizes work (28 → 14 → 7
 * → 4 and back 4 → 8 → 7). An input smaller than 2^(L-1) pixels on a side cannot be halved L-1 times and is
 * an error.
 *
 * With `timeEmbedDim` > 0 the net is a function of (x, t): the sinusoidal embedding of t
 * (diffusion/embedding.ts) goes through a two-layer MLP, e(t) = W₂ SiLU(W₁ emb(t)), and every residual
 * block adds its own projection of e(t) to its channels, as in DDPM. The head starts at zero, so a fresh
 * net answers 0 (a noise predictor then scores exactly E‖ε‖²).
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../../nn/conv2d';
import { GroupNorm } from '../../nn/group-norm';
import { initialWeights } from '../../nn/init';
import { upsample2d } from '../../nn/upsample';
import { requirePositiveInt } from '../../nn/validate';
import { ownedVariable } from '../../nn/variable';
import type { Rng } from '../../runtime/rng';
import { timeEmbedding } from '../diffusion/embedding';
import type { Step } from '../diffusion/steps';
import { ResBlock, silu } from './residual-block';

export type Downsample = 'conv' | 'maxPool' | 'avgPool';
export const DOWNSAMPLES: readonly Downsample[] = ['conv', 'maxPool', 'avgPool'];

export interface UNetConfig {
  /** Channels of the input image. */
  inChannels: number;
  /** Channels of the output. @default inChannels */
  outChannels?: number;
  /** Channels c_l of each resolution level; its length is the number of levels L. @default [16, 32, 32] (28 → 14 → 7) */
  channels?: number[];
  /** Residual blocks per level, in the encoder and in the decoder. @default 1 */
  blocksPerLevel?: number;
  /** Concatenate each encoder level's features into the decoder (false: a plain encoder-decoder). @default true */
  skips?: boolean;
  /** Width of the sinusoidal time embedding; 0 for a net without time input. @default 0 */
  timeEmbedDim?: number;
  /** How the encoder halves the resolution. @default 'conv' (a learned stride-2 3×3 convolution) */
  downsample?: Downsample;
  /** Groups of every group norm (must divide every level's channels). @default GroupNorm's defaultGroups(c) per layer */
  groups?: number;
  /** Draws the initial weights. */
  rng: Rng;
}

interface Level {
  /** Encoder residual blocks. */
  down: ResBlock[];
  /** The stride-2 convolution after this level (downsample 'conv', all levels but the last), else null. */
  pool: Conv2d | null;
  /** Decoder: the conv after upsampling into this level (all levels but the last), else null. */
  upConv: Conv2d | null;
  /** Decoder residual blocks (all levels but the last). */
  up: ResBlock[];
}

export class UNet {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly channels: readonly number[];
  readonly blocksPerLevel: number;
  readonly skips: boolean;
  readonly timeEmbedDim: number;
  readonly downsample: Downsample;
  private readonly stem: Conv2d;
  private readonly levels: Level[] = [];
  private readonly headNorm: GroupNorm;
  private readonly head: Conv2d;
  /** The time MLP e(t) = W₂ SiLU(W₁ emb(t) + b₁) + b₂, or null. */
  private readonly timeMlp: { W1: tf.Variable; b1: tf.Variable; W2: tf.Variable; b2: tf.Variable } | null;

  constructor(config: UNetConfig) {
    const owner = 'UNet';
    this.inChannels = requirePositiveInt(config.inChannels, 'inChannels', owner);
    this.outChannels = requirePositiveInt(config.outChannels ?? config.inChannels, 'outChannels', owner);
    this.channels = config.channels ?? [16, 32, 32];
    if (!Array.isArray(this.channels) || this.channels.length === 0) throw new Error(`${owner}: channels must be a non-empty list (one width per level), got ${JSON.stringify(config.channels)}`);
    this.channels.forEach((c, l) => requirePositiveInt(c, `channels[${l}]`, owner));
    this.blocksPerLevel = requirePositiveInt(config.blocksPerLevel ?? 1, 'blocksPerLevel', owner);
    this.skips = config.skips ?? true;
    this.timeEmbedDim = config.timeEmbedDim ?? 0;
    if (!Number.isInteger(this.timeEmbedDim) || this.timeEmbedDim < 0 || this.timeEmbedDim % 2 !== 0) {
      throw new Error(`${owner}: timeEmbedDim must be an even non-negative integer (0: no time input), got ${config.timeEmbedDim}`);
    }
    this.downsample = config.downsample ?? 'conv';
    if (!DOWNSAMPLES.includes(this.downsample)) throw new Error(`${owner}: unknown downsample "${String(this.downsample)}"; use one of ${DOWNSAMPLES.join(', ')}`);
    const groups = config.groups;
    if (groups !== undefined) {
      requirePositiveInt(groups, 'groups', owner);
      const bad = this.channels.find((c) => c % groups !== 0);
      if (bad !== undefined) throw new Error(`${owner}: groups (${groups}) must divide every level's channels; ${bad} is not a multiple`);
    }
    const rng = config.rng;
    const c = this.channels;
    const L = c.length;
    // The time code's width: 4 c_0, as DDPM's ch * 4.
    const timeDim = this.timeEmbedDim === 0 ? 0 : 4 * c[0]!;
    this.timeMlp = timeDim === 0 ? null : {
      W1: ownedVariable(initialWeights('lecunNormal', this.timeEmbedDim, timeDim, rng.fork('time/W1'), 'silu')),
      b1: ownedVariable(tf.zeros([timeDim])),
      W2: ownedVariable(initialWeights('lecunNormal', timeDim, timeDim, rng.fork('time/W2'), 'linear')),
      b2: ownedVariable(tf.zeros([timeDim])),
    };
    this.stem = new Conv2d({ inChannels: this.inChannels, outChannels: c[0]!, kernelSize: 3, rng: rng.fork('stem') });
    const blocks = (from: number, to: number, label: string): ResBlock[] => Array.from({ length: this.blocksPerLevel }, (_, k) =>
      new ResBlock({ inChannels: k === 0 ? from : to, outChannels: to, timeDim, groups, rng: rng.fork(`${label}/${k}`) }));
    for (let l = 0; l < L; l++) {
      const last = l === L - 1;
      this.levels.push({
        down: blocks(l === 0 ? c[0]! : c[l - 1]!, c[l]!, `down${l}`),
        pool: !last && this.downsample === 'conv' ? new Conv2d({ inChannels: c[l]!, outChannels: c[l]!, kernelSize: 3, stride: 2, rng: rng.fork(`pool${l}`) }) : null,
        upConv: last ? null : new Conv2d({ inChannels: c[l + 1]!, outChannels: c[l]!, kernelSize: 3, rng: rng.fork(`upconv${l}`) }),
        up: last ? [] : blocks(this.skips ? 2 * c[l]! : c[l]!, c[l]!, `up${l}`),
      });
    }
    this.headNorm = new GroupNorm({ channels: c[0]!, groups });
    this.head = new Conv2d({ inChannels: c[0]!, outChannels: this.outChannels, kernelSize: 3, init: 'zero', rng: rng.fork('head') });
  }

  /** Number of resolution levels L. */
  get depth(): number {
    return this.channels.length;
  }

  /** The smallest height or width the net takes: 2^(L-1), so that each of the L-1 halvings has two pixels to merge. */
  get minSize(): number {
    return 2 ** (this.depth - 1);
  }

  /** Feature-map sizes [height, width] of every level for an input of height × width (throws if too small). */
  levelSizes(height: number, width: number): [number, number][] {
    requirePositiveInt(height, 'height', 'UNet.levelSizes');
    requirePositiveInt(width, 'width', 'UNet.levelSizes');
    if (height < this.minSize || width < this.minSize) {
      throw new Error(`UNet: input ${height}x${width} is too small for ${this.depth} levels: each side must be at least 2^${this.depth - 1} = ${this.minSize} pixels; use fewer levels (channels) or a larger input`);
    }
    const sizes: [number, number][] = [[height, width]];
    for (let l = 1; l < this.depth; l++) {
      const [h, w] = sizes[l - 1]!;
      sizes.push([Math.ceil(h / 2), Math.ceil(w / 2)]);
    }
    return sizes;
  }

  /** The net's output [B, H, W, outChannels] for x [B, H, W, inChannels] and, with a time embedding, step(s) t. */
  apply(x: tf.Tensor4D, t?: Step): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new Error(`UNet: expected an NHWC batch [batch, height, width, ${this.inChannels}], got shape [${x.shape.join(', ')}]` +
        (x.rank === 2 ? ' (reshape flat images first, e.g. x.reshape([-1, 28, 28, 1]))' : ''));
    }
    if (this.timeMlp === null && t !== undefined) throw new Error('UNet: this net has no time input (timeEmbedDim 0) but a step t was passed');
    if (this.timeMlp !== null && t === undefined) throw new Error(`UNet: this net reads a step t (timeEmbedDim ${this.timeEmbedDim}); pass one number or an int32 tensor [batch]`);
    if (t !== undefined && typeof t !== 'number' && (t.rank !== 1 || t.shape[0] !== x.shape[0])) {
      throw new Error(`UNet: ${t.shape.join('x')} steps for a batch of ${x.shape[0]}; pass one step per example or a single number`);
    }
    const sizes = this.levelSizes(x.shape[1], x.shape[2]);
    return tf.tidy(() => {
      let temb: tf.Tensor2D | undefined;
      if (this.timeMlp !== null && t !== undefined) {
        const m = this.timeMlp;
        const e1 = silu(tf.add(tf.matMul(timeEmbedding(t, this.timeEmbedDim), m.W1 as tf.Tensor2D), m.b1)) as tf.Tensor2D;
        temb = tf.add(tf.matMul(e1, m.W2 as tf.Tensor2D), m.b2) as tf.Tensor2D;
      }
      let h = this.stem.apply(x);
      const saved: tf.Tensor4D[] = [];
      this.levels.forEach((level, l) => {
        for (const block of level.down) h = block.apply(h, temb);
        saved.push(h);
        if (l < this.depth - 1) h = this.halve(h, level);
      });
      for (let l = this.depth - 2; l >= 0; l--) {
        const level = this.levels[l]!;
        const [hl, wl] = sizes[l]!;
        const up = level.upConv!.apply(upsample2d(h, 2, 'nearest'));
        // ⌈n/2⌉·2 is n or n + 1: crop the extra row/column of an odd level.
        h = tf.slice(up, [0, 0, 0, 0], [up.shape[0], hl, wl, up.shape[3]]);
        if (this.skips) h = tf.concat([h, saved[l]!], 3);
        for (const block of level.up) h = block.apply(h, temb);
      }
      return this.head.apply(silu(this.headNorm.apply(h)) as tf.Tensor4D);
    });
  }

  private halve(h: tf.Tensor4D, level: Level): tf.Tensor4D {
    if (level.pool !== null) return level.pool.apply(h);
    if (this.downsample === 'maxPool') return tf.maxPool(h, 2, 2, 'same');
    // Average pooling of an odd side: pad one zero row/column and divide each window's sum by the number of
    // real pixels in it. (tf.avgPool with 'same' padding divides by that count in the forward pass but by
    // the full window size in its gradient, on cpu and wasm alike: tfjs 4.22, checked against finite differences.)
    const [, hh, ww] = h.shape;
    const pads: [number, number][] = [[0, 0], [0, hh % 2], [0, ww % 2], [0, 0]];
    if (hh % 2 === 0 && ww % 2 === 0) return tf.avgPool(h, 2, 2, 'valid');
    const sums = tf.avgPool(tf.pad(h, pads) as tf.Tensor4D, 2, 2, 'valid');
    const share = tf.avgPool(tf.pad(tf.ones([1, hh, ww, 1]), pads) as tf.Tensor4D, 2, 2, 'valid');
    return tf.div(sums, share);
  }

  variables(): tf.Variable[] {
    const m = this.timeMlp;
    return [
      ...(m === null ? [] : [m.W1, m.b1, m.W2, m.b2]),
      ...this.stem.variables(),
      ...this.levels.flatMap((level) => [
        ...level.down.flatMap((b) => b.variables()), ...(level.pool?.variables() ?? []),
        ...(level.upConv?.variables() ?? []), ...level.up.flatMap((b) => b.variables()),
      ]),
      ...this.headNorm.variables(), ...this.head.variables(),
    ];
  }

  /** Number of learned parameters. */
  get parameterCount(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
