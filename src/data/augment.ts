/**
 * Data augmentation for image batches: random whole-pixel shifts, applied by the Trainer to training
 * batches only (`FitOptions.augment`), never to validation or test data.
 *
 * MNIST digits are centred by their centre of mass, so a network trained on them never sees a digit a
 * pixel or two off centre, although such digits are just as clearly the same class. Shifting each
 * training image by its own random (dy, dx), |dy|, |dx| <= maxShift, with zeros shifted in, shows the
 * network every digit at (2 maxShift + 1)^2 positions over the epochs: more distinct training images
 * for free, and the small shifts are ones the label does not depend on (Simard et al., 2003, used
 * distortions of this kind for MNIST; LeCun et al., 1998, shifted digits too).
 *
 *   t(x)[b, i, j, c] = x[b, i - dy_b, j - dx_b, c]   (0 where the source pixel falls outside the image)
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import type { Augmentation, Batch } from '../train/types';

/**
 * Each image `x[b]` (NHWC) moved `dy[b]` pixels down and `dx[b]` right (negative: up, left), zeros
 * shifted in. One depthwise convolution does the whole batch: image b becomes channel b of a single
 * image, and its kernel is one-hot at (s - dy_b, s - dx_b), s = max |shift|, so the output pixel
 * (i, j) reads exactly x[i - dy_b, j - dx_b] ('same' padding supplies the zeros; multiplying by 1 and
 * adding zeros is exact in float32).
 */
export function shiftEach<T extends tf.Tensor4D>(x: T, dy: ArrayLike<number>, dx: ArrayLike<number>): T {
  if (x.rank !== 4) throw new Error(`shiftEach: expected NHWC images [n, h, w, c], got shape [${x.shape.join(', ')}]`);
  const [n, h, w, c] = x.shape;
  if (dy.length !== n || dx.length !== n) {
    throw new Error(`shiftEach: give one shift per image: ${n} images, ${dy.length} dy and ${dx.length} dx values`);
  }
  let s = 0;
  for (let b = 0; b < n; b++) {
    const [u, v] = [dy[b]!, dx[b]!];
    if (!Number.isInteger(u) || !Number.isInteger(v) || Math.abs(u) >= h || Math.abs(v) >= w) {
      throw new Error(`shiftEach: shifts must be integers smaller than the image (${h} x ${w}) in size; image ${b} has dy ${u}, dx ${v}`);
    }
    s = Math.max(s, Math.abs(u), Math.abs(v));
  }
  if (n === 0 || s === 0) return tf.clone(x);
  const k = 2 * s + 1;
  // Kernel [k, k, n * c, 1]: channel b * c + ch (image b, its channel ch) is one-hot at (s - dy_b, s - dx_b).
  const kernel = new Float32Array(k * k * n * c);
  for (let b = 0; b < n; b++) {
    const m = s - dy[b]!;
    const q = s - dx[b]!;
    for (let ch = 0; ch < c; ch++) kernel[(m * k + q) * n * c + b * c + ch] = 1;
  }
  return tf.tidy(() => {
    // [n, h, w, c] -> [1, h, w, n * c]: the batch becomes channels, each with its own kernel.
    const asChannels = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]) as tf.Tensor4D;
    const moved = tf.depthwiseConv2d(asChannels, tf.tensor4d(kernel, [k, k, n * c, 1]), 1, 'same');
    return tf.transpose(tf.reshape(moved, [h, w, n, c]), [2, 0, 1, 3]) as T;
  });
}

export interface RandomShiftsConfig {
  /** Largest shift in pixels along each axis; each image draws dy and dx uniformly from -maxShift..maxShift. */
  maxShift: number;
  /** The batch entry holding the images. @default 'x' */
  key?: string;
  /**
   * For a dense network's input, flat rows [n, h * w * c]: the image shape [h, w, c] of a row. The rows
   * are shifted as images and returned flat. @default undefined (the entry holds NHWC images)
   */
  imageShape?: [number, number, number];
}

/**
 * The augmentation `FitOptions.augment` takes: every training image shifted by its own random
 * (dy, dx), drawn from the step's seed (same seed, same shifts); other batch entries pass unchanged.
 */
export function randomShifts(config: RandomShiftsConfig): Augmentation {
  const { maxShift } = config;
  const key = config.key ?? 'x';
  if (!Number.isInteger(maxShift) || maxShift < 0) {
    throw new Error(`randomShifts: maxShift must be a non-negative integer (pixels), got ${String(maxShift)}`);
  }
  const shape = config.imageShape;
  if (shape !== undefined && (shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v > 0))) {
    throw new Error(`randomShifts: imageShape must be [height, width, channels] of positive integers, got ${JSON.stringify(shape)}`);
  }
  return {
    name: `randomShifts(maxShift=${maxShift}, key=${key}${shape === undefined ? '' : `, imageShape=${shape.join('x')}`})`,
    apply(batch: Batch, rng: Rng): Batch {
      const x = batch[key];
      if (x === undefined) throw new Error(`randomShifts: the batch has no "${key}" entry (has: ${Object.keys(batch).join(', ')}); set key to the images' name`);
      let images: tf.Tensor4D;
      if (shape === undefined) {
        if (x.rank !== 4) {
          throw new Error(`randomShifts: "${key}" must be NHWC images [n, h, w, c], got shape [${x.shape.join(', ')}]` + (x.rank === 2 ? '; for flat rows give imageShape, e.g. [28, 28, 1]' : ''));
        }
        images = x as tf.Tensor4D;
      } else {
        if (x.rank !== 2 || x.shape[1] !== shape[0] * shape[1] * shape[2]) {
          throw new Error(`randomShifts: with imageShape [${shape.join(', ')}], "${key}" must be flat rows [n, ${shape[0] * shape[1] * shape[2]}], got shape [${x.shape.join(', ')}]`);
        }
        images = tf.reshape(x, [-1, ...shape]);
      }
      const n = images.shape[0];
      const dy = Array.from({ length: n }, () => rng.int(2 * maxShift + 1) - maxShift);
      const dx = Array.from({ length: n }, () => rng.int(2 * maxShift + 1) - maxShift);
      const moved = shiftEach(images, dy, dx);
      return { ...batch, [key]: shape === undefined ? moved : tf.reshape(moved, x.shape) };
    },
  };
}
