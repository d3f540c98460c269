/**
 * Uniform density on the dark squares of a checkerboard (as in FFJORD's toy data: a 4 x 4 board on
 * [-4, 4]^2 of which 8 squares are filled). Cell (i, j), counted from the lower-left corner, is filled
 * when i + j is even; each point picks a filled cell uniformly, then a uniform position inside it.
 */
import { ToyData, ToyOptions, toyResult, toyStart } from './common';

export interface CheckerboardOptions extends ToyOptions {
  /** Squares per side (even or odd). @default 4 */
  squares?: number;
  /** Side length of the whole board, centred on the origin. @default 8 */
  size?: number;
  /** Std of Gaussian jitter added to each coordinate (0 keeps the edges sharp). @default 0 */
  noise?: number;
}

/** Checkerboard: `x` `[n, 2]`, `labels` `[n]` = index of the filled cell, i * squares + j. */
export function makeCheckerboard(n: number, options: CheckerboardOptions): ToyData {
  const noise = options.noise ?? 0;
  const m = options.squares ?? 4;
  const size = options.size ?? 8;
  if (!Number.isInteger(m) || m < 2) throw new Error(`makeCheckerboard: squares must be an integer >= 2, got ${m}`);
  if (!(size > 0)) throw new Error(`makeCheckerboard: size must be > 0, got ${size}`);
  const rng = toyStart('makeCheckerboard', n, noise, options);
  const filled: Array<[number, number]> = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if ((i + j) % 2 === 0) filled.push([i, j]);
  const cell = size / m;
  const xy = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const [i, j] = filled[rng.int(filled.length)]!;
    labels[p] = i * m + j;
    xy[2 * p] = -size / 2 + (i + rng.random()) * cell + noise * rng.normal();
    xy[2 * p + 1] = -size / 2 + (j + rng.random()) * cell + noise * rng.normal();
  }
  return toyResult(xy, labels, options);
}
