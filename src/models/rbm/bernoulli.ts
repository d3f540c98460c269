/**
 * The Bernoulli-Bernoulli RBM: binary visibles and binary hiddens.
 *
 *   E(v, h) = -v^T W h - b^T v - c^T h
 *   p(h_j = 1 | v) = sigma(c_j + v^T W_:j),   p(v_i = 1 | h) = sigma(b_i + W_i: h)
 *   F(v) = -log sum_h exp(-E(v, h)) = -b^T v - sum_j softplus(c_j + v^T W_:j)
 *
 * Training (CD-k / PCD) is in the shared base class (rbm.ts). Besides the reconstruction error this class
 * reports the pseudo-log-likelihood sum_i log p(v_i | v_-i) (Besag 1975), which, unlike the
 * reconstruction error, is a consistent estimator's objective for the model's distribution.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext } from '../../train/types';
import { RBM, type RBMConfig } from './rbm';

export type BernoulliRBMConfig = RBMConfig;

export class BernoulliRBM extends RBM {
  /** Make an RBM with weights from `config.rng` (N(0, initStd^2)) and zero biases; see `RBMConfig` for defaults. */
  constructor(config: BernoulliRBMConfig) {
    super(config, 0.1);
    this.reset(config.rng);
  }

  protected override scaledVisible(v: tf.Tensor2D): tf.Tensor2D {
    return v;
  }

  protected override visibleBiasStat(v: tf.Tensor2D): tf.Tensor2D {
    return v;
  }

  /** p(v_i = 1 | h) = sigma(b_i + W_i: h), [B, nVisible]. */
  override visibleMean(h: tf.Tensor2D): tf.Tensor2D {
    this.checkHidden(h, 'visibleMean');
    return tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(h, this.W, false, true), this.b)) as tf.Tensor2D);
  }

  override sampleVisible(h: tf.Tensor2D, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => rng.bernoulli(this.visibleMean(h)) as tf.Tensor2D);
  }

  override energy(v: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor1D {
    this.checkVisible(v, 'energy');
    this.checkHidden(h, 'energy');
    return tf.tidy(() => {
      const vWh = tf.sum(tf.mul(tf.matMul(v, this.W), h), 1);
      const bv = tf.sum(tf.mul(v, this.b), 1);
      const ch = tf.sum(tf.mul(h, this.c), 1);
      return tf.neg(tf.add(tf.add(vWh, bv), ch)) as tf.Tensor1D;
    });
  }

  override freeEnergy(v: tf.Tensor2D): tf.Tensor1D {
    this.checkVisible(v, 'freeEnergy');
    return tf.tidy(() => {
      const bv = tf.sum(tf.mul(v, this.b), 1);
      const hidden = tf.sum(tf.softplus(this.hiddenInput(v)), 1);
      return tf.neg(tf.add(bv, hidden)) as tf.Tensor1D;
    });
  }

  /**
   * Pseudo-log-likelihood sum_i log p(v_i | v_-i) per example, exactly (all nVisible bits, not the
   * one-random-bit estimate): log p(v_i | v_-i) = log sigma(F(v~i) - F(v)), where v~i flips bit i.
   * Flipping bit i changes the hidden input by (1 - 2 v_i) W_i:, so all flips are one broadcast of
   * size [B, nVisible, nHidden]; examples are processed in chunks of `chunk` to bound memory.
   */
  pseudoLogLikelihood(v: tf.Tensor2D, chunk = 64): tf.Tensor1D {
    this.checkVisible(v, 'pseudoLogLikelihood');
    const n = v.shape[0];
    const parts: tf.Tensor1D[] = [];
    for (let lo = 0; lo < n; lo += chunk) {
      parts.push(
        tf.tidy(() => {
          const x = tf.slice(v, lo, Math.min(chunk, n - lo));
          const pre = this.hiddenInput(x); // [B, nh]
          const sign = tf.sub(1, tf.mul(2, x)); // +1 where v_i = 0 (flip to 1), -1 where v_i = 1
          const preFlip = tf.add(tf.expandDims(pre, 1), tf.mul(tf.expandDims(sign, 2), tf.expandDims(this.W, 0))); // [B, nv, nh]
          // F(v~) - F(v) = -(1 - 2 v_i) b_i - sum_j softplus(preFlip_ij) + sum_j softplus(pre_j)
          const dF = tf.add(
            tf.sub(tf.neg(tf.mul(sign, this.b)), tf.sum(tf.softplus(preFlip), 2)),
            tf.expandDims(tf.sum(tf.softplus(pre), 1), 1),
          );
          return tf.sum(tf.logSigmoid(dF), 1) as tf.Tensor1D;
        }),
      );
    }
    const out = tf.concat(parts) as tf.Tensor1D;
    parts.forEach((p) => p.dispose());
    return out;
  }

  /** Validation terms: reconstruction error and the negative pseudo-log-likelihood per example (`pnll`, nats). */
  override evalTerms(batch: Batch, ctx: StepContext): LossTerms {
    const v = this.input(batch, 'evalTerms');
    return tf.tidy(() => ({
      recon: tf.mean(this.reconstructionError(v, ctx.rng)) as tf.Scalar,
      pnll: tf.neg(tf.mean(this.pseudoLogLikelihood(v))) as tf.Scalar,
    }));
  }

  /** b_i = log(p_i / (1 - p_i)) with p_i the smoothed fraction of examples with v_i = 1 (Hinton's guide, s. 8). */
  override initVisibleBiases(x: tf.Tensor2D): void {
    this.checkVisible(x, 'initVisibleBiases');
    tf.tidy(() => this.b.assign(baseRateBiases(x)));
  }
}

/**
 * Logits of the pixel marginals, smoothed so that an always-off pixel gets a finite bias:
 * p_i = (count_i + alpha) / (N + 2 alpha). Used for the visible-bias init and as AIS's base-rate model.
 */
export function baseRateBiases(x: tf.Tensor2D, alpha = 1): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const p = tf.div(tf.add(tf.sum(x, 0), alpha), n + 2 * alpha);
    return tf.sub(tf.log(p), tf.log1p(tf.neg(p))) as tf.Tensor1D;
  });
}
