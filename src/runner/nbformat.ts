/**
 * nbformat 4 notebooks: the types the runner needs, reading with clear errors, and writing in the
 * byte layout Jupyter itself uses (sorted keys, one-space indent, multi-line strings as line lists),
 * so a notebook saved by the runner diffs cleanly against one saved by JupyterLab.
 * Schema: https://github.com/jupyter/nbformat/blob/main/nbformat/v4/nbformat.v4.schema.json
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';

/** nbformat stores multi-line text either as one string or as a list of lines; we read both. */
export type MultilineString = string | string[];

/** MIME type -> payload: text types as (multi-line) strings, JSON types (`*json`) as JSON values. */
export type MimeData = Record<string, unknown>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeData;
  metadata: Record<string, unknown>;
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeData;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type NotebookOutput = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

/** Cell metadata; `tags` drives the runner (`parameters`, `injected-parameters`, `checks`, ...). */
export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}

export interface CodeCell {
  cell_type: 'code';
  id?: string;
  metadata: CellMetadata;
  source: MultilineString;
  outputs: NotebookOutput[];
  execution_count: number | null;
}

export interface MarkdownCell {
  cell_type: 'markdown';
  id?: string;
  metadata: CellMetadata;
  source: MultilineString;
  attachments?: Record<string, MimeData>;
}

export interface RawCell {
  cell_type: 'raw';
  id?: string;
  metadata: CellMetadata;
  source: MultilineString;
  attachments?: Record<string, MimeData>;
}

export type NotebookCell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Why a notebook could not be read: `missing` file, not `json`, or not a usable nbformat 4 `format`. */
export type NotebookErrorCode = 'missing' | 'json' | 'format';

/** A notebook file that cannot be run; `message` names the file and says how to fix it. */
export class NotebookError extends Error {
  constructor(
    readonly code: NotebookErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}
NotebookError.prototype.name = 'NotebookError';

/** Join a multi-line string as stored in a notebook. */
export function joinText(text: MultilineString | undefined): string {
  if (text === undefined) return '';
  return Array.isArray(text) ? text.join('') : text;
}

/** The source of a cell as one string. */
export function cellSource(cell: NotebookCell): string {
  return joinText(cell.source);
}

/** The cell's tags (empty when none). */
export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** nbformat's split_lines: "a\nb" -> ["a\n", "b"]. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => l + '\n');
  const last = lines[lines.length - 1] as string;
  if (last === '\n') lines.pop();
  else lines[lines.length - 1] = last.slice(0, -1);
  return lines;
}

/** A cell id as nbformat 4.5 wants: 1-64 chars of [a-zA-Z0-9-_]. */
export function newCellId(): string {
  return randomBytes(4).toString('hex');
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validate parsed JSON as an nbformat 4 notebook (the parts the runner relies on). */
export function parseNotebook(text: string, file: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const where = pos?.[1] !== undefined ? ` at ${lineColumn(text, Number(pos[1]))}` : '';
    throw new NotebookError(
      'json',
      file,
      `${file} is not valid JSON${where}: ${msg}. A notebook is a JSON file; restore it from version control or fix the JSON by hand.`,
    );
  }
  if (!isObject(raw) || typeof raw.nbformat !== 'number') {
    throw new NotebookError('format', file, `${file} is JSON but not a Jupyter notebook (no numeric "nbformat" field).`);
  }
  if (raw.nbformat < 4) {
    throw new NotebookError(
      'format',
      file,
      `${file} uses nbformat ${raw.nbformat}; the runner reads nbformat 4. Upgrade it with ` +
        '`jupyter nbconvert --to notebook --nbformat 4 --inplace FILE`, or open and save it in JupyterLab.',
    );
  }
  if (raw.nbformat > 4) {
    throw new NotebookError('format', file, `${file} uses nbformat ${raw.nbformat}, newer than the nbformat 4 this runner knows.`);
  }
  if (!Array.isArray(raw.cells)) {
    throw new NotebookError('format', file, `${file}: "cells" must be a list of cells.`);
  }
  raw.cells.forEach((cell: unknown, i: number) => {
    const where = `${file}: cell ${i + 1}`;
    if (!isObject(cell)) throw new NotebookError('format', file, `${where} is not a JSON object.`);
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown' && cell.cell_type !== 'raw') {
      throw new NotebookError('format', file, `${where} has cell_type ${JSON.stringify(cell.cell_type)}; expected code, markdown or raw.`);
    }
    const src = cell.source;
    if (typeof src !== 'string' && !(Array.isArray(src) && src.every((s) => typeof s === 'string'))) {
      throw new NotebookError('format', file, `${where} has no "source" (a string or a list of strings).`);
    }
    if (cell.metadata === undefined) cell.metadata = {};
    if (!isObject(cell.metadata)) throw new NotebookError('format', file, `${where}: "metadata" must be an object.`);
    if (cell.cell_type === 'code') {
      if (!Array.isArray(cell.outputs)) cell.outputs = [];
      if (cell.execution_count === undefined) cell.execution_count = null;
    }
  });
  if (!isObject(raw.metadata)) raw.metadata = {};
  if (typeof raw.nbformat_minor !== 'number') raw.nbformat_minor = 0;
  return raw as unknown as Notebook;
}

/** Read and validate a notebook file. */
export async function readNotebook(file: string): Promise<Notebook> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NotebookError('missing', file, `notebook not found: ${file} (resolved to ${path.resolve(file)}).`);
    }
    if (code === 'EISDIR') throw new NotebookError('missing', file, `${file} is a directory, not a notebook file.`);
    throw new NotebookError('missing', file, `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseNotebook(text, file);
}

const JSON_MIME = /^application\/(.+\+)?json$/;

function splitMime(data: MimeData): MimeData {
  const out: MimeData = {};
  for (const [mime, value] of Object.entries(data)) {
    out[mime] = typeof value === 'string' && !JSON_MIME.test(mime) ? splitLines(value) : value;
  }
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

/** The notebook as Jupyter writes it: `json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)`. */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((cell): NotebookCell => {
    const source = splitLines(cellSource(cell));
    if (cell.cell_type !== 'code') return { ...cell, source };
    const outputs = cell.outputs.map((o): NotebookOutput => {
      switch (o.output_type) {
        case 'stream':
          return { ...o, text: splitLines(joinText(o.text)) };
        case 'display_data':
        case 'execute_result':
          return { ...o, data: splitMime(o.data) };
        default:
          return o;
      }
    });
    return { ...cell, source, outputs };
  });
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + '\n';
}

/** Write a notebook, creating its folder. */
export async function writeNotebook(file: string, nb: Notebook): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, serializeNotebook(nb), 'utf8');
}
