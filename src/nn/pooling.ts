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
 * the image (TensorFlow's convention), not by k_h k_w.
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
    return tf.avgPool(this.check(x), this.poolSize, this.stride, this.padding);
  }
}

/** Global average pooling: [b, h, w, c] -> [b, c], the mean of each feature map. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  if (x.rank !== 4) throw new Error(`globalAvgPool: expected an NHWC input [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
