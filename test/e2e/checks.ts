/**
 * What the end-to-end test asserts about a notebook run in the browser, as pure functions over what
 * page-probe.js reports (so they are unit-tested without a browser: checks.test.ts).
 *
 * The outputs of a cell are classified from the notebook model (what the kernel sent); the DOM of each
 * output must then show it: a plotly figure drawn (an SVG with traces and data), an image loaded, a
 * danfo table with rows. A progress display must be one output per training run, updated in place
 * (`update_display_data`), and show the run's last state; no cell may pile up outputs.
 */

/** One output in the notebook model. */
export interface OutputModel {
  outputType: string;
  mimes: string[];
  html: string;
  plain: string;
  streamName: string | null;
  ename: string | null;
  evalue: string | null;
  traceback: string;
}

export interface PlotDom {
  id: string;
  drawn: boolean;
  traces: number;
  dataLength: number;
  width: number;
  height: number;
  text: string;
}

/** What one output rendered in the page. */
export interface OutputDom {
  plots: PlotDom[];
  imgs: { complete: boolean; naturalWidth: number; naturalHeight: number; png: boolean }[];
  tables: { dataframe: boolean; rows: number; columns: number }[];
  text: string;
}

export interface CellState {
  index: number;
  type: string;
  source: string;
  executionCount?: number | null;
  running?: boolean;
  timingMs?: number | null;
  /** The cell's `execution` metadata as JupyterLab recorded it (JSON), for the report. */
  timingMeta?: string | null;
  outputs?: OutputModel[];
  dom?: OutputDom[];
}

/** A kernel message as recorded in the page: IOPub displays and updates, and execute replies. */
export interface IopubRecord {
  type: string;
  parent: string | null;
  displayId: string | null;
  executionCount: number | null;
  plain: string;
  /** An execute_reply's status: 'ok' or 'error' (the kit's kernel also sends an error output; plain tslab only a trace on stderr; an aborted request is an error reply with ename ExecutionAborted, 'abort' from plain tslab). */
  status?: string | null;
}

export type OutputKind = 'error' | 'figure' | 'image' | 'table' | 'progress' | 'check' | 'stream' | 'other';

