/**
 * The conditional VAE (Sohn, Lee & Yan, 2015; Kingma et al., 2014 "M2" without the classifier): both
 * networks also see the label y, q(z | x, y) and p(x | z, y), and the prior stays N(0, I). The latent
 * code is then free to hold what the label does not say (style: slant, thickness), and generation can
 * ask for a chosen class: z ~ N(0, I), x ~ p(x | z, y).
 *
 * Labels are a dataset tensor "y": class indices [n] (int32 or float) or one-hot rows [n, numClasses].
 * ELBO(x | y) = E_q[log p(x | z, y)] - KL(q(z | x, y) || N(0, I)); the loss terms are those of `VAE`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { requirePositiveInt } from '../../nn';
import { VAE, type VAEConfig } from './vae';

export interface ConditionalVAEConfig extends VAEConfig {
  /** Number of classes of the label y (its one-hot width). */
  numClasses: number;
}

export class ConditionalVAE extends VAE {
  readonly numClasses: number;

  constructor(config: ConditionalVAEConfig) {
    super(config, requirePositiveInt(config.numClasses, 'numClasses', 'ConditionalVAE'));
    this.numClasses = config.numClasses;
  }

  /** Generate `labels.length` examples of the chosen classes (means of p(x | z, y) unless `mean: false`). */
  generate(labels: number[], rng: Rng, options: { mean?: boolean } = {}): tf.Tensor2D {
    const bad = labels.find((c) => !Number.isInteger(c) || c < 0 || c >= this.numClasses);
    if (bad !== undefined) throw new Error(`ConditionalVAE.generate: labels must be integers in [0, ${this.numClasses}), got ${bad}`);
    return tf.tidy(() => this.sample(labels.length, rng, { y: tf.tensor1d(labels, 'int32'), mean: options.mean ?? true }));
  }

  /**
   * A class-by-style grid: row r shows class `classes[r]`, column c uses the same latent z_c for every
   * row, so a column holds one "style" written as each digit. Returns decoder means,
   * [classes.length * styles, inputDim], row-major (ready for an image grid with `cols: styles`).
   */
  generateGrid(classes: number[], styles: number, rng: Rng): tf.Tensor2D {
    requirePositiveInt(styles, 'styles', 'ConditionalVAE.generateGrid');
    const bad = classes.find((c) => !Number.isInteger(c) || c < 0 || c >= this.numClasses);
    if (bad !== undefined) throw new Error(`ConditionalVAE.generateGrid: classes must be integers in [0, ${this.numClasses}), got ${bad}`);
    return tf.tidy(() => {
      const z = tf.tile(rng.randn([styles, this.latentDim]), [classes.length, 1]);
      const y = tf.tensor1d(classes.flatMap((c) => Array<number>(styles).fill(c)), 'int32');
      return this.decode(z, y) as tf.Tensor2D;
    });
  }
}
