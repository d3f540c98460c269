/**
 * The variational autoencoder (Kingma & Welling, 2014, "Auto-Encoding Variational Bayes"; Rezende et
 * al., 2014).
 *
 * Generative model: z ~ p(z) = N(0, I), x ~ p_θ(x | z) (Bernoulli on logits, or Gaussian).
 * Inference model: q_φ(z | x) = N(z_μ, diag z_σ²), both from one encoder network (it outputs log σ²).
 * Training maximises the evidence lower bound, obtained from Jensen's inequality,
 *   log p(x) = log E_q[p(x, z) / q(z|x)] >= E_q[log p(x | z)] - KL(q(z|x) || p(z)) = ELBO,
 * with equality when q(z|x) is the true posterior p(z|x). The expectation is estimated with one
 * reparameterised sample z = z_μ + z_σ·ε, ε ~ N(0, I), so gradients flow through z_μ and z_σ (this is
 * the "stochastic variational Bayes" of the BNN lecture, with the variational parameters now output
 * by a network: amortised inference). The KL term is in closed form (kl.ts).
 *
 * Loss terms for the training loop, in nats per example (mean over the batch):
 *   recon = -log p(x | z)       (one sample of z per example)
 *   kl    = β · KL(q(z|x) || N(0, I))   (β = 1: the ELBO; β ≠ 1: the β-VAE of Higgins et al., 2017)
 * `evalTerms` reports the plain KL (β = 1), so `val_loss` is always the negative ELBO.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { type Activation, MLP, requireMatrix, requirePositiveInt } from '../../nn';
import { gaussianKlStandard } from './kl';
import { diagGaussianLogDensity } from '../../math/gaussian';
import { bernoulliLogLikelihood, gaussianLogLikelihood } from './likelihoods';

/** The decoder's distribution p(x | z). */
export type VAELikelihood = 'bernoulli' | 'gaussian';

export interface VAEConfig {
  /** Width of x (784 for MNIST, 11 for the wine table). */
  inputDim: number;
  /** Width of z. */
  latentDim: number;
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden widths of the encoder; the decoder mirrors them. @default [512] */
  hiddenDims?: number[];
  /** Nonlinearity of the hidden layers. @default 'relu' */
  activation?: Activation;
  /** p(x|z): 'bernoulli' on logits (binary or [0, 1] data) or 'gaussian' (real-valued data). @default 'bernoulli' */
  likelihood?: VAELikelihood;
  /**
   * For the Gaussian decoder: 'learned' (one log σ per feature, a trained variable) or a fixed σ.
   * @default 'learned'
   */
  decoderSigma?: 'learned' | number;
  /** Weight β of the KL term in the training loss. @default 1 */
  beta?: number;
}

/** What `encode` returns: the parameters of q(z|x). */
export interface Posterior {
  /** z_μ, [n, latentDim]. */
  mu: tf.Tensor2D;
  /** log z_σ², [n, latentDim]. */
  logVar: tf.Tensor2D;
}

/** Per-example ELBO pieces, each [n] (nats). */
export interface ElboTerms {
  /** -log p(x | z) at one reparameterised z per example. */
  recon: tf.Tensor1D;
  /** KL(q(z|x) || N(0, I)), closed form. */
  kl: tf.Tensor1D;
  /** ELBO = -recon - kl (a lower bound on log p(x)). */
  elbo: tf.Tensor1D;
}

/** Bounds on the learned decoder log σ: keeps the Gaussian likelihood from collapsing onto a point. */
const LOG_SIGMA_MIN = -7;
const LOG_SIGMA_MAX = 5;

export class VAE implements Trainable {
  readonly inputDim: number;
  readonly latentDim: number;
  readonly likelihood: VAELikelihood;
  /** Weight of the KL term in the training loss; may be changed between `fit` calls. */
  beta: number;
  /** x (and label) -> [z_μ, log z_σ²]. */
  readonly encoder: MLP;
  /** z (and label) -> logits or Gaussian mean of x. */
  readonly decoder: MLP;
  /** Per-feature log σ of the Gaussian decoder ('learned'), else null. */
  readonly logSigma: tf.Variable | null;
  private readonly fixedLogSigma: number;
  private disposed = false;

