/**
 * A dense layer whose weights are distributions: the mean-field Gaussian variational posterior of
 * "Bayes by Backprop" (Blundell et al., 2015, "Weight Uncertainty in Neural Networks").
 *
 *   q(w | lambda) = prod_i N(w_i | mu_i, sigma_i^2),  sigma_i = softplus(rho_i),  lambda = (mu, rho)
 *
 * Each forward pass draws weights by the reparameterisation w = mu + sigma * eps, eps ~ N(0, 1)
 * (Kingma & Welling, 2014), so gradients flow to mu and rho through the sample. S Monte Carlo samples
 * are a leading tensor dimension: eps has shape [S, in, out] and the S networks run as one batched
 * matrix product x[S, B, in] @ W[S, in, out], not a JS loop.
 *
 * Training can instead use the local reparameterisation trick (Kingma, Salimans & Welling, 2015,
 * "Variational Dropout and the Local Reparameterization Trick"): for a fixed input row h the
 * pre-activation h.W + b of Gaussian weights is itself Gaussian,
 *
 *   N( h.mu_W + mu_b,  (h^2).sigma_W^2 + sigma_b^2 ),
 *
 * so mode 'local' samples that directly, with fresh noise per example. Each example's marginal is
 * exactly the one weight sampling gives, but examples of a minibatch no longer share one weight draw,
 * which lowers the variance of the gradient; it also replaces the [S, in, out] weight tensor with
 * [S, B, out] noise. Predictions keep mode 'sample' (one network per draw, shared by all inputs).
 *
 * The layer also returns its contribution to KL(q(w|lambda) || p(w)): in closed form when the prior
 * has one (Gaussian), else the Monte Carlo estimate (1/S) sum_s [log q(w_s) - log p(w_s)] on the very
 * weights it sampled (Blundell et al., Eq. 2).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { gaussianLogDensity } from '../../math';
import { inverseSoftplus, softplus } from './math';
import { GaussianPrior, type LayerPrior, type Prior, splitPrior } from './priors';

/** How the KL term is computed. */
export type KlMode = 'auto' | 'closed-form' | 'monte-carlo';

export interface VariationalDenseConfig {
  /** Input width. */
  inputDim: number;
  /** Output width. */
  units: number;
  /** Seeds the initial means. */
  rng: Rng;
  /** The prior p(w) (for kernel and bias, or `{ kernel, bias }`). @default new GaussianPrior({ mu: 0, sigma: 1 }) */
  prior?: LayerPrior;
  /** Initial posterior std sigma of every weight (rho = softplus^-1 of it). @default 1e-3 */
  initSigma?: number;
  /** Scale of the initial kernel means: mu ~ N(0, (muInitScale^2 / inputDim)). @default Math.SQRT2 (He) */
  muInitScale?: number;
  /** KL in closed form when possible ('auto'), or force one way. @default 'auto' */
  klMode?: KlMode;
}

/** How a forward pass draws: weights per sample, pre-activations per example (local), or the means. */
export type VariationalMode = 'sample' | 'local' | 'mean';

/** What a forward pass returns. */
export interface VariationalForward {
  /** Activations before any non-linearity, [S, B, units]. */
  y: tf.Tensor3D;
  /** KL(q || p) of this layer's weights (summed over weights; an S-sample average for Monte Carlo). */
  kl: tf.Scalar;
}

/** Posterior parameters as tensors (copies; the caller disposes them). */
export interface GaussianPosterior {
  kernelMu: tf.Tensor2D;
  kernelSigma: tf.Tensor2D;
  biasMu: tf.Tensor1D;
  biasSigma: tf.Tensor1D;
}

export class VariationalDense {
  readonly inputDim: number;
  readonly units: number;
  /** Kernel means and pre-softplus scales, [in, out]. */
  readonly kernelMu: tf.Variable;
  readonly kernelRho: tf.Variable;
  /** Bias means and pre-softplus scales, [out]. */
  readonly biasMu: tf.Variable;
  readonly biasRho: tf.Variable;
  private prior: { kernel: Prior; bias: Prior };
  private readonly klMode: KlMode;

