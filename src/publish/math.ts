/**
 * TeX to HTML with KaTeX, at build time, so the HTML edition needs no script to show equations:
 * only KaTeX's stylesheet and its fonts, copied beside the pages (`copyKatexAssets`).
 *
 * Output is HTML plus MathML (`htmlAndMathml`): the HTML is what is seen, the MathML is read by
 * screen readers and holds the TeX source in its `<annotation encoding="application/x-tex">`.
 * Bad TeX is shown, never dropped: KaTeX (with `throwOnError: false`) prints the source in red in a
 * `span.katex-error` whose title is the parse error; anything else KaTeX throws gets the same span.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import path from 'path';
import katex from 'katex';
import { escapeHtml } from '../plot/html';
import type { MathRenderer } from './markdown';

/** KaTeX's error element (its own markup for a parse error), for errors KaTeX throws anyway. */
function errorSpan(tex: string, e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  return `<span class="katex-error" title="${escapeHtml(why)}" style="color:#cc0000">${escapeHtml(tex)}</span>`;
}

/** TeX to KaTeX HTML+MathML; bad TeX becomes a red `span.katex-error` holding the source. */
export const katexMath: MathRenderer = (tex, display) => {
  try {
    return katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
  } catch (e) {
    return errorSpan(tex, e);
  }
};

/** Folder of the KaTeX assets inside a site, and the stylesheet pages link (relative to the site). */
export const KATEX_DIR = 'katex';
export const KATEX_CSS = `${KATEX_DIR}/katex.min.css`;

/**
 * Copy KaTeX's stylesheet and its woff2 fonts into `<outDir>/katex/` (the stylesheet refers to
 * `fonts/…` relative to itself). Only woff2: every current browser reads it and the stylesheet lists
 * it first, so the woff/ttf fallbacks are never requested. Returns the number of fonts copied.
 */
export function copyKatexAssets(outDir: string, cssFile: string = require.resolve('katex/dist/katex.min.css')): number {
  const fontsIn = path.join(path.dirname(cssFile), 'fonts');
  const fontsOut = path.join(outDir, KATEX_DIR, 'fonts');
  mkdirSync(fontsOut, { recursive: true });
  copyFileSync(cssFile, path.join(outDir, KATEX_CSS));
  const fonts = readdirSync(fontsIn).filter((f) => f.endsWith('.woff2'));
  for (const f of fonts) copyFileSync(path.join(fontsIn, f), path.join(fontsOut, f));
  return fonts.length;
}
