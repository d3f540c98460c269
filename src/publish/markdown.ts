/**
 * A small markdown renderer for the HTML edition: what the lecture notebooks use (headings,
 * paragraphs, emphasis, inline code, fenced code, lists, block quotes, tables, links, rules) and TeX
 * math kept intact for a math renderer. No markdown package is installed; `MarkdownRenderer` is the
 * seam where one (e.g. `marked`) plugs in.
 *
 * Math: `$...$` and `$$...$$` are cut out before any markdown rule runs (so `_` and `*` inside TeX are
 * not emphasis), then put back by a `MathRenderer`: `plainMath` (the default here) shows the TeX
 * source, escaped, in `<span class="math inline">` / `<div class="math display">`; `katexMath`
 * (math.ts, the HTML edition's default) typesets it.
 */
import { escapeHtml } from '../plot/html';

/** Renders one markdown cell to HTML. */
export interface MarkdownRenderer {
  render(markdown: string): string;
}

/** Math to HTML: `tex` without its `$` delimiters; `display` for `$$...$$` and `\[...\]`. */
export type MathRenderer = (tex: string, display: boolean) => string;

/** Keeps the TeX source, escaped (for a client-side renderer, or to read the source). */
export const plainMath: MathRenderer = (tex, display) =>
  display ? `<div class="math display">${escapeHtml(tex)}</div>` : `<span class="math inline">${escapeHtml(tex)}</span>`;

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

const PLACEHOLDER = '\u0000';

