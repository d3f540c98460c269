/**
 * The 2-D convolution layer every image model of the kit builds on (CNNs, residual networks, U-Nets):
 *
 *   y[b, i, j, o] = bias[o] + Σ_{m, n, c} w[m, n, c, o] · x[b, i·s_h + m·d_h − p_top, j·s_w + n·d_w − p_left, c]
 *
 * on NHWC tensors (batch, height, width, channels), the layout TensorFlow.js's kernels use on every
 * backend. Kernel size k, stride s, dilation d and padding p set the output size (`convOutputSize`):
 *
 *   'valid':  ⌊(n − d(k − 1) − 1) / s⌋ + 1          (no padding)
 *   'same':   ⌈n / s⌉                               (TensorFlow's rule: pad as evenly as possible, extra on the bottom/right)
 *   p (int):  ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1      (p zeros on every side, PyTorch's `padding=p`)
 *
 * Raw, unnamed `tf.variable`s (see variable.ts) rather than tf.layers, so re-running a notebook cell
 * does not clash. Weights are drawn with one rng call per layer; fan-in is k_h·k_w·C_in.
 *
 * Dilation is applied by spreading the filter (zeros between its taps) and running an undilated
 * convolution: TensorFlow.js has no gradient for `conv2d` with dilation > 1, and the spread filter is
 * built from pad/reshape/slice, which all have gradients on every backend. It costs d_h·d_w times the
 * arithmetic of the dense taps, acceptable for the small dilated layers a lecture shows.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { convKernel, padSpatial, pair, requirePadding } from './conv-args';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export type Padding = 'same' | 'valid' | number;
export type ConvInit = 'he' | 'glorot' | 'zero';
export const CONV_INITS: readonly ConvInit[] = ['he', 'glorot', 'zero'];

export interface Conv2dConfig {
  /** Channels C_in of the input. */
  inChannels: number;
  /** Channels C_out of the output (number of filters). */
  outChannels: number;
  /** Kernel size k, or [k_h, k_w]. */
  kernelSize: number | [number, number];
  /** Stride s, or [s_h, s_w]. @default 1 */
  stride?: number | [number, number];
  /** 'same', 'valid', or p zeros on every side. @default 'same' */
  padding?: Padding;
  /** Dilation d, or [d_h, d_w] (spacing between kernel taps). @default 1 */
  dilation?: number | [number, number];
  /** Add a learned bias per output channel (switch off before a batch norm, which has its own shift). @default true */
  bias?: boolean;
  /**
   * 'he': N(0, 2 / fan_in) for ReLU-like units (He et al., 2015); 'glorot': N(0, 2 / (fan_in + fan_out));
   * 'zero': all weights 0 (a residual branch that starts as the identity). fan_in = k_h k_w C_in,
   * fan_out = k_h k_w C_out. @default 'he'
   */
  init?: ConvInit;
  /** Draws the initial weights. */
  rng: Rng;
}

/** Stride, padding and dilation for one spatial axis. */
export interface ConvAxisOptions {
  /** @default 1 */
  stride?: number;
  /** @default 'same' */
  padding?: Padding;
  /** @default 1 */
  dilation?: number;
}

/** Output length of a convolution along one axis of length n (formulas in the module comment). */
export function convOutputSize(n: number, kernel: number, options: ConvAxisOptions = {}): number {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 'same';
  const dilation = options.dilation ?? 1;
  requirePositiveInt(n, 'n', 'convOutputSize');
  requirePositiveInt(kernel, 'kernel', 'convOutputSize');
  requirePositiveInt(stride, 'stride', 'convOutputSize');
  requirePositiveInt(dilation, 'dilation', 'convOutputSize');
  requirePadding(padding, 'convOutputSize');
  if (padding === 'same') return Math.ceil(n / stride);
  const extent = dilation * (kernel - 1) + 1;
  const padded = n + 2 * (padding === 'valid' ? 0 : padding);
  if (extent > padded) {
    throw new Error(`convOutputSize: the kernel's extent ${extent} (kernel ${kernel}, dilation ${dilation}) is larger than the padded input ${padded}; use a smaller kernel, more padding or 'same'`);
  }
  return Math.floor((padded - extent) / stride) + 1;
}

