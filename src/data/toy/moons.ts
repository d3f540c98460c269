/**
 * Two interleaving half circles, following sklearn's `make_moons`: n//2 points evenly spaced on the upper
 * arc (cos s, sin s), s in [0, pi] (label 0), the other n - n//2 on the lower arc (1 - cos s, 0.5 - sin s)
 * (label 1); optionally shuffled; then Gaussian noise of std `noise` on both coordinates.
 */
import { ToyData, ToyOptions, shufflePoints, toyResult, toyStart } from './common';

export interface MoonsOptions extends ToyOptions {
  /** Std of the Gaussian noise added to each coordinate. sklearn's default is none; a density needs some. @default 0.05 */
  noise?: number;
  /** Shuffle the points (sklearn's default); otherwise moon 0 comes first. @default true */
  shuffle?: boolean;
}

/** linspace(a, b, m) with both ends, as numpy. */
export function linspace(a: number, b: number, m: number): number[] {
  if (m === 1) return [a];
  return Array.from({ length: m }, (_, i) => a + ((b - a) * i) / (m - 1));
}

/** Two moons: `x` `[n, 2]`, `labels` `[n]` (0 = upper moon, 1 = lower moon). */
export function makeMoons(n: number, options: MoonsOptions): ToyData {
  const noise = options.noise ?? 0.05;
  const rng = toyStart('makeMoons', n, noise, options);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xy = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  linspace(0, Math.PI, nOut).forEach((s, i) => {
    xy[2 * i] = Math.cos(s);
    xy[2 * i + 1] = Math.sin(s);
  });
  linspace(0, Math.PI, nIn).forEach((s, k) => {
    const i = nOut + k;
    xy[2 * i] = 1 - Math.cos(s);
    xy[2 * i + 1] = 1 - Math.sin(s) - 0.5;
    labels[i] = 1;
  });
  if (options.shuffle ?? true) shufflePoints(xy, labels, rng);
  for (let i = 0; i < 2 * n; i++) xy[i] += noise * rng.normal();
  return toyResult(xy, labels, options);
}
