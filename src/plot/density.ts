/**
 * A scalar field over a 2-D grid (a density, a log-likelihood, an energy) as a heatmap and/or contour
 * lines, optionally with points (data or samples) on top.
 */
import { isDataFrameLike, isTensor, linspace, MatrixInput, toMatrix, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';
import { PointsInput, readPoints } from './scatter';

/**
 * The field: a function of (x, y); or its values on the grid, either as a matrix [ny][nx] (row i is
 * y[i]) or flat in `gridPoints` order (y outer, x inner).
 */
export type FieldInput = ((x: number, y: number) => number) | MatrixInput | VectorInput;

/** Options for {@link densityPlot}. */
export interface DensityOptions extends CommonOptions {
  /** The x interval the grid spans. */
  xRange: [number, number];
  /** The y interval the grid spans. */
  yRange: [number, number];
  /** Grid points per axis when the field is a function. @default 100 */
  resolution?: number;
  /** Grid size for flat values. @default sqrt(length) each */
  nx?: number;
  /** @default nx */
  ny?: number;
  /** 'heatmap', 'contour' (filled contours), or 'both' (heatmap colouring with contour lines). @default 'heatmap' */
  kind?: 'heatmap' | 'contour' | 'both';
  /** Draw log(value) (non-positive values become gaps). @default false */
  logScale?: boolean;
  /** plotly colour scale. @default 'Viridis' */
  colorscale?: string;
  /** Colour bar title. @default 'density' (or 'log density') */
  colorTitle?: string;
  /** Points drawn over the field. @default none */
  points?: PointsInput;
  /** Legend name of the points. @default 'samples' */
  pointsName?: string;
  /** Same scale on both axes. @default true */
  equalAspect?: boolean;
}

function fieldValues(field: FieldInput, opts: DensityOptions): { nx: number; ny: number; z: number[][] } {
  if (typeof field === 'function') {
    const nx = opts.resolution ?? 100;
    const xs = linspace(opts.xRange[0], opts.xRange[1], nx);
    const ys = linspace(opts.yRange[0], opts.yRange[1], nx);
    return { nx, ny: nx, z: ys.map((y) => xs.map((x) => field(x, y))) };
  }
  const isMatrix = isTensor(field)
    ? field.shape.length === 2 && (field.shape[1] as number) > 1
    : isDataFrameLike(field) || (Array.isArray(field) && Array.isArray(field[0]));
  if (isMatrix) {
    const m = toMatrix(field as MatrixInput, 'densityPlot');
    const z = Array.from({ length: m.rows }, (_, i) => m.values.slice(i * m.cols, (i + 1) * m.cols));
    return { nx: m.cols, ny: m.rows, z };
  }
  const v = toVector(field as VectorInput, 'densityPlot');
  const nx = opts.nx ?? Math.round(Math.sqrt(v.length));
  const ny = opts.ny ?? (opts.nx !== undefined ? v.length / nx : nx);
  if (nx * ny !== v.length) {
    throw new Error(`densityPlot: ${v.length} values do not fill a ${nx} x ${ny} grid: give { nx, ny }`);
  }
  return { nx, ny, z: Array.from({ length: ny }, (_, i) => v.slice(i * nx, (i + 1) * nx)) };
}

/** A field over a grid as a heatmap and/or contours. */
export function densityPlot(field: FieldInput, opts: DensityOptions): Figure {
  const { nx, ny, z: raw } = fieldValues(field, opts);
  // 6 significant digits are plenty for colour and halve the figure's JSON (a 100x100 grid is 10 000 numbers).
  const z = raw.map((row) => row.map((v) => {
    const u = opts.logScale ? (v > 0 ? Math.log(v) : NaN) : v;
    return Number.isFinite(u) && u !== 0 ? Number(u.toPrecision(6)) : u;
  }));
  const x = linspace(opts.xRange[0], opts.xRange[1], nx);
  const y = linspace(opts.yRange[0], opts.yRange[1], ny);
  const kind = opts.kind ?? 'heatmap';
  const colorbar = { title: { text: opts.colorTitle ?? (opts.logScale ? 'log density' : 'density') } };
  const colorscale = opts.colorscale ?? 'Viridis';
  const data: Trace[] = [];
  if (kind === 'heatmap') {
    data.push({ type: 'heatmap', name: 'density', x, y, z, colorscale, colorbar });
  } else {
    // One contour trace; 'both' colours it like a heatmap under the lines (z is sent once, not twice).
    const contour: Trace = { type: 'contour', name: 'density', x, y, z, colorscale, colorbar };
    if (kind === 'both') {
      contour.contours = { coloring: 'heatmap' };
      contour.line = { color: 'rgba(255,255,255,0.7)', width: 1 };
    }
    data.push(contour);
  }
  if (opts.points !== undefined) {
    const p = readPoints(opts.points, 'densityPlot: points');
    data.push({
      type: 'scatter', mode: 'markers', name: opts.pointsName ?? 'samples', x: p.x, y: p.y,
      marker: { size: 3, color: '#d62728', opacity: 0.6 },
    });
  }
  const layout = baseLayout(opts, { xTitle: 'x1', yTitle: 'x2' });
  layout.xaxis = { ...layout.xaxis, range: [opts.xRange[0], opts.xRange[1]] };
  layout.yaxis = { ...layout.yaxis, range: [opts.yRange[0], opts.yRange[1]] };
  if (opts.equalAspect ?? true) layout.yaxis = { ...layout.yaxis, scaleanchor: 'x', scaleratio: 1 };
  return { data, layout };
}
