/**
 * Images with known generating factors, for measuring disentanglement: each image is one Gaussian blob
 * on a `size` x `size` canvas,
 *
 *   pixel(r, c) = exp(-((c - u)² + (r - w)²) / (2 s²)),
 *
 * drawn from three independent factors: horizontal position u, vertical position w (both uniform in
 * [margin, size - 1 - margin]) and width s (uniform in `widthRange`). The factors are returned beside
 * the images, so a learned code can be compared with them (in the spirit of dSprites; Matthey, Higgins,
 * Hassabis & Lerchner 2017, which varies shape, scale, rotation and position of sprites).
 */
import * as tf from '@tensorflow/tfjs';
import { type RandomOptions, resolveRng } from '../rng-option';

export interface BlobImagesOptions extends RandomOptions {
  /** Width and height of the canvas in pixels. @default 16 */
  size?: number;
  /** Smallest distance of a centre from the border, in pixels. @default 3 */
  margin?: number;
  /** Range of the width s. @default [1, 2.5] */
  widthRange?: [number, number];
}

export interface BlobImages {
  /** Images, flattened, values in (0, 1]: [n, size²]. */
  x: tf.Tensor2D;
  /** The factors of each image, columns `factorNames`: [n, 3]. */
  factors: tf.Tensor2D;
  factorNames: ['x position', 'y position', 'width'];
  size: number;
  dispose(): void;
}

/** `n` blob images and their factors (u, w, s). The same seed gives the same images. */
export function makeBlobImages(n: number, options: BlobImagesOptions): BlobImages {
  if (!Number.isInteger(n) || n < 1) throw new Error(`makeBlobImages: n must be a positive integer, got ${n}`);
  const size = options.size ?? 16;
  const margin = options.margin ?? 3;
  const [sLo, sHi] = options.widthRange ?? [1, 2.5];
  if (!Number.isInteger(size) || size < 4) throw new Error(`makeBlobImages: size must be an integer >= 4, got ${size}`);
  if (!(margin >= 0 && 2 * margin < size - 1)) throw new Error(`makeBlobImages: margin must be in [0, ${(size - 1) / 2}), got ${margin}`);
  if (!(sLo > 0 && sHi >= sLo)) throw new Error(`makeBlobImages: widthRange must be [lo, hi] with 0 < lo <= hi, got [${sLo}, ${sHi}]`);
  const rng = resolveRng(options, 'makeBlobImages');
  const img = new Float32Array(n * size * size);
  const fac = new Float32Array(n * 3);
  const span = size - 1 - 2 * margin;
  for (let i = 0; i < n; i++) {
    const u = margin + span * rng.random();
    const w = margin + span * rng.random();
    const s = sLo + (sHi - sLo) * rng.random();
    fac.set([u, w, s], 3 * i);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) img[i * size * size + r * size + c] = Math.exp(-((c - u) ** 2 + (r - w) ** 2) / (2 * s * s));
    }
  }
  const x = tf.tensor2d(img, [n, size * size]);
  const factors = tf.tensor2d(fac, [n, 3]);
  return { x, factors, factorNames: ['x position', 'y position', 'width'], size, dispose: () => tf.dispose([x, factors]) };
}
