/**
 * Execute one code cell in a running kernel, as JupyterLab would, within a time limit: outputs go into
 * the cell through the collector, the execution count and nbclient's timing metadata are recorded,
 * and what happened is returned for cell-verdict.ts to judge.
 */
import { performance } from 'perf_hooks';
import type { ExecuteOutcome, Kernel, KernelExit } from './kernel';
import { errorMessageText } from './failure';
import type { CodeCell } from './nbformat';
import type { CellTiming } from './options';
import type { OutputCollector } from './outputs';

export interface CellLimits {
  /** Time the cell may run. */
  limitMs: number;
  /** After the limit, how long to wait for the kernel to answer a SIGINT before killing it. */
  graceMs: number;
  /** Send a SIGINT this long after the start (the runner's `--interrupt`), or null. */
  interruptAfterMs: number | null;
}

/** What executing a cell left, besides the outputs written into the cell. */
export interface CellExecution {
  /** The kernel's answer, or 'timeout'. */
  outcome: ExecuteOutcome | 'timeout';
  /** The cell's stderr text. */
  stderr: string;
  wallSeconds: number;
  /** The `--interrupt` SIGINT went out before the cell ended. */
  interruptSent: boolean;
  /** After a timeout: whether the kernel answered the SIGINT in time, and how its process ended. */
  timedOut: { answeredInterrupt: boolean; exit: KernelExit } | null;
  /** Wall and kernel time, when the kernel answered. */
  timing: CellTiming | null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Run `source` as `cell`. On a timeout the kernel is interrupted first (so an interruptible cell
 * reports where it was), then stopped for good: the caller must not use it again.
 */
export async function executeCell(k: Kernel, cell: CodeCell, source: string, collector: OutputCollector, limits: CellLimits): Promise<CellExecution> {
  cell.outputs = [];
  collector.startCell();
  let stderr = '';
  const tc = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, limits.limitMs));
  });
  // --interrupt: SIGINT after the cell's time, as Kernel > Interrupt does.
  let interruptTimer: NodeJS.Timeout | undefined;
  let interruptSent = false;
  if (limits.interruptAfterMs !== null) {
    interruptTimer = setTimeout(() => {
      interruptSent = true;
      k.interrupt();
    }, limits.interruptAfterMs);
  }
  const execution = k.execute(source, {
    onOutput: (msg) => {
      if (msg.header.msg_type === 'stream' && msg.content.name === 'stderr') stderr += String(msg.content.text ?? '');
      if (msg.header.msg_type === 'error') stderr += errorMessageText(msg.content); // the kit's kernel (src/kernel)
      collector.handle(cell, msg);
    },
  });
  const outcome: ExecuteOutcome | 'timeout' = await Promise.race([execution, timedOut]);
  clearTimeout(timer);
  clearTimeout(interruptTimer);
  let timedOutInfo: CellExecution['timedOut'] = null;
  if (outcome === 'timeout') {
    k.interrupt();
    const interrupted = await Promise.race([execution, delay(limits.graceMs).then(() => null)]);
    k.kill();
    const exit = await k.exited;
    const answered = interrupted !== null && interrupted.status !== 'dead';
    if (answered) cell.execution_count = interrupted.executionCount;
    timedOutInfo = { answeredInterrupt: answered, exit };
  }
  const wallMs = performance.now() - tc;
  let timing: CellTiming | null = null;
  if (outcome !== 'timeout' && outcome.status !== 'dead') {
    const t = outcome.timing;
    cell.metadata.execution = { ...t };
    const busy = Date.parse(t['iopub.status.busy'] ?? t['shell.execute_reply']);
    const idle = Date.parse(t['iopub.status.idle']);
    timing = { wallSeconds: wallMs / 1000, kernelSeconds: Math.max(0, idle - busy) / 1000 };
    cell.execution_count = outcome.executionCount;
  }
  return { outcome, stderr, wallSeconds: wallMs / 1000, interruptSent, timedOut: timedOutInfo, timing };
}
