/**
 * Showing figures in a tslab notebook.
 *
 * plotly.js (~5 MB) enters the page once, through `loadPlotly()` in the notebook's set-up cell (or the
 * first `show` of a kernel session); each figure then carries only its JSON and a drawing script, so
 * the saved notebook holds the library once however many figures it has. Outside a kernel these
 * functions do nothing (and read no bundle).
 */
import { displayBundle, inNotebook, liveDisplay, MimeBundle } from '../tslab/display';
import { Figure, figureSummary } from './figure';
import { figureHtml, loaderHtml, withDefaults } from './html';
import { ImageGrid, imageGridBundle, isImageGrid } from './image-grid';
import { plotlySource } from './plotly-source';

/** The plotly MIME type: front ends with a plotly renderer (VS Code, JupyterLab with jupyterlab-plotly) use it. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

// Per process, and a tslab kernel is one process: so "loaded in this kernel session".
let loaded = false;

/** The loader's bundle: HTML that defines `window.Plotly` from the inlined bundle unless the page has it. */
export function plotlyLoaderBundle(): MimeBundle {
  const src = plotlySource();
  return {
    'text/html': loaderHtml(src),
    'text/plain': `plotly.js ${src.version} loaded for this notebook (${(src.code.length / 1e6).toFixed(1)} MB, once)`,
  };
}

/**
 * Put plotly.js into the notebook page, once; call it in the set-up cell so that the saved notebook
 * carries the bundle in that cell's output only. Calling it again (a re-run set-up cell) emits it
 * again, since a re-run cell loses its old outputs; the page evaluates it only if `window.Plotly` is
 * missing. A no-op outside a notebook.
 */
export function loadPlotly(): void {
  if (!inNotebook()) return;
  displayBundle(plotlyLoaderBundle());
  loaded = true;
}

/** Whether `loadPlotly` has run in this kernel session. */
export function plotlyLoaded(): boolean {
  return loaded;
}

/**
 * The MIME bundle of a figure: `text/html` (a div and an idempotent drawing script), the plotly JSON,
 * and a one-line `text/plain` summary. It never contains plotly.js itself.
 * @param id the div id. @default a fresh unique id
 */
export function figureBundle(fig: Figure, id?: string): MimeBundle {
  return {
    'text/html': figureHtml(fig, id),
    [PLOTLY_MIME]: withDefaults(fig),
    'text/plain': figureSummary(fig),
  };
}

/** Anything `show` can display. */
export type Showable = Figure | ImageGrid;

/** The bundle `show` would display for `item`. */
export function bundleOf(item: Showable): MimeBundle {
  return isImageGrid(item) ? imageGridBundle(item) : figureBundle(item);
}

/**
 * Display a figure or an image grid as an output of the running cell. The first figure of a kernel
 * session loads plotly.js first if the set-up cell did not. A no-op outside a notebook.
 */
export function show(item: Showable): void {
  if (!inNotebook()) return;
  if (!isImageGrid(item) && !loaded) loadPlotly();
  displayBundle(bundleOf(item));
}

/** A figure output that is redrawn in place (e.g. training curves refreshed every few epochs). */
export interface LiveFigure {
  /** Replace the output with this figure (or image grid). */
  update(item: Showable): void;
}

/**
 * An output that shows the latest figure passed to `update`, replacing the previous one, so a notebook
 * keeps one output instead of one per refresh. Call `update` sparingly: each one sends the figure.
 */
export function liveFigure(): LiveFigure {
  const out = liveDisplay();
  return {
    update(item: Showable): void {
      if (!inNotebook()) return;
      if (!isImageGrid(item) && !loaded) loadPlotly();
      out.update(bundleOf(item));
    },
  };
}