  constructor(config: VariationalDenseConfig) {
    const { inputDim, units } = config;
    if (!Number.isInteger(inputDim) || inputDim <= 0 || !Number.isInteger(units) || units <= 0) {
      throw new Error(`VariationalDense: inputDim and units must be positive integers, got ${inputDim} and ${units}`);
    }
    this.inputDim = inputDim;
    this.units = units;
    this.klMode = config.klMode ?? 'auto';
    const rho0 = inverseSoftplus(config.initSigma ?? 1e-3);
    const scale = (config.muInitScale ?? Math.SQRT2) / Math.sqrt(inputDim);
    this.kernelMu = tf.tidy(() => tf.variable(tf.mul(config.rng.randn([inputDim, units]), scale)));
    this.kernelRho = tf.tidy(() => tf.variable(tf.fill([inputDim, units], rho0)));
    this.biasMu = tf.tidy(() => tf.variable(tf.zeros([units])));
    this.biasRho = tf.tidy(() => tf.variable(tf.fill([units], rho0)));
    this.prior = { kernel: new GaussianPrior(), bias: new GaussianPrior() };
    this.setPrior(config.prior ?? new GaussianPrior());
  }

  /** The current prior of the kernel and of the bias. */
  get priors(): { kernel: Prior; bias: Prior } {
    return this.prior;
  }

  /** Replace the prior (the layer takes ownership and frees the old one, unless it is reused). */
  setPrior(prior: LayerPrior): void {
    const next = splitPrior(prior);
    next.kernel.checkShape([this.inputDim, this.units], 'the kernel');
    next.bias.checkShape([this.units], 'the bias');
    const old = this.prior;
    this.prior = next;
    for (const p of [old.kernel, old.bias]) if (p !== next.kernel && p !== next.bias) p.dispose();
  }

  variables(): tf.Variable[] {
    return [this.kernelMu, this.kernelRho, this.biasMu, this.biasRho];
  }

  /** Number of weights (kernel + bias). */
  get size(): number {
    return this.inputDim * this.units + this.units;
  }

  /**
   * Run S networks at once. `x` is [B, in] (shared by all samples) or [S, B, in].
   * `mode: 'sample'` draws weights with eps from `rng`; `'local'` draws pre-activations by the local
   * reparameterisation trick (needs a closed-form KL); `'mean'` uses w = mu (S copies).
   */
  forward(x: tf.Tensor, samples: number, rng: Rng, mode: VariationalMode = 'sample'): VariationalForward {
    if (mode === 'local') return this.forwardLocal(x, samples, rng);
    return tf.tidy(() => {
      const S = samples;
      const x3 = this.liftInput(x, S);
      const sigmaW = softplus(this.kernelRho);
      const sigmaB = softplus(this.biasRho);
      let W: tf.Tensor3D;
      let b: tf.Tensor3D;
      if (mode === 'sample') {
        // w = mu + sigma * eps (reparameterisation), one eps per sample, weight.
        const epsW = rng.randn([S, this.inputDim, this.units]);
        const epsB = rng.randn([S, 1, this.units]);
        W = tf.add(this.kernelMu, tf.mul(sigmaW, epsW)) as tf.Tensor3D;
        b = tf.add(this.biasMu, tf.mul(sigmaB, epsB)) as tf.Tensor3D;
      } else {
        W = tf.broadcastTo(this.kernelMu, [S, this.inputDim, this.units]) as tf.Tensor3D;
        b = tf.broadcastTo(this.biasMu, [S, 1, this.units]) as tf.Tensor3D;
      }
      const y = tf.add(tf.matMul(x3, W), b) as tf.Tensor3D;
      const kl = this.klTerm(sigmaW, sigmaB, mode === 'sample' ? { W, b } : null);
      return { y, kl };
    });
  }

  /** Mode 'local': y ~ N(x.mu_W + mu_b, x^2.sigma_W^2 + sigma_b^2), one noise draw per sample, example, unit. */
  private forwardLocal(x: tf.Tensor, samples: number, rng: Rng): VariationalForward {
    return tf.tidy(() => {
      const x3 = this.liftInput(x, samples);
      const sigmaW = softplus(this.kernelRho);
      const sigmaB = softplus(this.biasRho);
      const kl = this.klTerm(sigmaW, sigmaB, null, "mode 'local'");
      // A shared [B, in] input has one mean and variance for all S samples: compute them once.
      const h = x.rank === 2 ? x : x3;
      const mean = tf.add(this.matMulRows(h, this.kernelMu), this.biasMu);
      const variance = tf.add(this.matMulRows(tf.square(h), tf.square(sigmaW)), tf.square(sigmaB));
      const [S, B] = x3.shape;
      const y = tf.add(mean, tf.mul(tf.sqrt(variance), rng.randn([S, B, this.units]))) as tf.Tensor3D;
      return { y, kl };
    });
  }

