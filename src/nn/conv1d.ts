/**
 * 1-D convolution (lecture, "Convolution Operation, 1-D case"): each output is a weighted sum of nearby
 * inputs with the same weights at every position, for sequences such as time series or audio.
 *
 *   z[b, i, o] = β_o + Σ_{k=0}^{K-1} Σ_c w[k, c, o] x[b, i s + k D - p, c]
 *
 * with kernel size K, stride s, dilation D (gaps between the taps: a receptive field of D (K - 1) + 1
 * with K weights) and padding p (zeros outside the sequence). As in deep-learning libraries this is a
 * cross-correlation (the kernel is not flipped); a learned kernel makes the two the same family. NWC
 * layout: x is [batch, length, channels]. The output length is
 *   'valid': floor((n - D (K - 1) - 1) / s) + 1,   'same': ceil(n / s),   p: floor((n + 2p - D (K - 1) - 1) / s) + 1.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { convKernel, padSpatial, requireChannels, requirePadding } from './conv-args';
import type { ConvInit, Padding } from './conv2d';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export interface Conv1dConfig {
  inChannels: number;
  outChannels: number;
  /** Taps K. */
  kernelSize: number;
  /** @default 1 */
  stride?: number;
  /** @default 'same' */
  padding?: Padding;
  /** Spacing D between taps. @default 1 */
  dilation?: number;
  /** Add a learned bias per output channel. @default true */
  bias?: boolean;
  /** Kernel initialisation, fan-in K C_in. @default 'he' */
  init?: ConvInit;
  /** Seeds the kernel. */
  rng: Rng;
}

export class Conv1d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: Padding;
  readonly dilation: number;
  /** [K, inChannels, outChannels]. */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(config: Conv1dConfig) {
    const owner = 'Conv1d';
    this.inChannels = requirePositiveInt(config.inChannels, 'inChannels', owner);
    this.outChannels = requirePositiveInt(config.outChannels, 'outChannels', owner);
    this.kernelSize = requirePositiveInt(config.kernelSize, 'kernelSize', owner);
    this.stride = requirePositiveInt(config.stride ?? 1, 'stride', owner);
    this.dilation = requirePositiveInt(config.dilation ?? 1, 'dilation', owner);
    this.padding = requirePadding(config.padding ?? 'same', owner);
    const k = this.kernelSize;
    this.weight = ownedVariable(() => convKernel([k, this.inChannels, this.outChannels], k * this.inChannels, k * this.outChannels, config.init ?? 'he', config.rng, owner));
    this.bias = (config.bias ?? true) ? ownedVariable(tf.zeros([this.outChannels])) : null;
  }

  get parameterCount(): number {
    return this.weight.size + (this.bias?.size ?? 0);
  }

  /** Output length for an input of length `n`; a clear error when the kernel does not fit. */
  outputLength(n: number): number {
    const span = this.dilation * (this.kernelSize - 1) + 1;
    if (this.padding === 'same') return Math.ceil(n / this.stride);
    const p = this.padding === 'valid' ? 0 : this.padding;
    if (span > n + 2 * p) {
      throw new Error(`Conv1d: kernelSize ${this.kernelSize} (span ${span} with dilation ${this.dilation}) is larger than the padded input (${n} + 2 x ${p}); use a smaller kernelSize or more padding`);
    }
    return Math.floor((n + 2 * p - span) / this.stride) + 1;
  }

  /** The convolution of `x` [batch, length, inChannels]. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    requireChannels(x.shape, 3, this.inChannels, 'Conv1d', 'NWC [batch, length, channels]');
    this.outputLength(x.shape[1]);
    return tf.tidy(() => {
      let y: tf.Tensor3D;
      if (typeof this.padding === 'number') {
        y = tf.conv1d(padSpatial(x, this.padding), this.dilatedFilter(), this.stride, 'valid');
      } else {
        y = tf.conv1d(x, this.dilatedFilter(), this.stride, this.padding);
      }
      return this.bias === null ? y : (tf.add(y, this.bias) as tf.Tensor3D);
    });
  }

  /**
   * The kernel with D - 1 zeros between taps, [D (K - 1) + 1, C_in, C_out]: TensorFlow.js has no gradient
   * for a dilated convolution (nor stride and dilation together), so dilation is applied to the filter
   * and an undilated convolution runs (as `Conv2d` does).
   */
  private dilatedFilter(): tf.Tensor3D {
    const d = this.dilation;
    if (d === 1) return this.weight as tf.Tensor3D;
    const [k, ci, co] = [this.kernelSize, this.inChannels, this.outChannels];
    const spread = tf.pad(tf.reshape(this.weight, [k, 1, ci, co]), [[0, 0], [0, d - 1], [0, 0], [0, 0]]);
    return tf.slice(tf.reshape(spread, [k * d, ci, co]), [0, 0, 0], [(k - 1) * d + 1, ci, co]) as tf.Tensor3D;
  }

  variables(): tf.Variable[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
