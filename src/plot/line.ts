/**
 * Plain line plots: one or several named curves over a shared (or own) x.
 */
import { paletteColor } from './colors';
import { isNamedVectors, range, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/** Options for {@link linePlot}. */
export interface LinePlotOptions extends CommonOptions {
  /** x values shared by all curves. @default 0, 1, 2, ... */
  x?: VectorInput;
  /** Log-scale y axis. @default false */
  logY?: boolean;
  /** Log-scale x axis. @default false */
  logX?: boolean;
  /** Draw markers on the points too. @default false */
  markers?: boolean;
  /** Legend name of a single curve. @default 'y' */
  name?: string;
}

/** One curve, or several by name (`{ 'beta_t': betas, 'alpha_bar_t': alphaBars }`). */
export function linePlot(y: VectorInput | Readonly<Record<string, VectorInput>>, opts: LinePlotOptions = {}): Figure {
  const named = isNamedVectors(y) ? Object.entries(y) : [[opts.name ?? 'y', y] as [string, VectorInput]];
  const sharedX = opts.x !== undefined ? toVector(opts.x, 'linePlot: x') : undefined;
  const data = named.map(([name, v], k): Trace => {
    const yy = toVector(v, `linePlot: ${name}`);
    const x = sharedX ?? range(yy.length);
    if (x.length !== yy.length) throw new Error(`linePlot: ${name} has ${yy.length} values, x has ${x.length}`);
    return {
      type: 'scatter', mode: opts.markers ? 'lines+markers' : 'lines', name, x: [...x], y: yy,
      line: { color: paletteColor(k) },
    };
  });
  const layout = baseLayout(opts, { xTitle: 'x', yTitle: named.length === 1 ? (named[0]?.[0] as string) : 'y' });
  if (opts.logY) layout.yaxis = { ...layout.yaxis, type: 'log' };
  if (opts.logX) layout.xaxis = { ...layout.xaxis, type: 'log' };
  return { data, layout: { ...layout, showlegend: named.length > 1 } };
}

