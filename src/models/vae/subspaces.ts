/**
 * Comparing subspaces, e.g. PCA's components with a linear autoencoder's decoder weights:
 *
 * - `principalAngles`: Björck & Golub (1973): with orthonormal bases Q₁, Q₂, the cosines of the
 *   principal angles are the singular values of Q₁ᵀQ₂, i.e. the square roots of the eigenvalues of
 *   (Q₁ᵀQ₂)(Q₁ᵀQ₂)ᵀ.
 * - `rowCosines`: cosines between a weight matrix's rows (orthogonal directions or not).
 */
import * as tf from '@tensorflow/tfjs';
import { fromTensor, type Mat, matmul, matmulTN, orthonormalize, symmetricEigen, transpose } from '../../math';

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
