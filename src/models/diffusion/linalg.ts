/**
 * Small dense linear algebra on plain arrays (D x D with D the data dimension, so a handful): the
 * sample covariance and a triangular inverse, for the KDE's kernel and the Gaussian floor (the Cholesky
 * factor comes from src/math). Float64 throughout.
 */

/** Column means and the (n - 1)-normalised sample covariance of row-major data [n, d]. */
export function meanAndCovariance(values: ArrayLike<number>, n: number, d: number): { mean: number[]; cov: number[][] } {
  if (n < 2) throw new Error(`covariance: need at least 2 rows, got ${n}`);
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
      cov[j]![k]! /= n - 1;
      cov[k]![j] = cov[j]![k]!;
    }
  }
  return { mean, cov };
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
