/**
 * A regular 2-D grid of evaluation points, for densities and vector fields.
 *
 * Models are evaluated in batches (one tensor of all grid points), not point by point, so the grid
 * hands out its points as one flat array ready for `tf.tensor2d(grid.points, grid.shape)`; the values
 * come back in the same order and go to `densityPlot` or `quiver`.
 */
import { linspace } from './data';

/** A regular grid over [x0, x1] x [y0, y1]. */
export interface Grid {
  /** The nx x-coordinates, ascending. */
  x: number[];
  /** The ny y-coordinates, ascending. */
  y: number[];
  /** All points (x, y) as a flat array, row-major with y outer: point k = (x[k % nx], y[floor(k / nx)]). */
  points: Float32Array;
  /** `[nx * ny, 2]`, the shape of `points` as a matrix. */
  shape: [number, 2];
}

/**
 * The grid of nx by ny points spanning the two ranges (ends included).
 * @param ny number of y values. @default nx
 */
export function gridPoints(xRange: [number, number], yRange: [number, number], nx: number, ny: number = nx): Grid {
  if (!(nx >= 2 && ny >= 2)) throw new Error(`gridPoints: need at least 2 points per axis, got ${nx} x ${ny}`);
  const x = linspace(xRange[0], xRange[1], nx);
  const y = linspace(yRange[0], yRange[1], ny);
  const points = new Float32Array(nx * ny * 2);
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const k = i * nx + j;
      points[2 * k] = x[j] as number;
      points[2 * k + 1] = y[i] as number;
    }
  }
  return { x, y, points, shape: [nx * ny, 2] };
}
