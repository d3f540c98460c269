/**
 * Transposed convolution (lecture, "UpSampling: Transposed Convolution / Deconvolution"; Dumoulin &
 * Visin, 2016, "A guide to convolution arithmetic", Sec. 4). A convolution is a linear map x -> A x
 * whose matrix A repeats the kernel along its rows; the transposed convolution is y -> Aᵀ y with the
 * same kernel. Each input value then spreads a kernel-shaped patch over the output (weights shared the
 * other way round), so a stride s makes the output s times larger: a learnable upsampling.
 *
 * `ConvTranspose2d({ inChannels: C_out, outChannels: C_in, kernelSize, stride, padding })` holding the
 * kernel W of a `Conv2d({ inChannels: C_in, outChannels: C_out, ... })` computes exactly Aᵀ, so
 *   <A x, y> = <x, Aᵀ y>   for all x, y
 * (the test checks it). The kernel is stored as [k_h, k_w, outChannels, inChannels], which is the
 * layout of the matching convolution's kernel, [k_h, k_w, C_in, C_out].
 *
 * Output size (dilation 1), the inverse of the convolution's: 'valid': (m - 1) s + k; 'same': m s;
 * p zeros: (m - 1) s + k - 2p. With stride > 1 several input sizes of the convolution give the same m,
 * so `apply` takes the wanted size (e.g. an odd one, to match an encoder's) as an option.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { convKernel, pair, requireChannels, requirePadding } from './conv-args';
import { type ConvInit, convOutputSize, type Padding } from './conv2d';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export interface ConvTranspose2dConfig {
  /** Channels of the input (the matching convolution's output channels). */
  inChannels: number;
  /** Channels of the output (the matching convolution's input channels). */
  outChannels: number;
  /** Kernel size, `k` or `[k_h, k_w]`. */
  kernelSize: number | [number, number];
  /** Upsampling factor (the matching convolution's stride). @default 1 */
  stride?: number | [number, number];
  /** The matching convolution's padding. @default 'same' */
  padding?: Padding;
  /** Add a learned bias per output channel. @default true */
  bias?: boolean;
  /** Kernel initialisation; fan-in counts the inputs one output sees, k_h k_w C_in / (s_h s_w). @default 'he' */
  init?: ConvInit;
  /** Seeds the kernel. */
  rng: Rng;
}

/** Output length along one axis of the convolution that this layer transposes (forward direction). */
function convLength(n: number, k: number, s: number, padding: Padding): number {
  return n + 2 * (typeof padding === 'number' ? padding : 0) < k && padding !== 'same' ? 0 : convOutputSize(n, k, { stride: s, padding });
}

export class ConvTranspose2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Padding;
  /** [k_h, k_w, outChannels, inChannels]. */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(config: ConvTranspose2dConfig) {
    const owner = 'ConvTranspose2d';
    this.inChannels = requirePositiveInt(config.inChannels, 'inChannels', owner);
    this.outChannels = requirePositiveInt(config.outChannels, 'outChannels', owner);
    this.kernelSize = pair(config.kernelSize, 'kernelSize', owner);
    this.stride = pair(config.stride ?? 1, 'stride', owner);
    this.padding = requirePadding(config.padding ?? 'same', owner);
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    const fanIn = (kh * kw * this.inChannels) / (sh * sw);
    const fanOut = kh * kw * this.outChannels;
    const init = config.init ?? 'he';
    this.weight = ownedVariable(() => convKernel([kh, kw, this.outChannels, this.inChannels], fanIn, fanOut, init, config.rng, owner));
    this.bias = (config.bias ?? true) ? ownedVariable(tf.zeros([this.outChannels])) : null;
  }

  get parameterCount(): number {
    return this.weight.size + (this.bias?.size ?? 0);
  }

  /**
   * The default output [height, width] for an input of `h` x `w` (see the header), or a check that
   * `wanted` is a size the matching convolution maps to `h` x `w`.
   */
  outputSize(h: number, w: number, wanted?: [number, number]): [number, number] {
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    const p = this.padding;
    const len = (m: number, k: number, s: number): number =>
      p === 'same' ? m * s : p === 'valid' ? (m - 1) * s + k : (m - 1) * s + k - 2 * p;
    const out: [number, number] = wanted ?? [len(h, kh, sh), len(w, kw, sw)];
    if (out[0] < 1 || out[1] < 1) {
      throw new Error(`ConvTranspose2d: padding ${p} leaves no output for a ${h} x ${w} input with kernelSize [${kh}, ${kw}]; use less padding`);
    }
    if (convLength(out[0], kh, sh, p) !== h || convLength(out[1], kw, sw, p) !== w) {
      throw new Error(
        `ConvTranspose2d: outputSize [${out.join(', ')}] does not match a ${h} x ${w} input: the convolution with kernelSize [${kh}, ${kw}], ` +
          `stride [${sh}, ${sw}], padding ${JSON.stringify(p)} maps [${out.join(', ')}] to [${convLength(out[0], kh, sh, p)}, ${convLength(out[1], kw, sw, p)}]`,
      );
    }
    return out;
  }

  /** Aᵀ x (+ bias) on NHWC `x` [b, h, w, inChannels]; `outputSize` picks the size when several fit. */
  apply(x: tf.Tensor4D, outputSize?: [number, number]): tf.Tensor4D {
    requireChannels(x.shape, 4, this.inChannels, 'ConvTranspose2d', 'NHWC [batch, height, width, channels]');
    const [b, h, w] = x.shape;
    const [oh, ow] = this.outputSize(h, w, outputSize);
    return tf.tidy(() => {
      const filter = this.weight as tf.Tensor4D;
      let y: tf.Tensor4D;
      if (typeof this.padding === 'number') {
        // The convolution pads p zeros, then runs 'valid': its transpose runs 'valid', then drops the p borders.
        const p = this.padding;
        const full = tf.conv2dTranspose(x, filter, [b, oh + 2 * p, ow + 2 * p, this.outChannels], this.stride, 'valid');
        y = tf.slice(full, [0, p, p, 0], [b, oh, ow, this.outChannels]);
      } else {
        y = tf.conv2dTranspose(x, filter, [b, oh, ow, this.outChannels], this.stride, this.padding);
      }
      return this.bias === null ? y : (tf.add(y, this.bias) as tf.Tensor4D);
    });
  }

  variables(): tf.Variable[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
