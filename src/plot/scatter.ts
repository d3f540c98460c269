/**
 * 2-D scatter plots: points coloured by class (one trace per class, so the legend names them) or by a
 * continuous value (one trace with a colour bar); or several named point sets overlaid (data vs samples).
 */
import { paletteColor } from './colors';
import { column, isDataFrameLike, isTensor, MatrixInput, toLabels, toMatrix, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/** Points as an [n, 2] matrix (tensor, rows, DataFrame) or as two vectors. */
export type PointsInput = MatrixInput | { x: VectorInput; y: VectorInput };

/** Options for {@link scatter2d}. */
export interface ScatterOptions extends CommonOptions {
  /** One label or value per point. @default none: one colour */
  labels?: VectorInput | readonly (string | number)[];
  /**
   * 'category': one colour and legend entry per distinct label; 'continuous': a colour scale.
   * @default 'auto': category for strings or at most 20 distinct integers, else continuous
   */
  colorMode?: 'auto' | 'category' | 'continuous';
  /** Display names of class labels (by label value, or by index for labels 0..k-1). @default the labels */
  classNames?: readonly string[] | Readonly<Record<string, string>>;
  /** Which two DataFrame columns to plot. @default the first two */
  columns?: readonly [string, string];
  /** Marker size in pixels. @default 5 */
  markerSize?: number;
  /** Marker opacity. @default 0.8 */
  opacity?: number;
  /** plotly colour scale for continuous colours. @default 'Viridis' */
  colorscale?: string;
  /** Colour bar title for continuous colours. @default 'value' */
  colorTitle?: string;
  /** Same scale on both axes (shapes of 2-D densities stay true). @default false */
  equalAspect?: boolean;
  /** Trace name without labels. @default 'points' */
  name?: string;
}

export interface XY {
  x: number[];
  y: number[];
  names?: [string, string];
}

function isXYPair(p: PointsInput): p is { x: VectorInput; y: VectorInput } {
  return typeof p === 'object' && p !== null && !Array.isArray(p) && !isTensor(p) && !isDataFrameLike(p) &&
    'x' in p && 'y' in p;
}

export function readPoints(points: PointsInput, what: string, columns?: readonly [string, string]): XY {
  if (isXYPair(points)) {
    const x = toVector(points.x, `${what}: x`);
    const y = toVector(points.y, `${what}: y`);
    if (x.length !== y.length) throw new Error(`${what}: x has ${x.length} values, y has ${y.length}`);
    return { x, y };
  }
  const m = toMatrix(points, what);
  let [i, j] = [0, 1];
  if (columns && m.columns) {
    [i, j] = columns.map((c) => {
      const k = m.columns?.indexOf(c) ?? -1;
      if (k < 0) throw new Error(`${what}: no column '${c}' (have ${m.columns?.join(', ')})`);
      return k;
    }) as [number, number];
  } else if (m.cols < 2) {
    throw new Error(`${what}: expected points with 2 columns, got ${m.cols}`);
  }
  const out: XY = { x: column(m, i), y: column(m, j) };
  if (m.columns) out.names = [m.columns[i] as string, m.columns[j] as string];
  return out;
}

function isCategorical(labels: readonly (string | number)[], mode: ScatterOptions['colorMode']): boolean {
  if (mode === 'category') return true;
  if (mode === 'continuous') return false;
  if (labels.some((l) => typeof l === 'string')) return true;
  if (!labels.every((l) => Number.isInteger(l))) return false;
  return new Set(labels).size <= 20;
}

function className(label: string | number, names: ScatterOptions['classNames']): string {
  if (names === undefined) return String(label);
  if (Array.isArray(names)) return typeof label === 'number' ? (names[label] ?? String(label)) : String(label);
  return (names as Readonly<Record<string, string>>)[String(label)] ?? String(label);
}

function marker(opts: ScatterOptions, color: unknown): Record<string, unknown> {
  return { size: opts.markerSize ?? 5, opacity: opts.opacity ?? 0.8, color };
}

/** A 2-D scatter plot of points, optionally coloured by label. */
export function scatter2d(points: PointsInput, opts: ScatterOptions = {}): Figure {
  const p = readPoints(points, 'scatter2d', opts.columns);
  const layout = baseLayout(opts, { xTitle: p.names?.[0] ?? 'x1', yTitle: p.names?.[1] ?? 'x2' });
  if (opts.equalAspect) layout.yaxis = { ...layout.yaxis, scaleanchor: 'x', scaleratio: 1 };
  if (opts.labels === undefined) {
    return { data: [{ type: 'scatter', mode: 'markers', name: opts.name ?? 'points', x: p.x, y: p.y, marker: marker(opts, paletteColor(0)) }], layout };
  }
  const labels = toLabels(opts.labels);
  if (labels.length !== p.x.length) throw new Error(`scatter2d: ${labels.length} labels for ${p.x.length} points`);
  if (!isCategorical(labels, opts.colorMode)) {
    const values = labels.map(Number);
    const trace: Trace = {
      type: 'scatter', mode: 'markers', name: opts.name ?? 'points', x: p.x, y: p.y,
      marker: {
        ...marker(opts, values), colorscale: opts.colorscale ?? 'Viridis', showscale: true,
        colorbar: { title: { text: opts.colorTitle ?? 'value' } },
      },
    };
    return { data: [trace], layout };
  }
  const classes = [...new Set(labels)].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
  const data = classes.map((c, k): Trace => {
    const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
    return {
      type: 'scatter', mode: 'markers', name: className(c, opts.classNames),
      x: idx.map((i) => p.x[i]), y: idx.map((i) => p.y[i]), marker: marker(opts, paletteColor(k)),
    };
  });
  return { data, layout: { ...layout, showlegend: true } };
}

/** Several named point sets in one plot (e.g. `{ data, samples }`), one colour each. */
export function scatterSets(sets: Readonly<Record<string, PointsInput>>, opts: Omit<ScatterOptions, 'labels' | 'colorMode' | 'classNames' | 'name'> = {}): Figure {
  const entries = Object.entries(sets);
  if (entries.length === 0) throw new Error('scatterSets: no point sets');
  let names: [string, string] | undefined;
  const data = entries.map(([name, pts], k): Trace => {
    const p = readPoints(pts, `scatterSets: ${name}`, opts.columns);
    names ??= p.names;
    return { type: 'scatter', mode: 'markers', name, x: p.x, y: p.y, marker: marker(opts, paletteColor(k)) };
  });
  const layout = baseLayout(opts, { xTitle: names?.[0] ?? 'x1', yTitle: names?.[1] ?? 'x2' });
  if (opts.equalAspect) layout.yaxis = { ...layout.yaxis, scaleanchor: 'x', scaleratio: 1 };
  return { data, layout: { ...layout, showlegend: true } };
}
