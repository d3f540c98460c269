/**
 * Failure reports: what went wrong in which cell, and where in its source.
 *
 * Plain tslab reports a failing cell only with `execute_reply {status: 'error'}` and text on the
 * cell's stderr stream; the kit's kernel (src/kernel) sends that same text as the traceback of an
 * `error` message (`errorMessageText`). Either way we recover the failure from that text:
 * - compile errors: tslab prints TypeScript diagnostics as `LINE:COL - message` (cell lines);
 * - runtime errors: Node's `console.error(err)`, i.e. an optional "arrow" block
 *   (`evalmachine.<anonymous>:31` / code / caret), then `Name: message`, then `    at ...` frames
 *   whose `evalmachine.<anonymous>:L:C` lines count lines of tslab's compiled output (see source-line.ts).
 */
import type { ErrorOutput } from './nbformat';
import { mapCompiledLine } from './source-line';

/** What kind of failure stopped a cell. */
export type FailureKind = 'error' | 'timeout' | 'dead-kernel' | 'aborted';

/** The error recovered from a cell's stderr. */
export interface ParsedError {
  ename: string;
  evalue: string;
  /** The error block of the stderr text, line by line. */
  traceback: string[];
  /** 1-based source line of the cell where it failed, when known. */
  line?: number;
}

/** Everything the report says about one failed cell. */
export interface CellFailure {
  /** Notebook path as given to the runner. */
  notebook: string;
  kind: FailureKind;
  /** 1-based position of the cell in the source notebook, or null for the injected parameters cell. */
  cell: number | null;
  /** The `In [n]` count, when the kernel assigned one. */
  executionCount: number | null;
  ename: string;
  evalue: string;
  traceback: string[];
  /** The failing source line, when it could be located. */
  sourceLine: { line: number; text: string } | null;
}

