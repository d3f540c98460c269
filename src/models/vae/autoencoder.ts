/**
 * A deterministic autoencoder: code h = f(x), reconstruction x̂ = g(h), trained to make x̂ close to x.
 *
 * Linear (no hidden layers, linear code) with squared error, its d-unit code spans the same subspace as
 * the top d principal components (Baldi & Hornik, 1989), but nothing makes its units orthogonal or
 * ordered. With a sparsity penalty λ Σ_i |h_i| on the code (an L1 penalty: a Laplace prior on h under a
 * MAP reading), an overcomplete code (more units than needed) still learns useful, mostly-silent features.
 *
 * Loss per example (means over the batch), returned as separate terms for the training loop:
 *   recon    = Σ_d (x_d - x̂_d)²                       ('mse')
 *            = -Σ_d [x_d log x̂_d + (1 - x_d) log(1 - x̂_d)] on logits ('bernoulli', stable)
 *   sparsity = λ Σ_i |h_i|                              (only when λ > 0)
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { type Activation, MLP, requireMatrix, requirePositiveInt } from '../../nn';
import { bernoulliLogLikelihood } from './likelihoods';

/** How a reconstruction is scored. */
export type ReconstructionLoss = 'mse' | 'bernoulli';

export interface AutoencoderConfig {
  /** Width of x (e.g. 784 for MNIST). */
  inputDim: number;
  /** Width of the code h (smaller than inputDim: undercomplete; larger: overcomplete). */
  codeDim: number;
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden widths of the encoder; the decoder mirrors them. @default [] (a single linear map each way) */
  hiddenDims?: number[];
  /** Nonlinearity of the hidden layers. @default 'relu' */
  activation?: Activation;
  /** Nonlinearity on the code h (use 'relu' for a sparse code). @default 'linear' */
  codeActivation?: Activation;
  /** 'mse' (sum of squared errors) or 'bernoulli' (cross-entropy on logits, for x in [0, 1]). @default 'mse' */
  reconstruction?: ReconstructionLoss;
  /** λ of the L1 code penalty λ Σ_i |h_i|; 0 turns it off. @default 0 */
  sparsity?: number;
}

export class Autoencoder implements Trainable {
  readonly inputDim: number;
  readonly codeDim: number;
  readonly reconstruction: ReconstructionLoss;
  /** λ of the L1 code penalty; may be changed between `fit` calls. */
  sparsity: number;
  readonly encoder: MLP;
  readonly decoder: MLP;
  private disposed = false;

  constructor(config: AutoencoderConfig) {
    const owner = this.constructor.name;
    this.inputDim = requirePositiveInt(config.inputDim, 'inputDim', owner);
    this.codeDim = requirePositiveInt(config.codeDim, 'codeDim', owner);
    const hidden = config.hiddenDims ?? [];
    hidden.forEach((h, i) => requirePositiveInt(h, `hiddenDims[${i}]`, owner));
    this.reconstruction = config.reconstruction ?? 'mse';
    if (this.reconstruction !== 'mse' && this.reconstruction !== 'bernoulli') {
      throw new Error(`${owner}: reconstruction must be 'mse' or 'bernoulli', got "${String(this.reconstruction)}"`);
    }
    this.sparsity = config.sparsity ?? 0;
    if (!(this.sparsity >= 0)) throw new Error(`${owner}: sparsity (λ) must be >= 0, got ${config.sparsity}`);
    const act = config.activation ?? 'relu';
    this.encoder = new MLP({
      sizes: [this.inputDim, ...hidden, this.codeDim],
      rng: config.rng.fork('encoder'),
      activation: act,
      init: 'auto',
      outputActivation: config.codeActivation ?? 'linear',
    });
    this.decoder = new MLP({
      sizes: [this.codeDim, ...[...hidden].reverse(), this.inputDim],
      rng: config.rng.fork('decoder'),
      activation: act,
      init: 'auto',
      outputActivation: 'linear',
    });
  }

  /** The code h = f(x), shape [n, codeDim]. */
  encode(x: tf.Tensor): tf.Tensor2D {
    return this.encoder.apply(requireMatrix(x, this.inputDim, `${this.constructor.name}.encode(x)`)) as tf.Tensor2D;
  }

  /** The decoder's raw output: logits for 'bernoulli', the reconstruction itself for 'mse'. */
  decodeRaw(h: tf.Tensor): tf.Tensor2D {
    return this.decoder.apply(requireMatrix(h, this.codeDim, `${this.constructor.name}.decode(h)`)) as tf.Tensor2D;
  }

  /** The reconstruction x̂ = g(h) (probabilities in [0, 1] for 'bernoulli'). */
  decode(h: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.decodeRaw(h);
      return this.reconstruction === 'bernoulli' ? tf.sigmoid(out) : out;
    });
  }

  /** x̂ = g(f(x)). */
  reconstruct(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x)));
  }

  /** Per-example reconstruction loss of `target` from the decoder output `raw`, shape [n]. */
  protected reconLoss(target: tf.Tensor, raw: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() =>
      this.reconstruction === 'bernoulli'
        ? tf.neg(bernoulliLogLikelihood(target, raw))
        : tf.sum(tf.square(tf.sub(target, raw)), -1),
    ) as tf.Tensor1D;
  }

  /** Loss terms for input `input` and reconstruction target `target` (the same x unless denoising). */
  protected terms(input: tf.Tensor, target: tf.Tensor): LossTerms {
    const h = this.encode(input);
    const out: LossTerms = { recon: tf.mean(this.reconLoss(target, this.decodeRaw(h))) as tf.Scalar };
    if (this.sparsity > 0) out['sparsity'] = tf.mul(this.sparsity, tf.mean(tf.sum(tf.abs(h), -1))) as tf.Scalar;
    return out;
  }

  loss(batch: Batch, _ctx: StepContext): LossTerms {
    const x = batch['x'];
    if (x === undefined) throw new Error(`${this.constructor.name}.loss: the dataset needs an "x" tensor, e.g. { x: images }`);
    return this.terms(x, x);
  }

  /** Mean per-example squared error Σ_d (x̂_d - x_d)² of the reconstruction, whatever the training loss. */
  reconstructionError(x: tf.Tensor, batchSize = 1000): number {
    let total = 0;
    const n = x.shape[0]!;
    for (let lo = 0; lo < n; lo += batchSize) {
      const size = Math.min(batchSize, n - lo);
      total += tf.tidy(() => {
        const xb = tf.slice(x, lo, size);
        return tf.sum(tf.square(tf.sub(this.reconstruct(xb), xb))).dataSync()[0]!;
      });
    }
    return total / n;
  }

  /** Weights of the encoder's first layer, [inputDim, width]: column i is what unit i responds to. */
  encoderWeights(): tf.Tensor2D {
    return this.encoder.weights[0]!.clone() as tf.Tensor2D;
  }

  /** Weights of the decoder's last layer, [width, inputDim]: row i is what unit i writes (a "feature"). */
  decoderWeights(): tf.Tensor2D {
    return this.decoder.weights[this.decoder.weights.length - 1]!.clone() as tf.Tensor2D;
  }

  variables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.decoder.variables()];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
