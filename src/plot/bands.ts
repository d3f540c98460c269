/**
 * A mean curve with uncertainty bands, mean ± k·std: predictive uncertainty of a Bayesian regressor,
 * possibly split into two bands (e.g. aleatoric inside total). Each band is one closed polygon
 * (upper edge left to right, lower edge back), so it is a single legend entry.
 */
import { paletteColor, withAlpha } from './colors';
import { argsort, checkLengths, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/** One band: mean ± k·std. */
export interface Band {
  /** Standard deviation at each x. */
  std: VectorInput;
  /** Half-width in standard deviations. @default the plot's `k` */
  k?: number;
  /** Legend name. @default '±k std' */
  name?: string;
  /** Fill colour (any CSS colour). @default palette colour i, translucent */
  color?: string;
}

/** Options for {@link bandPlot}. */
export interface BandPlotOptions extends CommonOptions {
  /** A single band's standard deviation (shorthand for `bands: [{ std }]`). */
  std?: VectorInput;
  /** Bands, e.g. `[{ std: total, name: 'total' }, { std: aleatoric, name: 'aleatoric' }]`. */
  bands?: readonly Band[];
  /** Default half-width in standard deviations. @default 2 */
  k?: number;
  /** Legend name of the mean. @default 'mean' */
  name?: string;
  /** Observations drawn as points (e.g. the training data). @default none */
  points?: { x: VectorInput; y: VectorInput; name?: string };
  /** Extra curves (e.g. the true function), drawn dashed. @default none */
  lines?: ReadonlyArray<{ x?: VectorInput; y: VectorInput; name: string }>;
}

/** A mean curve over x with its uncertainty bands (x need not be sorted). */
export function bandPlot(x: VectorInput, mean: VectorInput, opts: BandPlotOptions = {}): Figure {
  const xs = toVector(x, 'bandPlot: x');
  const mu = toVector(mean, 'bandPlot: mean');
  checkLengths(xs.length, { mean: mu }, 'bandPlot');
  const order = argsort(xs);
  const sx = order.map((i) => xs[i] as number);
  const smu = order.map((i) => mu[i] as number);
  const bandsIn: Band[] = [...(opts.std !== undefined ? [{ std: opts.std }] : []), ...(opts.bands ?? [])];
  const kDefault = opts.k ?? 2;
  const bands = bandsIn.map((b, i) => {
    const s = toVector(b.std, `bandPlot: band ${b.name ?? i} std`);
    checkLengths(xs.length, { std: s }, 'bandPlot');
    const k = b.k ?? kDefault;
    const half = order.map((j) => k * (s[j] as number));
    const meanHalf = half.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0) / Math.max(1, half.length);
    return { i, k, half, meanHalf, name: b.name ?? `±${k} std`, color: b.color ?? withAlpha(paletteColor(i), i === 0 ? 0.2 : 0.35) };
  });
  // Widest first, so that narrower bands stay visible on top.
  bands.sort((a, b) => b.meanHalf - a.meanHalf);
  const data: Trace[] = bands.map((b): Trace => ({
    type: 'scatter', mode: 'lines', name: b.name,
    x: [...sx, ...[...sx].reverse()],
    y: [...smu.map((m, j) => m + (b.half[j] as number)), ...smu.map((m, j) => m - (b.half[j] as number)).reverse()],
    fill: 'toself', fillcolor: b.color, line: { width: 0 }, hoverinfo: 'skip',
  }));
  data.push({ type: 'scatter', mode: 'lines', name: opts.name ?? 'mean', x: sx, y: smu, line: { color: paletteColor(0), width: 2 } });
  (opts.lines ?? []).forEach((l, i) => {
    const ly = toVector(l.y, `bandPlot: ${l.name} y`);
    const lx = l.x !== undefined ? toVector(l.x, `bandPlot: ${l.name} x`) : xs;
    checkLengths(lx.length, { [`${l.name} y`]: ly }, 'bandPlot');
    const o = argsort(lx);
    data.push({
      type: 'scatter', mode: 'lines', name: l.name, x: o.map((j) => lx[j]), y: o.map((j) => ly[j]),
      line: { color: paletteColor(2 + i), width: 1.5, dash: 'dash' },
    });
  });
  if (opts.points) {
    const px = toVector(opts.points.x, 'bandPlot: points x');
    const py = toVector(opts.points.y, 'bandPlot: points y');
    checkLengths(px.length, { 'points y': py }, 'bandPlot');
    data.push({
      type: 'scatter', mode: 'markers', name: opts.points.name ?? 'data', x: px, y: py,
      marker: { color: 'rgba(0,0,0,0.7)', size: 4 },
    });
  }
  return { data, layout: { ...baseLayout(opts, { xTitle: 'x', yTitle: 'y' }), showlegend: true } };
}
