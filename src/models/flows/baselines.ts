/**
 * Reference numbers a flow must beat: a single Gaussian fitted by maximum likelihood.
 *
 * For the full-covariance Gaussian N(mu, Sigma) fitted on the training rows, the test NLL per point is
 *   ½ mean_i (x_i − mu)ᵀ Sigma⁻¹ (x_i − mu) + ½ log det(2π Sigma),
 * computed here in float64 (plain JS, src/math) so the baseline carries no float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { cholesky, LOG_2PI, meanAndCovariance, solveLower } from '../../math';

/** Row-major values of `[n, D]` rows. */
function rows(x: tf.Tensor2D | number[][], who: string): { n: number; d: number; values: ArrayLike<number> } {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${who}: expected [n, D], got [${x.shape}]`);
    return { n: x.shape[0], d: x.shape[1], values: x.dataSync() };
  }
  const d = x[0]?.length ?? 0;
  if (x.some((r) => r.length !== d)) throw new Error(`${who}: rows of different lengths`);
  return { n: x.length, d, values: x.flat() };
}

/** Test NLL (nats per point) of a full-covariance Gaussian fitted on `train`. */
export function gaussianBaselineNll(train: tf.Tensor2D | number[][], test: tf.Tensor2D | number[][]): number {
  const tr = rows(train, 'gaussianBaselineNll (train)');
  const te = rows(test, 'gaussianBaselineNll (test)');
  if (tr.d !== te.d) throw new Error(`gaussianBaselineNll: train has ${tr.d} features, test has ${te.d}`);
  const d = tr.d;
  // The maximum-likelihood fit: covariance normalised by n.
  const { mean: mu, cov } = meanAndCovariance(tr.values, tr.n, d, 'n');
  let l: number[][];
  try {
    l = cholesky(cov);
  } catch {
    throw new Error('gaussianBaselineNll: the training covariance is singular (constant or collinear features)');
  }
  let logDet = 0;
  for (let a = 0; a < d; a++) logDet += 2 * Math.log(l[a]![a]!);
  let quad = 0;
  const centred = new Array<number>(d);
  for (let i = 0; i < te.n; i++) {
    // Solve L y = x − mu; then (x − mu)ᵀ Sigma⁻¹ (x − mu) = ‖y‖².
    for (let a = 0; a < d; a++) centred[a] = te.values[i * d + a]! - mu[a]!;
    for (const v of solveLower(l, centred)) quad += v * v;
  }
  return 0.5 * (quad / te.n) + 0.5 * (logDet + d * LOG_2PI);
}
