/**
 * Output comparison in the spirit of nbval (https://github.com/computationalmodelling/nbval):
 * a run's outputs against a reference notebook's (or the source notebook's stored outputs).
 *
 * Compared per code cell, in order (cells tagged `injected-parameters` are left out on both sides,
 * cells tagged `nbval-ignore-output` or `no-compare` on either side are skipped):
 * - stream text and `text/plain`, after sanitising (timings, clock times, dates, memory addresses,
 *   rates, progress bars, carriage-return overwrites), with numbers compared within a tolerance;
 * - check records (`application/vnd.genlab.check+json`): metric, op, threshold, profile and passed
 *   exactly, value within the tolerance;
 * - errors by name and message; other MIME types (images, HTML, plotly JSON) only by presence,
 *   since their bytes change with versions and random ids.
 */
import { CHECK_MIME } from '../shared/check-record';
import type { CodeCell, Notebook, NotebookOutput } from './nbformat';
import { cellTags, joinText } from './nbformat';
import { INJECTED_TAG } from './parameters';

/** A rewrite applied to text on both sides before comparing. */
export interface Sanitizer {
  pattern: RegExp;
  replacement: string;
}

/** Tolerances and sanitisers of a comparison. */
export interface CompareOptions {
  /**
   * Relative tolerance for numbers in text and check values: |a - b| <= atol + rtol * |b|.
   * @default 1e-3
   */
  rtol?: number;
  /**
   * Absolute tolerance for numbers.
   * @default 1e-8
   */
  atol?: number;
  /**
   * Extra sanitisers, applied after the defaults.
   * @default []
   */
  sanitizers?: readonly Sanitizer[];
  /**
   * Apply DEFAULT_SANITIZERS.
   * @default true
   */
  defaultSanitizers?: boolean;
}

/** One difference, naming the cell. */
export interface OutputDifference {
  /** 1-based position of the cell in the executed notebook. */
  cell: number;
  executionCount: number | null;
  /** What differs, e.g. `output 2 (stream stdout)`. */
  what: string;
  /** Diff lines: `- reference`, `+ actual`, `  same`. */
  diff: string[];
}

/** Cells with any of these tags are not compared. */
export const NO_COMPARE_TAGS = ['nbval-ignore-output', 'no-compare'] as const;

/** Timings, clocks, dates, addresses, rates and progress bars: things that change between honest runs. */
export const DEFAULT_SANITIZERS: readonly Sanitizer[] = [
  { pattern: /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, replacement: '<date>' },
  { pattern: /\b\d+(?:\.\d+)?\s?(?:it|its|samples|steps|examples|batches|epochs)\/s\b/g, replacement: '<rate>' },
  { pattern: /\b\d+(?:\.\d+)?\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b/g, replacement: '<time>' },
  { pattern: /\b\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\b/g, replacement: '<clock>' },
  { pattern: /\b0x[0-9a-fA-F]{4,}\b/g, replacement: '<addr>' },
  { pattern: /\[[=>.\-#█▏▎▍▌▋▊▉ ]{4,}\]/g, replacement: '<bar>' },
  { pattern: /[█▏▎▍▌▋▊▉░▒▓]+/g, replacement: '<bar>' },
];

const NUMBER = /(?<![A-Za-z_\d.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

/** Apply terminal carriage returns (keep what follows the last `\r` of a line), then sanitisers. */
export function sanitize(text: string, options: CompareOptions = {}): string {
  let out = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1).replace(/\s+$/, ''))
    .join('\n');
  const rules = [...(options.defaultSanitizers === false ? [] : DEFAULT_SANITIZERS), ...(options.sanitizers ?? [])];
  for (const r of rules) out = out.replace(new RegExp(r.pattern.source, r.pattern.flags.includes('g') ? r.pattern.flags : r.pattern.flags + 'g'), r.replacement);
  return out.replace(/\n+$/, '');
}

function numbersClose(a: number, b: number, options: CompareOptions): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= (options.atol ?? 1e-8) + (options.rtol ?? 1e-3) * Math.abs(b);
}

/** Two sanitised lines are equal if their text matches and their numbers agree within tolerance. */
export function linesMatch(actual: string, reference: string, options: CompareOptions = {}): boolean {
  if (actual === reference) return true;
  const textA = actual.replace(NUMBER, '#');
  const textB = reference.replace(NUMBER, '#');
  if (textA !== textB) return false;
  const numsA = actual.match(NUMBER) ?? [];
  const numsB = reference.match(NUMBER) ?? [];
  return numsA.length === numsB.length && numsA.every((n, i) => numbersClose(Number(n), Number(numsB[i]), options));
}

/** A line diff (LCS) with tolerant line equality; returns [] when the texts match. */
export function diffText(actual: string, reference: string, options: CompareOptions = {}): string[] {
  const a = actual.split('\n');
  const b = reference.split('\n');
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return pairwiseDiff(a, b, options);
  // lcs[i][j]: longest common subsequence of a[i..], b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = linesMatch(a[i] as string, b[j] as string, options)
        ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
        : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  if ((lcs[0] as number[])[0] === n && n === m) return [];
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && linesMatch(a[i] as string, b[j] as string, options)) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || ((lcs[i] as number[])[j + 1] as number) >= ((lcs[i + 1] as number[])[j] as number))) {
      out.push(`- ${b[j]}`);
      j++;
    } else {
      out.push(`+ ${a[i]}`);
      i++;
    }
  }
  return withContext(out);
}

