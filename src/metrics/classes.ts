/**
 * Class-based sample scores from a classifier's probabilities p(y | x) on generated samples (the two
 * halves of the Inception score's reasoning, Salimans et al. 2016, reported separately):
 *
 * - diversity: the histogram of predicted classes (argmax) should be uniform for a data set with balanced
 *   classes; `classHistogramKl` = KL(hist || uniform) = sum_k h_k log(K h_k), 0 for a perfectly balanced
 *   set, log K when every sample is one class (mode collapse).
 * - quality: each sample should look like one clear class; `meanTopConfidence` = mean_x max_k p(k | x).
 */
import * as tf from '@tensorflow/tfjs';

function checkProbs(probs: tf.Tensor, what: string): [number, number] {
  if (probs.rank !== 2) throw new Error(`${what}: expected class probabilities [n, classes], got shape [${probs.shape.join(', ')}]`);
  return probs.shape as [number, number];
}

/** Fraction of rows whose most probable class is k, for k = 0..K-1. */
export function classHistogram(probs: tf.Tensor): number[] {
  const [n, K] = checkProbs(probs, 'classHistogram');
  const arg = tf.tidy(() => tf.argMax(probs, 1).dataSync());
  const h = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) h[arg[i]!]! += 1 / n;
  return h;
}

/** KL(h || uniform) = sum_k h_k log(K h_k) of a histogram (fractions summing to 1), with 0 log 0 = 0. */
export function klToUniform(hist: readonly number[]): number {
  const K = hist.length;
  const total = hist.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return NaN;
  return hist.reduce((s, c) => (c > 0 ? s + (c / total) * Math.log((K * c) / total) : s), 0);
}

/** KL of the predicted-class histogram from uniform (nats; 0 = balanced, log K = one class). */
export function classHistogramKl(probs: tf.Tensor): number {
  return klToUniform(classHistogram(probs));
}

/** Mean over rows of the largest class probability. */
export function meanTopConfidence(probs: tf.Tensor): number {
  checkProbs(probs, 'meanTopConfidence');
  return tf.tidy(() => tf.mean(tf.max(probs, 1)).dataSync()[0]!);
}
