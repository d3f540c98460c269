/**
 * Two concentric circles, following sklearn's `make_circles`: n//2 points evenly spaced on the unit circle
 * (angles 2*pi*k/m, endpoint excluded; label 0) and n - n//2 on the circle of radius `factor` (label 1);
 * optionally shuffled; then Gaussian noise of std `noise` on both coordinates.
 */
import { ToyData, ToyOptions, shufflePoints, toyResult, toyStart } from './common';

export interface CirclesOptions extends ToyOptions {
  /** Radius of the inner circle relative to the outer (unit) one, in (0, 1). @default 0.8 (sklearn's) */
  factor?: number;
  /** Std of the Gaussian noise added to each coordinate. sklearn's default is none; a density needs some. @default 0.05 */
  noise?: number;
  /** Shuffle the points (sklearn's default); otherwise the outer circle comes first. @default true */
  shuffle?: boolean;
}

/** Concentric circles: `x` `[n, 2]`, `labels` `[n]` (0 = outer circle, 1 = inner circle). */
export function makeCircles(n: number, options: CirclesOptions): ToyData {
  const noise = options.noise ?? 0.05;
  const factor = options.factor ?? 0.8;
  if (!(factor > 0 && factor < 1)) throw new Error(`makeCircles: factor must be in (0, 1), got ${factor}`);
  const rng = toyStart('makeCircles', n, noise, options);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xy = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let k = 0; k < nOut; k++) {
    const s = (2 * Math.PI * k) / nOut;
    xy[2 * k] = Math.cos(s);
    xy[2 * k + 1] = Math.sin(s);
  }
  for (let k = 0; k < nIn; k++) {
    const s = (2 * Math.PI * k) / nIn;
    const i = nOut + k;
    xy[2 * i] = factor * Math.cos(s);
    xy[2 * i + 1] = factor * Math.sin(s);
    labels[i] = 1;
  }
  if (options.shuffle ?? true) shufflePoints(xy, labels, rng);
  for (let i = 0; i < 2 * n; i++) xy[i] += noise * rng.normal();
  return toyResult(xy, labels, options);
}
