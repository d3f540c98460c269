/**
 * Max unpooling (lecture, "UpSampling: Max unpooling"; Zeiler & Fergus, 2014, Sec. 2.1 "switches"):
 * undo a max pooling by putting each pooled value back at the position its maximum came from and
 * zeros everywhere else. The pooling step records those positions (the argmax "switches"); the
 * unpooling step reads them, so a decoder can put detail back where the encoder found it.
 *
 *   pool:    y[b, i, j, c] = x[b, p, q, c],  (p, q) = argmax over the window (i, j)
 *   unpool:  u[b, p, q, c] = y[b, i, j, c] at the recorded (p, q), 0 elsewhere
 *
 * Windows do not overlap (stride = poolSize), so each input position belongs to at most one window and
 * unpool(pool(x)) keeps exactly the window maxima of x. The unpooled map is the pooled one repeated over
 * each window (nearest-neighbour upsampling) times a 0/1 mask of the switches, so its gradient with
 * respect to `y` is the pooled gradient, as for pooling itself.
 */
import * as tf from '@tensorflow/tfjs';
import { pair } from './conv-args';

export interface MaxUnpool2dConfig {
  /** Window size (and stride: the windows do not overlap), `k` or `[k_h, k_w]`. */
  poolSize: number | [number, number];
}

/** What `MaxUnpool2d.pool` returns. */
export interface PooledWithSwitches {
  /** The max-pooled map [b, h / k_h, w / k_w, c] (floored). */
  y: tf.Tensor4D;
  /**
   * The switches, int32 [b, h / k_h, w / k_w, c]: for each pooled value, the flat position
   * (p w + q) c_total + c of its maximum within its own image (TensorFlow's MaxPoolWithArgmax order;
   * the first maximum on ties).
   */
  argmax: tf.Tensor4D;
  /** The input's [height, width], the size `unpool` restores. */
  inputSize: [number, number];
}

export class MaxUnpool2d {
  readonly poolSize: [number, number];
  readonly parameterCount = 0;

  constructor(config: MaxUnpool2dConfig) {
    this.poolSize = pair(config.poolSize, 'poolSize', 'MaxUnpool2d');
  }

  /** Max-pool `x` and record where each maximum came from. */
  pool(x: tf.Tensor4D): PooledWithSwitches {
    if (x.rank !== 4) throw new Error(`MaxUnpool2d.pool: expected an NHWC input [batch, height, width, channels], got shape [${x.shape.join(', ')}]`);
    const [, h, w] = x.shape;
    const [kh, kw] = this.poolSize;
    if (kh > h || kw > w) throw new Error(`MaxUnpool2d: poolSize [${kh}, ${kw}] is larger than the input (${h} x ${w}); use a smaller poolSize`);
    return { y: tf.maxPool(x, this.poolSize, this.poolSize, 'valid'), argmax: switches(x, kh, kw), inputSize: [h, w] };
  }

  /**
   * Put each value of `y` back at its switch in a [b, h, w, c] map of zeros; [h, w] = `outputSize`, the
   * `inputSize` that `pool` recorded.
   */
  unpool(y: tf.Tensor4D, argmax: tf.Tensor4D, outputSize: [number, number]): tf.Tensor4D {
    const [kh, kw] = this.poolSize;
    if (y.rank !== 4) throw new Error(`MaxUnpool2d.unpool: expected an NHWC y, got shape [${y.shape.join(', ')}]`);
    if (argmax.shape.join() !== y.shape.join()) {
      throw new Error(`MaxUnpool2d.unpool: argmax has shape [${argmax.shape.join(', ')}] but y has [${y.shape.join(', ')}]; pass the argmax that pool() returned with y`);
    }
    const [b, ph, pw, c] = y.shape;
    const [h, w] = outputSize;
    if (Math.floor(h / kh) !== ph || Math.floor(w / kw) !== pw) {
      throw new Error(`MaxUnpool2d.unpool: outputSize [${h}, ${w}] does not pool to y's [${ph}, ${pw}] with poolSize [${kh}, ${kw}]; pass the inputSize that pool() returned`);
    }
    return tf.tidy(() => {
      // The 0/1 mask of the switches: scatter ones at (image, flat position).
      const n = b * ph * pw * c;
      const image = tf.reshape(tf.tile(tf.reshape(tf.range(0, b, 1, 'int32'), [b, 1]), [1, ph * pw * c]), [n, 1]);
      const where = tf.concat([image, tf.reshape(tf.cast(argmax, 'int32'), [n, 1])], 1);
      const mask = tf.reshape(tf.scatterND(where, tf.ones([n]), [b, h * w * c]), [b, h, w, c]);
      // Nearest-neighbour repeat of y over each window, one axis at a time with rank-4 broadcasts (the
      // wasm backend mis-broadcasts rank 6): columns [b ph, pw, 1, c] -> [b ph, pw, kw, c], then rows.
      const wide = tf.mul(tf.reshape(y, [b * ph, pw, 1, c]), tf.ones([1, 1, kw, 1]));
      const repeated = tf.reshape(tf.mul(tf.reshape(wide, [b, ph, 1, pw * kw * c]), tf.ones([1, 1, kh, 1])), [b, ph * kh, pw * kw, c]);
      // Rows and columns no window covered (h or w not a multiple of k) stay zero.
      const padded = tf.pad(repeated, [[0, 0], [0, h - ph * kh], [0, w - pw * kw], [0, 0]]);
      return tf.mul(padded, mask) as tf.Tensor4D;
    });
  }

  variables(): tf.Variable[] {
    return [];
  }

  dispose(): void {}
}

/**
 * The flat position (p w + q) c_total + c of each k_h x k_w window's maximum (the first one on ties, in
 * row-major window order), int32 [b, h / k_h, w / k_w, c]. Computed from strided slices rather than with
 * `tf.maxPoolWithArgmax`: tfjs-backend-wasm 4.22's kernel starts its running maximum at 0, so a window
 * whose values are all negative comes back as 0 at position 0 (checked against the cpu kernel).
 */
function switches(x: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const [ph, pw] = [Math.floor(h / kh), Math.floor(w / kw)];
    // Element (m, n) of every window: a strided slice [b, ph, pw, c]; stacked last, then the argmax.
    const taps: tf.Tensor[] = [];
    for (let m = 0; m < kh; m++) for (let n = 0; n < kw; n++) taps.push(tf.stridedSlice(x, [0, m, n, 0], [b, m + (ph - 1) * kh + 1, n + (pw - 1) * kw + 1, c], [1, kh, kw, 1]));
    const tap = tf.reshape(tf.argMax(tf.reshape(tf.stack(taps, 4), [-1, kh * kw]), 1), [b, ph, pw, c]);
    const m = tf.floorDiv(tap, kw);
    const n = tf.sub(tap, tf.mul(m, kw));
    // Row p = i k_h + m, column q = j k_w + n of window (i, j); channel c.
    const i = tf.reshape(tf.range(0, ph, 1, 'int32'), [1, ph, 1, 1]);
    const j = tf.reshape(tf.range(0, pw, 1, 'int32'), [1, 1, pw, 1]);
    const ch = tf.reshape(tf.range(0, c, 1, 'int32'), [1, 1, 1, c]);
    const p = tf.add(tf.mul(i, kh), m);
    const q = tf.add(tf.mul(j, kw), n);
    return tf.cast(tf.add(tf.mul(tf.add(tf.mul(p, w), q), c), ch), 'int32') as tf.Tensor4D;
  });
}
