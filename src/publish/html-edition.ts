/**
 * The HTML edition: executed notebooks as a static site that opens offline. One page per notebook
 * and an index with a table of contents built from the notebooks' markdown headings. plotly.js is
 * copied once into the site and loaded by every page with one `<script src>`; each figure is drawn
 * from its saved `application/vnd.plotly.v1+json` JSON (the notebooks' own inlined plotly loader is
 * dropped, so a page stays small). Equations are typeset with KaTeX while the site is built (math.ts);
 * its stylesheet and fonts are copied into `katex/` and linked by every page. Check records become a
 * pass/fail line. Nothing is fetched from the network: external links in markdown stay links, never
 * loaded resources.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'fs';
import path from 'path';
import { CHECK_MIME, CheckRecord, formatCheck } from '../notebook/check';
import { escapeHtml, jsonForScript, snapshotImgOf } from '../plot/html';
import { plotlySource } from '../plot/plotly-source';
import { cellSource, cellTags, joinText, readNotebook } from '../runner/nbformat';
import type { MimeData, Notebook, NotebookOutput } from '../runner/nbformat';
import { INJECTED_TAG } from '../runner/parameters';
import { markdownRenderer, MarkdownRenderer, Slugger } from './markdown';
import type { MarkdownOptions, MathRenderer } from './markdown';
import { copyKatexAssets, KATEX_CSS, katexMath } from './math';
import { runRecord } from './provenance';
import { recheck } from './saved-outputs';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
/** File name of plotly.js inside the site. */
export const PLOTLY_FILE = 'plotly.min.js';
/** Marker of the notebooks' one-off plotly loader output (src/plot/html.ts), which the site replaces. */
const LOADER_MARK = 'genlab-plotly-loader';

/** A heading of a page, for the table of contents. */
export interface TocEntry {
  level: number;
  text: string;
  id: string;
}

/** One rendered notebook. */
export interface NotebookPage {
  /** Page file name, e.g. `flows.html`. */
  file: string;
  /** The first level-1 heading, else the notebook's file name. */
  title: string;
  toc: TocEntry[];
  html: string;
  /** Plotly figures drawn on the page. */
  figures: number;
  /** Equations KaTeX could not parse (shown as their source, in red). */
  mathErrors: number;
}

/** Makes a markdown renderer for one page (it must report headings through `onHeading`). */
export type MarkdownFactory = (options: MarkdownOptions) => MarkdownRenderer;

