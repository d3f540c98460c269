/**
 * A 2-D density on a regular grid: for heatmaps of a learned p_x, and for checking that a flow's
 * density integrates to 1 (midpoint rule: Σ p(cell centre) · cell area ≈ ∫ p_x(x) dx over the box).
 */
import * as tf from '@tensorflow/tfjs';
import type { LogDensity } from './targets';

export interface GridOptions {
  /** [lo, hi] of the first feature. @default [-4, 4] */
  xRange?: [number, number];
  /** [lo, hi] of the second feature. @default [-4, 4] */
  yRange?: [number, number];
  /** Cells per axis (a number for both, or [nx, ny]). @default 100 */
  steps?: number | [number, number];
  /** Points evaluated per tensor call. @default 8192 */
  chunk?: number;
}

export interface DensityGrid {
  /** Cell centres along the first feature (heatmap columns). */
  xs: number[];
  /** Cell centres along the second feature (heatmap rows). */
  ys: number[];
  /** log p at each cell centre, `logDensity[row = y index][col = x index]`. */
  logDensity: number[][];
  /** p = exp(log p), same layout (what plotly's heatmap `z` wants). */
  density: number[][];
  /** [first, last] cell centre along x: the `xRange` to give a heatmap of `density` (plot.densityPlot). */
  xSpan: [number, number];
  /** [first, last] cell centre along y. */
  ySpan: [number, number];
  /** Area of one cell. */
  cellArea: number;
  /** Σ p · cell area: the probability mass inside the box (≈ 1 when the box holds the distribution). */
  mass: number;
}

/** Evaluate `logDensity` (e.g. `(x) => flow.logProbRaw(x)`) at the centres of a grid of cells. */
export function densityGrid(logDensity: LogDensity, options: GridOptions = {}): DensityGrid {
  const [x0, x1] = options.xRange ?? [-4, 4];
  const [y0, y1] = options.yRange ?? [-4, 4];
  const steps = options.steps ?? 100;
  const [nx, ny] = typeof steps === 'number' ? [steps, steps] : steps;
  if (!(x1 > x0) || !(y1 > y0)) throw new Error(`densityGrid: ranges must have lo < hi, got x [${x0}, ${x1}], y [${y0}, ${y1}]`);
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) throw new Error(`densityGrid: steps must be positive integers, got ${String(steps)}`);
  const dx = (x1 - x0) / nx;
  const dy = (y1 - y0) / ny;
  const xs = Array.from({ length: nx }, (_, i) => x0 + (i + 0.5) * dx);
  const ys = Array.from({ length: ny }, (_, j) => y0 + (j + 0.5) * dy);
  const total = nx * ny;
  const pts = new Float32Array(2 * total);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      pts[2 * (j * nx + i)] = xs[i]!;
      pts[2 * (j * nx + i) + 1] = ys[j]!;
    }
  }
  const chunk = options.chunk ?? 8192;
  const logs = new Float32Array(total);
  for (let lo = 0; lo < total; lo += chunk) {
    const size = Math.min(chunk, total - lo);
    const vals = tf.tidy(() => logDensity(tf.tensor2d(pts.subarray(2 * lo, 2 * (lo + size)), [size, 2])).dataSync());
    logs.set(vals, lo);
  }
  const logDensityRows: number[][] = [];
  const densityRows: number[][] = [];
  let mass = 0;
  for (let j = 0; j < ny; j++) {
    const lr: number[] = [];
    const dr: number[] = [];
    for (let i = 0; i < nx; i++) {
      const l = logs[j * nx + i]!;
      lr.push(l);
      const p = Math.exp(l);
      dr.push(p);
      mass += p;
    }
    logDensityRows.push(lr);
    densityRows.push(dr);
  }
  const cellArea = dx * dy;
  return {
    xs,
    ys,
    logDensity: logDensityRows,
    density: densityRows,
    xSpan: [xs[0]!, xs[nx - 1]!],
    ySpan: [ys[0]!, ys[ny - 1]!],
    cellArea,
    mass: mass * cellArea,
  };
}

export interface DensityLine {
  /** Cell centres. */
  xs: number[];
  /** log p at each centre. */
  logDensity: number[];
  /** p at each centre. */
  density: number[];
  /** Cell width. */
  width: number;
  /** Σ p · width ≈ ∫ p dx over the interval. */
  mass: number;
}

/** The 1-D version of {@link densityGrid}: a density of `[n, 1]` points at `steps` cell centres of [lo, hi]. */
export function densityLine(logDensity: LogDensity, range: [number, number], steps = 400): DensityLine {
  const [lo, hi] = range;
  if (!(hi > lo)) throw new Error(`densityLine: range must have lo < hi, got [${lo}, ${hi}]`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`densityLine: steps must be a positive integer, got ${steps}`);
  const width = (hi - lo) / steps;
  const xs = Array.from({ length: steps }, (_, i) => lo + (i + 0.5) * width);
  const logs = Array.from(tf.tidy(() => logDensity(tf.tensor2d(xs, [steps, 1])).dataSync()));
  const density = logs.map(Math.exp);
  return { xs, logDensity: logs, density, width, mass: density.reduce((s, p) => s + p, 0) * width };
}