  /**
   * @param conditionDim width of the label appended to encoder and decoder inputs; 0 for the plain
   *   VAE (`ConditionalVAE` passes its number of classes).
   */
  constructor(
    config: VAEConfig,
    protected readonly conditionDim = 0,
  ) {
    const owner = this.constructor.name;
    this.inputDim = requirePositiveInt(config.inputDim, 'inputDim', owner);
    this.latentDim = requirePositiveInt(config.latentDim, 'latentDim', owner);
    const hidden = config.hiddenDims ?? [512];
    hidden.forEach((h, i) => requirePositiveInt(h, `hiddenDims[${i}]`, owner));
    this.likelihood = config.likelihood ?? 'bernoulli';
    if (this.likelihood !== 'bernoulli' && this.likelihood !== 'gaussian') {
      throw new Error(`${owner}: likelihood must be 'bernoulli' or 'gaussian', got "${String(this.likelihood)}"`);
    }
    this.beta = config.beta ?? 1;
    if (!(this.beta >= 0)) throw new Error(`${owner}: beta must be >= 0, got ${config.beta}`);
    const sigma = config.decoderSigma ?? 'learned';
    if (sigma !== 'learned' && !(typeof sigma === 'number' && sigma > 0)) {
      throw new Error(`${owner}: decoderSigma must be 'learned' or a positive number, got ${String(sigma)}`);
    }
    const act = config.activation ?? 'relu';
    this.encoder = new MLP({
      sizes: [this.inputDim + conditionDim, ...hidden, 2 * this.latentDim],
      rng: config.rng.fork('encoder'),
      activation: act,
      init: 'auto',
    });
    this.decoder = new MLP({
      sizes: [this.latentDim + conditionDim, ...[...hidden].reverse(), this.inputDim],
      rng: config.rng.fork('decoder'),
      activation: act,
      init: 'auto',
    });
    this.logSigma = this.likelihood === 'gaussian' && sigma === 'learned' ? tf.tidy(() => tf.variable(tf.zeros([this.inputDim]))) : null;
    this.fixedLogSigma = typeof sigma === 'number' ? Math.log(sigma) : 0;
  }

