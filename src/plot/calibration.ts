/**
 * Calibration of predictive intervals: for each nominal coverage p (e.g. the central p-interval of the
 * predictive distribution), the fraction of test targets that fell inside. A calibrated model lies on
 * the diagonal; below it, intervals are too narrow (over-confident).
 */
import { paletteColor } from './colors';
import { checkLengths, isNamedVectors, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/** Options for {@link calibrationPlot}. */
export interface CalibrationOptions extends CommonOptions {
  /** Legend name of a single observed series. @default 'model' */
  name?: string;
}


/**
 * Observed against nominal coverage, with the diagonal y = x.
 * @param observed one series, or several by model name (`{ MC dropout: [...], ensemble: [...] }`).
 */
export function calibrationPlot(
  nominal: VectorInput,
  observed: VectorInput | Readonly<Record<string, VectorInput>>,
  opts: CalibrationOptions = {},
): Figure {
  const x = toVector(nominal, 'calibrationPlot: nominal');
  const series: Array<[string, VectorInput]> = isNamedVectors(observed) ? Object.entries(observed) : [[opts.name ?? 'model', observed]];
  const data: Trace[] = [{
    type: 'scatter', mode: 'lines', name: 'ideal', x: [0, 1], y: [0, 1],
    line: { color: 'rgba(0,0,0,0.5)', dash: 'dash', width: 1 }, hoverinfo: 'skip',
  }];
  series.forEach(([name, v], k) => {
    const y = toVector(v, `calibrationPlot: ${name}`);
    checkLengths(x.length, { [name]: y }, 'calibrationPlot');
    data.push({ type: 'scatter', mode: 'lines+markers', name, x, y, line: { color: paletteColor(k) }, marker: { color: paletteColor(k), size: 6 } });
  });
  const layout = baseLayout(opts, { xTitle: 'nominal coverage', yTitle: 'observed coverage', title: opts.title ?? 'calibration' });
  const unit: [number, number] = [-0.02, 1.02];
  layout.xaxis = { ...layout.xaxis, range: unit };
  layout.yaxis = { ...layout.yaxis, range: unit, scaleanchor: 'x', scaleratio: 1 };
  return { data, layout: { ...layout, showlegend: true } };
}
