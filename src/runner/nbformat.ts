/**
 * nbformat 4 notebooks: the shapes (Jupyter's own TypeScript types, `@jupyterlab/nbformat`), reading
 * with clear errors and a check against the nbformat 4 JSON schema (nbformat-schema.ts), and writing
 * in the byte layout Jupyter itself uses (sorted keys, one-space indent, multi-line strings as line
 * lists), so a notebook saved by the runner diffs cleanly against one saved by JupyterLab.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import type * as nbformat from '@jupyterlab/nbformat';
import { NEWEST_MINOR, schemaProblems } from './nbformat-schema';

/** nbformat stores multi-line text either as one string or as a list of lines; we read both. */
export type MultilineString = nbformat.MultilineString;

/** MIME type -> payload: text types as (multi-line) strings, JSON types (`*json`) as JSON values. */
export type MimeData = nbformat.IMimeBundle;

/** A JSON object as Jupyter types it (metadata, JSON payloads). */
export type JsonObject = nbformat.OutputMetadata;

export type StreamOutput = nbformat.IStream;
export type DisplayDataOutput = nbformat.IDisplayData;
export type ExecuteResultOutput = nbformat.IExecuteResult;
export type ErrorOutput = nbformat.IError;

/**
 * The four outputs the nbformat 4 schema allows. Jupyter's `IOutput` also has an `IUnrecognizedOutput`
 * (any `output_type`), for front ends that must show whatever arrives; a notebook the runner reads has
 * passed the schema, so it holds only these.
 */
export type NotebookOutput = ExecuteResultOutput | DisplayDataOutput | StreamOutput | ErrorOutput;

/** Cell metadata; `tags` drives the runner (`parameters`, `injected-parameters`, `checks`, ...). */
export type CellMetadata = Partial<nbformat.ICellMetadata>;

export interface CodeCell extends nbformat.ICodeCell {
  outputs: NotebookOutput[];
}
export type MarkdownCell = nbformat.IMarkdownCell;
export type RawCell = nbformat.IRawCell;

/** The three cells the schema allows (Jupyter's `ICell` also has an unrecognized one, as for outputs). */
export type NotebookCell = CodeCell | MarkdownCell | RawCell;

export interface Notebook extends nbformat.INotebookContent {
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

/** Schema problems listed in an error message (the rest are counted). */
const MAX_PROBLEMS = 5;

/**
 * Parse and validate a notebook: first the checks that name the usual mistakes in plain words (not
 * JSON, not nbformat 4, a cell without source), then small repairs nbformat tolerates (missing cell
 * metadata, outputs, execution counts, ids), then the nbformat 4 JSON schema of its minor version
 * (nbformat-schema.ts), which names the cell, output and field of anything else that is wrong.
 */
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
  const minor = raw.nbformat_minor as number;
  // nbformat 4.5 requires cell ids; like nbformat's own reader (MissingIDFieldWarning), give the
  // missing ones an id rather than refuse the notebook.
  if (minor >= 5) {
    for (const cell of raw.cells as Record<string, unknown>[]) if (cell.id === undefined) cell.id = newCellId();
  }
  const problems = schemaProblems(raw);
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p.message} (at ${p.pointer || '/'})`);
    const more = problems.length > MAX_PROBLEMS ? [`  - and ${problems.length - MAX_PROBLEMS} more`] : [];
    // The usual case: cells added by a tool that writes ids into a notebook older than 4.5.
    const idsTooEarly = minor < 5 && problems.some((p) => /^cell \d+ has "id", which the schema does not allow here$/.test(p.message));
    const fix = idsTooEarly
      ? 'Cell ids came with nbformat 4.5: set "nbformat_minor": 5 and give every cell an "id" (JupyterLab 4 does both when it saves the notebook).'
      : 'Fix these fields (JupyterLab writes valid notebooks: opening and saving the notebook there often repairs it).';
    throw new NotebookError('format', file, `${file} does not follow the nbformat 4.${Math.min(minor, NEWEST_MINOR)} schema:\n${[...shown, ...more].join('\n')}\n${fix}`);
  }
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
