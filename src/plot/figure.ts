/**
 * A plotly figure, typed just enough to build and check one: the builders fill `data` and `layout`
 * with plain JSON (numbers in plain arrays, never typed arrays, which JSON would turn into objects).
 * Loose on purpose (`Record<string, unknown>` underneath): plotly has hundreds of attributes and we do
 * not depend on @types/plotly.
 */

/** One plotly trace (`scatter`, `bar`, `heatmap`, `contour`, ...). */
export type Trace = {
  type?: string;
  name?: string;
  x?: unknown[];
  y?: unknown[];
  z?: unknown[][];
  mode?: string;
} & Record<string, unknown>;

/** An axis's layout; `title.text` is set by every builder. */
export type AxisLayout = {
  title?: { text: string };
  type?: 'linear' | 'log' | 'category' | 'date';
  range?: [number, number];
  domain?: [number, number];
  anchor?: string;
} & Record<string, unknown>;

/** A figure's layout: the attributes the builders use, anything else passes through. */
export type Layout = {
  title: { text: string };
  xaxis: AxisLayout;
  yaxis: AxisLayout;
  height: number;
  width: number;
  showlegend: boolean;
  legend: Record<string, unknown>;
  margin: { l?: number; r?: number; t?: number; b?: number };
  annotations: Array<Record<string, unknown>>;
} & Record<string, unknown>;

/** A plotly figure: what `Plotly.newPlot(div, data, layout, config)` takes. */
export interface Figure {
  data: Trace[];
  layout: Partial<Layout>;
  /** plotly's config (mode bar, responsiveness); `show` and `saveFigure` add sensible defaults. */
  config?: Record<string, unknown>;
}

/** Options every builder accepts. */
export interface CommonOptions {
  /** Figure title. @default none (or a builder-specific title) */
  title?: string;
  /** x-axis title. @default builder-specific (e.g. 'epoch', 'x1') */
  xTitle?: string;
  /** y-axis title. @default builder-specific */
  yTitle?: string;
  /** Height in pixels; the width follows the page. @default 400 */
  height?: number;
  /** Fixed width in pixels. @default none: fill the output area */
  width?: number;
}

/** The layout every builder starts from: axis titles always present, compact margins. */
export function baseLayout(opts: CommonOptions, defaults: { xTitle: string; yTitle: string; title?: string }): Partial<Layout> {
  const layout: Partial<Layout> = {
    xaxis: { title: { text: opts.xTitle ?? defaults.xTitle } },
    yaxis: { title: { text: opts.yTitle ?? defaults.yTitle } },
    height: opts.height ?? 400,
    // Room for the title only when there is one.
    margin: { l: 60, r: 20, t: (opts.title ?? defaults.title) ? 50 : 20, b: 50 },
  };
  const title = opts.title ?? defaults.title;
  if (title !== undefined) layout.title = { text: title };
  if (opts.width !== undefined) layout.width = opts.width;
  return layout;
}

/** A figure from traces and a layout (a shallow copy of both, so callers can keep editing theirs). */
export function figure(data: Trace[], layout: Partial<Layout> = {}): Figure {
  return { data: [...data], layout: { ...layout } };
}

/** The figure's title, or '' if it has none. */
export function figureTitle(fig: Figure): string {
  const t = fig.layout.title as unknown;
  if (typeof t === 'string') return t;
  if (t !== null && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') {
    return (t as { text: string }).text;
  }
  return '';
}

/** A one-line summary for `text/plain`: title, trace count and types. */
export function figureSummary(fig: Figure): string {
  const counts = new Map<string, number>();
  for (const t of fig.data) counts.set(t.type ?? 'scatter', (counts.get(t.type ?? 'scatter') ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => (n > 1 ? `${n} ${k}` : k)).join(', ');
  const title = figureTitle(fig);
  const n = fig.data.length;
  return `<Figure${title ? ` "${title}"` : ''}: ${n} trace${n === 1 ? '' : 's'}${kinds ? ` (${kinds})` : ''}>`;
}

/**
 * Several figures drawn on the same axes (e.g. a density with a vector field on top): the traces of
 * all, the layout of the first.
 */
export function overlay(base: Figure, ...others: Figure[]): Figure {
  return { data: [base.data, ...others.map((f) => f.data)].flat(), layout: { ...base.layout, showlegend: true } };
}