/** Keep changed lines and `context` lines around them; say how many unchanged lines were left out. */
function withContext(lines: readonly string[], context = 2): string[] {
  const changed = lines.map((l) => !l.startsWith('  '));
  const keep = lines.map((_, i) => changed.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const out: string[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (skipped > 0) out.push(`  ... ${skipped} unchanged line${skipped === 1 ? '' : 's'}`);
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped > 0) out.push(`  ... ${skipped} unchanged line${skipped === 1 ? '' : 's'}`);
  return out;
}

/** For very long outputs: line i against line i, no realignment (the LCS table would be too big). */
function pairwiseDiff(a: readonly string[], b: readonly string[], options: CompareOptions): string[] {
  const out: string[] = [];
  let differs = a.length !== b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined && linesMatch(x, y, options)) out.push(`  ${x}`);
    else {
      differs = true;
      if (y !== undefined) out.push(`- ${y}`);
      if (x !== undefined) out.push(`+ ${x}`);
    }
  }
  return differs ? withContext(out) : [];
}

/** One comparable output: a kind (`stream stdout`, `text/plain`, `check`, `error`, `display`) and its text. */
interface Comparable {
  kind: string;
  text: string;
  check?: Record<string, unknown>;
}

function comparables(outputs: readonly NotebookOutput[]): Comparable[] {
  const items: Comparable[] = [];
  for (const o of outputs) {
    switch (o.output_type) {
      case 'stream': {
        const prev = items[items.length - 1];
        const text = joinText(o.text);
        // JupyterLab merges consecutive streams of one name; do the same before comparing.
        if (prev !== undefined && prev.kind === `stream ${o.name}`) prev.text += text;
        else items.push({ kind: `stream ${o.name}`, text });
        break;
      }
      case 'error':
        items.push({ kind: 'error', text: `${o.ename}: ${o.evalue}` });
        break;
      default: {
        const check = o.data[CHECK_MIME];
        if (check !== null && typeof check === 'object') {
          items.push({ kind: 'check', text: joinText(o.data['text/plain'] as string | string[] | undefined), check: check as Record<string, unknown> });
        } else if (typeof o.data['text/plain'] === 'string' || Array.isArray(o.data['text/plain'])) {
          const others = Object.keys(o.data).filter((k) => k !== 'text/plain').sort();
          items.push({ kind: `${o.output_type} [${['text/plain', ...others].join(', ')}]`, text: joinText(o.data['text/plain'] as string | string[]) });
        } else {
          items.push({ kind: `${o.output_type} [${Object.keys(o.data).sort().join(', ')}]`, text: '' });
        }
      }
    }
  }
  return items;
}

