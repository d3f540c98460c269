/**
 * Histograms, optionally with density curves on top (a formula against samples from it).
 *
 * Binned here, not by plotly: the figure then carries `bins` numbers instead of every sample (a
 * 100 000-sample histogram would otherwise put a megabyte into the notebook), and the counts are
 * testable.
 */
import { paletteColor, withAlpha } from './colors';
import { finiteExtent, isNamedVectors, linspace, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/** One sample set, or several named ones to overlay. */
export type SamplesInput = VectorInput | Readonly<Record<string, VectorInput>>;

/** A curve drawn over the histogram: a function of x, or given points. */
export interface Curve {
  /** Legend name. */
  name: string;
  /** The curve as a function (e.g. a density formula), evaluated across the histogram's range. */
  fn?: (x: number) => number;
  /** Or its points. */
  x?: VectorInput;
  y?: VectorInput;
  /** Evaluation points for `fn`. @default 200 */
  points?: number;
}

/** Options for {@link histogram}. */
export interface HistogramOptions extends CommonOptions {
  /** Number of equal-width bins. @default 50 */
  bins?: number;
  /** Binned interval; samples outside it are left out. @default min..max over all sample sets */
  range?: [number, number];
  /** Normalise to a density (area 1, comparable with a pdf) rather than counts. @default true */
  density?: boolean;
  /** Curves drawn on top. @default none */
  curves?: readonly Curve[];
  /** Bar opacity. @default 0.8 for one set, 0.5 when overlaid */
  opacity?: number;
  /** Legend name of a single sample set. @default 'samples' */
  name?: string;
}

/** Equal-width binning like numpy.histogram: the last bin includes its right edge; NaN is skipped. */
export function binCounts(values: readonly number[], bins: number, range: [number, number]): { edges: number[]; counts: number[] } {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  let [lo, hi] = range;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = linspace(lo, hi, bins + 1);
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    const k = Math.min(bins - 1, Math.floor((v - lo) * scale));
    counts[k] = (counts[k] as number) + 1;
  }
  return { edges, counts };
}


/** A histogram of one or several sample sets, with optional curves. */
export function histogram(samples: SamplesInput, opts: HistogramOptions = {}): Figure {
  const named: Array<[string, number[]]> = isNamedVectors(samples)
    ? Object.entries(samples).map(([name, v]) => [name, toVector(v, `histogram: ${name}`)])
    : [[opts.name ?? 'samples', toVector(samples, 'histogram')]];
  const range = opts.range ?? finiteExtent(named.flatMap(([, v]) => v));
  if (Number.isNaN(range[0])) throw new Error('histogram: no finite samples');
  const bins = opts.bins ?? 50;
  const density = opts.density ?? true;
  const opacity = opts.opacity ?? (named.length > 1 ? 0.5 : 0.8);
  const data: Trace[] = named.map(([name, values], k) => {
    const { edges, counts } = binCounts(values, bins, range);
    const width = (edges[1] as number) - (edges[0] as number);
    const total = counts.reduce((a, b) => a + b, 0);
    const y = density ? counts.map((c) => (total > 0 ? c / (total * width) : 0)) : counts;
    return {
      type: 'bar', name, x: counts.map((_, i) => ((edges[i] as number) + (edges[i + 1] as number)) / 2), y,
      width, marker: { color: withAlpha(paletteColor(k), opacity), line: { width: 0 } },
    };
  });
  (opts.curves ?? []).forEach((c, i) => {
    let x: number[];
    let y: number[];
    if (c.fn) {
      const f = c.fn;
      x = linspace(range[0], range[1], c.points ?? 200);
      y = x.map((v) => f(v));
    } else if (c.x !== undefined && c.y !== undefined) {
      x = toVector(c.x, `histogram: curve ${c.name} x`);
      y = toVector(c.y, `histogram: curve ${c.name} y`);
      if (x.length !== y.length) throw new Error(`histogram: curve ${c.name} has ${x.length} x and ${y.length} y values`);
    } else {
      throw new Error(`histogram: curve ${c.name} needs fn, or x and y`);
    }
    data.push({ type: 'scatter', mode: 'lines', name: c.name, x, y, line: { color: paletteColor(named.length + i), width: 2 } });
  });
  const layout = baseLayout(opts, { xTitle: 'x', yTitle: density ? 'density' : 'count' });
  return { data, layout: { ...layout, barmode: 'overlay', bargap: 0, showlegend: data.length > 1 } };
}

