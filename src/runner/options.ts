/**
 * Options and results of a run. Defaults are chosen so that a legitimate full-run training cell is
 * never killed: the limits exist to end runs that hang, not to judge slow ones. A profile (e.g.
 * `quick`) may set tighter limits in the notebook's metadata; explicit options win over both.
 */
import type { CheckRecord } from '../shared/check-record';
import type { CompareOptions, OutputDifference } from './compare';
import type { CellFailure } from './failure';
import type { KernelOptions } from './kernel';
import type { ParamValue } from './parameters';

/**
 * Per-notebook limit when neither an option nor the profile sets one: 6 hours. Generous on purpose:
 * a full run on 2 shared cores must never be killed for being slow; the limits catch hangs.
 */
export const DEFAULT_TIMEOUT_SECONDS = 6 * 60 * 60;
/** Per-cell limit when neither an option nor the profile sets one: 2 hours (one long training cell). */
export const DEFAULT_CELL_TIMEOUT_SECONDS = 2 * 60 * 60;
/** Where executed notebooks go unless told otherwise. */
export const DEFAULT_OUT_DIR = 'build/executed';

/** Options of `runNotebook` / `runNotebooks`. */
export interface RunOptions {
  /**
   * Profile from the notebook's `metadata.genlab.profiles`; also injected as `const profile = NAME`.
   * @default undefined (the notebook's own defaults; nothing is injected for the profile)
   */
  profile?: string;
  /**
   * Parameter overrides (`--param name=value`), winning over the profile. A string is typed against
   * the default like a command-line value (`'3'` -> 3 for a number default); other values are used as is.
   * @default {}
   */
  params?: Readonly<Record<string, string | ParamValue>>;
  /**
   * Folder for executed notebooks. `runNotebooks` keeps the inputs' paths relative to their common
   * folder, so two `a.ipynb` from different folders do not collide.
   * @default 'build/executed' (relative to the current directory)
   */
  outDir?: string;
  /**
   * With a single notebook: the executed copy's file path (wins over `outDir`).
   * @default undefined
   */
  outFile?: string;
  /**
   * Write the executed notebook over its source.
   * @default false
   */
  inPlace?: boolean;
  /**
   * Seconds allowed per notebook (kernel start-up included).
   * @default the profile's `timeout`, else 21600 (6 h)
   */
  timeout?: number;
  /**
   * Seconds allowed per cell; when exceeded the kernel is interrupted, then killed.
   * @default the profile's `cell_timeout`, else 7200 (2 h)
   */
  cellTimeout?: number;
  /**
   * Seconds between interrupting a timed-out cell and killing the kernel (lets the interrupted cell
   * report where it was).
   * @default 5
   */
  interruptGrace?: number;
  /**
   * Interrupt cells the way a student does (JupyterLab's Kernel > Interrupt): each entry names a code
   * cell (its id, one of its tags, or its 1-based number in the source notebook) and the seconds after
   * which the runner sends SIGINT. The cell's outputs so far and an error output saying it was
   * interrupted are kept, and the run goes on with the next cell. A name that matches no code cell is
   * a usage error; a named cell that finishes before its time fails the run (nothing was tested).
   * First pass only (not the second pass of `rerun`).
   * @default [] (no interrupts)
   */
  interrupts?: readonly CellInterrupt[];
  /**
   * Notebooks run at once (each in its own kernel).
   * @default 1
   */
  jobs?: number;
  /**
   * Write every check's record (metric, value, threshold, profile, backend, seconds) as JSON here.
   * @default undefined (no results file)
   */
  results?: string;
  /**
   * Write executed notebooks at all (tests and benchmarks may not want the files).
   * @default true
   */
  write?: boolean;
  /**
   * Issue 9: after a passing run, execute every code cell after the parameters cell(s) again in the
   * same kernel; fail on any error or if tfjs's tensor count grows by more than `leakAllowance`.
   * @default false
   */
  rerun?: boolean;
  /**
   * Tensors the second pass may leave behind beyond the first (see `rerun`).
   * @default 0
   */
  leakAllowance?: number;
  /**
   * Issue 9: compare outputs (nbval-style) with a reference notebook file, with the same-named
   * notebook in a reference folder, or with the outputs stored in the source notebook (`'stored'`).
   * A difference fails the notebook with status `differs`.
   * @default undefined (no comparison)
   */
  compare?: string | 'stored';
  /** Tolerances and sanitisers of the comparison. */
  compareOptions?: CompareOptions;
  /**
   * Kernel start-up options (command, transport, start timeout, environment); `cwd` is always the
   * notebook's folder. `javascript` forces jslab or tslab.
   * @default tslab, or jslab when the notebook's kernelspec asks for it
   */
  kernel?: Omit<KernelOptions, 'cwd'>;
  /**
   * Progress and failure reports, one message per call.
   * @default no output
   */
  log?: (message: string) => void;
}

