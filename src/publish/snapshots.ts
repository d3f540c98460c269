/**
 * Static snapshots of a saved notebook's figures, so that a reader sees them without running anything
 * and without `jupyter trust`.
 *
 * A figure's output is a MIME bundle (plot/show.ts): `text/html` (a div and the script that draws it
 * with plotly.js), the plotly JSON and a text summary. Viewers choose from it as follows:
 * - JupyterLab picks the first MIME type by renderer rank, `text/html` before any image; for an
 *   untrusted notebook it asks for a *safe* renderer only (`preferredMimeType(data, 'ensure')`), and
 *   `text/html` counts as safe because it is sanitised: scripts dropped, an `<img>` with a `data:` URL
 *   kept (its sanitiser checks URL schemes on `href` and `cite` only).
 * - nbconvert's HTML (and renderers built like it, such as a repository's web preview) prefer
 *   `text/html` too, and a script-free one shows the HTML without running its script.
 * So the picture goes inside the HTML: the figure's div holds a PNG `<img>` that its script replaces by
 * the interactive figure when scripts run (trusted JupyterLab, classic Notebook, VS Code's plotly
 * renderer ignores the HTML altogether). An `image/png` entry beside it would never be chosen by these
 * viewers and would double the bytes, so there is none.
 *
 * The PNG is drawn by plotly.js itself (`Plotly.toImage`) in a headless Chromium driven by
 * playwright-core: the same library and figure JSON as the interactive figure, nothing re-implemented.
 */
import type { Figure } from '../plot/figure';
import { figureHtml, FigureSnapshot } from '../plot/html';
import { plotlySource } from '../plot/plotly-source';
import { compactPng } from '../plot/png';
import { PLOTLY_MIME } from '../plot/show';
import { joinText } from '../runner/nbformat';
import type { MultilineString, Notebook } from '../runner/nbformat';
import { CHROMIUM_ARGS, findChromium } from './chromium';

/** Draws a figure as a PNG. */
export interface SnapshotRenderer {
  /** The PNG bytes of `fig` drawn at `width` x `height` CSS pixels (times `scale` in device pixels). */
  render(fig: Figure, width: number, height: number, scale: number): Promise<Buffer>;
  /** Release the browser. */
  close(): Promise<void>;
  /** What draws (e.g. `Chromium 131 + plotly.js 3.7.0`), for the log. */
  readonly name: string;
}

/** One figure output of a notebook. */
export interface FigureOutput {
  /** 0-based cell and output positions. */
  cell: number;
  output: number;
  /** The figure as saved (`{ data, layout, config }`). */
  figure: Figure;
  /** The div id of its saved HTML (kept, so a snapshotted notebook differs from its source only by the picture). */
  id: string | null;
  /** The output's data bundle (edited in place by {@link addFigureSnapshots}). */
  data: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every output of `nb` that holds a plotly figure (the plotly MIME entry), in notebook order. */
export function figureOutputs(nb: Notebook): FigureOutput[] {
  const found: FigureOutput[] = [];
  nb.cells.forEach((cell, c) => {
    if (cell.cell_type !== 'code') return;
    cell.outputs.forEach((o, i) => {
      if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') return;
      const fig = o.data[PLOTLY_MIME];
      if (!isObject(fig) || !Array.isArray(fig.data) || !isObject(fig.layout)) return;
      const html = o.data['text/html'];
      const id = html === undefined ? null : (/<div id="([^"]+)" class="genlab-plot"/.exec(joinText(html as MultilineString))?.[1] ?? null);
      found.push({ cell: c, output: i, figure: fig as unknown as Figure, id, data: o.data });
    });
  });
  return found;
}

/** Options of {@link addFigureSnapshots}. */
export interface SnapshotOptions {
  /**
   * Width in CSS pixels of a figure whose layout sets none (plotly figures fill the output area; this
   * is about a notebook column at a typical window size). @default 800
   */
  width?: number;
  /**
   * Device pixels per CSS pixel. 1 keeps the notebook small; 2 is sharp on high-density screens at about
   * three times the bytes. @default 1
   */
  scale?: number;
  /**
   * Re-compress each PNG losslessly (compactPng: opaque alpha dropped, adaptive row filters, deflate
   * level 9); browsers encode canvases for speed. About a quarter fewer bytes. @default true
   */
  compact?: boolean;
  /** Progress lines. @default no output */
  log?: (message: string) => void;
}

/** What {@link addFigureSnapshots} did to one notebook. */
export interface SnapshotReport {
  /** Figure outputs in the notebook. */
  figures: number;
  /** Of those, the ones that now carry a snapshot. */
  snapshotted: number;
  /** Bytes of PNG (decoded) per snapshotted figure, in notebook order. */
  pngBytes: number[];
  /** One line per figure that could not be drawn (it keeps a note instead of a picture). */
  failures: string[];
}

