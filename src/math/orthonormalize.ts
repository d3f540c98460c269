/**
 * An orthonormal basis of a matrix's column space (thin QR without R): modified Gram-Schmidt, run twice
 * ("twice is enough", Giraud et al., 2005).
 */
import { type Mat, mat } from './matrix';

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
