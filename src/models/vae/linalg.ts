/**
 * Small dense linear algebra in plain JS (float64), for what tfjs lacks: a symmetric eigensolver and
 * principal angles between subspaces. Matrices are row-major `Float64Array`s with explicit sizes.
 *
 * - `orthonormalize`: modified Gram-Schmidt, run twice ("twice is enough", Giraud et al., 2005), gives
 *   an orthonormal basis Q of a matrix's column space (thin QR without R).
 * - `symmetricEigen`: cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, §8.5): accurate
 *   for the small matrices used here (tens of rows), O(n³) per sweep.
 * - `principalAngles`: Björck & Golub (1973): with orthonormal bases Q₁, Q₂, the cosines of the
 *   principal angles are the singular values of Q₁ᵀQ₂, i.e. the square roots of the eigenvalues of
 *   (Q₁ᵀQ₂)(Q₁ᵀQ₂)ᵀ.
 */
import * as tf from '@tensorflow/tfjs';

/** A row-major matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  const d = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) throw new Error(`mat: ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
    d.set(data);
  }
  return { rows, cols, data: d };
}

/** A 2-D tensor as a float64 matrix. */
export function fromTensor(t: tf.Tensor): Mat {
  if (t.rank !== 2) throw new Error(`fromTensor: expected a 2-D tensor, got shape [${t.shape.join(', ')}]`);
  return mat(t.shape[0]!, t.shape[1]!, t.dataSync());
}

export function transpose(a: Mat): Mat {
  const out = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

/** a · b. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`matmul: inner sizes differ (${a.rows}x${a.cols} · ${b.rows}x${b.cols})`);
  const out = mat(a.rows, b.cols);
  const A = a.data;
  const B = b.data;
  const C = out.data;
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = A[i * a.cols + k]!;
      if (aik === 0) continue;
      const rowB = k * n;
      const rowC = i * n;
      for (let j = 0; j < n; j++) C[rowC + j]! += aik * B[rowB + j]!;
    }
  }
  return out;
}

/** aᵀ · b without forming aᵀ. */
export function matmulTN(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows) throw new Error(`matmulTN: row counts differ (${a.rows}x${a.cols}ᵀ · ${b.rows}x${b.cols})`);
  const out = mat(a.cols, b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let i = 0; i < a.cols; i++) {
      const ari = a.data[r * a.cols + i]!;
      if (ari === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += ari * b.data[r * b.cols + j]!;
    }
  }
  return out;
}

/**
 * An orthonormal basis of the column space of `a` (rows >= cols), same shape. Throws when the columns
 * are (numerically) linearly dependent, since the basis would then have fewer columns.
 */
export function orthonormalize(a: Mat): Mat {
  const { rows, cols } = a;
  if (cols > rows) throw new Error(`orthonormalize: ${cols} columns cannot be independent in ${rows} dimensions`);
  const q = mat(rows, cols, a.data);
  const Q = q.data;
  for (let j = 0; j < cols; j++) {
    let norm0 = 0;
    for (let r = 0; r < rows; r++) norm0 += Q[r * cols + j]! ** 2;
    norm0 = Math.sqrt(norm0);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += Q[r * cols + i]! * Q[r * cols + j]!;
        for (let r = 0; r < rows; r++) Q[r * cols + j]! -= dot * Q[r * cols + i]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += Q[r * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10 * Math.max(norm0, 1e-300))) {
      throw new Error(`orthonormalize: column ${j} is (numerically) a combination of the columns before it; the basis has lower rank`);
    }
    for (let r = 0; r < rows; r++) Q[r * cols + j]! /= norm;
  }
  return q;
}

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

/**
 * Principal angles (degrees, smallest first) between the column spaces of `a` [D, p] and `b` [D, q]:
 * min(p, q) angles. Pass tensors or matrices; with `basis: 'rows'` the subspaces are spanned by the
 * rows instead (e.g. PCA components [k, D], decoder weights [k, D]).
 */
export function principalAngles(a: Mat | tf.Tensor, b: Mat | tf.Tensor, options: { basis?: 'columns' | 'rows' } = {}): number[] {
  let A = a instanceof tf.Tensor ? fromTensor(a) : a;
  let B = b instanceof tf.Tensor ? fromTensor(b) : b;
  if (options.basis === 'rows') {
    A = transpose(A);
    B = transpose(B);
  }
  if (A.rows !== B.rows) throw new Error(`principalAngles: the subspaces live in different dimensions (${A.rows} vs ${B.rows})`);
  let Q1 = orthonormalize(A);
  let Q2 = orthonormalize(B);
  if (Q1.cols > Q2.cols) [Q1, Q2] = [Q2, Q1];
  const M = matmulTN(Q1, Q2); // p x q, p <= q
  const MMt = matmul(M, transpose(M));
  // Symmetrise exactly before the solver (rounding leaves ~1e-17 asymmetry).
  for (let i = 0; i < MMt.rows; i++) {
    for (let j = i + 1; j < MMt.cols; j++) {
      const v = 0.5 * (MMt.data[i * MMt.cols + j]! + MMt.data[j * MMt.cols + i]!);
      MMt.data[i * MMt.cols + j] = v;
      MMt.data[j * MMt.cols + i] = v;
    }
  }
  const { values } = symmetricEigen(MMt);
  return values.map((s2) => (Math.acos(Math.min(1, Math.sqrt(Math.max(0, s2)))) * 180) / Math.PI);
}

/**
 * Cosines between the rows of `w` [k, D]: a k x k matrix, the identity exactly when the rows are
 * orthogonal directions (as PCA's are; a linear autoencoder's units need not be).
 */
export function rowCosines(w: tf.Tensor): tf.Tensor2D {
  if (w.rank !== 2) throw new Error(`rowCosines: expected a [k, D] matrix, got shape [${w.shape.join(', ')}]`);
  return tf.tidy(() => {
    const unit = tf.div(w, tf.add(tf.norm(w, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
    return tf.matMul(unit, unit, false, true);
  });
}
