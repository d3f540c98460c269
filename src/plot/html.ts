/**
 * HTML for figures: the drawing snippet a notebook output carries, the one-off plotly.js loader, and
 * standalone pages.
 *
 * A notebook output holds only a div and a small script that draws the figure from its JSON once
 * `window.Plotly` exists; plotly.js itself arrives once per page through the loader. The drawing
 * script polls rather than drawing at once because front ends run it at different moments: classic
 * Notebook 6 evaluates it (through jQuery) before the output is attached to the page, JupyterLab after.
 */
import { Figure, figureTitle } from './figure';
import { PlotlySource } from './plotly-source';

let figureCounter = 0;

/** A fresh, page-unique div id: a counter plus random hex (outputs of earlier kernel runs share the page). */
export function newFigureId(): string {
  figureCounter += 1;
  return `genlab-plot-${figureCounter}-${Math.random().toString(16).slice(2, 10)}`;
}

/** JSON that can sit inside a <script> element: no '</script>', no raw line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The plotly config every figure gets unless it sets its own. */
export const DEFAULT_CONFIG: Readonly<Record<string, unknown>> = { responsive: true, displaylogo: false };

/** The figure with default config merged in (what is drawn and what is exported). */
export function withDefaults(fig: Figure): Required<Figure> {
  return { data: fig.data, layout: fig.layout, config: { ...DEFAULT_CONFIG, ...(fig.config ?? {}) } };
}

/** A static picture of a figure (a PNG taken while publishing) shown until its script draws it. */
export interface FigureSnapshot {
  /** The PNG file, base64-encoded (no `data:` prefix). */
  pngBase64: string;
  /** Its size in CSS pixels. */
  width: number;
  height: number;
}

/** Class of the static content inside a figure's div (a snapshot or a note); the drawing script removes it. */
export const FIGURE_FALLBACK_CLASS = 'genlab-plot-fallback';

/**
 * What a figure's div holds before its script runs, which is all that a viewer that runs no script shows:
 * JupyterLab on an untrusted notebook (it picks the sanitised `text/html`, scripts dropped, `<img>` with a
 * `data:` URL kept), a repository's web preview, `nbconvert --to html` without scripts. With a snapshot,
 * the figure as a PNG; without one, a line saying how to see it.
 */
export function figureFallbackHtml(fig: Figure, snapshot?: FigureSnapshot): string {
  const title = figureTitle(fig);
  if (snapshot !== undefined) {
    const alt = `${title ? `${title}: ` : ''}static snapshot of an interactive figure (it becomes interactive when the notebook is trusted or run)`;
    return `<img class="${FIGURE_FALLBACK_CLASS}" alt="${escapeHtml(alt)}" width="${snapshot.width}" height="${snapshot.height}" ` +
      `style="max-width:100%;height:auto;" src="data:image/png;base64,${snapshot.pngBase64}">`;
  }
  return `<div class="${FIGURE_FALLBACK_CLASS}" style="padding:8px;color:#777;font:13px sans-serif;">` +
    `Interactive figure${title ? ` "${escapeHtml(title)}"` : ''}: drawn by plotly.js when the notebook is trusted (jupyter trust) or run; ` +
    `this copy carries no static snapshot of it.</div>`;
}

/** The snapshot `<img>` that {@link figureFallbackHtml} put in a figure's saved HTML, or null when it has none. */
export function snapshotImgOf(html: string): string | null {
  return new RegExp(`<img class="${FIGURE_FALLBACK_CLASS}"[^>]*>`).exec(html)?.[0] ?? null;
}

/**
 * A div and the script that draws `fig` into it. Idempotent: the div is marked once drawn, so a script
 * that runs twice (a re-rendered output) does not draw twice; and it registers nothing global. The div
 * holds {@link figureFallbackHtml} (a snapshot, or a note) until the script replaces it by the figure.
 */
