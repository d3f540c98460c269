/**
 * The posterior predictive from K weight samples (lecture: an ensemble average),
 *
 *   p(y* | x*, D) ~= (1/K) sum_k p(y* | x*, w^k),  w^k ~ q(w | lambda),
 *
 * and its summaries.
 *
 * Regression, with p(y | x, w^k) = N(mu_k, sigma_k^2): the mixture has mean m = (1/K) sum mu_k and, by
 * the law of total variance,
 *   Var[y*] = (1/K) sum sigma_k^2     (aleatoric: noise the model expects in the data)
 *           + (1/K) sum (mu_k - m)^2  (epistemic: disagreement between sampled networks).
 * Intervals use the Gaussian with that mean and total variance (the mixture's moment match).
 *
 * Classification, with p_k = softmax(logits under w^k): the predictive is p = (1/K) sum p_k; its
 * entropy H[p] is the total uncertainty, the mean entropy (1/K) sum H[p_k] the aleatoric part, and the
 * difference, the mutual information I[y; w | x, D], the epistemic part (Houlsby et al., 2011; Gal, 2016).
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianLogDensity, normalQuantile } from '../../math';

/** Per-example summaries of a regression predictive (plain arrays, one entry per input). */
export interface RegressionPredictive {
  /** Predictive mean m. */
  mean: number[];
  /** Total predictive std sqrt(aleatoric^2 + epistemic^2). */
  std: number[];
  /** sqrt of the mean noise variance (1/K) sum sigma_k^2. */
  aleatoricStd: number[];
  /** Std of the sampled means mu_k. */
  epistemicStd: number[];
}

/** Summaries of K sampled Gaussians, mu and sigma each [K, B]. `sigma` null = a point regressor (no noise). */
export function regressionPredictive(mu: tf.Tensor2D, sigma: tf.Tensor2D | null): RegressionPredictive {
  const [mean, ale, epi] = tf.tidy(() => {
    const { mean, variance } = tf.moments(mu, 0);
    const ale = sigma === null ? tf.zerosLike(mean) : tf.mean(tf.square(sigma), 0);
    return [mean, ale, variance];
  });
  const m = Array.from(mean.dataSync());
  const a = Array.from(ale.dataSync());
  const e = Array.from(epi.dataSync());
  tf.dispose([mean, ale, epi]);
  return {
    mean: m,
    std: a.map((v, i) => Math.sqrt(v + e[i]!)),
    aleatoricStd: a.map(Math.sqrt),
    epistemicStd: e.map(Math.sqrt),
  };
}

/**
 * Mean test negative log-likelihood of the predictive mixture, in nats per example:
 * -(1/B) sum_b log (1/K) sum_k N(y_b | mu_kb, sigma_kb^2), by log-sum-exp.
 */
export function mixtureNll(mu: tf.Tensor2D, sigma: tf.Tensor2D, y: tf.Tensor): number {
  const t = tf.tidy(() => {
    const K = mu.shape[0]!;
    const B = mu.shape[1]!;
    if (y.size !== B) throw new Error(`mixtureNll: ${B} predictions but ${y.size} targets`);
    const logp = gaussianLogDensity(tf.reshape(y, [1, B]), mu, sigma);
    return tf.neg(tf.mean(tf.sub(tf.logSumExp(logp, 0), Math.log(K))));
  });
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/** Per-example summaries of a classification predictive. */
export interface ClassPredictive {
  /** Predictive probabilities (1/K) sum p_k, [B][C]. */
  probs: number[][];
  /** argmax of probs. */
  predicted: number[];
  /** Total uncertainty H[p] in nats. */
  entropy: number[];
  /** Aleatoric part (1/K) sum H[p_k]. */
  expectedEntropy: number[];
  /** Epistemic part H[p] - (1/K) sum H[p_k] >= 0: the mutual information between y and w. */
  mutualInformation: number[];
}

/** Summaries of K sampled class-probability vectors, probs [K, B, C]. */
export function classificationPredictive(probs: tf.Tensor3D): ClassPredictive {
  const [p, H, EH] = tf.tidy(() => {
    const eps = 1e-12;
    const p = tf.mean(probs, 0);
    const H = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, eps))), -1));
    const Hk = tf.neg(tf.sum(tf.mul(probs, tf.log(tf.add(probs, eps))), -1));
    return [p, H, tf.mean(Hk, 0)];
  });
  const pa = p.arraySync() as unknown as number[][];
  const h = Array.from(H.dataSync() as Float32Array);
  const eh = Array.from(EH.dataSync() as Float32Array);
  tf.dispose([p, H, EH]);
  return {
    probs: pa,
    predicted: pa.map((row) => row.indexOf(Math.max(...row))),
    entropy: h,
    expectedEntropy: eh,
    // Clamp float round-off: the mutual information is non-negative (Jensen).
    mutualInformation: h.map((v, i) => Math.max(0, v - eh[i]!)),
  };
}

/** Central interval mean +- z std holding `level` of a Gaussian (e.g. 0.95 -> z = 1.96). */
export function predictiveInterval(mean: number[], std: number[], level = 0.95): { lower: number[]; upper: number[] } {
  if (!(level > 0 && level < 1)) throw new Error(`predictiveInterval: level must be in (0, 1), got ${level}`);
  if (mean.length !== std.length) throw new Error(`predictiveInterval: ${mean.length} means but ${std.length} stds`);
  const z = normalQuantile(0.5 + level / 2);
  return { lower: mean.map((m, i) => m - z * std[i]!), upper: mean.map((m, i) => m + z * std[i]!) };
}

/** Fraction of targets inside the central `level` interval. */
export function intervalCoverage(y: ArrayLike<number>, mean: number[], std: number[], level = 0.95): number {
  if (y.length !== mean.length) throw new Error(`intervalCoverage: ${y.length} targets but ${mean.length} predictions`);
  const { lower, upper } = predictiveInterval(mean, std, level);
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! >= lower[i]! && y[i]! <= upper[i]!) inside++;
  return inside / y.length;
}

/** Observed coverage at several nominal levels (a calibrated model lies on the diagonal). */
export function calibrationCurve(
  y: ArrayLike<number>,
  mean: number[],
  std: number[],
  levels: number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
): { nominal: number[]; observed: number[] } {
  return { nominal: [...levels], observed: levels.map((l) => intervalCoverage(y, mean, std, l)) };
}

/** Root mean squared error between targets and predictions. */
export function rmse(y: ArrayLike<number>, prediction: ArrayLike<number>): number {
  if (y.length !== prediction.length || y.length === 0) {
    throw new Error(`rmse: need equal, non-zero lengths, got ${y.length} targets and ${prediction.length} predictions`);
  }
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - prediction[i]!) ** 2;
  return Math.sqrt(s / y.length);
}
