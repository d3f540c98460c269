/**
 * Figures out of the notebook, for review: plotly JSON, a standalone HTML page, or a PNG (image grids).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Figure, figureTitle } from './figure';
import { PlotlyInclude, standaloneHtml, withDefaults } from './html';
import { ImageGrid, isImageGrid } from './image-grid';
import { plotlySource } from './plotly-source';

/** The figure as plotly JSON (`{ data, layout, config }`), loadable by `Plotly.newPlot` or plotly.py. */
export function toJSON(fig: Figure, pretty = false): string {
  return JSON.stringify(withDefaults(fig), null, pretty ? 2 : undefined);
}

/** Options for {@link saveFigure}. */
export interface SaveFigureOptions {
  /**
   * For `.html`: 'inline' embeds plotly.js (offline, ~5 MB per file); `{ src }` references a script
   * path or URL instead. @default 'inline'
   */
  plotly?: PlotlyInclude;
  /** Page title for `.html`. @default the figure's title, else the file name */
  title?: string;
}

/**
 * Write a figure to `file` by its extension: `.json` (plotly JSON) or `.html`/`.htm` (a standalone page);
 * an image grid to `.png`. Creates missing folders.
 */
export function saveFigure(item: Figure | ImageGrid, file: string, opts: SaveFigureOptions = {}): void {
  const ext = path.extname(file).toLowerCase();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (isImageGrid(item)) {
    if (ext !== '.png') throw new Error(`saveFigure: an image grid is saved as .png, not ${ext || 'no extension'}`);
    fs.writeFileSync(file, item.png);
    return;
  }
  if (ext === '.json') {
    fs.writeFileSync(file, toJSON(item, true));
  } else if (ext === '.html' || ext === '.htm') {
    const include = opts.plotly ?? 'inline';
    const title = opts.title ?? (figureTitle(item) || path.basename(file, ext));
    fs.writeFileSync(file, standaloneHtml(item, include === 'inline' ? plotlySource() : undefined, include, title));
  } else {
    throw new Error(`saveFigure: unknown extension ${ext || '(none)'} for a figure; use .json or .html`);
  }
}
