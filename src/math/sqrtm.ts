/**
 * The principal square root of a symmetric positive semi-definite matrix, S = V diag(sqrt(lambda)) V^T
 * from the Jacobi eigen-decomposition (eigen.ts). Eigenvalues that rounding made slightly negative are
 * set to 0: a sample covariance is PSD in exact arithmetic, and a square root of a negative rounding error
 * would be meaningless.
 */
import { symmetricEigen } from './eigen';
import { type Mat, mat } from './matrix';

/** S with S S = A (symmetric, PSD), for a symmetric PSD `a`. */
export function symmetricSqrt(a: Mat): Mat {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  const s = values.map((v) => Math.sqrt(Math.max(v, 0)));
  const out = mat(n, n);
  const V = vectors.data;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += V[i * n + k]! * s[k]! * V[j * n + k]!;
      out.data[i * n + j] = acc;
      out.data[j * n + i] = acc;
    }
  }
  return out;
}

/** Sum of sqrt(max(lambda_i, 0)) over the eigenvalues of a symmetric PSD matrix: tr(sqrt(A)). */
export function traceSqrt(a: Mat): number {
  return symmetricEigen(a).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}
