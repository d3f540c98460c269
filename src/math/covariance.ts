/**
 * Small dense linear algebra on plain arrays (D x D with D the data dimension, so a handful), float64:
 * column means and covariance of row-major data, and triangular solves and inverses for the Cholesky
 * factor (cholesky.ts) of such a covariance. Used by the diffusion metrics (KDE bandwidth, Gaussian
 * floor) and the flows' Gaussian baseline.
 */

/**
 * Column means and the covariance of row-major data [n, d]: normalised by n - 1 (the unbiased sample
 * covariance, the default) or by n (`divisor: 'n'`, the maximum-likelihood estimate).
 */
export function meanAndCovariance(values: ArrayLike<number>, n: number, d: number, divisor: 'n-1' | 'n' = 'n-1'): { mean: number[]; cov: number[][] } {
  const min = divisor === 'n' ? 1 : 2;
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`covariance: need at least ${min} rows, got ${n}`);
  if (values.length !== n * d) throw new Error(`covariance: ${values.length} values are not ${n} rows of ${d}`);
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += values[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const dj = values[i * d + j]! - mean[j]!;
      for (let k = 0; k <= j; k++) cov[j]![k]! += dj * (values[i * d + k]! - mean[k]!);
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k <= j; k++) {
      cov[j]![k]! /= divisor === 'n' ? n : n - 1;
      cov[k]![j] = cov[j]![k]!;
    }
  }
  return { mean, cov };
}

/** Solve L y = b for lower-triangular L (forward substitution). */
export function solveLower(L: number[][], b: ArrayLike<number>): number[] {
  const d = L.length;
  if (b.length !== d) throw new Error(`solveLower: L is ${d} x ${d}, b has ${b.length} entries`);
  const y = new Array<number>(d);
  for (let a = 0; a < d; a++) {
    let s = b[a]!;
    for (let k = 0; k < a; k++) s -= L[a]![k]! * y[k]!;
    y[a] = s / L[a]![a]!;
  }
  return y;
}

/** Inverse of a lower-triangular matrix (forward substitution, column by column). */
export function invertLower(L: number[][]): number[][] {
  const d = L.length;
  const inv = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i]![k]! * inv[k]![c]!;
      inv[i]![c] = s / L[i]![i]!;
    }
  }
  return inv;
}
