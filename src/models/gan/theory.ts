/**
 * The GAN game where both densities are known, computed by numerical integration (Goodfellow et al. 2014,
 * Sec. 4): 1-D densities such as two Gaussians, so the theory can be checked number by number.
 *
 * - For a fixed generator, v(G, D) = integral p_data log d + p_g log(1 - d) dx is maximised pointwise by
 *     d*(x) = p_data(x) / (p_data(x) + p_g(x))                                   (Proposition 1)
 * - and its value there is
 *     v(G, d*) = -log 4 + KL(p_data || m) + KL(p_g || m) = -log 4 + 2 JSD(p_data || p_g),  m = (p_data + p_g)/2
 *   (Theorem 1), so the generator's best reply minimises the Jensen-Shannon divergence, and the game's
 *   value is -log 4 exactly when p_g = p_data.
 *
 * `gameValue` and `jsDivergence` integrate independently (the first through d, the second through m), so
 * the identity between them is a check, not a restatement. The integrals use the composite Simpson rule
 * on a grid wide enough to hold both densities (12 standard deviations beyond the outer means).
 */
import { normalLogPdf } from '../../math';

/** A 1-D density known in closed form. */
export interface Density1d {
  /** log p(x). */
  logPdf(x: number): number;
  /** An interval holding all but a negligible part of the mass (for the integration grid). */
  support: [number, number];
}

/** N(mu, sigma^2) as a `Density1d` (support mu +- 12 sigma: the mass outside is below 1e-32). */
export function gaussian1d(mu: number, sigma: number): Density1d & { mu: number; sigma: number } {
  if (!Number.isFinite(mu)) throw new Error(`gaussian1d: mu must be finite, got ${mu}`);
  if (!(sigma > 0)) throw new Error(`gaussian1d: sigma must be > 0, got ${sigma}`);
  return { mu, sigma, logPdf: (x) => normalLogPdf(x, mu, sigma), support: [mu - 12 * sigma, mu + 12 * sigma] };
}

export interface IntegrationOptions {
  /** Integration interval. @default the union of both densities' supports */
  range?: [number, number];
  /** Simpson intervals (made even). @default 20000 */
  intervals?: number;
}

/** log(e^a + e^b) without overflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** d*(x) = p_data / (p_data + p_g), computed from log densities (stable where both are tiny). */
export function optimalDiscriminator(data: Density1d, model: Density1d, x: number): number {
  const a = data.logPdf(x);
  const b = model.logPdf(x);
  return Math.exp(a - logAddExp(a, b));
}

/** Composite Simpson rule for f on [lo, hi] with an even number of intervals. */
export function simpson(f: (x: number) => number, lo: number, hi: number, intervals = 20000): number {
  if (!(hi > lo)) throw new Error(`simpson: need lo < hi, got [${lo}, ${hi}]`);
  const n = 2 * Math.ceil(Math.max(2, intervals) / 2);
  const h = (hi - lo) / n;
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

function rangeOf(data: Density1d, model: Density1d, options: IntegrationOptions): [number, number] {
  return options.range ?? [Math.min(data.support[0], model.support[0]), Math.max(data.support[1], model.support[1])];
}

/** p log q with the convention 0 log 0 = 0 (p = exp(logP)); log q may be -Infinity only where p = 0. */
function plogq(logP: number, logQ: number): number {
  const p = Math.exp(logP);
  return p === 0 ? 0 : p * logQ;
}

/**
 * v(G, d) = integral p_data log d + p_g log(1 - d) dx for a discriminator function d(x) in (0, 1).
 * With d = d* this is the game's value for the generator p_g.
 */
export function gameValue(data: Density1d, model: Density1d, d: (x: number) => number, options: IntegrationOptions = {}): number {
  const [lo, hi] = rangeOf(data, model, options);
  return simpson((x) => {
    const dx = d(x);
    return plogq(data.logPdf(x), Math.log(dx)) + plogq(model.logPdf(x), Math.log1p(-dx));
  }, lo, hi, options.intervals);
}

/** v(G, d*): the value of the game at the optimal discriminator, integrated through d*. */
export function optimalGameValue(data: Density1d, model: Density1d, options: IntegrationOptions = {}): number {
  const [lo, hi] = rangeOf(data, model, options);
  return simpson((x) => {
    const a = data.logPdf(x);
    const b = model.logPdf(x);
    const z = logAddExp(a, b);
    // log d* = a - z, log(1 - d*) = b - z.
    return plogq(a, a - z) + plogq(b, b - z);
  }, lo, hi, options.intervals);
}

/** JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, in nats (between 0 and log 2). */
export function jsDivergence(p: Density1d, q: Density1d, options: IntegrationOptions = {}): number {
  const [lo, hi] = rangeOf(p, q, options);
  return simpson((x) => {
    const a = p.logPdf(x);
    const b = q.logPdf(x);
    const logM = logAddExp(a, b) - Math.LN2;
    return 0.5 * (plogq(a, a - logM) + plogq(b, b - logM));
  }, lo, hi, options.intervals);
}
