/**
 * What the runner makes of one executed cell: go on, or stop with which failure and status. A pure
 * function of what the execution left (execute-cell.ts collects it), so every case is unit-tested
 * without a kernel.
 */
import { type CellFailure, parseCellError, sourceLineOf } from './failure';
import { describeExit, type ExecuteOutcome, type KernelExit } from './kernel';
import type { ErrorOutput } from './nbformat';
import type { CellInterrupt, NotebookStatus } from './options';

/** Everything the verdict depends on. */
export interface CellEnd {
  /** Notebook path as given to the runner. */
  notebook: string;
  /** 1-based position in the source notebook, or null for the injected parameters cell. */
  cell: number | null;
  /** The `In [n]` count the kernel gave the cell, if any. */
  executionCount: number | null;
  source: string;
  javascript: boolean;
  /** The cell is tagged `raises-exception`: an error is expected. */
  raisesException: boolean;
  /** The kernel's answer, or 'timeout' when the cell ran out of time. */
  outcome: ExecuteOutcome | 'timeout';
  /** What the cell printed on stderr (tslab's error report). */
  stderr: string;
  wallSeconds: number;
  /** The runner's `--interrupt` for this cell, and whether its SIGINT went out before the cell ended. */
  interrupt: { spec: CellInterrupt; sent: boolean } | null;
  /** When the cell ran out of time: how the limits were set and how the kernel ended. */
  timeout: {
    /** The notebook's limit ran out (rather than the cell's). */
    byNotebook: boolean;
    timeoutSeconds: number;
    cellTimeoutSeconds: number;
    graceSeconds: number;
    /** The kernel answered the runner's SIGINT within the grace period. */
    answeredInterrupt: boolean;
    exit: KernelExit;
  } | null;
  /** The kernel process's own output (for a dead kernel's report). */
  kernelOutput: string;
}

export type CellVerdict =
  /** The cell ran; go on. */
  | { kind: 'ok' }
  /** An error the cell's `raises-exception` tag expects; go on (after tslab's pause after errors). */
  | { kind: 'expected-error' }
  /** The runner's `--interrupt` landed: add `output` to the cell, log `message`, and go on. */
  | { kind: 'interrupted'; output: ErrorOutput; message: string }
  /** Stop the notebook with this status and failure. */
  | { kind: 'failed'; status: NotebookStatus; failure: CellFailure };

/** Decide what a cell's end means for the run. */
export function classifyCell(end: CellEnd): CellVerdict {
  const { outcome } = end;
  const answered = outcome !== 'timeout' && outcome.status !== 'dead';
  if (end.interrupt !== null && answered) {
    const { spec } = end.interrupt;
    const flag = `--interrupt ${spec.cell}=${spec.afterSeconds}`;
    if (end.interrupt.sent) {
      // Keep what the cell printed, say that it was interrupted, and go on as a student would.
      const note = `the runner interrupted this cell after ${spec.afterSeconds} s (${flag}) and went on with the next cell`;
      return {
        kind: 'interrupted',
        output: { output_type: 'error', ename: 'Interrupted', evalue: note, traceback: [`Interrupted: ${note}`] },
        message: `interrupted ${end.notebook} cell ${end.cell ?? 'parameters'} after ${spec.afterSeconds} s`,
      };
    }
    return {
      kind: 'failed',
      status: 'failed',
      failure: {
        notebook: end.notebook,
        kind: 'error',
        cell: end.cell,
        executionCount: end.executionCount,
        ename: 'InterruptNotReached',
        evalue: `the cell finished after ${end.wallSeconds.toFixed(1)} s, before the runner's interrupt at ${spec.afterSeconds} s (${flag}), so nothing was interrupted; lower the time.`,
        traceback: [],
        sourceLine: null,
      },
    };
  }

  if (outcome !== 'timeout' && outcome.status === 'ok') return { kind: 'ok' };
  if (outcome !== 'timeout' && outcome.status === 'error' && end.raisesException) return { kind: 'expected-error' };

  // The cell failed: build the report.
  const parsed = parseCellError(end.stderr, end.source, end.javascript);
  const failure: CellFailure = {
    notebook: end.notebook,
    kind: 'error',
    cell: end.cell,
    executionCount: end.executionCount,
    ename: parsed.ename,
    evalue: parsed.evalue,
    traceback: parsed.traceback,
    sourceLine: sourceLineOf(end.source, parsed.line),
  };
  if (outcome === 'timeout') {
    const t = end.timeout;
    if (t === null) throw new Error('classifyCell: a timed-out cell needs its timeout details');
    failure.kind = 'timeout';
    failure.ename = 'CellTimeoutError';
    const how = t.answeredInterrupt
      ? 'the runner interrupted the cell (SIGINT) and stopped the kernel'
      : `the runner interrupted the kernel (SIGINT), which did not respond within ${t.graceSeconds} s, and killed it (${describeExit(t.exit)})`;
    failure.evalue =
      `${t.byNotebook ? `the notebook's ${t.timeoutSeconds} s limit ran out` : `the cell did not finish within ${t.cellTimeoutSeconds} s`}; ${how}.` +
      (t.byNotebook ? ' Raise it with --timeout or the profile\'s "timeout".' : ' Raise it with --cell-timeout or the profile\'s "cell_timeout".');
    return { kind: 'failed', status: 'timeout', failure };
  }
  if (outcome.status === 'dead') {
    failure.kind = 'dead-kernel';
    failure.ename = 'DeadKernelError';
    failure.evalue = `the kernel died while running this cell (${describeExit(outcome.exit)}).`;
    const tail = end.kernelOutput.trim().split('\n').slice(-20);
    const stderr = end.stderr.trim();
    failure.traceback = [...(stderr ? stderr.split('\n') : []), ...(tail[0] ? ['kernel process output:', ...tail] : [])];
    return { kind: 'failed', status: 'dead-kernel', failure };
  }
  if (outcome.status === 'abort') {
    failure.kind = 'aborted';
    failure.ename = 'ExecutionAborted';
    failure.evalue = 'the kernel aborted this cell without running it (it follows an error too closely).';
  }
  return { kind: 'failed', status: 'failed', failure };
}