  /** [..., in] @ [in, out] -> [..., out], as one 2-D product (the matrix is shared by every sample). */
  private matMulRows(h: tf.Tensor, m: tf.Tensor): tf.Tensor {
    const lead = h.shape.slice(0, -1);
    const rows = h.reshape([-1, this.inputDim]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(rows, m as tf.Tensor2D), [...lead, this.units]);
  }

  /** KL(q || p): closed form when the priors allow it (and klMode permits), else Monte Carlo on the samples. */
  private klTerm(sigmaW: tf.Tensor, sigmaB: tf.Tensor, drawn: { W: tf.Tensor; b: tf.Tensor } | null, why = "mode 'mean'"): tf.Scalar {
    if (this.klMode !== 'monte-carlo') {
      const kW = this.prior.kernel.klFromGaussian(this.kernelMu, sigmaW);
      const kB = this.prior.bias.klFromGaussian(this.biasMu, sigmaB);
      if (kW !== null && kB !== null) return tf.add(kW, kB) as tf.Scalar;
      if (this.klMode === 'closed-form') {
        throw new Error(`VariationalDense: klMode 'closed-form' but the prior (${this.prior.kernel.name}) has no closed-form KL; use 'auto' or 'monte-carlo'`);
      }
    }
    if (drawn === null) {
      throw new Error(`VariationalDense: the prior (${this.prior.kernel.name}) has no closed-form KL, and a Monte Carlo KL needs ` +
        `sampled weights, which ${why} does not draw; use mode 'sample'`);
    }
    // log q(w) = log N(mu + sigma eps | mu, sigma^2) = -log sigma - log(2 pi)/2 - eps^2/2
    const S = drawn.W.shape[0]!;
    const logQ = tf.add(tf.sum(gaussianLogDensity(drawn.W, this.kernelMu, sigmaW)), tf.sum(gaussianLogDensity(drawn.b, this.biasMu, sigmaB)));
    const logP = tf.add(tf.sum(this.prior.kernel.logProb(drawn.W)), tf.sum(this.prior.bias.logProb(drawn.b)));
    return tf.div(tf.sub(logQ, logP), S) as tf.Scalar;
  }

  /** x as [S, B, in]: broadcast a shared [B, in] input to every sample. */
  private liftInput(x: tf.Tensor, S: number): tf.Tensor3D {
    const d = x.shape[x.rank - 1];
    if (d !== this.inputDim || (x.rank !== 2 && x.rank !== 3)) {
      throw new Error(`VariationalDense: expected input [B, ${this.inputDim}] or [S, B, ${this.inputDim}], got [${x.shape}]`);
    }
    if (x.rank === 3) {
      if (x.shape[0] !== S) throw new Error(`VariationalDense: input has ${x.shape[0]} samples, expected ${S}`);
      return x as tf.Tensor3D;
    }
    return tf.broadcastTo(x.expandDims(0), [S, x.shape[0]!, d]) as tf.Tensor3D;
  }

  /** Copies of the posterior means and stds (sigma = softplus(rho)). */
  posterior(): GaussianPosterior {
    return tf.tidy(() => ({
      kernelMu: this.kernelMu.clone() as tf.Tensor2D,
      kernelSigma: softplus(this.kernelRho) as tf.Tensor2D,
      biasMu: this.biasMu.clone() as tf.Tensor1D,
      biasSigma: softplus(this.biasRho) as tf.Tensor1D,
    }));
  }

  /** The current posterior as a Gaussian prior with one mean and std per weight (continual learning). */
  posteriorAsPrior(): { kernel: GaussianPrior; bias: GaussianPrior } {
    const p = this.posterior();
    const prior = {
      kernel: new GaussianPrior({ mu: p.kernelMu, sigma: p.kernelSigma }),
      bias: new GaussianPrior({ mu: p.biasMu, sigma: p.biasSigma }),
    };
    tf.dispose([p.kernelMu, p.kernelSigma, p.biasMu, p.biasSigma]);
    return prior;
  }

  dispose(): void {
    tf.dispose(this.variables());
    this.prior.kernel.dispose();
    this.prior.bias.dispose();
  }
}
