/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan, Matrix
 * Computations, §8.5): accurate for the small matrices used here (tens of rows), O(n³) per sweep.
 */
import { type Mat, mat } from './matrix';

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: number[];
  /** Eigenvectors as the columns of an n x n matrix, in the order of `values`. */
  vectors: Mat;
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigen(a: Mat, options: { tol?: number; maxSweeps?: number } = {}): Eigen {
  const n = a.rows;
  if (a.cols !== n) throw new Error(`symmetricEigen: the matrix must be square, got ${a.rows}x${a.cols}`);
  const A = Float64Array.from(a.data);
  let asym = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      asym = Math.max(asym, Math.abs(A[i * n + j]! - A[j * n + i]!));
      scale = Math.max(scale, Math.abs(A[i * n + j]!));
    }
  }
  if (asym > 1e-8 * Math.max(scale, 1)) throw new Error(`symmetricEigen: the matrix is not symmetric (max |A - Aᵀ| = ${asym.toExponential(2)})`);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const tol = options.tol ?? 1e-15;
  const maxSweeps = options.maxSweeps ?? 100;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = A[i * n + j]! ** 2;
        total += v;
        if (i !== j) off += v;
      }
    }
    if (off <= tol * tol * Math.max(total, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const app = A[p * n + p]!;
        const aqq = A[q * n + q]!;
        // Rotation angle that zeroes A[p][q] (Golub & Van Loan, Algorithm 8.5.1, stable form).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => A[j * n + j]! - A[i * n + i]!);
  const vectors = mat(n, n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = V[k * n + src]!;
  });
  return { values: order.map((i) => A[i * n + i]!), vectors };
}