  /** The label as a float [n, conditionDim] tensor (or null for the plain VAE); see ConditionalVAE. */
  protected condition(y: tf.Tensor | undefined, n: number, what: string): tf.Tensor2D | null {
    if (this.conditionDim === 0) {
      if (y !== undefined) throw new Error(`${what}: this ${this.constructor.name} is not conditional; drop the labels or use ConditionalVAE`);
      return null;
    }
    if (y === undefined) throw new Error(`${what}: a ${this.constructor.name} needs labels y (class indices [n] or one-hot [n, ${this.conditionDim}])`);
    const c = y.rank === 1 ? tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, this.conditionDim).toFloat() : tf.cast(y, 'float32');
    if (c.rank !== 2 || c.shape[1] !== this.conditionDim || c.shape[0] !== n) {
      throw new Error(`${what}: labels must be class indices [${n}] or one-hot [${n}, ${this.conditionDim}], got shape [${y.shape.join(', ')}]`);
    }
    return c as tf.Tensor2D;
  }

  /** q(z|x): z_μ and log z_σ², each [n, latentDim]. */
  encode(x: tf.Tensor, y?: tf.Tensor): Posterior {
    const mu_logVar = tf.tidy(() => {
      const xs = requireMatrix(x, this.inputDim, `${this.constructor.name}.encode(x)`);
      const c = this.condition(y, xs.shape[0], `${this.constructor.name}.encode`);
      const out = this.encoder.apply(c ? tf.concat([xs, c], 1) : xs);
      return tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    });
    return { mu: mu_logVar[0], logVar: mu_logVar[1] };
  }

  /** z_μ(x) alone, [n, latentDim]: the point estimate used for plots of the latent space. */
  posteriorMean(x: tf.Tensor, y?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.encode(x, y).mu);
  }

  /** Reparameterised draws z = z_μ + z_σ·ε: [n, latentDim], or [K, n, latentDim] when `K` is given. */
  reparameterize(post: Posterior, rng: Rng, K?: number): tf.Tensor {
    return tf.tidy(() => {
      const shape = K === undefined ? post.mu.shape : [K, ...post.mu.shape];
      const eps = rng.randn(shape);
      return tf.add(post.mu, tf.mul(tf.exp(tf.mul(0.5, post.logVar)), eps));
    });
  }

  /** The decoder's raw output for z of shape [..., latentDim]: logits (Bernoulli) or mean (Gaussian). */
  decodeParams(z: tf.Tensor, y?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (z.shape[z.rank - 1] !== this.latentDim) {
        throw new Error(`${this.constructor.name}.decode(z): z must end in the latent width ${this.latentDim}, got shape [${z.shape.join(', ')}]`);
      }
      const lead = z.shape.slice(0, -1);
      const zs = z.reshape([-1, this.latentDim]) as tf.Tensor2D;
      let c = this.condition(y, lead[lead.length - 1] ?? 1, `${this.constructor.name}.decode`);
      if (c !== null && lead.length > 1) {
        // One label per example, shared by the K samples in front: tile to [K*n, C].
        const reps = lead.slice(0, -1).reduce((a, b) => a * b, 1);
        c = tf.tile(c, [reps, 1]);
      }
      const out = this.decoder.apply(c ? tf.concat([zs, c], 1) : zs);
      return out.reshape([...lead, this.inputDim]);
    });
  }

  /** The mean of p(x|z): pixel probabilities σ(logits) for Bernoulli, μ for Gaussian. */
  decode(z: tf.Tensor, y?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const p = this.decodeParams(z, y);
      return this.likelihood === 'bernoulli' ? tf.sigmoid(p) : p;
    });
  }

  /** The decoder's log σ (per feature) for the Gaussian likelihood. */
  decoderLogSigma(): tf.Tensor {
    return this.logSigma ? tf.clipByValue(this.logSigma, LOG_SIGMA_MIN, LOG_SIGMA_MAX) : tf.scalar(this.fixedLogSigma);
  }

  /** log p(x | z) summed over features; `params` from decodeParams, `x` broadcasts against it. */
  logLikelihood(x: tf.Tensor, params: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      this.likelihood === 'bernoulli' ? bernoulliLogLikelihood(x, params) : gaussianLogLikelihood(x, params, this.decoderLogSigma()),
    );
  }

  /** Reconstruction through the posterior mean: decode(z_μ(x)). */
  reconstruct(x: tf.Tensor, y?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.posteriorMean(x, y), y)) as tf.Tensor2D;
  }

  /**
   * Ancestral sampling: z ~ N(0, I), then the mean of p(x | z) (`mean: true`, the usual picture) or a
   * draw x ~ p(x | z). For a conditional VAE pass the labels (n of them) to generate chosen classes.
   */
  sample(n: number, rng: Rng, options: { y?: tf.Tensor; mean?: boolean } = {}): tf.Tensor2D {
    requirePositiveInt(n, 'n', `${this.constructor.name}.sample`);
    return tf.tidy(() => {
      const z = rng.randn([n, this.latentDim]);
      const m = this.decode(z, options.y);
      if (options.mean !== false) return m as tf.Tensor2D;
      if (this.likelihood === 'bernoulli') return rng.bernoulli(m) as tf.Tensor2D;
      return tf.add(m, tf.mul(tf.exp(this.decoderLogSigma()), rng.randn(m.shape))) as tf.Tensor2D;
    });
  }

  /** Per-example ELBO pieces with one reparameterised sample each. */
  elboTerms(x: tf.Tensor, rng: Rng, y?: tf.Tensor): ElboTerms {
    const [recon, kl, elbo] = tf.tidy(() => {
      const post = this.encode(x, y);
      const z = this.reparameterize(post, rng);
      const recon = tf.neg(this.logLikelihood(x, this.decodeParams(z, y)));
      const kl = gaussianKlStandard(post.mu, post.logVar);
      return [recon, kl, tf.neg(tf.add(recon, kl))] as tf.Tensor1D[];
    });
    return { recon: recon!, kl: kl!, elbo: elbo! };
  }

  /**
   * log importance weights log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x), z_k ~ q(z|x),
   * shape [K, n]. K samples are one tensor dimension (one decoder pass for all of them).
   * With K = 1 this is the single-sample ELBO estimator with a Monte Carlo KL.
   */
  logImportanceWeights(x: tf.Tensor, K: number, rng: Rng, y?: tf.Tensor): tf.Tensor2D {
    requirePositiveInt(K, 'K', `${this.constructor.name}.logImportanceWeights`);
    return tf.tidy(() => {
      const post = this.encode(x, y);
      const z = this.reparameterize(post, rng, K); // [K, n, L]
      const logPxz = this.logLikelihood(x, this.decodeParams(z, y)); // [K, n]
      // log p(z) = log N(z | 0, I) in the same diagonal form as log q(z|x), so both densities of the
      // weight are rounded alike.
      const logPz = diagGaussianLogDensity(z, tf.scalar(0), tf.scalar(0));
      return tf.sub(tf.add(logPxz, logPz), diagGaussianLogDensity(z, post.mu, post.logVar)) as tf.Tensor2D;
    });
  }

  private batchXY(batch: Batch, what: string): { x: tf.Tensor; y?: tf.Tensor } {
    const x = batch['x'];
    if (x === undefined) throw new Error(`${this.constructor.name}.${what}: the dataset needs an "x" tensor, e.g. { x: images }`);
    const y = this.conditionDim > 0 ? batch['y'] : undefined;
    if (this.conditionDim > 0 && y === undefined) {
      throw new Error(`${this.constructor.name}.${what}: a conditional VAE needs labels in the dataset as "y", e.g. { x: images, y: labels }`);
    }
    return y === undefined ? { x } : { x, y };
  }

  /** { recon, kl } with kl weighted by β: their sum is the (β-)negative ELBO being minimised. */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const { x, y } = this.batchXY(batch, 'loss');
    const t = this.elboTerms(x, ctx.rng, y);
    return { recon: tf.mean(t.recon) as tf.Scalar, kl: tf.mul(this.beta, tf.mean(t.kl)) as tf.Scalar };
  }

  /** { recon, kl } unweighted: their sum is the negative ELBO (nats per example). */
  evalTerms(batch: Batch, ctx: StepContext): LossTerms {
    const { x, y } = this.batchXY(batch, 'evalTerms');
    const t = this.elboTerms(x, ctx.rng, y);
    return { recon: tf.mean(t.recon) as tf.Scalar, kl: tf.mean(t.kl) as tf.Scalar };
  }

  variables(): tf.Variable[] {
    const v = [...this.encoder.variables(), ...this.decoder.variables()];
    if (this.logSigma) v.push(this.logSigma);
    return v;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder.dispose();
    this.decoder.dispose();
    this.logSigma?.dispose();
  }
}
