/**
 * A denoising autoencoder (Vincent et al., 2008): encode a corrupted x̃ ~ C(x̃ | x), reconstruct the
 * clean x. The model cannot copy its input, so it learns to undo the corruption: r(x̃) moves x̃ back
 * towards the data, and for small Gaussian corruption r(x) - x ≈ σ² ∇_x log p(x) (Alain & Bengio,
 * 2014) - a vector field that points to the data manifold.
 *
 * Loss: recon(x, g(f(x̃))) (+ the optional sparsity term of `Autoencoder`). The corruption is part of
 * the task, so validation passes corrupt too (seeded by the step's rng, so they are reproducible).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossTerms, StepContext } from '../../train/types';
import type { Rng } from '../../runtime/rng';
import { Autoencoder, type AutoencoderConfig } from './autoencoder';
import { type Corruption, corrupt, validateCorruption } from './corruption';

export interface DenoisingAutoencoderConfig extends AutoencoderConfig {
  /** The corruption C(x̃ | x). @default { kind: 'mask', p: 0.5 } */
  corruption?: Corruption;
}

export class DenoisingAutoencoder extends Autoencoder {
  /** The corruption used in training; may be changed between `fit` calls. */
  corruption: Corruption;

  constructor(config: DenoisingAutoencoderConfig) {
    super(config);
    this.corruption = validateCorruption(config.corruption ?? { kind: 'mask', p: 0.5 });
  }

  /** Draw a corrupted copy x̃ of `x` with this model's corruption. */
  corrupt(x: tf.Tensor, rng: Rng): tf.Tensor {
    return corrupt(x, this.corruption, rng);
  }

  override loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = batch['x'];
    if (x === undefined) throw new Error('DenoisingAutoencoder.loss: the dataset needs an "x" tensor, e.g. { x: images }');
    return this.terms(this.corrupt(x, ctx.rng.fork('corruption')), x);
  }

  /**
   * Mean per-example squared errors to the clean `x`: of a corrupted copy x̃ (what the model is given)
   * and of its reconstruction r(x̃). `ratio` = denoised / corrupted: below 1, the model removes noise.
   */
  denoisingErrors(x: tf.Tensor, rng: Rng, batchSize = 1000): { corrupted: number; denoised: number; ratio: number } {
    let corrupted = 0;
    let denoised = 0;
    const n = x.shape[0]!;
    for (let lo = 0, chunk = 0; lo < n; lo += batchSize, chunk++) {
      const size = Math.min(batchSize, n - lo);
      const [c, d] = tf.tidy(() => {
        const xb = tf.slice(x, lo, size);
        const xt = this.corrupt(xb, rng.fork(`chunk${chunk}`));
        return [tf.sum(tf.square(tf.sub(xt, xb))).dataSync()[0]!, tf.sum(tf.square(tf.sub(this.reconstruct(xt), xb))).dataSync()[0]!];
      });
      corrupted += c!;
      denoised += d!;
    }
    return { corrupted: corrupted / n, denoised: denoised / n, ratio: denoised / corrupted };
  }

  /** The learned field r(x) - x at points `x`, [n, inputDim]: where the model moves each point. */
  field(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.sub(this.reconstruct(x), x)) as tf.Tensor2D;
  }
}
