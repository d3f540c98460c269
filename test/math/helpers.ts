import { seed } from '../../src/runtime/rng';
import { mat, orthonormalize, type Mat } from '../../src/math';

/** A random orthogonal n x n matrix (Gram-Schmidt of a Gaussian matrix), seeded by `label`. */
export function randomOrthogonal(n: number, label: string): Mat {
  const r = seed(label);
  const a = mat(n, n);
  for (let i = 0; i < n * n; i++) a.data[i] = r.normal();
  return orthonormalize(a);
}

/** Largest entry-wise difference of two matrices of the same shape. */
export function maxAbs(a: Mat, b: Mat): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}
