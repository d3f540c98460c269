/**
 * Points in latent space for looking at a trained model.
 *
 * - `priorGrid`: a 2-D grid at equally spaced quantiles of N(0, 1) per axis, so each cell covers the same
 *   prior mass (Kingma & Welling, 2014, fig. 4: "linearly spaced coordinates on the unit square are
 *   transformed through the inverse CDF of the Gaussian"). Decoding it draws the learned manifold.
 * - `interpolate`: the straight path z(t) = (1 - t) z_a + t z_b between two codes.
 * - `normalQuantile`: Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9); `normalCdf`:
 *   Φ(x) through Numerical Recipes' erfc (fractional error < 1.2e-7).
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from './dense';

/** erfc(x), Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Φ⁻¹(p) for p in (0, 1). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

/**
 * An n x n grid of 2-D latent points at the prior quantiles Φ⁻¹((i + ½)/n), row-major with the
 * second coordinate decreasing down the rows (so an image grid reads like a plot): [n², 2].
 */
export function priorGrid(n: number): tf.Tensor2D {
  requirePositiveInt(n, 'n', 'priorGrid');
  const q = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  const pts: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) pts.push(q[c]!, q[n - 1 - r]!);
  return tf.tensor2d(pts, [n * n, 2]);
}

/** `steps` points on the segment from `za` to `zb` (each [L] or [1, L]), endpoints included: [steps, L]. */
export function interpolate(za: tf.Tensor, zb: tf.Tensor, steps: number): tf.Tensor2D {
  if (requirePositiveInt(steps, 'steps', 'interpolate') < 2) throw new Error('interpolate: steps must be at least 2 (the two endpoints)');
  return tf.tidy(() => {
    const a = za.reshape([1, -1]);
    const b = zb.reshape([1, -1]);
    if (a.shape[1] !== b.shape[1]) throw new Error(`interpolate: the codes have different widths (${a.shape[1]} vs ${b.shape[1]})`);
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
    return tf.add(tf.mul(tf.sub(1, t), a), tf.mul(t, b)) as tf.Tensor2D;
  });
}