export class Conv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Padding;
  readonly dilation: readonly [number, number];
  /** Filters w, shape [k_h, k_w, C_in, C_out]. */
  readonly weight: tf.Variable<tf.Rank.R4>;
  /** Per-channel bias, shape [C_out], or null. */
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(config: Conv2dConfig) {
    const owner = 'Conv2d';
    this.inChannels = requirePositiveInt(config.inChannels, 'inChannels', owner);
    this.outChannels = requirePositiveInt(config.outChannels, 'outChannels', owner);
    this.kernelSize = pair(config.kernelSize, 'kernelSize', owner);
    this.stride = pair(config.stride ?? 1, 'stride', owner);
    this.dilation = pair(config.dilation ?? 1, 'dilation', owner);
    this.padding = requirePadding(config.padding ?? 'same', owner);
    const init = config.init ?? 'he';
    if (!CONV_INITS.includes(init)) throw new Error(`Conv2d: unknown init "${String(init)}"; use one of ${CONV_INITS.join(', ')}`);
    const [kh, kw] = this.kernelSize;
    const shape: [number, number, number, number] = [kh, kw, this.inChannels, this.outChannels];
    const fanIn = kh * kw * this.inChannels;
    const fanOut = kh * kw * this.outChannels;
    this.weight = ownedVariable(() => convKernel(shape, fanIn, fanOut, init, config.rng, owner) as tf.Tensor4D);
    this.bias = (config.bias ?? true) ? ownedVariable(tf.zeros([this.outChannels]) as tf.Tensor1D) : null;
  }

  /** Output [height, width] for an input of [height, width]; throws if the kernel does not fit. */
  outputSize(height: number, width: number): [number, number] {
    const axis = (n: number, a: 0 | 1): number =>
      convOutputSize(n, this.kernelSize[a], { stride: this.stride[a], padding: this.padding, dilation: this.dilation[a] });
    try {
      return [axis(height, 0), axis(width, 1)];
    } catch (e) {
      throw new Error(`Conv2d (kernelSize ${this.kernelSize.join('x')}, padding ${JSON.stringify(this.padding)}): input ${height}x${width} is too small: ${(e as Error).message}`);
    }
  }

  /** The convolution of a batch x [B, H, W, C_in] (NHWC); returns [B, H', W', C_out]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4) {
      throw new Error(`Conv2d: expected an NHWC batch [batch, height, width, ${this.inChannels}], got shape [${x.shape.join(', ')}]` +
        (x.rank === 2 ? ' (reshape flat images first, e.g. x.reshape([-1, 28, 28, 1]))' : ''));
    }
    if (x.shape[3] !== this.inChannels) {
      throw new Error(`Conv2d: input has ${x.shape[3]} channels but inChannels is ${this.inChannels} (shape [${x.shape.join(', ')}], NHWC: channels last)`);
    }
    this.outputSize(x.shape[1], x.shape[2]);
    return tf.tidy(() => {
      const p = this.padding;
      const y = typeof p === 'number'
        ? tf.conv2d(padSpatial(x, p), this.dilatedFilter(), [...this.stride] as [number, number], 'valid')
        : tf.conv2d(x, this.dilatedFilter(), [...this.stride] as [number, number], p);
      return this.bias === null ? y : tf.add(y, this.bias);
    });
  }

  /** The filter with d − 1 zeros between taps, shape [(k_h − 1)d_h + 1, (k_w − 1)d_w + 1, C_in, C_out]. */
  private dilatedFilter(): tf.Tensor4D {
    const [dh, dw] = this.dilation;
    if (dh === 1 && dw === 1) return this.weight;
    const [kh, kw] = this.kernelSize;
    const [ci, co] = [this.inChannels, this.outChannels];
    const spread = tf.pad(this.weight.reshape([kh, 1, kw, 1, ci, co]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    return tf.slice(spread.reshape([kh * dh, kw * dw, ci, co]), [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
  }

  /** Number of learned parameters: k_h k_w C_in C_out (+ C_out with a bias). */
  get parameterCount(): number {
    return this.weight.size + (this.bias?.size ?? 0);
  }

  variables(): tf.Variable[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
