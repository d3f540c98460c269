/**
 * Cholesky factorisation A = L Lᵀ of a small symmetric positive definite matrix (a D x D covariance),
 * in plain JS float64 (Golub & Van Loan, Matrix Computations, Algorithm 4.2.1, row by row).
 */

/** Lower-triangular L with L Lᵀ = A. Throws when A is not (numerically) positive definite. */
export function cholesky(a: number[][]): number[][] {
  const d = a.length;
  const l = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('cholesky: the matrix is not positive definite (are the points collinear or repeated?)');
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}
