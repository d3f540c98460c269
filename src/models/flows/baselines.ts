/**
 * Reference numbers a flow must beat: a single Gaussian fitted by maximum likelihood.
 *
 * For the full-covariance Gaussian N(mu, Sigma) fitted on the training rows, the test NLL per point is
 *   ½ mean_i (x_i − mu)ᵀ Sigma⁻¹ (x_i − mu) + ½ log det(2π Sigma),
 * computed here in float64 (plain JS) so the baseline carries no float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { cholesky } from '../../math';

function rows(x: tf.Tensor2D | number[][], who: string): { n: number; d: number; get: (i: number, j: number) => number } {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${who}: expected [n, D], got [${x.shape}]`);
    const v = x.dataSync();
    const d = x.shape[1];
    return { n: x.shape[0], d, get: (i, j) => v[i * d + j]! };
  }
  const d = x[0]?.length ?? 0;
  return { n: x.length, d, get: (i, j) => x[i]![j]! };
}

/** Test NLL (nats per point) of a full-covariance Gaussian fitted on `train`. */
export function gaussianBaselineNll(train: tf.Tensor2D | number[][], test: tf.Tensor2D | number[][]): number {
  const tr = rows(train, 'gaussianBaselineNll (train)');
  const te = rows(test, 'gaussianBaselineNll (test)');
  if (tr.d !== te.d) throw new Error(`gaussianBaselineNll: train has ${tr.d} features, test has ${te.d}`);
  const d = tr.d;
  const mu = new Array<number>(d).fill(0);
  for (let i = 0; i < tr.n; i++) for (let j = 0; j < d; j++) mu[j]! += tr.get(i, j) / tr.n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < tr.n; i++) {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a]![b]! += ((tr.get(i, a) - mu[a]!) * (tr.get(i, b) - mu[b]!)) / tr.n;
  }
  let l: number[][];
  try {
    l = cholesky(cov);
  } catch {
    throw new Error('gaussianBaselineNll: the training covariance is singular (constant or collinear features)');
  }
  let logDet = 0;
  for (let a = 0; a < d; a++) logDet += 2 * Math.log(l[a]![a]!);
  let quad = 0;
  const y = new Array<number>(d);
  for (let i = 0; i < te.n; i++) {
    // Solve L y = x − mu; then (x − mu)ᵀ Sigma⁻¹ (x − mu) = ‖y‖².
    for (let a = 0; a < d; a++) {
      let s = te.get(i, a) - mu[a]!;
      for (let k = 0; k < a; k++) s -= l[a]![k]! * y[k]!;
      y[a] = s / l[a]![a]!;
      quad += y[a]! * y[a]!;
    }
  }
  return 0.5 * (quad / te.n) + 0.5 * (logDet + d * Math.log(2 * Math.PI));
}
