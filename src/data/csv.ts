/**
 * A small reader for numeric CSV files such as the UCI Wine Quality tables.
 *
 * Written here rather than delegated to danfo's `readCSV` (which does read these files with
 * `{ delimiter: ';' }`) so that a malformed file fails with its line and column named, instead of turning
 * into NaN cells, and so loading stays synchronous. Quotes around a field are stripped; a separator
 * inside quotes is not supported (numeric tables have none).
 */
import * as fs from 'fs';

/** A parsed numeric table. */
export interface NumericTable {
  /** Column names from the header, quotes stripped. */
  columns: string[];
  /** One array per data row, in file order. */
  rows: number[][];
}

/** Options for {@link parseNumericCsv}. */
export interface CsvOptions {
  /** Field separator; `'auto'` picks `;` or `,` by which occurs more often in the header. @default 'auto' */
  separator?: string | 'auto';
  /** Name used in error messages (usually the file path). @default '<csv>' */
  source?: string;
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f;
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/** Parse CSV text whose header names the columns and whose every other field is a number. */
export function parseNumericCsv(text: string, options: CsvOptions = {}): NumericTable {
  const source = options.source ?? '<csv>';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const header = lines[0];
  if (header === undefined || header.trim() === '') throw new Error(`${source}: the file is empty (expected a header line)`);
  const sep = options.separator === undefined || options.separator === 'auto'
    ? (count(header, ';') >= count(header, ',') ? ';' : ',')
    : options.separator;
  const columns = header.split(sep).map(unquote);
  const rows: number[][] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!;
    const fields = line.split(sep);
    if (fields.length !== columns.length) {
      throw new Error(`${source}, line ${li + 1}: ${fields.length} fields, but the header has ${columns.length} ` +
        `(separator '${sep}')`);
    }
    const row = new Array<number>(fields.length);
    for (let j = 0; j < fields.length; j++) {
      const raw = unquote(fields[j]!);
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) {
        throw new Error(`${source}, line ${li + 1}, column "${columns[j]}": not a number: '${raw}'`);
      }
      row[j] = v;
    }
    rows.push(row);
  }
  return { columns, rows };
}

/** Read and parse a numeric CSV file (see {@link parseNumericCsv}). */
export function readNumericCsv(file: string, options: Omit<CsvOptions, 'source'> = {}): NumericTable {
  return parseNumericCsv(fs.readFileSync(file, 'utf8'), { ...options, source: file });
}
