/**
 * Elementwise affine bijector: the simplest flow, a per-feature shift and scale.
 *
 * Generative direction (latent -> data):   x = mu + sigma ⊙ z
 * Normalising direction f (data -> latent): z = (x − mu) / sigma
 *
 *   log |det ∂f/∂x| = −Σ_d log sigma_d      (a diagonal Jacobian: each axis is stretched by 1/sigma_d)
 *
 * With a standard normal prior this is exactly a diagonal Gaussian N(mu, diag(sigma²)), the 1-D
 * change-of-variables example of the lecture. Parametrised by log sigma so sigma stays positive.
 */
import * as tf from '@tensorflow/tfjs';
import { ownedVariable } from '../../nn';
import { Bijector, type MappedWithLogDet } from './bijector';

export interface ElementwiseAffineConfig {
  /** Number of features D. */
  dim: number;
  /** Initial shift mu, one per feature (or one number for all). @default 0 */
  mu?: number | number[];
  /** Initial scale sigma > 0, one per feature (or one number for all). @default 1 */
  sigma?: number | number[];
  /** Whether training updates mu and log sigma. @default true */
  trainable?: boolean;
  /** Label for plots and step lists. @default 'affine' */
  name?: string;
}

function perFeature(v: number | number[], dim: number, what: string): number[] {
  const arr = typeof v === 'number' ? new Array<number>(dim).fill(v) : v;
  if (arr.length !== dim) throw new Error(`ElementwiseAffine: ${what} has ${arr.length} values but dim is ${dim}; give one per feature or a single number`);
  return arr;
}

export class ElementwiseAffine extends Bijector {
  readonly name: string;
  readonly dim: number;
  /** Shift mu, `[D]`. */
  readonly mu: tf.Variable;
  /** log sigma, `[D]`. */
  readonly logSigma: tf.Variable;

  constructor(config: ElementwiseAffineConfig) {
    super();
    const dim = config.dim;
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`ElementwiseAffine: dim must be a positive integer, got ${dim}`);
    const mu = perFeature(config.mu ?? 0, dim, 'mu');
    const sigma = perFeature(config.sigma ?? 1, dim, 'sigma');
    if (sigma.some((s) => !(s > 0))) throw new Error(`ElementwiseAffine: every sigma must be > 0, got [${sigma}]`);
    this.dim = dim;
    this.name = config.name ?? 'affine';
    const trainable = config.trainable ?? true;
    this.mu = ownedVariable(tf.tensor1d(mu), trainable);
    this.logSigma = ownedVariable(tf.tensor1d(sigma.map(Math.log)), trainable);
  }

  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    const y = tf.mul(tf.sub(x, this.mu), tf.exp(tf.neg(this.logSigma))) as tf.Tensor2D;
    // The same log-det for every row: broadcast −Σ log sigma to [n].
    const logDet = tf.mul(tf.ones([x.shape[0]]), tf.neg(tf.sum(this.logSigma))) as tf.Tensor1D;
    return { y, logDet };
  }

  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    const y = tf.add(this.mu, tf.mul(z, tf.exp(this.logSigma))) as tf.Tensor2D;
    const logDet = tf.mul(tf.ones([z.shape[0]]), tf.sum(this.logSigma)) as tf.Tensor1D;
    return { y, logDet };
  }

  override variables(): tf.Variable[] {
    return [this.mu, this.logSigma];
  }
}
