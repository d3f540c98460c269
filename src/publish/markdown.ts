/**
 * Markdown for the HTML edition: markdown-it (CommonMark plus GitHub tables and strikethrough) with
 * markdown-it-texmath finding the math, so that `$...$`, `$$...$$` and `\[...\]` reach the math
 * renderer exactly as written: markdown rules never run inside TeX (`_` and `*` there are not
 * emphasis) and backslashes are not unescaped.
 *
 * texmath is used as a tokenizer only. Its own renderer keeps one engine per process (the first one
 * it is given) and wraps equations in `<eq>`/`<section><eqn>`; ours calls this page's `MathRenderer`
 * instead: `plainMath` shows the TeX source, escaped, in `<span class="math inline">` /
 * `<span class="math display">`; `katexMath` (math.ts, the HTML edition's default) typesets it.
 *
 * Raw HTML in a cell is escaped, not passed through (comments are dropped): the edition must open
 * offline, and an `<img>` or `<script>` in a cell could fetch from the network. Images with an external source become links
 * for the same reason. Headings get ids from one `Slugger` per page (for its table of contents).
 */
import MarkdownIt from 'markdown-it';
import texmath from 'markdown-it-texmath';
import { escapeHtml } from '../plot/html';

type Token = MarkdownIt.Token;

/** Renders one markdown cell to HTML. */
export interface MarkdownRenderer {
  render(markdown: string): string;
}

/** Math to HTML: `tex` without its delimiters; `display` for `$$...$$` and `\[...\]`. */
export type MathRenderer = (tex: string, display: boolean) => string;

/**
 * Keeps the TeX source, escaped (for a client-side renderer, or to read the source). Display math is a
 * `span` too (styled as a block), since `$$...$$` may sit inside a paragraph, where a `div` cannot.
 */
export const plainMath: MathRenderer = (tex, display) => `<span class="math ${display ? 'display' : 'inline'}">${escapeHtml(tex)}</span>`;

