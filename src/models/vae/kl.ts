/**
 * Closed-form KL divergences between diagonal Gaussians (Kingma & Welling, 2014, appendix B).
 *
 * For the VAE's q(z|x) = N(μ, diag σ²) against the prior N(0, I):
 *   KL(q || p) = ½ Σ_j (μ_j² + σ_j² - 1 - log σ_j²),
 * and in general, between N(μ₁, diag σ₁²) and N(μ₂, diag σ₂²):
 *   KL = ½ Σ_j [log(σ₂²/σ₁²) + (σ₁² + (μ₁ - μ₂)²)/σ₂² - 1].
 * The encoder outputs log σ² ("logVar"), so σ² = exp(logVar) is positive without constraints.
 */
import * as tf from '@tensorflow/tfjs';

/** KL(N(μ, diag exp(logVar)) || N(0, I)), summed over the last axis (nats). */
export function gaussianKlStandard(mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(1, logVar)), -1)));
}

/** KL(N(μ₁, diag exp(logVar₁)) || N(μ₂, diag exp(logVar₂))), summed over the last axis (nats). */
export function gaussianKl(mu1: tf.Tensor, logVar1: tf.Tensor, mu2: tf.Tensor, logVar2: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logVar1, logVar2));
    const mahal = tf.div(tf.square(tf.sub(mu1, mu2)), tf.exp(logVar2));
    return tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.sub(logVar2, logVar1), tf.add(ratio, mahal)), 1), -1));
  });
}
