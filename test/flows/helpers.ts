/**
 * Shared oracles for the flow tests: a central-difference Jacobian and its log |det| in float64.
 *
 * tfjs computes in float32 (eps ≈ 1.2e-7). Central differences have truncation error O(h²·f''') and
 * rounding error O(eps·|f| / h); with h = 1e-2 and inputs/outputs of order 1 both are ~1e-4 per
 * Jacobian entry, so log |det J| is accurate to ~1e-3. Tests compare with tolerance 1e-2 (a wrong
 * log-det - a missing term, a sign error - is off by O(0.1-1) for the maps tested here).
 */
import * as tf from '@tensorflow/tfjs';

export const FD_STEP = 1e-2;
export const LOGDET_TOL = 1e-2;

/** log |det| of a small square matrix in float64 (Gaussian elimination with partial pivoting). */
export function logAbsDet(m: number[][]): number {
  const a = m.map((r) => [...r]);
  const d = a.length;
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    if (piv === 0) return -Infinity;
    logDet += Math.log(Math.abs(piv));
    for (let r = c + 1; r < d; r++) {
      const f = a[r]![c]! / piv;
      for (let k = c; k < d; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return logDet;
}

/**
 * log |det ∂map/∂x| per row by central differences. `map` takes and returns `[m, D]`.
 * All 2·D perturbed copies of the batch go through `map` in one call.
 */
export function numericLogDet(map: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D, h = FD_STEP): number[] {
  const [n, d] = x.shape;
  const xs = x.arraySync();
  const pts: number[][] = [];
  for (let j = 0; j < d; j++) {
    for (const sgn of [1, -1]) for (const row of xs) pts.push(row.map((v, k) => (k === j ? v + sgn * h : v)));
  }
  const out = tf.tidy(() => map(tf.tensor2d(pts)).arraySync());
  const res: number[] = [];
  for (let i = 0; i < n; i++) {
    // J[a][j] = ∂y_a/∂x_j
    const jac = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let j = 0; j < d; j++) {
      const plus = out[(2 * j) * n + i]!;
      const minus = out[(2 * j + 1) * n + i]!;
      for (let a = 0; a < d; a++) jac[a]![j] = (plus[a]! - minus[a]!) / (2 * h);
    }
    res.push(logAbsDet(jac));
  }
  return res;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Run the tests on the kit's default backend here (wasm), as the notebooks do. */
export async function useKitBackend(): Promise<void> {
  const { initBackend } = await import('../../src/runtime/backend');
  await initBackend({ announce: false });
}
