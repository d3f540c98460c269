/**
 * The standard normal distribution on plain numbers (float64), for quantile grids, predictive
 * intervals and reference values in tests:
 *
 * - `normalLogPdf`, `normalPdf`: log N(x | mu, sigma²) = -½((x - mu)/sigma)² - log sigma - ½ log 2π.
 * - `normalCdf`: Φ(x) = ½ erfc(-x/√2), with Numerical Recipes' Chebyshev fit of erfc (fractional
 *   error < 1.2e-7).
 * - `normalQuantile`: Φ⁻¹(p), P. J. Acklam's rational approximation (relative error < 1.2e-9).
 */

/** log 2π: the per-dimension constant of a Gaussian log-density (the one definition in the library). */
export const LOG_2PI = Math.log(2 * Math.PI);
/** ½ log 2π. */
export const HALF_LOG_2PI = 0.5 * LOG_2PI;

/** log N(x | mu, sigma²). */
export function normalLogPdf(x: number, mu = 0, sigma = 1): number {
  if (!(sigma > 0)) throw new Error(`normalLogPdf: sigma must be > 0, got ${sigma}`);
  const z = (x - mu) / sigma;
  return -0.5 * z * z - Math.log(sigma) - HALF_LOG_2PI;
}

/** N(x | mu, sigma²). */
export function normalPdf(x: number, mu = 0, sigma = 1): number {
  return Math.exp(normalLogPdf(x, mu, sigma));
}

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
  // Tails: a rational function of q = sqrt(-2 log p), odd symmetry for the upper tail.
  const tail = (q: number): number =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < lo) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - lo) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