const DIAGNOSTIC = /^(?:(\S+) )?(\d+):(\d+) - (.*)$/;
const HEADER = /^([A-Za-z_$][\w$]*)(?: \[([\w$]+)\])?(?::(?: (.*))?)?$/;
const FRAME = /evalmachine\.<anonymous>:(\d+)(?::\d+)?/;
const ARROW_HEAD = /^evalmachine\.<anonymous>:(\d+)$/;
const INTERNAL_FRAME = /^\s+at .*(\(node:vm:|[\\/]tslab[\\/]dist[\\/]|[\\/]dist[\\/]kernel[\\/]conformant\.js|sigintHandlersWrap|^\s+at node:vm:)/;

/** Recover ename, evalue, traceback and source line from a failed cell's stderr text. */
export function parseCellError(stderr: string, source: string, javascript = false): ParsedError {
  const lines = stderr.replace(/\s+$/, '').split('\n');
  const diagnostics = lines.map((l) => DIAGNOSTIC.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (diagnostics.length > 0) {
    const first = diagnostics.find((d) => d[1] === undefined) ?? (diagnostics[0] as RegExpExecArray);
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    const result: ParsedError = {
      ename: 'CompileError',
      evalue: `${first[4] ?? ''}${more}`,
      traceback: diagnostics.map((d) => d[0]),
    };
    // A diagnostic with a file name is in a module the cell imports, not in the cell.
    if (first[1] === undefined) result.line = Number(first[2]);
    return result;
  }

  // The stack: the last block of `    at ` frames; the header is the nearest error-like
  // `Name: message` line above it (messages may span lines), else any `Name: ...` line.
  let lastFrame = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if ((lines[i] as string).startsWith('    at ')) {
      lastFrame = i;
      break;
    }
  }
  let firstFrame = lastFrame;
  while (firstFrame > 0 && (lines[firstFrame - 1] as string).startsWith('    at ')) firstFrame--;
  const searchFrom = lastFrame < 0 ? lines.length - 1 : firstFrame - 1;
  const isHeader = (l: string): boolean => HEADER.test(l);
  const errorLike = (l: string): boolean => isHeader(l) && /^[\w$]*(Error|Exception|Interrupt)\b/.test(l);
  let header = -1;
  for (let i = searchFrom; i >= 0 && header < 0; i--) if (errorLike(lines[i] as string)) header = i;
  if (header < 0 && lastFrame >= 0) for (let i = searchFrom; i >= 0 && header < 0; i--) if (isHeader(lines[i] as string)) header = i;
  if (header < 0) {
    const text = lines.filter((l) => l.trim() !== '');
    return {
      ename: text.length ? 'Error' : 'KernelError',
      evalue: text[text.length - 1]?.trim() ?? 'the kernel reported an error without any message',
      traceback: text,
    };
  }
  const m = HEADER.exec(lines[header] as string) as RegExpExecArray;
  const stackStart = lines.findIndex((l, i) => i > header && l.startsWith('    at '));
  const messageEnd = stackStart < 0 ? lines.length : stackStart;
  const evalue = [m[3] ?? '', ...lines.slice(header + 1, messageEnd)].join('\n').trim();
  // Include Node's arrow block (the compiled line that threw) when it directly precedes the header.
  let start = header;
  for (let i = header - 1; i >= Math.max(0, header - 6); i--) {
    if (ARROW_HEAD.test(lines[i] as string)) {
      start = i;
      break;
    }
  }
  // tslab's and vm's own frames say nothing about the notebook; the notebook output keeps them.
  const traceback = lines.slice(start).filter((l) => !INTERNAL_FRAME.test(l));
  const result: ParsedError = { ename: m[1] as string, evalue, traceback };
  // The outermost frame in evalmachine code that maps into this cell: inner frames may belong to
  // functions defined in earlier cells (their lines count that cell's output), and the very last
  // one of a synchronous cell is tslab's wrapper, which maps nowhere.
  const frames = lines.slice(messageEnd).flatMap((l) => {
    const f = FRAME.exec(l);
    return f === null ? [] : [Number(f[1])];
  });
  for (const compiled of frames.reverse()) {
    const line = mapCompiledLine(source, compiled, javascript);
    if (line !== undefined) {
      result.line = line;
      break;
    }
  }
  return result;
}

/**
 * The text of an IOPub `error` message as tslab would have printed it on stderr (its traceback, one
 * line per entry), so `parseCellError` reads both kernels' failures the same way.
 */
export function errorMessageText(content: Record<string, unknown>): string {
  const tb = Array.isArray(content.traceback) ? content.traceback.map(String) : [];
  return (tb.length > 0 ? tb.join('\n') : `${String(content.ename ?? 'Error')}: ${String(content.evalue ?? '')}`) + '\n';
}

/** The source line `line` (1-based) of `source`, trimmed, for a report. */
export function sourceLineOf(source: string, line: number | undefined): { line: number; text: string } | null {
  if (line === undefined) return null;
  const text = source.split('\n')[line - 1];
  return text === undefined ? null : { line, text: text.trim() };
}

function cellName(f: Pick<CellFailure, 'cell' | 'executionCount'>): string {
  const where = f.cell === null ? 'the injected parameters cell' : `cell ${f.cell}`;
  return f.executionCount !== null ? `${where} (In [${f.executionCount}])` : where;
}

/** A multi-line, human-readable report of one failure. */
export function formatFailure(f: CellFailure): string {
  const out = [`FAILED ${f.notebook}, ${cellName(f)}: ${f.ename}: ${f.evalue.split('\n')[0] ?? ''}`];
  if (f.sourceLine !== null) out.push(`  at line ${f.sourceLine.line}: ${f.sourceLine.text}`);
  const rest = f.evalue.split('\n').slice(1);
  if (rest.length > 0) out.push(...rest.map((l) => `  ${l}`));
  if (f.traceback.length > 0) {
    out.push('  traceback:');
    out.push(...f.traceback.map((l) => `    ${l}`));
  }
  return out.join('\n');
}

/**
 * The nbformat `error` output the runner adds to a failed cell, so the executed notebook says where
 * in the cell it stopped. The kernel's own output (the kit's kernel: its `error` output with the full
 * traceback; plain tslab: the stderr text) is kept above it.
 */
export function errorOutputFor(f: CellFailure): ErrorOutput {
  const traceback = [`${f.ename}: ${f.evalue}`];
  if (f.sourceLine !== null) traceback.push(`  at cell line ${f.sourceLine.line}: ${f.sourceLine.text}`);
  if (f.kind !== 'error') traceback.push(...f.traceback);
  return { output_type: 'error', ename: f.ename, evalue: f.evalue, traceback };
}
