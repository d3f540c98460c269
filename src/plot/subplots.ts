/**
 * Small multiples: several figures laid out as one grid of panels (frames at several t, one panel
 * per metric). plotly draws subplots as extra axis pairs (`xaxis2`/`yaxis2`, ...) each confined to a
 * `domain`; each panel's traces are pointed at its own pair.
 */
import { Figure, figureTitle, Layout, Trace } from './figure';

/** Options for {@link smallMultiples}. */
export interface SmallMultiplesOptions {
  /** Panels per row. @default min(n, 3) */
  cols?: number;
  /** Panel titles. @default each panel's own title */
  titles?: readonly string[];
  /** Overall title. @default none */
  title?: string;
  /** Height of one row of panels in pixels. @default 300 */
  rowHeight?: number;
  /** Give every panel the first panel's x range (zooming one zooms all). @default false */
  sharedX?: boolean;
  /** Same for y. @default false */
  sharedY?: boolean;
  /** Horizontal gap between panels, as a fraction of the width. @default 0.08 (0.16 with colour bars) */
  hSpacing?: number;
  /** Vertical gap between panels, as a fraction of the height. @default 0.3 / rows */
  vSpacing?: number;
}

function hasColorbar(t: Trace): boolean {
  return (t.type === 'heatmap' || t.type === 'contour') && t.showscale !== false;
}

/** A grid of panels, one per figure, row by row. */
export function smallMultiples(panels: readonly Figure[], opts: SmallMultiplesOptions = {}): Figure {
  const n = panels.length;
  if (n === 0) throw new Error('smallMultiples: no panels');
  const cols = Math.max(1, Math.min(opts.cols ?? Math.min(n, 3), n));
  const rows = Math.ceil(n / cols);
  const anyColorbar = panels.some((p) => p.data.some(hasColorbar));
  const hs = opts.hSpacing ?? (anyColorbar ? 0.16 : 0.08);
  const vs = opts.vSpacing ?? (rows > 1 ? 0.3 / rows : 0);
  const cellW = (1 - hs * (cols - 1)) / cols;
  const cellH = (1 - vs * (rows - 1)) / rows;
  const rowHeight = opts.rowHeight ?? 300;

  const data: Trace[] = [];
  const annotations: Array<Record<string, unknown>> = [];
  const layout: Partial<Layout> = {
    height: rows * rowHeight + (opts.title ? 60 : 30),
    margin: { l: 60, r: 20, t: opts.title ? 70 : 40, b: 50 },
  };
  if (opts.title) layout.title = { text: opts.title };
  const legendNames = new Set<string>();

  panels.forEach((panel, i) => {
    const row = Math.floor(i / cols);
    const col = i % cols;
    const x0 = col * (cellW + hs);
    const x1 = x0 + cellW;
    const y1 = 1 - row * (cellH + vs);
    const y0 = y1 - cellH;
    const s = i === 0 ? '' : String(i + 1);
    for (const t of panel.data) {
      const trace: Trace = { ...t, xaxis: `x${s}`, yaxis: `y${s}` };
      if (hasColorbar(t)) {
        const bar = (t.colorbar ?? {}) as Record<string, unknown>;
        trace.colorbar = { ...bar, x: x1 + 0.01, xanchor: 'left', y: (y0 + y1) / 2, len: cellH, thickness: 10 };
      }
      // One legend entry per name, shared by all panels (clicking it toggles them together).
      if (typeof t.name === 'string' && t.showlegend !== false) {
        trace.legendgroup = (t.legendgroup as string | undefined) ?? t.name;
        if (legendNames.has(t.name)) trace.showlegend = false;
        legendNames.add(t.name);
      }
      data.push(trace);
    }
    const px = (panel.layout.xaxis ?? {}) as Record<string, unknown>;
    const py = (panel.layout.yaxis ?? {}) as Record<string, unknown>;
    const xaxis: Record<string, unknown> = { ...px, domain: [x0, x1], anchor: `y${s}` };
    const yaxis: Record<string, unknown> = { ...py, domain: [y0, y1], anchor: `x${s}` };
    if (py.scaleanchor !== undefined) yaxis.scaleanchor = `x${s}`;
    if (opts.sharedX && i > 0) xaxis.matches = 'x';
    if (opts.sharedY && i > 0) yaxis.matches = 'y';
    layout[`xaxis${s}`] = xaxis;
    layout[`yaxis${s}`] = yaxis;
    const title = opts.titles?.[i] ?? figureTitle(panel);
    if (title) {
      annotations.push({
        text: title, xref: 'paper', yref: 'paper', x: (x0 + x1) / 2, y: y1,
        xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 13 },
      });
    }
    // Figure-wide settings some panels need (grouped or overlaid bars).
    for (const key of ['barmode', 'bargap']) {
      if (panel.layout[key] !== undefined && layout[key] === undefined) layout[key] = panel.layout[key];
    }
  });
  if (annotations.length > 0) layout.annotations = annotations;
  return { data, layout };
}
