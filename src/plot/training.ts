/**
 * Training curves from a history: one series per metric over epochs, `val_<name>` drawn dashed in the
 * colour of `<name>` so train and validation pair up at a glance.
 */
import { paletteColor } from './colors';
import { DataFrameLike, frameRows, isDataFrameLike, range, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';
import { smallMultiples } from './subplots';

/** A history: named series of equal length (`{ epoch, loss, val_loss, ... }`), or a DataFrame of them. */
export type HistoryInput = Readonly<Record<string, VectorInput | undefined>> | DataFrameLike;

/** Options for {@link trainingCurves}. */
export interface TrainingCurvesOptions extends CommonOptions {
  /** Metrics to draw (base names; each brings its `val_` twin). @default every series but x and bookkeeping ones */
  metrics?: readonly string[];
  /** The x series. @default 'epoch' (1, 2, ... when the history has none) */
  x?: string;
  /** Log-scale y axis (losses spanning decades). @default false */
  logY?: boolean;
  /** One panel per metric instead of all in one (losses and accuracies differ in scale). @default false */
  perMetric?: boolean;
}

/** Series that are not curves to compare. */
const BOOKKEEPING = new Set(['epoch', 'step', 'lr', 'seconds', 'time']);
const VAL_PREFIX = 'val_';

function historyColumns(h: HistoryInput): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (isDataFrameLike(h)) {
    h.columns.forEach((name, j) => out.set(name, frameRows(h).map((row) => {
      const v = row[j];
      return typeof v === 'number' ? v : NaN;
    })));
    return out;
  }
  for (const [name, v] of Object.entries(h)) {
    if (v !== undefined) out.set(name, toVector(v, `trainingCurves: ${name}`));
  }
  return out;
}

/**
 * Curves of a training history. Missing values (NaN, e.g. validation every few epochs) are bridged.
 */
export function trainingCurves(history: HistoryInput, opts: TrainingCurvesOptions = {}): Figure {
  const cols = historyColumns(history);
  const xName = opts.x ?? 'epoch';
  const lengths = [...cols.values()].map((v) => v.length);
  const n = Math.max(0, ...lengths);
  const x = cols.get(xName) ?? range(n, 1);
  const bases: string[] = [];
  if (opts.metrics) {
    bases.push(...opts.metrics);
  } else {
    for (const name of cols.keys()) {
      if (name === xName || BOOKKEEPING.has(name)) continue;
      const base = name.startsWith(VAL_PREFIX) ? name.slice(VAL_PREFIX.length) : name;
      if (!bases.includes(base)) bases.push(base);
    }
  }
  const tracesOf = (base: string, color: string): Trace[] => {
    const traces: Trace[] = [];
    for (const [name, dash] of [[base, 'solid'], [VAL_PREFIX + base, 'dash']] as const) {
      const y = cols.get(name);
      if (y === undefined) continue;
      if (y.length !== x.length) {
        throw new Error(`trainingCurves: ${name} has ${y.length} values, ${xName} has ${x.length}`);
      }
      traces.push({
        type: 'scatter', mode: y.length > 1 ? 'lines' : 'markers', name, x: [...x], y,
        line: { color, dash }, marker: { color }, connectgaps: true, legendgroup: base,
      });
    }
    if (traces.length === 0) throw new Error(`trainingCurves: the history has no series '${base}' or '${VAL_PREFIX}${base}'`);
    return traces;
  };
  const yaxisType = opts.logY ? { type: 'log' as const } : {};
  // A few integer epochs: tick every epoch rather than at 1.5, 2.5, ...
  const xTicks = x.length <= 20 && x.every(Number.isInteger) ? { dtick: 1 } : {};

  if (opts.perMetric && bases.length > 1) {
    const panels = bases.map((base, i) => {
      const layout = baseLayout({ xTitle: opts.xTitle, yTitle: base }, { xTitle: xName, yTitle: base });
      layout.xaxis = { ...layout.xaxis, ...xTicks };
      layout.yaxis = { ...layout.yaxis, ...yaxisType };
      return { data: tracesOf(base, paletteColor(i)), layout };
    });
    const fig = smallMultiples(panels, { cols: Math.min(bases.length, 3), title: opts.title ?? 'training curves' });
    if (opts.height !== undefined) fig.layout.height = opts.height;
    if (opts.width !== undefined) fig.layout.width = opts.width;
    return fig;
  }
  const data = bases.flatMap((base, i) => tracesOf(base, paletteColor(i)));
  const layout = baseLayout(opts, {
    xTitle: xName, yTitle: bases.length === 1 ? (bases[0] as string) : 'value', title: 'training curves',
  });
  layout.xaxis = { ...layout.xaxis, ...xTicks };
  layout.yaxis = { ...layout.yaxis, ...yaxisType };
  return { data, layout };
}