/** The id a heading gets: lower case, letters/digits joined by `-` (GitHub-like). */
export function slugify(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[`*_$\\{}()[\]^~!?.,:;'"|/+=<>&#%@]/g, '')
    .trim()
    .replace(/\s+/g, '-');
  return s || 'section';
}

/** Hands out unique slugs within one page (`a`, `a-1`, ...). */
export class Slugger {
  private readonly seen = new Map<string, number>();
  slug(text: string): string {
    const base = slugify(text);
    const n = this.seen.get(base);
    this.seen.set(base, (n ?? 0) + 1);
    return n === undefined ? base : `${base}-${n}`;
  }
}

/** Options of the markdown renderer. */
export interface MarkdownOptions {
  /** Math to HTML (`katexMath` from math.ts typesets it). @default plainMath (TeX source kept) */
  math?: MathRenderer;
  /** Ids for headings (share one per page so ids stay unique). @default a fresh Slugger per call */
  slugger?: Slugger;
  /** Called for each heading rendered, with its markdown source text and the id it got (for tables of contents). */
  onHeading?: (level: number, text: string, id: string) => void;
}

/** Whether a URL leaves the page (such images are shown as links, never loaded). */
function isExternal(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(data|mailto):/i.test(url);
}

// texmath's inline `$...$` may hold a `$` (`/\$(\S.*?[^\s\\])\$/`), so `$a = $ b $c$` became one broken
// equation from the first `$` to the last. As in JupyterLab and in pandoc, an inline equation ends at
// the next `$`. (The rule objects are shared by every markdown-it instance texmath is used on.)
for (const rule of texmath.rules.dollars?.inline ?? []) {
  if (rule.name === 'math_inline') rule.rex = /\$((?:[^\s\\$])|(?:[^\s$][^$]*?[^\s\\$]))\$/gy;
}

/**
 * A table row is split at `|` before inline rules run (GFM), which would cut `$|\det J|$` or
 * `$\|x\|$` in two. JupyterLab takes the math out before parsing; we hide the `|` inside math spans
 * of table-like lines behind a private-use character that the math renderers turn back into `|`,
 * so the TeX reaches them untouched.
 */
const PIPE = '\uE000';
function protectTablePipes(markdown: string): string {
  if (!markdown.includes('|') || !markdown.includes('$')) return markdown;
  return markdown
    .split('\n')
    .map((line) => (/^\s*\|/.test(line) ? line.replace(/\$\$[^$]+\$\$|\$[^$\n]+\$/g, (m) => m.replace(/\|/g, PIPE)) : line))
    .join('\n');
}
const restorePipes = (tex: string): string => tex.replace(/\uE000/g, '|');

/** A markdown-it instance with the math tokenizer; the math token renderers are set per renderer. */
function parser(): MarkdownIt {
  // `html: true` only so that raw HTML arrives as html_block/html_inline tokens: the renderer rules
  // below drop comments (as Jupyter and GitHub show nothing for them) and escape everything else.
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  // The engine is never called (our renderer rules replace texmath's); passing one stops texmath from loading KaTeX itself.
  md.use(texmath, { delimiters: ['dollars', 'brackets'], engine: { renderToString: (tex: string) => tex } });
  return md;
}

/** Token names texmath emits, by whether they are display math. */
const INLINE_MATH = ['math_inline'];
const DISPLAY_MATH = ['math_inline_double', 'math_block', 'math_block_eqno'];

/** The CommonMark renderer of the HTML edition (see the file comment). */
export function markdownRenderer(options: MarkdownOptions = {}): MarkdownRenderer {
  const math = options.math ?? plainMath;
  const md = parser();
  for (const name of INLINE_MATH) md.renderer.rules[name] = (tokens, i) => math(restorePipes((tokens[i] as Token).content), false);
  for (const name of DISPLAY_MATH) {
    md.renderer.rules[name] = (tokens, i) => {
      const t = tokens[i] as Token;
      const html = math(restorePipes(t.content).trim(), true);
      // `$$ ... $$ (3)`: an equation number after a display equation.
      const eqno = name === 'math_block_eqno' ? `<div class="eqno">(${escapeHtml(t.info)})</div>` : '';
      return t.block ? `${html}${eqno}\n` : html;
    };
  }
  const isComment = (html: string): boolean => /^\s*<!--[\s\S]*?-->\s*$/.test(html);
  md.renderer.rules.html_block = (tokens, i) => {
    const html = (tokens[i] as Token).content;
    return isComment(html) ? '' : `<p>${escapeHtml(html.trimEnd())}</p>\n`;
  };
  md.renderer.rules.html_inline = (tokens, i) => {
    const html = (tokens[i] as Token).content;
    return isComment(html) ? '' : escapeHtml(html);
  };
  const defaultImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, i, opts, env, self) => {
    const t = tokens[i] as Token;
    const src = t.attrGet('src') ?? '';
    if (isExternal(src)) return `<a href="${escapeHtml(src)}">${escapeHtml(t.content || src)}</a>`;
    return defaultImage !== undefined ? defaultImage(tokens, i, opts, env, self) : self.renderToken(tokens, i, opts);
  };
  return {
    render(markdown: string): string {
      const slugger = options.slugger ?? new Slugger();
      const env = {};
      const tokens = md.parse(protectTablePipes(markdown), env);
      tokens.forEach((t, i) => {
        if (t.type !== 'heading_open') return;
        const text = tokens[i + 1]?.content ?? '';
        const id = slugger.slug(text);
        t.attrSet('id', id);
        options.onHeading?.(Number(t.tag.slice(1)), text, id);
      });
      return md.renderer.render(tokens, md.options, env);
    },
  };
}

const headingParser = parser();

/** Headings of a markdown text (not those inside code): level and source text, in order. */
export function markdownHeadings(markdown: string): { level: number; text: string }[] {
  const tokens = headingParser.parse(markdown, {});
  const found: { level: number; text: string }[] = [];
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open') found.push({ level: Number(t.tag.slice(1)), text: tokens[i + 1]?.content ?? '' });
  });
  return found;
}

/** Display equations of a markdown text (`$$...$$`, `\[...\]`), their TeX as written, in order. */
export function displayEquations(markdown: string): string[] {
  const out: string[] = [];
  const walk = (tokens: readonly Token[]): void => {
    for (const t of tokens) {
      if (DISPLAY_MATH.includes(t.type)) out.push(restorePipes(t.content));
      if (t.children !== null) walk(t.children);
    }
  };
  walk(headingParser.parse(protectTablePipes(markdown), {}));
  return out;
}
