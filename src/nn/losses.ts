/**
 * Losses from maximum likelihood (lecture: "Loss functions"; Prince, Understanding Deep Learning,
 * 2023, ch. 5). The recipe: choose a distribution Pr(y | θ) over the output, let the network f[x, φ]
 * predict its parameters θ, and minimise the negative log-likelihood -Σ_i log Pr(y_i | f[x_i, φ]).
 * Each function returns the per-example NLL (a vector, one entry per row), written so it stays finite
 * for extreme network outputs.
 *
 * - Gaussian, fixed σ²:   ½ log(2πσ²) + (y - μ)² / 2σ²              (least squares up to scale and shift)
 * - Gaussian, σ² predicted (heteroscedastic): the same with σ²(x) from the network
 * - Bernoulli, λ = sig[z]: -y log λ - (1 - y) log(1 - λ) = softplus(z) - y z   (binary cross-entropy)
 * - Categorical, softmax: -z_y + log Σ_k exp z_k                      (cross-entropy)
 */
import * as tf from '@tensorflow/tfjs';

function sameShape(a: tf.Tensor, b: tf.Tensor, who: string, names: [string, string]): void {
  if (a.shape.join() !== b.shape.join()) throw new Error(`${who}: ${names[0]} has shape [${a.shape}] but ${names[1]} has [${b.shape}]; give one value per example`);
}

/** -log N(y; μ, σ²) per example, summed over output columns; `variance` a number or a tensor like `mu`. */
export function gaussianNLL(y: tf.Tensor, mu: tf.Tensor, variance: number | tf.Tensor): tf.Tensor1D {
  sameShape(y, mu, 'gaussianNLL', ['y', 'mu']);
  if (typeof variance === 'number' && !(variance > 0)) throw new Error(`gaussianNLL: the variance must be positive, got ${variance}`);
  if (typeof variance !== 'number') sameShape(variance, mu, 'gaussianNLL', ['variance', 'mu']);
  return tf.tidy(() => {
    const v = typeof variance === 'number' ? tf.scalar(variance) : variance;
    const terms = tf.add(tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, v))), tf.div(tf.square(tf.sub(y, mu)), tf.mul(2, v)));
    return (terms.rank === 1 ? terms : tf.sum(terms, -1)) as tf.Tensor1D;
  });
}

/** -log Bernoulli(y; sig[z]) per example from logits z (y in {0, 1}): softplus(z) - y z, stable for any z. */
export function bernoulliNLL(y: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  sameShape(y, logits, 'bernoulliNLL', ['y', 'logits']);
  return tf.tidy(() => {
    // softplus(z) = max(z, 0) + log(1 + exp(-|z|)): no overflow for large |z|.
    const softplus = tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const terms = tf.sub(softplus, tf.mul(y, logits));
    return (terms.rank === 1 ? terms : tf.sum(terms, -1)) as tf.Tensor1D;
  });
}

/** -log Softmax_{y}[z] per example from logits `[N, K]` and integer labels `[N]` in 0..K-1. */
export function categoricalNLL(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Tensor1D {
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`categoricalNLL: need labels [N] and logits [N, K], got [${labels.shape}] and [${logits.shape}]`);
  }
  return tf.tidy(() => {
    const K = logits.shape[1]!;
    const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), K), logits), 1);
    return tf.sub(tf.logSumExp(logits, 1), picked) as tf.Tensor1D; // logSumExp subtracts the max first
  });
}
