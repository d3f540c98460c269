/**
 * Pooling: downsampling without weights (lecture, "DownSampling"). The input is cut into windows of
 * `poolSize` (moved by `stride`) and each window is replaced by its maximum (max pooling: keeps the
 * strongest activation, so a small shift of a feature inside the window leaves the output unchanged) or
 * its mean (average pooling). Each channel is pooled on its own, so channels are kept. Global average
 * pooling averages a whole feature map to one number per channel, the usual step from a convolutional
 * body to a dense head (Lin, Chen & Yan, 2014, "Network in Network", Sec. 3.2).
 *
 *   max:  y[b, i, j, c] = max_{0 <= m < k_h, 0 <= n < k_w} x[b, i s_h + m, j s_w + n, c]
 *   mean: y[b, i, j, c] = (1 / (k_h k_w)) Σ_{m, n} x[b, i s_h + m, j s_w + n, c]
 *
 * NHWC layout, as `Conv2d`. With 'same' padding, average pooling divides by the number of inputs inside
 * the image (TensorFlow's convention), not by k_h k_w. TensorFlow.js 4.22's `avgPool` gradient gets those
 * border windows wrong (it divides by k_h k_w, on every backend: a corner's gradient is off by the
 * window's share outside the image), so 'same' is computed here as zeros padded explicitly, a 'valid'
 * average, and a constant rescaling by k_h k_w / (inputs inside the window), whose gradients are right.
 */
import * as tf from '@tensorflow/tfjs';
import { pair } from './conv-args';

export interface Pool2dConfig {
  /** Window size, `k` or `[k_h, k_w]`. */
  poolSize: number | [number, number];
  /** Step between windows. @default poolSize (non-overlapping windows) */
  stride?: number | [number, number];
  /** 'valid': only whole windows; 'same': output size ceil(n / stride), windows cut at the border. @default 'valid' */
  padding?: 'valid' | 'same';
}

/** Output length of a pooling window sweep along one axis. */
function pooledLength(n: number, k: number, s: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
}

abstract class Pool2d {
  readonly poolSize: [number, number];
  readonly stride: [number, number];
  readonly padding: 'valid' | 'same';
  /** Pooling has no weights. */
  readonly parameterCount = 0;

  constructor(config: Pool2dConfig, readonly name: string) {
    this.poolSize = pair(config.poolSize, 'poolSize', name);
    this.stride = config.stride === undefined ? this.poolSize : pair(config.stride, 'stride', name);
    const padding = config.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw new Error(`${name}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
    this.padding = padding;
  }

  /** Output [height, width] for an input of `h` x `w`; a clear error when the window does not fit. */
  outputSize(h: number, w: number): [number, number] {
    const [kh, kw] = this.poolSize;
    if (this.padding === 'valid' && (kh > h || kw > w)) {
      throw new Error(`${this.name}: poolSize [${kh}, ${kw}] is larger than the input (${h} x ${w}); use a smaller poolSize or padding 'same'`);
    }
    return [pooledLength(h, kh, this.stride[0], this.padding), pooledLength(w, kw, this.stride[1], this.padding)];
  }

  protected check(x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4) throw new Error(`${this.name}: expected an NHWC input [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
    this.outputSize(x.shape[1]!, x.shape[2]!);
    return x as tf.Tensor4D;
  }

  variables(): tf.Variable[] {
    return [];
  }

  dispose(): void {}
}

/** Max pooling over windows of `poolSize`. */
export class MaxPool2d extends Pool2d {
  constructor(config: Pool2dConfig) {
    super(config, 'MaxPool2d');
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.maxPool(this.check(x), this.poolSize, this.stride, this.padding);
  }
}

/** Average pooling over windows of `poolSize`. */
export class AvgPool2d extends Pool2d {
  constructor(config: Pool2dConfig) {
    super(config, 'AvgPool2d');
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const input = this.check(x);
    if (this.padding === 'valid') return tf.avgPool(input, this.poolSize, this.stride, 'valid');
    const [h, w] = [input.shape[1], input.shape[2]];
    const [oh, ow] = this.outputSize(h, w);
    const [padH, countH] = samePadding(h, oh, this.poolSize[0], this.stride[0]);
    const [padW, countW] = samePadding(w, ow, this.poolSize[1], this.stride[1]);
    return tf.tidy(() => {
      const padded = tf.pad(input, [[0, 0], padH, padW, [0, 0]]);
      const mean = tf.avgPool(padded, this.poolSize, this.stride, 'valid');
      const area = this.poolSize[0] * this.poolSize[1];
      const scale = tf.tensor2d(countH.flatMap((ch) => countW.map((cw) => area / (ch * cw))), [oh, ow]).reshape([1, oh, ow, 1]);
      return tf.mul(mean, scale) as tf.Tensor4D;
    });
  }
}

/** TensorFlow's 'same' padding [before, after] along one axis, and how many real inputs each window covers. */
function samePadding(n: number, out: number, k: number, s: number): [[number, number], number[]] {
  const total = Math.max((out - 1) * s + k - n, 0);
  const before = Math.floor(total / 2);
  const counts = Array.from({ length: out }, (_, i) => {
    const start = i * s - before;
    return Math.min(start + k, n) - Math.max(start, 0);
  });
  return [[before, total - before], counts];
}

/** Global average pooling: [b, h, w, c] -> [b, c], the mean of each feature map. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  if (x.rank !== 4) throw new Error(`globalAvgPool: expected an NHWC input [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
