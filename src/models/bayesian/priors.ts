/**
 * Priors p(w) over the weights of a variational layer.
 *
 * The prior is where we say what we want of the network (lecture: a regulariser is a prior; MAP with
 * an L2 penalty is the point estimate under a Gaussian prior). Two families:
 *
 * - `GaussianPrior`: N(m, s^2), with m and s numbers (the usual N(0, s^2)) or tensors of the
 *   parameter's shape (one mean and std per weight: the previous task's posterior used as the new
 *   prior in continual learning). Has a closed-form KL from a Gaussian posterior.
 * - `ScaleMixturePrior`: pi N(0, s1^2) + (1 - pi) N(0, s2^2) (Blundell et al., 2015, Eq. 7): a
 *   spike-and-slab-like prior with heavy tails and a sharp peak at 0. No closed-form KL: the layer
 *   uses the Monte Carlo estimate E_q[log q(w) - log p(w)] on the weights it sampled.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianLogDensity, HALF_LOG_2PI } from '../../math';

/** A prior over one parameter tensor (a kernel or a bias). */
export interface Prior {
  /** A short description for tables and errors. */
  readonly name: string;
  /** Elementwise log p(w); `w` may carry a leading Monte Carlo sample dimension. */
  logProb(w: tf.Tensor): tf.Tensor;
  /**
   * KL(N(mu, sigma^2) || p) summed over all elements, in closed form, or `null` when there is none
   * (then the layer falls back to Monte Carlo).
   */
  klFromGaussian(mu: tf.Tensor, sigma: tf.Tensor): tf.Scalar | null;
  /** Check that the prior fits a parameter of this shape; throw a clear error otherwise. */
  checkShape(shape: number[], what: string): void;
  /** Free tensors the prior owns (none for number-valued priors). */
  dispose(): void;
}

/** Mean and std of a Gaussian prior: numbers, or tensors of the parameter's shape. */
export interface GaussianPriorConfig {
  /** Prior mean m. @default 0 */
  mu?: number | tf.Tensor;
  /** Prior std s (> 0). @default 1 */
  sigma?: number | tf.Tensor;
}

/** N(m, s^2) per weight. Tensor arguments are copied: the prior owns its copies and `dispose` frees them. */
export class GaussianPrior implements Prior {
  readonly name: string;
  readonly mu: number | tf.Tensor;
  readonly sigma: number | tf.Tensor;

  constructor(config: GaussianPriorConfig = {}) {
    const mu = config.mu ?? 0;
    const sigma = config.sigma ?? 1;
    if (typeof sigma === 'number' && !(sigma > 0)) throw new Error(`GaussianPrior: sigma must be > 0, got ${sigma}`);
    this.mu = typeof mu === 'number' ? mu : tf.keep(mu.clone());
    this.sigma = typeof sigma === 'number' ? sigma : tf.keep(sigma.clone());
    const fmt = (v: number | tf.Tensor): string => (typeof v === 'number' ? String(v) : `tensor[${v.shape}]`);
    this.name = `N(${fmt(this.mu)}, ${fmt(this.sigma)}^2)`;
  }

  logProb(w: tf.Tensor): tf.Tensor {
    return gaussianLogDensity(w, this.mu, this.sigma);
  }

  /** KL(N(mu, sigma^2) || N(m, s^2)) = log(s / sigma) + (sigma^2 + (mu - m)^2) / (2 s^2) - 1/2, summed. */
  klFromGaussian(mu: tf.Tensor, sigma: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const s2 = tf.square(this.sigma);
      const term = tf.sub(
        tf.add(tf.sub(tf.log(this.sigma), tf.log(sigma)), tf.div(tf.add(tf.square(sigma), tf.square(tf.sub(mu, this.mu))), tf.mul(2, s2))),
        0.5,
      );
      return tf.sum(term) as tf.Scalar;
    });
  }

  checkShape(shape: number[], what: string): void {
    for (const [label, v] of [['mu', this.mu], ['sigma', this.sigma]] as const) {
      if (typeof v !== 'number' && (v.shape.length !== shape.length || v.shape.some((n, i) => n !== shape[i]))) {
        throw new Error(`GaussianPrior for ${what}: ${label} has shape [${v.shape}] but the parameter has shape [${shape}]; ` +
          'give a number, or a tensor of exactly the parameter\'s shape');
      }
    }
  }

  dispose(): void {
    if (typeof this.mu !== 'number') this.mu.dispose();
    if (typeof this.sigma !== 'number') this.sigma.dispose();
  }
}

export interface ScaleMixturePriorConfig {
  /** Weight pi of the first component. @default 0.5 */
  pi?: number;
  /** Std s1 of the first (wide) component. @default 1 */
  sigma1?: number;
  /** Std s2 of the second (narrow) component. @default Math.exp(-6) */
  sigma2?: number;
}

/** pi N(0, s1^2) + (1 - pi) N(0, s2^2) (Blundell et al., 2015, Eq. 7). KL by Monte Carlo only. */
export class ScaleMixturePrior implements Prior {
  readonly name: string;
  readonly pi: number;
  readonly sigma1: number;
  readonly sigma2: number;

  constructor(config: ScaleMixturePriorConfig = {}) {
    this.pi = config.pi ?? 0.5;
    this.sigma1 = config.sigma1 ?? 1;
    this.sigma2 = config.sigma2 ?? Math.exp(-6);
    if (!(this.pi > 0 && this.pi < 1)) throw new Error(`ScaleMixturePrior: pi must be in (0, 1), got ${this.pi}`);
    if (!(this.sigma1 > 0 && this.sigma2 > 0)) throw new Error(`ScaleMixturePrior: sigma1 and sigma2 must be > 0, got ${this.sigma1}, ${this.sigma2}`);
    this.name = `${this.pi} N(0, ${this.sigma1}^2) + ${1 - this.pi} N(0, ${this.sigma2.toPrecision(3)}^2)`;
  }

  /** log(pi N(w|0,s1^2) + (1-pi) N(w|0,s2^2)), by log-sum-exp so the narrow component cannot underflow. */
  logProb(w: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const comp = (p: number, s: number): tf.Tensor =>
        tf.sub(tf.mul(-0.5 / (s * s), tf.square(w)), Math.log(s) + HALF_LOG_2PI - Math.log(p));
      const a = comp(this.pi, this.sigma1);
      const b = comp(1 - this.pi, this.sigma2);
      const m = tf.maximum(a, b);
      return tf.add(m, tf.log(tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)))));
    });
  }

  klFromGaussian(): null {
    return null;
  }

  checkShape(): void {}

  dispose(): void {}
}

/** A prior for a whole layer: one for every parameter, or one for the kernel and one for the bias. */
export type LayerPrior = Prior | { kernel: Prior; bias: Prior };

/** Split a layer prior into the kernel's and the bias's. */
export function splitPrior(p: LayerPrior): { kernel: Prior; bias: Prior } {
  return 'kernel' in p && 'bias' in p ? p : { kernel: p, bias: p };
}
