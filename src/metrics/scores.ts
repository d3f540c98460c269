/**
 * Classifier-based scores of a sample set in one call: the Fréchet distance of the evaluator's features to
 * a reference fit, the class-histogram KL to uniform and the mean top-class confidence. Features in,
 * numbers out: any `SampleEvaluator` (classifier.ts) and any images it accepts.
 */
import * as tf from '@tensorflow/tfjs';
import { classHistogram, klToUniform } from './classes';
import type { SampleEvaluator } from './classifier';
import { fitFeatureGaussian, frechetDistance, type GaussianFit } from './frechet';

export interface SampleScores {
  /** Fréchet distance between the samples' features and the reference features. */
  fd: number;
  /** KL(predicted-class histogram || uniform), nats. */
  classKl: number;
  /** Mean of max_k p(k | x). */
  topConfidence: number;
  /** Fraction of samples predicted as each class. */
  classHistogram: number[];
  /** The samples' feature fit (reuse it to compare with other references). */
  fit: GaussianFit;
}

/** Scores of `samples` (already in the evaluator's input scale) against the reference feature fit. */
export function sampleScores(evaluator: SampleEvaluator, samples: tf.Tensor2D, reference: GaussianFit, batchSize = 500): SampleScores {
  const fit = fitFeatureGaussian((x) => evaluator.features(x), samples, batchSize);
  const n = samples.shape[0];
  const K = tf.tidy(() => evaluator.probs(tf.slice(samples, [0, 0], [1, samples.shape[1]]) as tf.Tensor2D).shape[1]!);
  const counts = new Array<number>(K).fill(0);
  let topSum = 0;
  for (let lo = 0; lo < n; lo += batchSize) {
    const size = Math.min(batchSize, n - lo);
    const p = tf.tidy(() => evaluator.probs(tf.slice(samples, [lo, 0], [size, samples.shape[1]]) as tf.Tensor2D));
    classHistogram(p).forEach((h, k) => (counts[k]! += h * size));
    topSum += tf.tidy(() => tf.sum(tf.max(p, 1)).dataSync()[0]!);
    p.dispose();
  }
  const hist = counts.map((c) => c / n);
  return { fd: frechetDistance(fit, reference), classKl: klToUniform(hist), topConfidence: topSum / n, classHistogram: hist, fit };
}