/** The size a figure is drawn at: its layout's width and height, else the defaults. */
export function snapshotSize(fig: Figure, defaultWidth = 800): { width: number; height: number } {
  const w = fig.layout.width;
  const h = fig.layout.height;
  return {
    width: typeof w === 'number' && w > 0 ? Math.round(w) : defaultWidth,
    height: typeof h === 'number' && h > 0 ? Math.round(h) : 400,
  };
}

/**
 * Rewrite a figure output's `text/html` with `snapshot` inside its div (or, with none, a note saying
 * how to see the figure), from the saved plotly JSON, keeping the div id. The JSON and text entries are
 * untouched; running it again replaces the previous snapshot.
 */
export function setFigureHtml(f: FigureOutput, snapshot?: FigureSnapshot): void {
  f.data['text/html'] = f.id === null ? figureHtml(f.figure, undefined, snapshot) : figureHtml(f.figure, f.id, snapshot);
}

/**
 * Give every figure output of `nb` a PNG snapshot (in place). A figure the renderer cannot draw keeps
 * its interactive HTML with a note in place of the picture, and is reported; nothing is thrown for it.
 */
export async function addFigureSnapshots(nb: Notebook, renderer: SnapshotRenderer, options: SnapshotOptions = {}): Promise<SnapshotReport> {
  const scale = options.scale ?? 1;
  const width = options.width ?? 800;
  if (!(scale > 0 && scale <= 4)) throw new Error(`snapshots: scale must be in (0, 4], got ${scale}`);
  if (!(Number.isInteger(width) && width >= 100)) throw new Error(`snapshots: width must be an integer of at least 100 px, got ${width}`);
  const figures = figureOutputs(nb);
  const report: SnapshotReport = { figures: figures.length, snapshotted: 0, pngBytes: [], failures: [] };
  for (const f of figures) {
    const size = snapshotSize(f.figure, width);
    try {
      const drawn = await renderer.render(f.figure, size.width, size.height, scale);
      if (drawn.length < 8 || drawn.readUInt32BE(0) !== 0x89504e47) throw new Error('the renderer returned no PNG');
      const png = options.compact === false ? drawn : compactPng(drawn);
      setFigureHtml(f, { pngBase64: png.toString('base64'), width: size.width, height: size.height });
      report.snapshotted++;
      report.pngBytes.push(png.length);
    } catch (e) {
      setFigureHtml(f);
      report.failures.push(`cell ${f.cell + 1}, output ${f.output + 1}: ${(e as Error).message.split('\n')[0] ?? ''}`);
    }
  }
  for (const line of report.failures) options.log?.(`snapshot failed: ${line}`);
  return report;
}

/**
 * A renderer in headless Chromium (found as the e2e test finds it: `$GENLAB_CHROMIUM`, else on PATH)
 * with plotly.js loaded once; or a sentence saying why there is none. Close it when done.
 */
export async function chromiumRenderer(): Promise<SnapshotRenderer | string> {
  const found = findChromium();
  if (typeof found === 'string') return found;
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    return 'playwright-core is not installed (it is a devDependency: run npm install in the project).';
  }
  let browser: import('playwright-core').Browser;
  try {
    browser = await pw.chromium.launch({ executablePath: found.path, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
  } catch (e) {
    return `Chromium at ${found.path} did not start: ${(e as Error).message.split('\n')[0] ?? ''}`;
  }
  try {
    const page = await browser.newPage();
    // No network: a figure that asked for a remote resource (fonts, maps) would hang, not fail.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    const src = plotlySource();
    await page.addScriptTag({ content: src.code });
    const name = `Chromium ${browser.version()} + plotly.js ${src.version}`;
    return {
      name,
      async render(fig: Figure, width: number, height: number, scale: number): Promise<Buffer> {
        const url = await page.evaluate(
          async ({ fig: f, width: w, height: h, scale: s }) => {
            // The page's plotly.js; the test tsconfig has no DOM lib, so typed by hand.
            const P = (globalThis as unknown as { Plotly: { toImage(fig: unknown, opts: unknown): Promise<string> } }).Plotly;
            return P.toImage({ data: f.data, layout: f.layout, config: { ...(f.config ?? {}), staticPlot: true } }, { format: 'png', width: w, height: h, scale: s });
          },
          { fig, width, height, scale },
        );
        const m = /^data:image\/png;base64,(.*)$/s.exec(url);
        if (m === null) throw new Error(`Plotly.toImage returned ${url.slice(0, 40)}...`);
        return Buffer.from(m[1] as string, 'base64');
      },
      async close(): Promise<void> {
        await browser.close();
      },
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** The sentence publishing logs when figures stay without snapshots. */
export function noSnapshotMessage(reason: string): string {
  return `figure snapshots: none taken (${reason}) Figures stay script-only: a reader sees them only in a trusted notebook ` +
    '(jupyter trust) or after running it, and a script-free viewer (a repository web preview, nbconvert without scripts) ' +
    'shows a note in place of each. Install Chromium or set GENLAB_CHROMIUM, then publish again.';
}
