/**
 * The learned noise predictor as a vector field on a 2-D grid, for plots. Since
 * g_t(z) ≈ E[eps | z_t = z] and Tweedie's formula gives grad log q(z_t) = -E[eps | z_t] / sqrt(1 - alpha_t),
 * the arrows -g_t(z) point towards where the noisy data z_t is denser: the direction a reverse step moves.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoisePredictor } from './network';
import type { NoiseSchedule } from './schedule';

export interface GridOptions {
  /** [lo, hi] of the first coordinate. @default [-1.5, 1.5] */
  xRange?: [number, number];
  /** [lo, hi] of the second coordinate. @default [-1.5, 1.5] */
  yRange?: [number, number];
  /** Grid points per axis. @default 20 */
  n?: number;
}

export interface VectorField {
  /** Grid coordinates, one entry per arrow. */
  x: number[];
  y: number[];
  /** -g_t(z): the predicted noise, reversed. */
  u: number[];
  v: number[];
  /** The estimated score grad log q(z_t) = -g_t(z) / sqrt(1 - alpha_t), components. */
  scoreU: number[];
  scoreV: number[];
}

/** Evaluate -g_t on an n x n grid (2-D models only). */
export function noiseField(model: NoisePredictor, schedule: NoiseSchedule, t: number, options: GridOptions = {}): VectorField {
  const [x0, x1] = options.xRange ?? [-1.5, 1.5];
  const [y0, y1] = options.yRange ?? [-1.5, 1.5];
  const n = options.n ?? 20;
  if (!Number.isInteger(n) || n < 2) throw new Error(`noiseField: n must be an integer >= 2, got ${n}`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      xs.push(x0 + ((x1 - x0) * j) / (n - 1));
      ys.push(y0 + ((y1 - y0) * i) / (n - 1));
    }
  }
  const eps = tf.tidy(() => model.predict(tf.stack([tf.tensor1d(xs), tf.tensor1d(ys)], 1), t).dataSync());
  const scale = 1 / Math.sqrt(1 - schedule.alpha[t]!);
  const u = xs.map((_, k) => -eps[2 * k]!);
  const v = xs.map((_, k) => -eps[2 * k + 1]!);
  return { x: xs, y: ys, u, v, scoreU: u.map((a) => a * scale), scoreV: v.map((a) => a * scale) };
}