function compareChecks(a: Record<string, unknown>, b: Record<string, unknown>, options: CompareOptions): string[] {
  const out: string[] = [];
  for (const key of ['metric', 'op', 'threshold', 'profile', 'passed']) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`${key}: ${JSON.stringify(b[key])} -> ${JSON.stringify(a[key])}`);
  }
  // JSON turns NaN into null; treat null as NaN so a NaN reference matches a NaN run.
  const va = typeof a.value === 'number' ? a.value : NaN;
  const vb = typeof b.value === 'number' ? b.value : NaN;
  if (!numbersClose(va, vb, options)) out.push(`value: ${vb} -> ${va} (rtol ${options.rtol ?? 1e-3})`);
  return out.map((l) => `~ ${l}`);
}

function comparableCells(nb: Notebook): { cell: CodeCell; index: number }[] {
  return nb.cells.flatMap((c, index) => (c.cell_type === 'code' && !cellTags(c).includes(INJECTED_TAG) ? [{ cell: c, index }] : []));
}

/** Compare a run's outputs with a reference notebook; [] when they agree. */
export function compareNotebooks(actual: Notebook, reference: Notebook, options: CompareOptions = {}): OutputDifference[] {
  const diffs: OutputDifference[] = [];
  const run = comparableCells(actual);
  const ref = comparableCells(reference);
  if (run.length !== ref.length) {
    diffs.push({
      cell: 0,
      executionCount: null,
      what: 'number of code cells',
      diff: [`- ${ref.length} code cells in the reference`, `+ ${run.length} code cells in this run`],
    });
  }
  for (let k = 0; k < Math.min(run.length, ref.length); k++) {
    const { cell, index } = run[k] as { cell: CodeCell; index: number };
    const refCell = (ref[k] as { cell: CodeCell }).cell;
    if ([...cellTags(cell), ...cellTags(refCell)].some((t) => (NO_COMPARE_TAGS as readonly string[]).includes(t))) continue;
    const at = { cell: index + 1, executionCount: cell.execution_count };
    const a = comparables(cell.outputs);
    const b = comparables(refCell.outputs);
    if (a.length !== b.length || a.some((x, i) => x.kind !== (b[i] as Comparable).kind)) {
      diffs.push({ ...at, what: 'outputs', diff: diffText(a.map((x) => x.kind).join('\n'), b.map((x) => x.kind).join('\n')) });
      continue;
    }
    a.forEach((x, i) => {
      const y = b[i] as Comparable;
      const what = `output ${i + 1} (${x.kind})`;
      if (x.check !== undefined && y.check !== undefined) {
        const d = compareChecks(x.check, y.check, options);
        if (d.length > 0) diffs.push({ ...at, what, diff: d });
        return;
      }
      const d = diffText(sanitize(x.text, options), sanitize(y.text, options), options);
      if (d.length > 0) diffs.push({ ...at, what, diff: d });
    });
  }
  return diffs;
}

/** The differences as a readable report. */
export function formatDifferences(notebook: string, diffs: readonly OutputDifference[], referenceName: string): string {
  const out = [`DIFFERS ${notebook}: ${diffs.length} difference${diffs.length === 1 ? '' : 's'} from ${referenceName} (- reference, + this run)`];
  for (const d of diffs) {
    const where = d.cell === 0 ? 'notebook' : `cell ${d.cell}${d.executionCount !== null ? ` (In [${d.executionCount}])` : ''}`;
    out.push(`  ${where}, ${d.what}:`);
    out.push(...d.diff.map((l) => `    ${l}`));
  }
  return out.join('\n');
}
