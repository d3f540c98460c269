/**
 * Denoising as a training task for image-to-image networks (the U-Net section; Vincent et al., 2008,
 * for the denoising objective): corrupt a clean image with Gaussian noise and train the network to
 * return the clean one,
 *
 *   x̃ = x + σ ε,  ε ~ N(0, I),        loss = (1 / (n h w c)) Σ (f(x̃) - x)²
 *
 * Any network that maps NHWC images to images of the same shape plugs in (a U-Net with or without its
 * skip connections). The noise of a training step is drawn from the step's `ctx.rng`, so a seed gives
 * the same run; evaluation draws its own fixed noise (`noisy`), so two networks are compared on the
 * same corrupted images.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';

/** What the denoiser needs from its network. */
export interface ImageToImage {
  apply(x: tf.Tensor4D): tf.Tensor4D;
  variables(): tf.Variable[];
  dispose(): void;
}

export interface ImageDenoiserConfig {
  /** The network f, images to images of the same shape. The denoiser owns it (and disposes it). */
  net: ImageToImage;
  /** Noise level σ. @default 0.5 */
  noiseStd?: number;
}

export class ImageDenoiser implements Trainable {
  readonly net: ImageToImage;
  readonly noiseStd: number;

  constructor(config: ImageDenoiserConfig) {
    this.net = config.net;
    this.noiseStd = config.noiseStd ?? 0.5;
    if (!(this.noiseStd > 0)) throw new Error(`ImageDenoiser: noiseStd must be positive, got ${config.noiseStd}`);
  }

  /** x + σ ε with ε drawn from `rng`. */
  noisy(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
    return tf.tidy(() => tf.add(x, tf.mul(this.noiseStd, rng.randn([...x.shape]))) as tf.Tensor4D);
  }

  /** f(x̃): the network's estimate of the clean images. */
  denoise(noisy: tf.Tensor4D): tf.Tensor4D {
    return this.net.apply(noisy);
  }

  /** Mean squared error of f(noisy) against `clean`, `batchSize` images at a time. */
  reconstructionError(noisy: tf.Tensor4D, clean: tf.Tensor4D, batchSize = 250): number {
    if (noisy.shape.join() !== clean.shape.join()) throw new Error(`ImageDenoiser: noisy [${noisy.shape.join(', ')}] and clean [${clean.shape.join(', ')}] must have the same shape`);
    const n = clean.shape[0];
    let total = 0;
    for (let lo = 0; lo < n; lo += batchSize) {
      const size = Math.min(batchSize, n - lo);
      total += tf.tidy(() => {
        const part = (t: tf.Tensor4D) => tf.slice(t, [lo, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D;
        return tf.sum(tf.square(tf.sub(this.net.apply(part(noisy)), part(clean)))).dataSync()[0]!;
      });
    }
    return total / clean.size;
  }

  /** The mean squared error on a batch `{ x }` of clean images, corrupted with this step's noise. */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = batch['x'];
    if (x === undefined || x.rank !== 4) throw new Error(`ImageDenoiser: the batch needs "x", clean NHWC images (has: ${Object.keys(batch).join(', ')})`);
    const clean = x as tf.Tensor4D;
    const out = this.net.apply(this.noisy(clean, ctx.rng));
    if (out.shape.join() !== clean.shape.join()) throw new Error(`ImageDenoiser: the network returned [${out.shape.join(', ')}] for images [${clean.shape.join(', ')}]; it must keep the shape`);
    return { mse: tf.mean(tf.square(tf.sub(out, clean))) as tf.Scalar };
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}
