/**
 * Log-likelihoods of the decoders, summed over the features of each example (nats per example).
 *
 * Bernoulli on logits l (pixels binarised, or grey levels read as probabilities):
 *   log p(x | l) = x log σ(l) + (1 - x) log(1 - σ(l)) = x·l - softplus(l),
 * finite for any finite logit, where the naive formula through σ(l) gives log(0) = -Inf once σ(l)
 * rounds to 0 or 1 (|l| > ~17 in float32). softplus(l) = max(l, 0) + log(1 + exp(-|l|)) is what every
 * tfjs backend's Softplus kernel computes (cpu and wasm switch to l or exp(l) past a threshold; the
 * tests check extreme logits), and one kernel with a sigmoid gradient is ~5x cheaper on wasm than
 * composing the six ops of the formula.
 *
 * Gaussian with mean μ and standard deviation σ = exp(log σ):
 *   log N(x | μ, σ²) = -½ [((x - μ)/σ)² + 2 log σ + log 2π].
 */
import * as tf from '@tensorflow/tfjs';
import { LOG_2PI } from '../../math/normal';

/** Numerically stable softplus(l) = log(1 + e^l) = max(l, 0) + log1p(e^{-|l|}) (the backend's kernel). */
export function stableSoftplus(logits: tf.Tensor): tf.Tensor {
  return tf.softplus(logits);
}

/**
 * Σ_d [x_d l_d - softplus(l_d)] over the last axis: shape = logits' shape without the last axis.
 * `x` broadcasts against `logits` (e.g. x [n, D] with logits [K, n, D]).
 */
export function bernoulliLogLikelihood(x: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.sub(tf.mul(x, logits), stableSoftplus(logits)), -1));
}

/**
 * Σ_d log N(x_d | μ_d, σ_d²) over the last axis. `logSigma` broadcasts (a per-feature vector [D], a
 * scalar, or a full tensor like `mu`).
 */
export function gaussianLogLikelihood(x: tf.Tensor, mu: tf.Tensor, logSigma: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const ls = typeof logSigma === 'number' ? tf.scalar(logSigma) : logSigma;
    const r = tf.mul(tf.sub(x, mu), tf.exp(tf.neg(ls)));
    const perDim = tf.mul(-0.5, tf.add(tf.add(tf.square(r), tf.mul(2, ls)), LOG_2PI));
    // With a per-feature or scalar log σ, perDim already has x's full shape via broadcasting of r.
    return tf.sum(perDim, -1);
  });
}
