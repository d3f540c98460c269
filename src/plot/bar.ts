/**
 * Bar charts for small tables of results (accuracy per model, per split): one bar per category, or
 * grouped bars with one series per column.
 */
import { paletteColor } from './colors';
import { DataFrameLike, frameRows, isDataFrameLike, toVector, VectorInput } from './data';
import { baseLayout, CommonOptions, Figure, Trace } from './figure';

/**
 * `{ MLP: 0.91, BNN: 0.93 }`; or categories with named series (grouped bars); or a DataFrame (rows
 * are categories, numeric columns are series).
 */
export type BarInput =
  | Readonly<Record<string, number>>
  | { categories: readonly (string | number)[]; series: Readonly<Record<string, VectorInput>> }
  | DataFrameLike;

/** Options for {@link barChart}. */
export interface BarChartOptions extends CommonOptions {
  /** DataFrame column holding the category names. @default the DataFrame's index */
  categoryColumn?: string;
  /** ± error per bar, by series name (a single series is named 'value'). @default none */
  errors?: Readonly<Record<string, VectorInput>>;
  /** Horizontal bars (long category names). @default false */
  horizontal?: boolean;
  /** Value-axis range, e.g. [0, 1] for accuracies. @default automatic */
  valueRange?: [number, number];
  /** Print each value on its bar, to 3 significant digits. @default true */
  showValues?: boolean;
}

function readBars(input: BarInput, opts: BarChartOptions): { categories: string[]; series: Array<[string, number[]]> } {
  if (isDataFrameLike(input)) {
    const ci = opts.categoryColumn !== undefined ? input.columns.indexOf(opts.categoryColumn) : -1;
    if (opts.categoryColumn !== undefined && ci < 0) throw new Error(`barChart: no column '${opts.categoryColumn}'`);
    const categories = ci >= 0 ? frameRows(input).map((row) => String(row[ci])) : input.index.map(String);
    const series: Array<[string, number[]]> = [];
    input.columns.forEach((name, j) => {
      if (j === ci) return;
      const col = frameRows(input).map((row) => row[j]);
      if (col.every((v) => typeof v === 'number' || v === null || v === undefined)) {
        series.push([name, col.map((v) => (typeof v === 'number' ? v : NaN))]);
      }
    });
    return { categories, series };
  }
  if ('categories' in input && 'series' in input && Array.isArray(input.categories)) {
    const g = input as { categories: readonly (string | number)[]; series: Readonly<Record<string, VectorInput>> };
    const categories = g.categories.map(String);
    const series = Object.entries(g.series).map(([name, v]): [string, number[]] => {
      const values = toVector(v, `barChart: ${name}`);
      if (values.length !== categories.length) {
        throw new Error(`barChart: series ${name} has ${values.length} values for ${categories.length} categories`);
      }
      return [name, values];
    });
    return { categories, series };
  }
  const record = input as Readonly<Record<string, number>>;
  for (const [k, v] of Object.entries(record)) {
    if (typeof v !== 'number') throw new Error(`barChart: value of '${k}' is not a number`);
  }
  return { categories: Object.keys(record), series: [['value', Object.values(record)]] };
}

function fmt3(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '';
}

/** Bars per category; several series become grouped bars with a legend. */
export function barChart(input: BarInput, opts: BarChartOptions = {}): Figure {
  const { categories, series } = readBars(input, opts);
  if (series.length === 0) throw new Error('barChart: no numeric series');
  const horizontal = opts.horizontal ?? false;
  const data = series.map(([name, values], k): Trace => {
    const trace: Trace = {
      type: 'bar', name, orientation: horizontal ? 'h' : 'v',
      x: horizontal ? values : categories, y: horizontal ? categories : values,
      marker: { color: paletteColor(k) },
    };
    if (opts.showValues ?? true) {
      trace.text = values.map(fmt3);
      trace.textposition = 'auto';
    }
    const err = opts.errors?.[name];
    if (err !== undefined) {
      const e = toVector(err, `barChart: errors of ${name}`);
      trace[horizontal ? 'error_x' : 'error_y'] = { type: 'data', array: e, visible: true };
    }
    return trace;
  });
  const valueTitle = series.length === 1 ? (series[0]?.[0] as string) : 'value';
  const catTitle = opts.categoryColumn ?? 'category';
  const layout = baseLayout(opts, horizontal ? { xTitle: valueTitle, yTitle: catTitle } : { xTitle: catTitle, yTitle: valueTitle });
  if (opts.valueRange) {
    const axis = horizontal ? 'xaxis' : 'yaxis';
    layout[axis] = { ...layout[axis], range: opts.valueRange };
  }
  return { data, layout: { ...layout, barmode: 'group', showlegend: series.length > 1 } };
}
