/**
 * Tables: a danfo DataFrame or Series (e.g. `df.describe()`, with its index) or an array of records,
 * as an HTML table for notebooks and aligned text elsewhere. danfo's own `print()` writes to the
 * console and its `plot()` needs a browser; this gives JupyterLab a real table.
 */
import { displayBundle, inNotebook, MimeBundle } from '../tslab/display';
import { DataFrameLike, frameRows, isDataFrameLike, isSeriesLike, SeriesLike } from './data';
import { escapeHtml } from './html';

/** A DataFrame, a Series, or rows as records (`[{ model: 'MLP', acc: 0.91 }, ...]`). */
export type TableInput = DataFrameLike | SeriesLike | readonly Readonly<Record<string, unknown>>[];

/** Options for {@link showTable}. */
export interface TableOptions {
  /** Rows shown; the rest are summarised in a note. @default 20 */
  maxRows?: number;
  /** Significant digits of non-integer numbers. @default 4 */
  precision?: number;
  /** A caption above the table. @default none */
  caption?: string;
  /** Show the index column. @default true for DataFrames and Series, false for records */
  index?: boolean;
}

interface Cells {
  columns: string[];
  index: string[];
  rows: unknown[][];
  hasIndex: boolean;
}

function readTable(data: TableInput): Cells {
  if (isDataFrameLike(data)) {
    return { columns: data.columns.map(String), index: data.index.map(String), rows: frameRows(data).map((r) => [...r]), hasIndex: true };
  }
  if (isSeriesLike(data)) {
    const name = (data as { columns?: unknown }).columns;
    const col = Array.isArray(name) && name.length === 1 ? String(name[0]) : 'value';
    return { columns: [col], index: data.index.map(String), rows: data.values.map((v) => [v]), hasIndex: true };
  }
  if (!Array.isArray(data)) throw new Error('showTable: expected a DataFrame, a Series or an array of records');
  const records = data as readonly Readonly<Record<string, unknown>>[];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, index: records.map((_, i) => String(i)), rows: records.map((r) => columns.map((c) => r[c])), hasIndex: false };
}

/** A cell as text: integers as they are, other numbers to `precision` significant digits. */
export function formatCell(v: unknown, precision = 4): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    return String(Number(v.toPrecision(precision)));
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The MIME bundle of a table: `text/html` and `text/plain`, at most `maxRows` rows. */
export function tableBundle(data: TableInput, opts: TableOptions = {}): MimeBundle {
  const t = readTable(data);
  const maxRows = opts.maxRows ?? 20;
  const withIndex = opts.index ?? t.hasIndex;
  const shown = t.rows.slice(0, maxRows);
  const text = shown.map((row) => row.map((v) => formatCell(v, opts.precision)));
  const numeric = t.columns.map((_, j) => t.rows.every((r) => r[j] === null || r[j] === undefined || typeof r[j] === 'number'));
  const note = t.rows.length > maxRows ? `showing the first ${maxRows} of ${t.rows.length} rows` : '';
  const shape = `${t.rows.length} rows x ${t.columns.length} columns`;

  const head = (withIndex ? '<th></th>' : '') + t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = text.map((row, i) => {
    const idx = withIndex ? `<th>${escapeHtml(t.index[i] ?? '')}</th>` : '';
    return `<tr>${idx}${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  }).join('\n');
  const html = `${opts.caption ? `<div style="font-weight:bold;margin:4px 0;">${escapeHtml(opts.caption)}</div>\n` : ''}` +
    `<table border="1" class="dataframe">\n<thead><tr style="text-align:right;">${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n` +
    `<p style="font-size:smaller;color:#666;">${escapeHtml(note ? `${note} (${shape})` : shape)}</p>`;

  // Plain text: columns padded to their widest cell, numbers right-aligned.
  const header = [...(withIndex ? [''] : []), ...t.columns];
  const lines = [header, ...text.map((row, i) => [...(withIndex ? [t.index[i] ?? ''] : []), ...row])];
  const widths = header.map((_, j) => Math.max(...lines.map((l) => (l[j] ?? '').length)));
  const offset = withIndex ? 1 : 0;
  const plain = lines.map((l) => l.map((c, j) => {
    const w = widths[j] as number;
    return j >= offset && numeric[j - offset] ? c.padStart(w) : c.padEnd(w);
  }).join('  ').trimEnd());
  if (opts.caption) plain.unshift(opts.caption);
  plain.push(note ? `[${note}; ${shape}]` : `[${shape}]`);
  return { 'text/html': html, 'text/plain': plain.join('\n') };
}

/** Display a table as an output of the running cell. A no-op outside a notebook (use `tableBundle` there). */
export function showTable(data: TableInput, opts: TableOptions = {}): void {
  if (inNotebook()) displayBundle(tableBundle(data, opts));
}