const PROGRESS = /^\[[#-]+\] .*\bepoch \d+\/\d+/;

export function outputKind(o: OutputModel): OutputKind {
  if (o.outputType === 'error') return 'error';
  if (o.outputType === 'stream') return 'stream';
  if (o.html.includes('class="genlab-plot"')) return 'figure';
  if (o.mimes.includes('application/vnd.genlab.check+json')) return 'check';
  if (PROGRESS.test(o.plain)) return 'progress';
  if (o.html.includes('class="dataframe"')) return 'table';
  if (o.mimes.includes('image/png') || o.html.includes('data:image/png')) return 'image';
  return 'other';
}

/** Output counts by kind over some cells. */
export type KindCounts = Record<OutputKind, number>;

export function countKinds(cells: readonly CellState[]): KindCounts {
  const n: KindCounts = { error: 0, figure: 0, image: 0, table: 0, progress: 0, check: 0, stream: 0, other: 0 };
  for (const c of cells) for (const o of c.outputs ?? []) n[outputKind(o)]++;
  return n;
}

/** Cells whose outputs include `kind`. */
export function cellsWith(cells: readonly CellState[], kind: OutputKind): CellState[] {
  return cells.filter((c) => (c.outputs ?? []).some((o) => outputKind(o) === kind));
}

function label(c: CellState): string {
  const first = c.source.split('\n').find((l) => l.trim() !== '') ?? '';
  return `cell ${c.index + 1}${c.executionCount != null ? ` (In [${c.executionCount}])` : ''} \`${first.trim().slice(0, 70)}\``;
}

/** "epoch 3/10 step 5/7" from a progress line (text or HTML-rendered text). */
export function progressPosition(text: string): string {
  const e = /epoch (\d+)\/(\d+)/.exec(text);
  const s = /step (\d+)\/(\d+)/.exec(text);
  return [e?.[0], s?.[0]].filter(Boolean).join(' ');
}

/** Most outputs one cell may have before we call it a display that should have updated in place. */
export const MAX_OUTPUTS_PER_CELL = 60;

export interface CheckOptions {
  /** The IOPub messages recorded while these cells ran (for progress updates). */
  messages: readonly IopubRecord[];
  /** Every code cell must have run (a full run-all); false for a re-run of a few cells. */
  requireAllExecuted: boolean;
  /**
   * The outputs were loaded from the file, not produced in this page: there are no kernel messages to
   * tell how a progress display was updated, only its saved final state to compare. @default false
   */
  fromFile?: boolean;
  /** Figures must be drawn; false for an untrusted notebook, whose output scripts never run. @default true */
  figuresDrawn?: boolean;
}

/** Why a plotly div does not show its figure, or null when it does (an SVG with traces, data, a real size). */
export function plotProblem(p: PlotDom): string | null {
  if (!p.drawn) return `figure ${p.id} not drawn (no SVG)${p.text ? `: "${p.text}"` : ''}`;
  if (p.dataLength === 0 || p.traces === 0) return `figure ${p.id} drawn without data (${p.dataLength} traces in data, ${p.traces} in the SVG)`;
  if (p.width < 50 || p.height < 50) return `figure ${p.id} drawn at ${p.width}x${p.height} px`;
  return null;
}

/** Problems with a set of cells after they ran in the page; empty when all is well. */
export function checkCells(cells: readonly CellState[], opts: CheckOptions): string[] {
  const problems: string[] = [];
  // Which request produced which cell: execute_reply (and execute_input, which tslab does not send)
  // carries the execution count.
  const parentOfCount = new Map<number, string>();
  for (const m of opts.messages) {
    if ((m.type === 'execute_reply' || m.type === 'execute_input') && m.parent !== null && m.executionCount !== null) parentOfCount.set(m.executionCount, m.parent);
  }

  for (const c of cells) {
    if (c.type !== 'code') continue;
    const outputs = c.outputs ?? [];
    const dom = c.dom ?? [];
    const empty = c.source.trim() === '';
    if (opts.requireAllExecuted && !empty && (c.executionCount === null || c.executionCount === undefined)) {
      problems.push(`${label(c)} did not run (run-all stopped before it)`);
      continue;
    }
    if (c.running) problems.push(`${label(c)} is still running`);
    for (const o of outputs) {
      if (outputKind(o) === 'error') {
        problems.push(`${label(c)} raised ${o.ename}: ${o.evalue}${o.traceback ? `\n      ${o.traceback.split('\n').slice(0, 6).join('\n      ')}` : ''}`);
      }
    }
    if (outputs.length > MAX_OUTPUTS_PER_CELL) {
      problems.push(`${label(c)} has ${outputs.length} outputs (more than ${MAX_OUTPUTS_PER_CELL}: a display that should update in place?)`);
    }
    if (dom.length !== outputs.length) {
      problems.push(`${label(c)}: the page shows ${dom.length} outputs, the notebook model has ${outputs.length}`);
      continue;
    }
    const parent = c.executionCount != null ? parentOfCount.get(c.executionCount) : undefined;
    const mine = parent === undefined ? [] : opts.messages.filter((m) => m.parent === parent);
    const failed = mine.find((m) => m.type === 'execute_reply' && m.status === 'error');
    if (failed !== undefined && !outputs.some((o) => outputKind(o) === 'error')) {
      const stderr = outputs.filter((o) => o.streamName === 'stderr').map((o) => o.plain.trim()).join('\n');
      problems.push(`${label(c)} failed (the kernel replied "error")${stderr ? `:\n      ${stderr.split('\n').slice(0, 6).join('\n      ')}` : ''}`);
    }
    let progressOutputs = 0;
    outputs.forEach((o, i) => {
      const d = dom[i] as OutputDom;
      const where = `${label(c)}, output ${i + 1}`;
      switch (outputKind(o)) {
        case 'figure': {
          if (opts.figuresDrawn === false) break;
          if (d.plots.length === 0) problems.push(`${where}: a plotly figure in the model, no .genlab-plot in the page`);
          for (const p of d.plots) {
            const bad = plotProblem(p);
            if (bad !== null) problems.push(`${where}: ${bad}`);
          }
          // Once drawn, the figure replaces its static snapshot: a picture left beside it shows the figure twice.
          if (d.plots.some((p) => p.drawn) && d.imgs.length > 0) problems.push(`${where}: the static snapshot is still shown beside the drawn figure`);
          break;
        }
        case 'image': {
          const ok = d.imgs.filter((im) => im.complete && im.naturalWidth > 0 && im.naturalHeight > 0);
          if (ok.length === 0) problems.push(`${where}: an image grid in the model, no loaded <img> in the page (${JSON.stringify(d.imgs)})`);
          break;
        }
        case 'table': {
          const t = d.tables.find((x) => x.dataframe);
          if (t === undefined) problems.push(`${where}: a DataFrame table in the model, no table.dataframe in the page`);
          else if (t.rows === 0 || t.columns === 0) problems.push(`${where}: the DataFrame table is empty (${t.rows} rows, ${t.columns} header cells)`);
          break;
        }
        case 'progress': {
          progressOutputs++;
          // The page must show the run's final state: what the last message for this output said.
          const shown = progressPosition(d.text);
          const expected = progressPosition(o.plain);
          if (shown === '' || shown !== expected) problems.push(`${where}: the progress display shows "${shown}", its last update said "${expected}"`);
          break;
        }
        default:
      }
    });
    if (progressOutputs > 0 && opts.fromFile === true) {
      // Nothing ran here: the saved final state was compared above.
    } else if (progressOutputs > 0 && parent === undefined) {
      problems.push(`${label(c)}: progress outputs, but no IOPub messages were recorded for this execution (cannot tell whether it updated in place)`);
    } else if (progressOutputs > 0) {
      // One output per training run: each progress display id appears once, later states replace it.
      const ids = new Set(mine.filter((m) => m.type === 'display_data' && m.displayId !== null && PROGRESS.test(m.plain)).map((m) => m.displayId));
      const updates = opts.messages.filter((m) => m.type === 'update_display_data' && m.displayId !== null && ids.has(m.displayId)).length;
      if (ids.size === 0) problems.push(`${label(c)}: progress outputs, but none was sent with a display id (it cannot update in place)`);
      else if (progressOutputs !== ids.size) problems.push(`${label(c)}: ${progressOutputs} progress outputs for ${ids.size} training runs (updates appended instead of replacing?)`);
      else if (updates === 0) problems.push(`${label(c)}: the progress display never updated in place (no update_display_data)`);
    }
  }
  const mapped = new Set(cells.map((c) => (c.executionCount != null ? parentOfCount.get(c.executionCount) : undefined)));
  const unmapped = opts.messages.filter((m) => m.type === 'execute_reply' && m.status === 'error' && !mapped.has(m.parent ?? undefined)).length;
  if (unmapped > 0) problems.push(`${unmapped} execution(s) failed (the kernel replied "error") in cells the page could not identify`);
  return problems;
}

/** One line per training cell: its progress outputs and how many in-place updates they received. */
export function progressSummary(cells: readonly CellState[], messages: readonly IopubRecord[]): string[] {
  const parentOfCount = new Map<number, string>();
  for (const m of messages) if (m.type === 'execute_reply' && m.parent !== null && m.executionCount !== null) parentOfCount.set(m.executionCount, m.parent);
  return cellsWith(cells, 'progress').map((c) => {
    const parent = c.executionCount != null ? parentOfCount.get(c.executionCount) : undefined;
    const ids = new Set(messages.filter((m) => m.parent === parent && m.type === 'display_data' && m.displayId !== null && PROGRESS.test(m.plain)).map((m) => m.displayId));
    const updates = messages.filter((m) => m.type === 'update_display_data' && m.displayId !== null && ids.has(m.displayId)).length;
    const n = (c.outputs ?? []).filter((o) => outputKind(o) === 'progress').length;
    return `cell ${c.index + 1}: ${n} progress output(s), ${updates} in-place updates`;
  });
}

/** Problems when a notebook lacks kinds of output it must have (e.g. the fixture has all of them). */
export function checkRequiredKinds(cells: readonly CellState[], required: readonly OutputKind[]): string[] {
  const counts = countKinds(cells);
  return required.filter((k) => counts[k] === 0).map((k) => `no ${k} output anywhere in the notebook (expected at least one)`);
}

/**
 * The cells to re-run: the quickest cell that trains (has a progress display) and the quickest that
 * only plots (figures, no training). Quickest by the recorded timing, else the first.
 */
export function pickRerunCells(cells: readonly CellState[]): { training: CellState | null; plot: CellState | null } {
  const byTime = (a: CellState, b: CellState): number => (a.timingMs ?? Infinity) - (b.timingMs ?? Infinity) || a.index - b.index;
  const training = [...cellsWith(cells, 'progress')].sort(byTime)[0] ?? null;
  const plots = cellsWith(cells, 'figure').filter((c) => !cellsWith([c], 'progress').length);
  const plot = [...plots].sort(byTime)[0] ?? null;
  return { training, plot };
}

/** Outputs whose figure the page drew: at least one plotly div, every one of them drawn (plotProblem). */
export function countDrawnFigures(cells: readonly CellState[]): number {
  let n = 0;
  for (const c of cells) for (const d of c.dom ?? []) if (d.plots.length > 0 && d.plots.every((p) => plotProblem(p) === null)) n++;
  return n;
}

/** Whether an output shows a loaded PNG picture (a figure's static snapshot, for viewers that run no script). */
function showsPicture(d: OutputDom | undefined): boolean {
  return d !== undefined && d.imgs.some((im) => im.complete && im.png && im.naturalWidth > 0 && im.naturalHeight > 0);
}

/** Figure outputs whose page shows their static snapshot (a loaded PNG `<img>`), as an untrusted notebook must. */
export function countFigurePictures(cells: readonly CellState[]): number {
  let n = 0;
  for (const c of cells) (c.outputs ?? []).forEach((o, i) => void (outputKind(o) === 'figure' && showsPicture(c.dom?.[i]) && n++));
  return n;
}

/**
 * Problems when a figure output shows no picture: what a reader of an untrusted notebook (no script
 * runs) sees instead of the figure. One line per such output, and the total against the file's count.
 */
export function checkFigurePictures(cells: readonly CellState[], expected: number): string[] {
  const problems: string[] = [];
  for (const c of cells) {
    (c.outputs ?? []).forEach((o, i) => {
      if (outputKind(o) !== 'figure' || showsPicture(c.dom?.[i])) return;
      const imgs = c.dom?.[i]?.imgs ?? [];
      problems.push(`${label(c)}, output ${i + 1}: the figure shows no picture without its script (${imgs.length === 0 ? 'no <img>: was the notebook published without snapshots?' : JSON.stringify(imgs)})`);
    });
  }
  const shown = countFigurePictures(cells);
  if (shown !== expected) problems.push(`${shown} of the ${expected} figures in the file show a picture in the page`);
  return problems;
}

/** Problems when the page drew fewer (or more) figures than the notebook file holds. */
export function checkFigureCount(cells: readonly CellState[], expected: number): string[] {
  const drawn = countDrawnFigures(cells);
  return drawn === expected ? [] : [`${drawn} of the ${expected} figures in the file drawn in the page`];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const squash = (t: string): string => t.replace(ANSI, '').replace(/\s+/g, ' ').trim();

/** Outputs the page shows as plain text: streams, and displays with nothing richer than text/plain (check records). */
function shownAsText(o: OutputModel): boolean {
  if (o.outputType === 'stream') return true;
  return o.mimes.includes('text/plain') && !o.mimes.some((m) => m === 'text/html' || m.startsWith('image/'));
}

/** Text outputs in the model and how many the page shows (the start of their text is in the output's DOM). */
export function textOutputsShown(cells: readonly CellState[]): { expected: number; shown: number; problems: string[] } {
  let expected = 0;
  let shown = 0;
  const problems: string[] = [];
  for (const c of cells) {
    const outputs = c.outputs ?? [];
    const dom = c.dom ?? [];
    outputs.forEach((o, i) => {
      const want = squash(o.plain).slice(0, 40);
      if (!shownAsText(o) || want === '') return;
      expected++;
      if (squash(dom[i]?.text ?? '').includes(want)) shown++;
      else problems.push(`${label(c)}, output ${i + 1}: the page does not show its text "${want}"`);
    });
  }
  return { expected, shown, problems };
}
