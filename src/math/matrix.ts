/**
 * Small dense matrices in plain JS float64, row-major `Float64Array`s with explicit sizes, for what
 * tfjs lacks (float64, eigen-decomposition) on the small matrices of the lectures (tens of rows).
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
