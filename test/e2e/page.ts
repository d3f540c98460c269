/**
 * Drives one notebook in JupyterLab or Notebook 7 the way a student does: open it, check the
 * TypeScript (tslab) kernel is the one selected, Run > Run All Cells from the menu, wait, look at every
 * output; then re-run one training cell and one plot cell with Ctrl+Enter and look again. Screenshots
 * of the top of the notebook and of a figure are saved as artifacts.
 *
 * openSavedInPage instead opens a notebook committed with outputs and runs nothing: what a reader sees
 * on opening it must already be there (figures drawn, images loaded, text shown).
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import {
  checkCells,
  checkFigureCount,
  checkRequiredKinds,
  countDrawnFigures,
  countKinds,
  pickRerunCells,
  progressSummary,
  type CellState,
  type IopubRecord,
  type KindCounts,
  type OutputKind,
  textOutputsShown,
} from './checks';
import type { JupyterServer } from './server';

const PROBE = readFileSync(path.join(__dirname, 'page-probe.js'), 'utf8');

export interface NotebookRunOptions {
  server: JupyterServer;
  /** Notebook path relative to the server's root. */
  relPath: string;
  /** Name used for screenshots. */
  shotName: string;
  /** Folder for screenshots. */
  shotDir: string;
  /** Seconds allowed for run-all. */
  timeoutSec: number;
  /** Kinds of output the notebook must contain. */
  requiredKinds: readonly OutputKind[];
  /** Progress lines go here. */
  log: (line: string) => void;
}

export interface RerunResult {
  cell: number;
  kind: 'training' | 'plot';
  seconds: number;
  problems: string[];
  notes: string[];
}

export interface NotebookRunReport {
  notebook: string;
  front: string;
  /**
   * `run`: run-all in the page; `saved`: a signed copy opened, nothing run; `untrusted`: the same
   * unsigned; `interrupt`: a training cell interrupted from the Kernel menu, then the cells after it run.
   */
  mode: 'run' | 'saved' | 'untrusted' | 'interrupt';
  kernel: string | null;
  ok: boolean;
  problems: string[];
  notes: string[];
  counts: KindCounts | null;
  runAllSeconds: number | null;
  reruns: RerunResult[];
  screenshots: string[];
  /** Saved modes: figures in the file (plotly MIME outputs) and figures the page drew. */
  figures: { expected: number; drawn: number } | null;
  /** Saved modes: text outputs (streams, check records) in the model and shown in the page. */
  texts: { expected: number; shown: number } | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Evaluate `window.__genlabE2E.<fn>(...args)` in the page. */
async function probe<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([f, a]) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const w = globalThis as any;
    return w.__genlabE2E[f as string](...(a as unknown[]));
  }, [fn, args] as const) as Promise<T>;
}