export interface HtmlEditionOptions {
  /** Folder of executed notebooks. @default 'notebooks' */
  inDir?: string;
  /** Site folder. @default 'build/html' */
  outDir?: string;
  /** plotly.js file to copy. @default the bundle the notebooks use (`plotlySource()`: plotly.js-dist, minified) */
  plotlyFile?: string;
  /** Markdown renderer. @default markdownRenderer (markdown-it with texmath) */
  markdown?: MarkdownFactory;
  /** Math renderer handed to the markdown renderer; `plainMath` shows the TeX source. @default katexMath */
  math?: MathRenderer;
  /** Site title. @default 'genlab-ts notebooks' */
  title?: string;
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 4rem}
nav.site{background:#f4f4f6;border-bottom:1px solid #ddd;padding:.5rem 1.5rem;font-size:14px}
nav.toc{background:#fafafa;border:1px solid #e4e4e4;padding:.5rem 1rem;margin:1rem 0;font-size:14px}
nav.toc ul{margin:.2rem 0;padding-left:1.2rem}
pre{background:#f6f8fa;padding:.6rem .8rem;overflow-x:auto;font:13px/1.4 ui-monospace,monospace;margin:.3rem 0}
.cell.code{margin:1rem 0}
.cell.code pre.source{border-left:3px solid #6a8cc7}
.prompt{font:12px ui-monospace,monospace;color:#888}
.outputs pre{background:#fff;border-left:3px solid #ddd}
.outputs pre.stderr{background:#fff6e5}
.outputs pre.error{background:#fdecea;border-left-color:#d33}
.check{font:13px ui-monospace,monospace;padding:.2rem .5rem;margin:.15rem 0}
.check.pass{background:#e8f5e9;color:#1b5e20}.check.fail{background:#fdecea;color:#b71c1c}
.check .why{color:#666;font-family:system-ui,sans-serif}
.genlab-plot{width:100%}
img{max-width:100%}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem}
blockquote{border-left:4px solid #c8d3e6;margin:.5rem 0;padding:.1rem 1rem;background:#f7f9fc}
.math{font-family:'Latin Modern Math','STIX Two Math',serif}
.math.display{display:block;text-align:center;margin:.5rem 0}
.katex-display{overflow-x:auto;overflow-y:hidden}
`;

/** Draws every figure of the page from its JSON once plotly.js (loaded before it) is there. */
const DRAW_SCRIPT = `<script>
(function () {
  var nodes = document.querySelectorAll('script.genlab-figure');
  for (var i = 0; i < nodes.length; i++) {
    var fig = JSON.parse(nodes[i].textContent);
    var div = document.getElementById(nodes[i].getAttribute('data-for'));
    var note = 'plotly.js did not load (${PLOTLY_FILE} missing beside this page)';
    // A snapshot stays in view (with the reason as its tooltip) when there is no plotly.js.
    if (!window.Plotly) { if (div.querySelector('img')) div.title = note; else div.textContent = note; continue; }
    div.innerHTML = '';
    div.style.height = div.getAttribute('data-height') + 'px';
    window.Plotly.newPlot(div, fig.data || [], fig.layout || {}, fig.config || {});
  }
})();
</script>`;

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

function text(v: unknown): string {
  return typeof v === 'string' || Array.isArray(v) ? joinText(v as string | string[]) : '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A check record as a pass/fail line; pass/fail is re-evaluated, not read from the record. */
function checkHtml(record: unknown): string {
  if (!isObject(record)) return '';
  const failure = recheck(record);
  const r = { ...(record as unknown as CheckRecord), passed: failure === null };
  if (r.value === null) r.value = NaN;
  return `<div class="check ${r.passed ? 'pass' : 'fail'}">${escapeHtml(formatCheck(r))} <span class="why">${escapeHtml(r.why ?? '')}</span></div>`;
}

class PageWriter {
  figures = 0;
  constructor(
    private readonly page: string,
    private readonly md: MarkdownRenderer,
  ) {}

  /** A figure's div, holding the notebook's static snapshot (from its saved HTML) for readers without scripts. */
  figure(fig: unknown, savedHtml: string): string {
    const id = `${this.page}-fig-${++this.figures}`;
    const layout = isObject(fig) && isObject(fig.layout) ? fig.layout : {};
    const height = typeof layout.height === 'number' ? layout.height : 400;
    const img = snapshotImgOf(savedHtml);
    const style = img === null ? ` style="height:${height}px"` : '';
    return `<div id="${id}" class="genlab-plot" data-height="${height}"${style}>${img ?? ''}</div>\n<script type="application/json" class="genlab-figure" data-for="${id}">${jsonForScript(fig)}</script>`;
  }

  data(data: MimeData): string {
    if (data[CHECK_MIME] !== undefined) return checkHtml(data[CHECK_MIME]);
    const html = text(data['text/html']);
    if (data[PLOTLY_MIME] !== undefined) return this.figure(data[PLOTLY_MIME], html);
    if (html.includes(LOADER_MARK)) return '';
    if (typeof data['image/png'] === 'string') return `<img alt="figure" src="data:image/png;base64,${text(data['image/png']).trim()}">`;
    if (typeof data['image/jpeg'] === 'string') return `<img alt="figure" src="data:image/jpeg;base64,${text(data['image/jpeg']).trim()}">`;
    if (data['image/svg+xml'] !== undefined) return `<div class="svg">${text(data['image/svg+xml'])}</div>`;
    if (html !== '') return `<div class="html">${html}</div>`;
    if (data['text/markdown'] !== undefined) return this.md.render(text(data['text/markdown']));
    if (data['text/plain'] !== undefined) return `<pre>${escapeHtml(stripAnsi(text(data['text/plain'])))}</pre>`;
    return '';
  }

  outputs(outputs: readonly NotebookOutput[]): string {
    const parts: string[] = [];
    for (const o of outputs) {
      if (o.output_type === 'stream') parts.push(`<pre class="${o.name}">${escapeHtml(stripAnsi(joinText(o.text)))}</pre>`);
      else if (o.output_type === 'error') {
        const tb = o.traceback.length > 0 ? o.traceback.join('\n') : `${o.ename}: ${o.evalue}`;
        parts.push(`<pre class="error">${escapeHtml(stripAnsi(tb))}</pre>`);
      } else parts.push(this.data(o.data));
    }
    return parts.filter((p) => p !== '').join('\n');
  }
}

/** Render one executed notebook as a page. `name` is its file name without `.ipynb`. */
export function renderNotebookPage(nb: Notebook, name: string, options: Pick<HtmlEditionOptions, 'markdown' | 'math' | 'title'> = {}): NotebookPage {
  const toc: TocEntry[] = [];
  const md = (options.markdown ?? markdownRenderer)({
    math: options.math ?? katexMath,
    slugger: new Slugger(),
    onHeading: (level, text, id) => toc.push({ level, text, id }),
  });
  const file = `${name}.html`;
  const writer = new PageWriter(name.replace(/[^\w-]/g, '_'), md);
  const body: string[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type === 'markdown') body.push(`<div class="cell markdown">${md.render(cellSource(cell))}</div>`);
    else if (cell.cell_type === 'code') {
      const injected = cellTags(cell).includes(INJECTED_TAG) ? ' (parameters injected by genlab-run)' : '';
      const prompt = `In [${cell.execution_count ?? ' '}]${injected}`;
      body.push(
        `<div class="cell code" id="cell-${i + 1}"><div class="prompt">${escapeHtml(prompt)}</div>` +
          `<pre class="source"><code class="language-typescript">${escapeHtml(cellSource(cell))}</code></pre>` +
          `<div class="outputs">${writer.outputs(cell.outputs)}</div></div>`,
      );
    }
  });
  const title = toc.find((t) => t.level === 1)?.text ?? name;
  const run = runRecord(nb);
  const runLine =
    run === null
      ? 'no saved run: this notebook is shown without outputs'
      : `outputs from genlab-run, profile ${run.profile ?? 'default'}, backend ${run.backend ?? 'unknown'}, ${run.started}, ${Math.round(run.seconds)} s, ${run.status}`;
  const tocHtml = tocList(toc.filter((t) => t.level >= 2 && t.level <= 3), '');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(stripTags(title))} - ${escapeHtml(options.title ?? 'genlab-ts notebooks')}</title>
<link rel="stylesheet" href="${KATEX_CSS}">
<style>${STYLE}</style></head>
<body><nav class="site"><a href="index.html">${escapeHtml(options.title ?? 'genlab-ts notebooks')}</a> / ${escapeHtml(name)}.ipynb <span class="prompt">(${escapeHtml(runLine)})</span></nav>
<main>
<nav class="toc"><strong>Contents</strong>${tocHtml}</nav>
${body.join('\n')}
</main>
<script src="${PLOTLY_FILE}"></script>
${DRAW_SCRIPT}
</body></html>
`;
  const mathErrors = (body.join('\n').match(/class="katex-error"/g) ?? []).length;
  return { file, title, toc, html, figures: writer.figures, mathErrors };
}

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, '').replace(/[`*_$]/g, '');
}

/** Nested list of headings (levels 2 and 3) linking into `page`. */
function tocList(entries: readonly TocEntry[], page: string): string {
  if (entries.length === 0) return '';
  const out: string[] = ['<ul>'];
  let open = false;
  for (const e of entries) {
    const link = `<a href="${page}#${e.id}">${escapeHtml(stripTags(e.text))}</a>`;
    if (e.level === 2) {
      if (open) out.push('</ul></li>');
      out.push(`<li>${link}<ul>`);
      open = true;
    } else if (open) out.push(`<li>${link}</li>`);
    else out.push(`<li>${link}</li>`);
  }
  if (open) out.push('</ul></li>');
  out.push('</ul>');
  return out.join('').replace(/<ul><\/ul>/g, '');
}

/** The index page: every notebook with its sections. */
export function renderIndex(pages: readonly NotebookPage[], title = 'genlab-ts notebooks'): string {
  const items = pages
    .map((p) => `<li><a href="${p.file}"><strong>${escapeHtml(stripTags(p.title))}</strong></a> <span class="prompt">${escapeHtml(p.file.replace(/\.html$/, '.ipynb'))}</span>${tocList(p.toc.filter((t) => t.level >= 2 && t.level <= 3), p.file)}</li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
<p>Executed notebooks with their saved outputs. Opens offline: plotly.js and KaTeX (equations) are in this folder.</p>
<nav class="toc index"><ul>
${items}
</ul></nav></main></body></html>
`;
}

/** Build the site; returns the written pages and the index path. */
export async function buildHtmlEdition(options: HtmlEditionOptions = {}): Promise<{ index: string; pages: NotebookPage[]; outDir: string }> {
  const inDir = options.inDir ?? 'notebooks';
  const outDir = options.outDir ?? 'build/html';
  if (!existsSync(inDir)) throw new Error(`html: no folder ${inDir}; give a folder of executed notebooks.`);
  const files = readdirSync(inDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  if (files.length === 0) throw new Error(`html: no .ipynb files in ${inDir}.`);
  mkdirSync(outDir, { recursive: true });
  // The same minified bundle the notebooks inline (src/plot/plotly-source.ts), unless a file is given.
  if (options.plotlyFile !== undefined) copyFileSync(options.plotlyFile, path.join(outDir, PLOTLY_FILE));
  else writeFileSync(path.join(outDir, PLOTLY_FILE), plotlySource().code, 'utf8');
  copyKatexAssets(outDir);
  const pages: NotebookPage[] = [];
  for (const f of files) {
    const nb = await readNotebook(path.join(inDir, f));
    const page = renderNotebookPage(nb, path.basename(f, '.ipynb'), options);
    writeFileSync(path.join(outDir, page.file), page.html, 'utf8');
    pages.push(page);
  }
  const index = path.join(outDir, 'index.html');
  writeFileSync(index, renderIndex(pages, options.title), 'utf8');
  return { index, pages, outDir };
}
