/**
 * A ring of Gaussians (the "8 Gaussians" of the normalising-flow literature): component k has mean
 * radius * (cos(2 pi k / K), sin(2 pi k / K)) and isotropic std `noise`; each point picks its component
 * uniformly at random, so this is an exact sample of the equal-weight mixture.
 */
import { ToyData, ToyOptions, toyResult, toyStart } from './common';

export interface GaussianRingOptions extends ToyOptions {
  /** Number of Gaussians K. @default 8 */
  components?: number;
  /** Distance of every component mean from the origin. @default 2 */
  radius?: number;
  /** Std of each component, per coordinate. @default 0.1 */
  noise?: number;
}

/** Ring of Gaussians: `x` `[n, 2]`, `labels` `[n]` = component index 0..K-1 (component 0 on the +x axis). */
export function makeGaussianRing(n: number, options: GaussianRingOptions): ToyData {
  const noise = options.noise ?? 0.1;
  const K = options.components ?? 8;
  const radius = options.radius ?? 2;
  if (!Number.isInteger(K) || K < 1) throw new Error(`makeGaussianRing: components must be a positive integer, got ${K}`);
  if (!(radius >= 0)) throw new Error(`makeGaussianRing: radius must be >= 0, got ${radius}`);
  const rng = toyStart('makeGaussianRing', n, noise, options);
  const xy = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(K);
    const a = (2 * Math.PI * k) / K;
    labels[i] = k;
    xy[2 * i] = radius * Math.cos(a) + noise * rng.normal();
    xy[2 * i + 1] = radius * Math.sin(a) + noise * rng.normal();
  }
  return toyResult(xy, labels, options);
}
