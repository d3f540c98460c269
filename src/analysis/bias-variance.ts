/**
 * The bias-variance decomposition of the expected test error (lecture: "Sources of error"; Prince,
 * Understanding Deep Learning, 2023, §8.2.2). With y = μ(x) + noise of variance σ², and f_D(x) the
 * model fitted to a random training set D,
 *
 *   E_D E_y[(f_D(x) - y)²] = (E_D[f_D(x)] - μ(x))²  +  E_D[(f_D(x) - E_D[f_D(x)])²]  +  σ²
 *                                bias²                        variance                   noise
 *
 * because the cross terms vanish: the test noise is independent of the fit, and f_D - E_D f_D has mean 0.
 * Given the predictions of R refits on M test inputs, this averages each term over the inputs.
 */

export interface BiasVariance {
  /** Mean over test inputs of (mean prediction - μ(x))². */
  bias2: number;
  /** Mean over test inputs of the variance of the predictions across refits (divided by R). */
  variance: number;
  /** σ², the noise variance given. */
  noise: number;
  /** bias² + variance + noise: the expected test error the decomposition predicts. */
  total: number;
  /** Mean over refits and inputs of (f_D(x) - μ(x))²; equals bias² + variance exactly. */
  meanSquaredDeviation: number;
  /** The mean prediction E_D[f_D(x)] at each test input. */
  meanPrediction: number[];
}

/**
 * Decompose from `predictions[r][m]` (refit r, test input m), the noise-free targets `mu[m]` and the
 * noise variance.
 */
export function biasVarianceDecomposition(predictions: readonly (readonly number[])[], mu: readonly number[], noiseVariance: number): BiasVariance {
  const R = predictions.length;
  const M = mu.length;
  if (R < 2) throw new Error(`biasVarianceDecomposition: need the predictions of at least 2 refits, got ${R}`);
  if (predictions.some((p) => p.length !== M)) throw new Error(`biasVarianceDecomposition: every refit needs ${M} predictions (one per entry of mu)`);
  if (!(noiseVariance >= 0)) throw new Error(`biasVarianceDecomposition: noiseVariance must be >= 0, got ${noiseVariance}`);
  const meanPrediction = new Array<number>(M).fill(0);
  for (const p of predictions) p.forEach((v, m) => (meanPrediction[m]! += v / R));
  let bias2 = 0;
  let variance = 0;
  let msd = 0;
  for (let m = 0; m < M; m++) {
    bias2 += (meanPrediction[m]! - mu[m]!) ** 2 / M;
    for (const p of predictions) {
      variance += (p[m]! - meanPrediction[m]!) ** 2 / (R * M);
      msd += (p[m]! - mu[m]!) ** 2 / (R * M);
    }
  }
  return { bias2, variance, noise: noiseVariance, total: bias2 + variance + noiseVariance, meanSquaredDeviation: msd, meanPrediction };
}

/** The measured test error: mean over refits and inputs of (f_D(x) - y)² against noisy test targets `ys[r][m]`. */
export function meanSquaredError(predictions: readonly (readonly number[])[], ys: readonly (readonly number[])[]): number {
  if (predictions.length !== ys.length || predictions.some((p, r) => p.length !== ys[r]!.length)) {
    throw new Error('meanSquaredError: predictions and targets must have the same shape [refits][inputs]');
  }
  let s = 0;
  let n = 0;
  predictions.forEach((p, r) => p.forEach((v, m) => {
    s += (v - ys[r]![m]!) ** 2;
    n++;
  }));
  return s / n;
}