async function waitFor<T>(what: string, timeoutMs: number, poll: () => Promise<T | null | undefined | false>, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await poll();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`);
    await sleep(everyMs);
  }
}

interface KernelState {
  ready: boolean;
  kernelName: string | null;
  kernelStatus: string | null;
  kernelDisplayName: string;
  dialog: string | null;
}

interface RunProgress {
  code: number;
  executed: number;
  running: number;
  errors: number;
  kernelStatus: string | null;
}

/** Load the front end on a notebook, install the probe, wait until the notebook's cells are there. */
async function openNotebook(page: Page, server: JupyterServer, relPath: string): Promise<void> {
  await page.goto(server.urlFor(relPath), { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitFor('the front end to load', 180_000, () =>
    page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return !!(globalThis as any).jupyterapp;
    }),
  );
  await page.evaluate(PROBE);
  await waitFor('the notebook to open', 180_000, () => probe<boolean>(page, 'isOpen', relPath));
}

/** The tslab kernel must be the one the notebook starts; answer a kernel dialog by choosing it. */
async function ensureKernel(page: Page, relPath: string, log: (l: string) => void): Promise<KernelState> {
  let answered = false;
  return waitFor('the TypeScript (tslab) kernel to start', 180_000, async () => {
    const k = await probe<KernelState>(page, 'kernel', relPath);
    if (k.dialog !== null && !answered) {
      // "Select Kernel": a notebook whose kernel is unknown, or several candidates.
      log(`    kernel dialog: ${k.dialog.replace(/\s+/g, ' ').slice(0, 120)}`);
      const select = page.locator('.jp-Dialog select');
      if ((await select.count()) > 0) {
        const options = await select.locator('option').allTextContents();
        const ts = options.find((o) => /TypeScript/.test(o));
        if (ts !== undefined) await select.selectOption({ label: ts });
      }
      await page.locator('.jp-Dialog .jp-mod-accept').click();
      answered = true;
      return null;
    }
    if (k.kernelName !== null && k.kernelName !== 'tslab') throw new Error(`the notebook started kernel "${k.kernelName}", not tslab`);
    return k.ready && k.kernelName === 'tslab' && k.kernelStatus === 'idle' ? k : null;
  });
}

/** Click `top` > `item` in the menu bar, as a student does; the command itself if there is no menu bar. */
async function menuCommand(page: Page, top: string, item: RegExp, command: string, log: (l: string) => void): Promise<void> {
  const menu = page.locator('.lm-MenuBar-item', { hasText: new RegExp(`^${top}$`) });
  if ((await menu.count()) > 0) {
    await menu.first().click();
    const entry = page.locator('.lm-Menu-item', { hasText: item });
    await entry.first().waitFor({ state: 'visible', timeout: 10_000 });
    await entry.first().click();
    return;
  }
  log(`    no ${top} menu found: using the command ${command}`);
  await page.evaluate((c) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (globalThis as any).jupyterapp.commands.execute(c);
  }, command);
}

/** Run > Run All Cells, from the menu bar (the command palette's command if the menu is not there). */
async function runAll(page: Page, log: (l: string) => void): Promise<void> {
  await menuCommand(page, 'Run', /^Run All Cells/, 'notebook:run-all-cells', log);
}

/** Wait until nothing runs and the kernel is idle (several polls in a row), after something ran. */
async function waitRunAll(page: Page, relPath: string, timeoutMs: number, log: (l: string) => void): Promise<RunProgress> {
  let started = false;
  let quiet = 0;
  let lastLog = 0;
  return waitFor(
    'run-all to finish',
    timeoutMs,
    async () => {
      const p = await probe<RunProgress>(page, 'progress', relPath);
      if (p.running > 0 || p.executed > 0) started = true;
      if (Date.now() - lastLog > 20_000) {
        lastLog = Date.now();
        log(`    ... ${p.executed}/${p.code} code cells run, ${p.running} queued or running, kernel ${p.kernelStatus}`);
      }
      quiet = started && p.running === 0 && p.kernelStatus === 'idle' ? quiet + 1 : 0;
      return quiet >= 3 ? p : null;
    },
    1000,
  );
}

/** Scroll each cell with figures or images into view until they are drawn, then read all cells. */
async function settleAndRead(page: Page, relPath: string, indices: number[] | null, settleMs = 20_000): Promise<CellState[]> {
  const first = await probe<CellState[]>(page, 'cells', relPath, indices);
  for (const c of first) {
    const visual = (c.outputs ?? []).some((o) => o.html.includes('class="genlab-plot"') || o.mimes.includes('image/png'));
    if (visual) await probe(page, 'settle', relPath, c.index, settleMs);
  }
  return probe<CellState[]>(page, 'cells', relPath, indices);
}

async function screenshots(page: Page, relPath: string, cells: CellState[], dir: string, name: string, settleMs = 20_000): Promise<string[]> {
  const files: string[] = [];
  await probe(page, 'scrollTo', relPath, 0);
  await sleep(500);
  const top = path.join(dir, `${name}-top.png`);
  await page.screenshot({ path: top });
  files.push(top);
  const fig = cells.find((c) => (c.outputs ?? []).some((o) => o.html.includes('class="genlab-plot"')));
  if (fig !== undefined) {
    await probe(page, 'settle', relPath, fig.index, settleMs);
    await sleep(500);
    const file = path.join(dir, `${name}-figure.png`);
    const plot = page.locator(`[data-e2e-cell="${fig.index}"] .genlab-plot`).first();
    // An untrusted page may have sanitised the div away; the cell is in view already then.
    if ((await plot.count()) > 0) await plot.scrollIntoViewIfNeeded();
    // The figure's output with a little context (the cell around it), as a student sees it.
    await page.screenshot({ path: file });
    files.push(file);
  }
  return files;
}

/** Select a code cell in command mode by clicking its prompt. */
async function selectCell(page: Page, relPath: string, index: number): Promise<void> {
  await probe(page, 'cells', relPath, [index]); // marks the cell's node with data-e2e-cell
  await probe(page, 'scrollTo', relPath, index);
  await page.locator(`[data-e2e-cell="${index}"]`).locator('.jp-InputPrompt').first().click();
}

/** Wait until cell `index` has run (a new execution count), nothing runs and the kernel is idle. */
async function waitCellDone(page: Page, relPath: string, index: number, before: number, what: string, timeoutMs: number): Promise<void> {
  await waitFor(what, timeoutMs, async () => {
    const s = await probe<{ count: number | null; running: boolean }>(page, 'executionCount', relPath, index);
    const k = await probe<KernelState>(page, 'kernel', relPath);
    return s !== null && (s.count ?? 0) > before && !s.running && k.kernelStatus === 'idle';
  });
}

/** Re-run one cell with Ctrl+Enter and check it again. */
async function rerun(page: Page, o: NotebookRunOptions, cell: CellState, kind: 'training' | 'plot'): Promise<RerunResult> {
  const t0 = Date.now();
  const before = cell.executionCount ?? 0;
  await probe(page, 'clearMessages');
  await probe(page, 'scrollTo', o.relPath, cell.index);
  const node = page.locator(`[data-e2e-cell="${cell.index}"]`);
  // Select the cell in command mode by clicking its prompt, then Ctrl+Enter (run, stay on the cell).
  await node.locator('.jp-InputPrompt').first().click();
  await page.keyboard.press('Control+Enter');
  const timeoutMs = Math.max(120_000, 6 * (cell.timingMs ?? 30_000));
  await waitFor(`the re-run of cell ${cell.index + 1}`, timeoutMs, async () => {
    const s = await probe<{ count: number | null; running: boolean }>(page, 'executionCount', o.relPath, cell.index);
    const k = await probe<KernelState>(page, 'kernel', o.relPath);
    return s !== null && (s.count ?? 0) > before && !s.running && k.kernelStatus === 'idle';
  });
  await sleep(1000);
  const [after] = await settleAndRead(page, o.relPath, [cell.index]);
  const messages = await probe<IopubRecord[]>(page, 'messages');
  const problems = after === undefined ? ['cell vanished'] : checkCells([after], { messages, requireAllExecuted: true });
  const notes = after === undefined ? [] : progressSummary([after], messages);
  if (after !== undefined) {
    const kindsBefore = countKinds([cell]);
    const kindsAfter = countKinds([after]);
    for (const k of ['figure', 'image', 'progress', 'table'] as const) {
      if (kindsAfter[k] !== kindsBefore[k]) problems.push(`cell ${cell.index + 1}: ${kindsBefore[k]} ${k} outputs after run-all, ${kindsAfter[k]} after the re-run`);
    }
    const oldIds = new Set((cell.dom ?? []).flatMap((d) => d.plots.map((p) => p.id)));
    const reused = (after.dom ?? []).flatMap((d) => d.plots.map((p) => p.id)).filter((id) => oldIds.has(id));
    if (reused.length > 0) problems.push(`cell ${cell.index + 1}: the re-run shows the old figure(s) ${reused.join(', ')}`);
  }
  return { cell: cell.index + 1, kind, seconds: (Date.now() - t0) / 1000, problems, notes };
}

/** Where a notebook is and where its screenshots go: what every way of opening it needs. */
interface PageTarget {
  server: JupyterServer;
  relPath: string;
  shotName: string;
  shotDir: string;
}

function emptyReport(o: PageTarget, mode: NotebookRunReport['mode']): NotebookRunReport {
  return {
    notebook: o.relPath,
    front: o.server.front,
    mode,
    kernel: null,
    ok: false,
    problems: [],
    notes: [],
    counts: null,
    runAllSeconds: null,
    reruns: [],
    screenshots: [],
    figures: null,
    texts: null,
  };
}

/**
 * Run `body` in a fresh browser context: a thrown error becomes a problem with a failure screenshot,
 * page errors become notes, and the notebook's kernel is shut down at the end.
 */
async function inPage(browser: Browser, o: PageTarget, report: NotebookRunReport, body: (page: Page) => Promise<void>): Promise<NotebookRunReport> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await body(page);
    if (pageErrors.length > 0) report.notes.push(...pageErrors.slice(0, 5).map((e) => `page error: ${e.slice(0, 200)}`));
  } catch (e) {
    report.problems.push(e instanceof Error ? e.message : String(e));
    try {
      const file = path.join(o.shotDir, `${o.shotName}-failure.png`);
      await page.screenshot({ path: file });
      report.screenshots.push(file);
    } catch {
      // the page is gone
    }
  } finally {
    try {
      await probe(page, 'shutdown', o.relPath);
    } catch {
      // the server's sessions are shut down by the caller too
    }
    await context.close();
  }
  report.ok = report.problems.length === 0;
  return report;
}

async function takeScreenshots(page: Page, o: PageTarget, cells: CellState[], report: NotebookRunReport, settleMs?: number): Promise<void> {
  try {
    report.screenshots = await screenshots(page, o.relPath, cells, o.shotDir, o.shotName, settleMs);
  } catch (e) {
    report.problems.push(`screenshots: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Open the notebook, make sure the tslab kernel runs it, and start recording its messages. */
async function openWithKernel(page: Page, o: PageTarget & { log: (l: string) => void }, report: NotebookRunReport): Promise<void> {
  await openNotebook(page, o.server, o.relPath);
  const k = await ensureKernel(page, o.relPath, o.log);
  await probe(page, 'hook', o.relPath);
  report.kernel = `${k.kernelName} (${k.kernelDisplayName})`;
}

export async function runNotebookInPage(browser: Browser, o: NotebookRunOptions): Promise<NotebookRunReport> {
  const report = emptyReport(o, 'run');
  return inPage(browser, o, report, async (page) => {
    await openWithKernel(page, o, report);
    o.log(`    kernel ${report.kernel} ready; Run > Run All Cells`);

    const t0 = Date.now();
    await runAll(page, o.log);
    const p = await waitRunAll(page, o.relPath, o.timeoutSec * 1000, o.log);
    report.runAllSeconds = (Date.now() - t0) / 1000;
    o.log(`    run-all done in ${report.runAllSeconds.toFixed(0)} s: ${p.executed}/${p.code} code cells, ${p.errors} errors`);

    const cells = await settleAndRead(page, o.relPath, null);
    const messages = await probe<IopubRecord[]>(page, 'messages');
    report.counts = countKinds(cells);
    report.problems.push(...checkCells(cells, { messages, requireAllExecuted: true }), ...checkRequiredKinds(cells, o.requiredKinds));
    report.notes.push(...progressSummary(cells, messages));
    const stderr = cells.flatMap((c) => (c.outputs ?? []).filter((x) => x.streamName === 'stderr').map((x) => `cell ${c.index + 1} stderr: ${x.plain.trim().replace(/\s+/g, ' ').slice(0, 160)}`));
    report.notes.push(...stderr);
    await takeScreenshots(page, o, cells, report);

    // Re-running cells only makes sense when every cell ran without an error.
    const ranClean = report.counts.error === 0 && !report.problems.some((x) => x.includes('did not run') || x.includes('kernel replied "error"'));
    if (!ranClean) report.notes.push('no re-run: run-all did not complete cleanly');
    else {
      const pick = pickRerunCells(cells);
      for (const [kind, cell] of [['training', pick.training], ['plot', pick.plot]] as const) {
        if (cell === null) {
          if (o.requiredKinds.includes(kind === 'training' ? 'progress' : 'figure')) report.problems.push(`no ${kind} cell to re-run`);
          else report.notes.push(`no ${kind} cell to re-run`);
          continue;
        }
        o.log(`    re-running the ${kind} cell ${cell.index + 1} (${cell.timingMs !== null && cell.timingMs !== undefined ? `${(cell.timingMs / 1000).toFixed(1)} s in run-all` : 'untimed'})`);
        const r = await rerun(page, o, cell, kind);
        report.reruns.push(r);
        report.problems.push(...r.problems.map((x) => `re-run: ${x}`));
      }
    }
  });
}

export interface InterruptOptions extends PageTarget {
  /** The training cell to interrupt, and the last cell to run after it (0-based indices). */
  trainIndex: number;
  lastIndex: number;
  log: (line: string) => void;
}

/**
 * Issue 26, as a student meets it: run the cells above a training cell (Run > Run All Above Selected
 * Cell), start the training cell with Ctrl+Enter, wait for its progress line, stop it with Kernel >
 * Interrupt Kernel, then run the following cells one by one. They check in the kernel that the model
 * and trainer are there, consistent and no longer training, and that `fit` continues; here no cell
 * after the interrupt may fail, and the training cell's progress line must say where it stopped.
 */
export async function interruptInPage(browser: Browser, o: InterruptOptions): Promise<NotebookRunReport> {
  const report = emptyReport(o, 'interrupt');
  return inPage(browser, o, report, async (page) => {
    await openWithKernel(page, o, report);

    await selectCell(page, o.relPath, o.trainIndex);
    await menuCommand(page, 'Run', /^Run All Above Selected Cell/, 'notebook:run-all-above', o.log);
    await waitRunAll(page, o.relPath, 180_000, o.log);

    const before = (await probe<{ count: number | null }>(page, 'executionCount', o.relPath, o.trainIndex))?.count ?? 0;
    await selectCell(page, o.relPath, o.trainIndex);
    await page.keyboard.press('Control+Enter');
    await waitFor('the training cell to show its progress line', 120_000, async () => {
      const [c] = await probe<CellState[]>(page, 'cells', o.relPath, [o.trainIndex]);
      return c !== undefined && (c.outputs ?? []).some((x) => /epoch \d+\/\d+/.test(x.plain));
    });
    await sleep(2000);
    o.log(`    training cell ${o.trainIndex + 1} is running: Kernel > Interrupt Kernel`);
    const t0 = Date.now();
    await menuCommand(page, 'Kernel', /^Interrupt Kernel/, 'kernelmenu:interrupt', o.log);
    await waitCellDone(page, o.relPath, o.trainIndex, before, 'the interrupted cell to stop', 60_000);
    await sleep(1000);
    const [train] = await probe<CellState[]>(page, 'cells', o.relPath, [o.trainIndex]);
    const progress = (train?.outputs ?? []).map((x) => x.plain).find((t) => /epoch \d+\/\d+/.test(t)) ?? '';
    report.notes.push(`interrupted after ${((Date.now() - t0) / 1000).toFixed(1)} s; progress line: ${progress.trim().slice(0, 160)}`);
    if (!/interrupted at epoch \d+, step \d+\/\d+/.test(progress)) report.problems.push(`the training cell's progress line does not say where training stopped: "${progress.trim()}"`);

    for (let i = o.trainIndex + 1; i <= o.lastIndex; i++) {
      const b = (await probe<{ count: number | null }>(page, 'executionCount', o.relPath, i))?.count ?? 0;
      await selectCell(page, o.relPath, i);
      await page.keyboard.press('Control+Enter');
      await waitCellDone(page, o.relPath, i, b, `cell ${i + 1} after the interrupt`, 120_000);
      const [c] = await probe<CellState[]>(page, 'cells', o.relPath, [i]);
      const text = (c?.outputs ?? []).map((x) => x.plain).join('').trim();
      const errors = (c?.outputs ?? []).filter((x) => x.outputType === 'error' || x.streamName === 'stderr');
      if (errors.length > 0) report.problems.push(`cell ${i + 1} after the interrupt failed: ${errors.map((x) => x.evalue ?? x.plain).join(' ').slice(0, 300)}`);
      else report.notes.push(`cell ${i + 1}: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    await takeScreenshots(page, o, await settleAndRead(page, o.relPath, null), report);
  });
}

export interface SavedOpenOptions extends PageTarget {
  /** Figures the file holds (its outputs with the plotly MIME type); a signed copy must draw them all. */
  expectedFigures: number;
  /**
   * Whether the copy was signed with `jupyter trust`. Signed: every output must show, figures drawn.
   * Unsigned: every output but the figures must show, and the report notes whether any figure drew.
   */
  trusted: boolean;
  /** Progress lines go here. */
  log: (line: string) => void;
}

/** What page-probe.js `trust` reports. */
interface TrustState {
  /** Code cells with outputs. */
  cells: number;
  /** Of those, the ones the front end trusts (their outputs' scripts run). */
  trusted: number;
  /** plotly SVGs anywhere in the notebook's outputs. */
  svgs: number;
}

/**
 * Open a notebook committed with outputs and run nothing (the front end starts the notebook's kernel,
 * as it does for a reader, but no cell is sent to it). The saved outputs must render as a reader sees
 * them on opening the file.
 */
export async function openSavedInPage(browser: Browser, o: SavedOpenOptions): Promise<NotebookRunReport> {
  const report = emptyReport(o, o.trusted ? 'saved' : 'untrusted');
  return inPage(browser, o, report, async (page) => {
    const t0 = Date.now();
    await openNotebook(page, o.server, o.relPath);
    await waitFor('the saved outputs to be attached to the page', 120_000, async () => {
      const r = await probe<{ count: number; first: number }>(page, 'renderPending', o.relPath);
      if (r.count === 0) return true;
      await probe(page, 'scrollTo', o.relPath, r.first);
      return null;
    });
    // Unsigned, a figure that has not drawn within a few seconds never will (its script did not run).
    const settleMs = o.trusted ? 20_000 : 3_000;
    const cells = await settleAndRead(page, o.relPath, null, settleMs);
    const trust = await probe<TrustState>(page, 'trust', o.relPath);
    const text = textOutputsShown(cells);
    report.counts = countKinds(cells);
    report.figures = { expected: o.expectedFigures, drawn: countDrawnFigures(cells) };
    report.texts = { expected: text.expected, shown: text.shown };
    o.log(
      `    opened in ${((Date.now() - t0) / 1000).toFixed(0)} s, nothing run: ${trust.trusted}/${trust.cells} cells with outputs trusted, ` +
        `${report.figures.drawn}/${o.expectedFigures} figures drawn, ${text.shown}/${text.expected} text outputs shown`,
    );
    report.problems.push(...text.problems);
    if (text.expected === 0) report.problems.push('no text output (stream, check record) in the notebook: did its outputs load?');
    if (o.trusted) {
      if (trust.trusted < trust.cells) {
        report.problems.push(`after jupyter trust the page trusts ${trust.trusted} of ${trust.cells} cells with outputs: the server did not find the signature`);
      }
      report.problems.push(
        ...checkCells(cells, { messages: [], requireAllExecuted: true, fromFile: true }),
        ...checkFigureCount(cells, o.expectedFigures),
        ...checkRequiredKinds(cells, ['figure']),
      );
    } else {
      // Everything but the figures must show all the same (errors, images, tables, progress states).
      report.problems.push(...checkCells(cells, { messages: [], requireAllExecuted: true, fromFile: true, figuresDrawn: false }));
      if (trust.trusted > 0) report.notes.push(`unsigned, yet the page trusts ${trust.trusted} of ${trust.cells} cells with outputs`);
      report.notes.push(
        report.figures.drawn > 0 || trust.svgs > 0
          ? `UNSIGNED, JupyterLab still drew ${report.figures.drawn} of ${o.expectedFigures} figures (${trust.svgs} plotly SVGs): jupyter trust is not what makes them draw`
          : `unsigned: 0 of ${o.expectedFigures} figures drawn (their scripts did not run), ${text.shown} of ${text.expected} text outputs shown: this is why readers run jupyter trust`,
      );
    }
    await takeScreenshots(page, o, cells, report, settleMs);
  });
}
