/**
 * The "bad baseline" for image metrics: an independent model per pixel, fitted to the data. It gets every
 * pixel's marginal right (mean and spread of the ink at each position) and nothing about how pixels go
 * together, so its samples are speckled clouds shaped like the average digit. A generative model must beat
 * it clearly; the real-vs-real floor (two sets of real images) says how far down the scale goes.
 *
 *   x_d ~ N(mu_d, s_d^2) independently, clipped to the data's range [lo, hi]
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from '../nn';
import type { Rng } from '../runtime/rng';

export class IndependentPixelModel {
  /** Per-pixel means and standard deviations, [d]. */
  readonly mean: Float32Array;
  readonly std: Float32Array;

  private constructor(
    mean: Float32Array,
    std: Float32Array,
    readonly range: [number, number],
  ) {
    this.mean = mean;
    this.std = std;
  }

  /** Fit per-pixel means and standard deviations to images [n, d]; samples are clipped to `range`. */
  static fit(x: tf.Tensor2D, range: [number, number] = [0, 1]): IndependentPixelModel {
    if (x.rank !== 2 || x.shape[0] < 2) throw new Error(`IndependentPixelModel.fit: expected images [n >= 2, d], got [${x.shape.join(', ')}]`);
    if (!(range[1] > range[0])) throw new Error(`IndependentPixelModel.fit: range must be [lo, hi] with lo < hi, got [${range.join(', ')}]`);
    const [mean, std] = tf.tidy(() => {
      const m = tf.moments(x, 0);
      return [m.mean.dataSync() as Float32Array, tf.sqrt(m.variance).dataSync() as Float32Array];
    });
    return new IndependentPixelModel(mean!, std!, range);
  }

  /** n independent-pixel samples, [n, d]. */
  sample(n: number, rng: Rng): tf.Tensor2D {
    requirePositiveInt(n, 'n', 'IndependentPixelModel.sample');
    const d = this.mean.length;
    return tf.tidy(() => {
      const eps = rng.randn([n, d]);
      const x = tf.add(tf.mul(eps, tf.tensor1d(this.std)), tf.tensor1d(this.mean));
      return tf.clipByValue(x, this.range[0], this.range[1]) as tf.Tensor2D;
    });
  }
}
