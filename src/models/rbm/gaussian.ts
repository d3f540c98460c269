/**
 * The Gaussian-Bernoulli RBM: real-valued visibles, binary hiddens (Hinton & Salakhutdinov 2006; Hinton's
 * practical guide, section 13.2; Cho, Ilin & Raiko 2011 for the parametrisation with sigma):
 *
 *   E(v, h) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - sum_ij (v_i / sigma_i) W_ij h_j - c^T h
 *   p(v_i | h) = N(b_i + sigma_i W_i: h, sigma_i^2),   p(h_j = 1 | v) = sigma(c_j + sum_i (v_i / sigma_i) W_ij)
 *   F(v) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - sum_j softplus(c_j + (v / sigma)^T W_:j)
 *
 * sigma is fixed (standardise the data and keep sigma = 1, as the guide recommends: learning it is
 * unstable with CD). Gaussian visibles need a learning rate one or two orders of magnitude smaller than
 * binary ones, hence the smaller default.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { RBM, type RBMConfig } from './rbm';

export interface GaussianBernoulliRBMConfig extends RBMConfig {
  /** Standard deviation of each visible given h: one number for all, or one per visible. @default 1 */
  sigma?: number | number[];
}

export class GaussianBernoulliRBM extends RBM {
  /** sigma_i per visible, [nVisible] (a constant, re-made by `reset`). */
  sigma!: tf.Tensor1D;
  private readonly sigmaValues: number[];

  /** Make a Gaussian-Bernoulli RBM; the learning rate defaults to 0.005 (see `RBMConfig` for the rest). */
  constructor(config: GaussianBernoulliRBMConfig) {
    super(config, 0.005);
    const s = config.sigma ?? 1;
    const arr = typeof s === 'number' ? new Array<number>(config.nVisible).fill(s) : s;
    if (arr.length !== config.nVisible || arr.some((x) => !(x > 0))) {
      throw new Error(`GaussianBernoulliRBM: sigma must be a positive number or ${config.nVisible} positive numbers, got ${JSON.stringify(s)}`);
    }
    this.sigmaValues = arr;
    this.reset(config.rng);
  }

  override reset(rng: Rng): void {
    if (this.sigma && !this.sigma.isDisposed) this.sigma.dispose();
    this.sigma = tf.tensor1d(this.sigmaValues);
    super.reset(rng);
  }

  protected override scaledVisible(v: tf.Tensor2D): tf.Tensor2D {
    return tf.div(v, this.sigma);
  }

  protected override visibleBiasStat(v: tf.Tensor2D): tf.Tensor2D {
    return tf.div(tf.sub(v, this.b), tf.square(this.sigma));
  }

  /** E[v | h] = b + sigma * (W h), [B, nVisible]. */
  override visibleMean(h: tf.Tensor2D): tf.Tensor2D {
    this.checkHidden(h, 'visibleMean');
    return tf.tidy(() => tf.add(this.b, tf.mul(this.sigma, tf.matMul(h, this.W, false, true))));
  }

  override sampleVisible(h: tf.Tensor2D, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => {
      const mean = this.visibleMean(h);
      return tf.add(mean, tf.mul(this.sigma, rng.randn(mean.shape))) as tf.Tensor2D;
    });
  }

  override energy(v: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor1D {
    this.checkVisible(v, 'energy');
    this.checkHidden(h, 'energy');
    return tf.tidy(() => {
      const quad = tf.sum(tf.div(tf.square(tf.sub(v, this.b)), tf.mul(2, tf.square(this.sigma))), 1);
      const vWh = tf.sum(tf.mul(tf.matMul(this.scaledVisible(v), this.W), h), 1);
      const ch = tf.sum(tf.mul(h, this.c), 1);
      return tf.sub(quad, tf.add(vWh, ch)) as tf.Tensor1D;
    });
  }

  override freeEnergy(v: tf.Tensor2D): tf.Tensor1D {
    this.checkVisible(v, 'freeEnergy');
    return tf.tidy(() => {
      const quad = tf.sum(tf.div(tf.square(tf.sub(v, this.b)), tf.mul(2, tf.square(this.sigma))), 1);
      return tf.sub(quad, tf.sum(tf.softplus(this.hiddenInput(v)), 1)) as tf.Tensor1D;
    });
  }

  /** b_i = mean of v_i over the data. */
  override initVisibleBiases(x: tf.Tensor2D): void {
    this.checkVisible(x, 'initVisibleBiases');
    tf.tidy(() => this.b.assign(tf.mean(x, 0)));
  }

  override dispose(): void {
    super.dispose();
    if (!this.sigma.isDisposed) this.sigma.dispose();
  }
}