/** Cut out math spans; returns text with placeholders and the rendered pieces. */
function protectMath(md: string, math: MathRenderer, pieces: string[]): string {
  const put = (html: string): string => `${PLACEHOLDER}${pieces.push(html) - 1}${PLACEHOLDER}`;
  return md
    .replace(/\$\$([\s\S]+?)\$\$/g, (_m, tex: string) => put(math(tex.trim(), true)))
    .replace(/\\\[([\s\S]+?)\\\]/g, (_m, tex: string) => put(math(tex.trim(), true)))
    .replace(/(^|[^\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)/g, (_m, pre: string, tex: string) => pre + put(math(tex, false)));
}

function restore(html: string, pieces: readonly string[]): string {
  return html.replace(new RegExp(`${PLACEHOLDER}(\\d+)${PLACEHOLDER}`, 'g'), (_m, i: string) => pieces[Number(i)] ?? '');
}

/** Whether a link target leaves the site (those are shown as text links, never loaded). */
function isExternal(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(data|mailto):/i.test(url);
}

/** Inline markdown of escaped-later text. */
function inline(text: string, codes: string[]): string {
  const putCode = (html: string): string => `${PLACEHOLDER}c${codes.push(html) - 1}${PLACEHOLDER}`;
  let s = text.replace(/`([^`]+)`/g, (_m, c: string) => putCode(`<code>${escapeHtml(c)}</code>`));
  s = escapeHtml(s);
  // Images: only local or data: sources, so the page stays offline; others become links.
  s = s.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, alt: string, url: string) =>
    isExternal(url) ? `<a href="${url}">${alt || url}</a>` : `<img alt="${alt}" src="${url}">`,
  );
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => `<a href="${url}">${label}</a>`);
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/__([^_]+)__/g, '<strong>$1</strong>');
  s = s.replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>').replace(/(^|[^\w])_([^_\s][^_]*?)_(?!\w)/g, '$1<em>$2</em>');
  s = s.replace(/ {2,}\n/g, '<br>\n');
  return s.replace(new RegExp(`${PLACEHOLDER}c(\\d+)${PLACEHOLDER}`, 'g'), (_m, i: string) => codes[Number(i)] ?? '');
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Options of the built-in renderer. */
export interface BasicMarkdownOptions {
  /** Math to HTML (`katexMath` from math.ts typesets it). @default plainMath (TeX source kept) */
  math?: MathRenderer;
  /** Ids for headings (share one per page so ids stay unique). @default a fresh Slugger per call */
  slugger?: Slugger;
  /** Called for each heading rendered, with the id it got (for tables of contents). */
  onHeading?: (level: number, text: string, id: string) => void;
}

/** The built-in renderer (CommonMark subset; see the file comment). */
export function basicMarkdown(options: BasicMarkdownOptions = {}): MarkdownRenderer {
  const math = options.math ?? plainMath;
  return {
    render(markdown: string): string {
      const slugger = options.slugger ?? new Slugger();
      const pieces: string[] = [];
      const codes: string[] = [];
      const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
      const out: string[] = [];
      let i = 0;
      const para: string[] = [];
      const flush = (): void => {
        if (para.length > 0) out.push(`<p>${inline(protectMath(para.join('\n'), math, pieces), codes)}</p>`);
        para.length = 0;
      };
      while (i < lines.length) {
        const line = lines[i] as string;
        const fence = /^\s*(```|~~~)\s*([\w-]*)/.exec(line);
        if (fence !== null) {
          flush();
          const body: string[] = [];
          i++;
          while (i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string)) body.push(lines[i++] as string);
          i++;
          const lang = fence[2] ? ` class="language-${fence[2]}"` : '';
          out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
          continue;
        }
        // Display math on lines of its own stays one block (possibly spanning lines).
        if (line.trim().startsWith('$$')) {
          flush();
          const body: string[] = [line];
          i++;
          if ((line.match(/\$\$/g) ?? []).length < 2) {
            while (i < lines.length && !(lines[i] as string).includes('$$')) body.push(lines[i++] as string);
            if (i < lines.length) body.push(lines[i++] as string);
          }
          out.push(inline(protectMath(body.join('\n'), math, pieces), codes));
          continue;
        }
        const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
        if (h !== null) {
          flush();
          const level = (h[1] as string).length;
          const text = h[2] as string;
          const id = slugger.slug(text);
          options.onHeading?.(level, text, id);
          out.push(`<h${level} id="${id}">${inline(protectMath(text, math, pieces), codes)}</h${level}>`);
          i++;
          continue;
        }
        if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
          flush();
          out.push('<hr>');
          i++;
          continue;
        }
        if (/^\s*>/.test(line)) {
          flush();
          const body: string[] = [];
          while (i < lines.length && /^\s*>/.test(lines[i] as string)) body.push((lines[i++] as string).replace(/^\s*> ?/, ''));
          out.push(`<blockquote>${this.render(body.join('\n'))}</blockquote>`);
          continue;
        }
        if (/^\s*\|.*\|\s*$/.test(line) && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1] ?? '')) {
          flush();
          const head = splitRow(line);
          i += 2;
          const rows: string[][] = [];
          while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i] as string)) rows.push(splitRow(lines[i++] as string));
          const cell = (tag: string, c: string): string => `<${tag}>${inline(protectMath(c, math, pieces), codes)}</${tag}>`;
          out.push(
            `<table><thead><tr>${head.map((c) => cell('th', c)).join('')}</tr></thead><tbody>` +
              rows.map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`).join('') +
              '</tbody></table>',
          );
          continue;
        }
        const li = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line);
        if (li !== null) {
          flush();
          const ordered = /\d/.test(li[2] as string);
          const items: string[] = [];
          while (i < lines.length) {
            const m = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i] as string);
            if (m !== null) items.push(m[3] as string);
            else if (/^\s+\S/.test(lines[i] as string) && items.length > 0) items[items.length - 1] += '\n' + (lines[i] as string).trim();
            else break;
            i++;
          }
          const tag = ordered ? 'ol' : 'ul';
          out.push(`<${tag}>${items.map((t) => `<li>${inline(protectMath(t, math, pieces), codes)}</li>`).join('')}</${tag}>`);
          continue;
        }
        if (line.trim() === '') {
          flush();
          i++;
          continue;
        }
        para.push(line);
        i++;
      }
      flush();
      return restore(out.join('\n'), pieces);
    },
  };
}

/** Headings of a markdown text (outside fenced code): level, text, in order. */
export function markdownHeadings(markdown: string): { level: number; text: string }[] {
  const found: { level: number; text: string }[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h !== null) found.push({ level: (h[1] as string).length, text: h[2] as string });
  }
  return found;
}