export function figureHtml(fig: Figure, id: string = newFigureId(), snapshot?: FigureSnapshot): string {
  const full = withDefaults(fig);
  const height = typeof fig.layout.height === 'number' ? fig.layout.height : 400;
  const width = typeof fig.layout.width === 'number' ? `${fig.layout.width}px` : '100%';
  // The div keeps the figure's height until drawn; with a snapshot, the picture sets it (a snapshot wider
  // than the output area is scaled down by max-width and must not leave an empty band under it).
  const size = snapshot === undefined ? `width:${width};height:${height}px;` : `width:${width};`;
  // ES5 only: the page, not our compiler, runs this.
  return `<div id="${id}" class="genlab-plot" style="${size}">${figureFallbackHtml(fig, snapshot)}</div>
<script type="text/javascript">
(function () {
  var id = "${id}";
  var fig = ${jsonForScript(full)};
  var script = document.currentScript;
  var el = script && script.previousElementSibling && script.previousElementSibling.id === id ? script.previousElementSibling : null;
  var tries = 0;
  function attempt() {
    var target = el || document.getElementById(id);
    if (target && window.Plotly) {
      if (target.getAttribute("data-genlab-drawn") !== "1") {
        target.setAttribute("data-genlab-drawn", "1");
        // The static snapshot (or note) gives way to the interactive figure.
        while (target.firstChild) target.removeChild(target.firstChild);
        if (target.style) target.style.height = "${height}px";
        window.Plotly.newPlot(target, fig.data, fig.layout, fig.config);
      }
      return;
    }
    if (++tries > 1200) {
      var note = "plotly.js is not loaded in this page: run the notebook's set-up cell (loadPlotly()).";
      // Keep a snapshot in view; say why it is not interactive.
      if (target && target.querySelector && target.querySelector("img")) target.setAttribute("title", note);
      else if (target) target.textContent = note;
      return;
    }
    setTimeout(attempt, 50);
  }
  attempt();
})();
</script>`;
}

/**
 * The HTML that defines `window.Plotly` from the inlined bundle, unless the page already has it.
 *
 * classic Notebook 6 loads RequireJS, whose global `define` makes a UMD bundle register an anonymous
 * AMD module instead of setting `window.Plotly` (older bundles; 3.x checks `module` only); so
 * `define`/`module`/`exports` are hidden from the bundle while it runs, both as globals and as
 * shadowing parameters, and restored afterwards.
 */
export function loaderHtml(src: PlotlySource): string {
  return `<div class="genlab-plotly-loader" style="font:11px monospace;color:#888;">plotly.js ${escapeHtml(src.version)}: loaded once for this notebook's figures</div>
<script type="text/javascript">
(function () {
  if (window.Plotly) return;
  var names = ["define", "module", "exports"], saved = {}, had = {}, i;
  for (i = 0; i < names.length; i++) {
    had[names[i]] = Object.prototype.hasOwnProperty.call(window, names[i]);
    saved[names[i]] = window[names[i]];
    window[names[i]] = undefined;
  }
  try {
    (function (define, module, exports) {
${src.code}
    }).call(window);
  } finally {
    for (i = 0; i < names.length; i++) {
      if (had[names[i]]) window[names[i]] = saved[names[i]];
      else try { delete window[names[i]]; } catch (e) { window[names[i]] = undefined; }
    }
  }
})();
</script>`;
}

/** How a standalone page gets plotly.js. */
export type PlotlyInclude = 'inline' | { src: string };

/**
 * A complete HTML page showing `fig`. 'inline' embeds plotly.js (works offline, ~5 MB); `{ src }`
 * references a script file or URL instead (small, but needs that file beside the page).
 */
export function standaloneHtml(fig: Figure, src: PlotlySource | undefined, include: PlotlyInclude = 'inline', title = 'figure'): string {
  let plotlyTag: string;
  if (include === 'inline') {
    if (src === undefined) throw new Error('standaloneHtml: inline needs the plotly.js source');
    plotlyTag = `<script type="text/javascript">\n${src.code}\n</script>`;
  } else {
    plotlyTag = `<script type="text/javascript" src="${escapeHtml(include.src)}"></script>`;
  }
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
${plotlyTag}
</head>
<body style="margin:0;padding:8px;font-family:sans-serif;">
${figureHtml(fig)}
</body>
</html>
`;
}