/** One `--interrupt CELL=SECONDS`: see `RunOptions.interrupts`. */
export interface CellInterrupt {
  /** A cell id, a tag, or a 1-based cell number in the source notebook. */
  cell: string;
  /** Seconds after the cell starts. */
  afterSeconds: number;
}

/** The request itself is wrong (exit status 2); the message says how to fix it. */
export class UsageError extends Error {}
UsageError.prototype.name = 'UsageError';

/** How one notebook ended. */
export type NotebookStatus =
  | 'passed'
  /** a cell raised (including a failing check) */
  | 'failed'
  /** a cell or the notebook ran out of time */
  | 'timeout'
  /** the kernel process died, or never started */
  | 'dead-kernel'
  /** the file is not a usable notebook (JSON, nbformat, metadata) */
  | 'invalid'
  /** the request does not fit the notebook (unknown profile or parameter, mistyped value) */
  | 'usage-error'
  /** outputs differ from the reference (`compare`) */
  | 'differs'
  /** the second pass (`rerun`) left tensors behind */
  | 'leaked';

/** A check as written to the results file. */
export interface CheckResult extends CheckRecord {
  notebook: string;
  /** 1-based cell position in the source notebook. */
  cell: number;
  /** Execution time of that cell. */
  seconds: number;
}

/** Timing of one executed cell, for the overhead benchmark. */
export interface CellTiming {
  /** From sending the request to having all output, measured by the runner. */
  wallSeconds: number;
  /** From the kernel's `busy` to its `idle` status, by the kernel's clock. */
  kernelSeconds: number;
}

/** Tensor counts around the second pass of `rerun`. */
export interface LeakReport {
  /** `tf.memory().numTensors` after the first pass, and after the second. */
  numTensors: [number, number];
  growth: number;
  allowance: number;
}

/** The outcome of one notebook. */
export interface NotebookResult {
  notebook: string;
  /** Where the executed notebook was written, or null. */
  output: string | null;
  status: NotebookStatus;
  /** Code cells executed (a cell run twice by `rerun` counts once). */
  cellsRun: number;
  /** Code cells in the executed notebook (with the injected one). */
  codeCells: number;
  seconds: number;
  /** Seconds until the kernel answered. */
  kernelStartSeconds: number | null;
  /** The failed cell, if a cell failed. */
  failure: CellFailure | null;
  /** Why the notebook could not run at all (invalid file, usage error, kernel did not start). */
  error: string | null;
  checks: CheckResult[];
  /** Values injected into the notebook. */
  params: Record<string, ParamValue>;
  /** tfjs backend at the end of the run, if tfjs was loaded. */
  backend: string | null;
  cellTimings: CellTiming[];
  leak: LeakReport | null;
  differences: OutputDifference[];
}

/** The outcome of a batch. */
export interface RunSummary {
  results: NotebookResult[];
  seconds: number;
  /** 0: all passed; 1: a notebook failed; 2: bad usage (a usage error in any notebook). */
  exitCode: 0 | 1 | 2;
}
