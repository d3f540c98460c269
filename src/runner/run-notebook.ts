/**
 * Run one notebook through a real tslab kernel, the way JupyterLab would: kernel working directory =
 * the notebook's folder, one `execute_request` per code cell in order, outputs collected from IOPub,
 * stop at the first failing cell. The executed notebook (partial on failure, with the error in place)
 * is written unless `write: false`.
 */
import { existsSync, statSync } from 'fs';
import path from 'path';
import { performance } from 'perf_hooks';
import { CHECK_MIME, CheckRecord } from '../notebook/check';
import { compareNotebooks, formatDifferences } from './compare';
import { CellFailure, errorMessageText, errorOutputFor, formatFailure, parseCellError, sourceLineOf } from './failure';
import { describeExit, ExecuteOutcome, Kernel, KernelStartError } from './kernel';
import { CodeCell, Notebook, NotebookError, cellSource, cellTags, readNotebook, writeNotebook } from './nbformat';
import type { JsonObject } from './nbformat';
import {
  DEFAULT_CELL_TIMEOUT_SECONDS,
  DEFAULT_OUT_DIR,
  DEFAULT_TIMEOUT_SECONDS,
  CellInterrupt,
  CellTiming,
  CheckResult,
  LeakReport,
  NotebookResult,
  NotebookStatus,
  RunOptions,
} from './options';
import { OutputCollector } from './outputs';
import { INJECTED_TAG, PARAMETERS_TAG, PROVENANCE_TAG, ParameterError, injectParameters, planParameters, removeInjectedCells } from './parameters';
import { queryTensorflow } from './probe';

/** `WEIGHT_CACHE_ENV` of src/train/weight-cache.ts, not imported from there because that module loads tfjs. */
export const WEIGHT_CACHE_ENV = 'GENLAB_WEIGHT_CACHE';

/** Tags with the same meaning as in nbclient. */
const SKIP_TAG = 'skip-execution';
const RAISES_TAG = 'raises-exception';

/** One code cell to run, and where it came from. */
interface PlannedCell {
  cell: CodeCell;
  /** Position in the executed notebook (0-based). */
  index: number;
  /** 1-based position in the source notebook, or null for the injected parameters cell. */
  sourceNumber: number | null;
}

function emptyResult(notebook: string): NotebookResult {
  return {
    notebook,
    output: null,
    status: 'passed',
    cellsRun: 0,
    codeCells: 0,
    seconds: 0,
    kernelStartSeconds: null,
    failure: null,
    error: null,
    checks: [],
    params: {},
    backend: null,
    cellTimings: [],
    leak: null,
    differences: [],
  };
}

/** The notebook asks for a kernel this runner does not provide. */
class KernelChoiceError extends Error {}

/**
 * tslab (TypeScript) unless the notebook's kernelspec asks for jslab (JavaScript) or the options force
 * one; any other kernel (e.g. python3) is an error rather than a silent switch of language.
 */
function notebookLanguage(nb: Notebook, file: string, options: RunOptions): 'typescript' | 'javascript' {
  if (options.kernel?.javascript !== undefined) return options.kernel.javascript ? 'javascript' : 'typescript';
  const spec = nb.metadata.kernelspec as { name?: unknown; language?: unknown } | undefined;
  if (spec === undefined || spec === null || typeof spec !== 'object') return 'typescript';
  if (spec.name === 'jslab' || (spec.name !== 'tslab' && spec.language === 'javascript')) return 'javascript';
  if (spec.name === 'tslab' || spec.language === 'typescript') return 'typescript';
  throw new KernelChoiceError(
    `${file} asks for the kernel ${JSON.stringify(spec.name)} (${String(spec.language)}); this runner runs tslab (TypeScript) and jslab (JavaScript) notebooks. ` +
      'Change the notebook\'s kernel in JupyterLab (Kernel > Change Kernel).',
  );
}

/** The reference notebook for `compare`: a file, or the same-named file in a folder; null for none/stored. */
function referencePath(file: string, compare: RunOptions['compare']): string | null {
  if (compare === undefined || compare === 'stored') return null;
  return existsSync(compare) && statSync(compare).isDirectory() ? path.join(compare, path.basename(file)) : compare;
}

/** Where `runNotebook` writes the executed copy of `file`. */
export function defaultOutputPath(file: string, options: Pick<RunOptions, 'inPlace' | 'outDir'>): string {
  if (options.inPlace === true) return file;
  return path.join(options.outDir ?? DEFAULT_OUT_DIR, path.basename(file));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Run one notebook. Never throws for problems with the notebook or the kernel: they are reported in
 * the result (`status`, `failure`, `error`). `outFile` overrides where the executed copy goes.
 */
export async function runNotebook(file: string, options: RunOptions = {}, outFile?: string): Promise<NotebookResult> {
  const started = new Date();
  const t0 = performance.now();
  const log = options.log ?? (() => undefined);
  const result = emptyResult(file);
  const finish = (): NotebookResult => {
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  };

  let nb: Notebook;
  let plan: ReturnType<typeof planParameters>;
  let reference: Notebook | null = null;
  let referenceName: string | null = null;
  let kernelLanguage: 'typescript' | 'javascript' = 'typescript';
  try {
    nb = await readNotebook(file);
    referenceName = referencePath(file, options.compare);
    if (options.compare === 'stored') reference = structuredClone(nb);
    else if (referenceName !== null) reference = await readNotebook(referenceName);
    kernelLanguage = notebookLanguage(nb, file, options);
    removeInjectedCells(nb);
    // A published notebook's provenance note describes the published run, not this one.
    nb.cells = nb.cells.filter((c) => !cellTags(c).includes(PROVENANCE_TAG));
    plan = planParameters(nb, file, { profile: options.profile, params: options.params });
  } catch (e) {
    if (e instanceof NotebookError) {
      result.status = e.file === file ? 'invalid' : 'usage-error';
    } else if (e instanceof ParameterError) {
      result.status = e.origin === 'usage' ? 'usage-error' : 'invalid';
    } else if (e instanceof KernelChoiceError) {
      result.status = 'invalid';
    } else {
      throw e;
    }
    result.error = (e as Error).message;
    log(`ERROR ${file}: ${result.error}`);
    return finish();
  }
  result.params = plan.values;
  const sourceCells = [...nb.cells];
  injectParameters(nb, plan);

  // Fresh state, as nbclient does: no outputs or counts from earlier runs survive.
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.metadata.execution;
    }
  }
  const planned: PlannedCell[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const at = sourceCells.indexOf(cell);
    planned.push({ cell, index, sourceNumber: at < 0 ? null : at + 1 });
  });
  result.codeCells = planned.length;
  const interrupts = new Map<number, CellInterrupt>();
  for (const spec of options.interrupts ?? []) {
    const matches = planned.filter(
      (p) => p.cell.id === spec.cell || cellTags(p.cell).includes(spec.cell) || (p.sourceNumber !== null && String(p.sourceNumber) === spec.cell),
    );
    if (matches.length !== 1) {
      result.status = 'usage-error';
      result.error =
        matches.length === 0
          ? `--interrupt ${spec.cell}=${spec.afterSeconds}: no code cell of ${file} has the id, tag or number ${JSON.stringify(spec.cell)}.`
          : `--interrupt ${spec.cell}=${spec.afterSeconds}: ${matches.length} code cells of ${file} match ${JSON.stringify(spec.cell)} (cells ${matches.map((m) => m.sourceNumber).join(', ')}); name one by its id or number.`;
      log(`ERROR ${file}: ${result.error}`);
      return finish();
    }
    interrupts.set(matches[0]!.index, spec);
  }

  const cellTimeoutS = options.cellTimeout ?? plan.settings.cellTimeout ?? DEFAULT_CELL_TIMEOUT_SECONDS;
  const timeoutS = options.timeout ?? plan.settings.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const deadline = t0 + timeoutS * 1000;
  const graceMs = (options.interruptGrace ?? 5) * 1000;
  const javascript = kernelLanguage === 'javascript';
  const outPath = options.write === false ? null : (outFile ?? options.outFile ?? defaultOutputPath(file, options));

  const collector = new OutputCollector();
  const executed = new Set<number>();
  let kernel: Kernel | null = null;
  try {
    const tk = performance.now();
    try {
      kernel = await Kernel.start({
        ...options.kernel,
        // The weight cache (src/train/weight-cache.ts) is off in the runner's kernels, whatever the
        // caller's environment says: CI, the tests and the full runs behind the saved notebooks report
        // what training produces, not a cached copy. Only an explicit `kernel.env` (tests) can turn it on.
        env: { [WEIGHT_CACHE_ENV]: 'off', ...options.kernel?.env },
        javascript,
        // Like JupyterLab: the kernel runs in the notebook's folder, so `../data` and imports resolve the same.
        cwd: path.dirname(path.resolve(file)),
        startTimeoutMs: Math.min(options.kernel?.startTimeoutMs ?? 60_000, Math.max(1000, deadline - tk)),
      });
    } catch (e) {
      if (!(e instanceof KernelStartError)) throw e;
      result.status = 'dead-kernel';
      result.error = `kernel did not start: ${e.message}`;
      log(`ERROR ${file}: ${result.error}`);
      return finish();
    }
    result.kernelStartSeconds = (performance.now() - tk) / 1000;
    // The kernel_info_reply's language_info has a `name` (Jupyter messaging spec), as nbformat wants.
    nb.metadata.language_info = (kernel.kernelInfo.language_info as Notebook['metadata']['language_info']) ?? nb.metadata.language_info;

    const runCells = async (cells: readonly PlannedCell[]): Promise<boolean> => {
      for (const p of cells) {
        const ok = await runCell(kernel as Kernel, p);
        if (!ok) return false;
      }
      return true;
    };

    const runCell = async (k: Kernel, p: PlannedCell): Promise<boolean> => {
      const { cell } = p;
      const source = cellSource(cell);
      const tags = cellTags(cell);
      if (source.trim() === '' || tags.includes(SKIP_TAG)) return true;
      cell.outputs = [];
      collector.startCell();
      let stderr = '';
      const tc = performance.now();
      const remaining = deadline - tc;
      const limitMs = Math.min(cellTimeoutS * 1000, remaining);
      const byNotebook = remaining < cellTimeoutS * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, limitMs));
      });
      // --interrupt: SIGINT after the cell's time, once (the first pass), as Kernel > Interrupt does.
      const interrupt = interrupts.get(p.index);
      interrupts.delete(p.index);
      let interruptTimer: NodeJS.Timeout | undefined;
      let interruptSent = false;
      if (interrupt !== undefined) {
        interruptTimer = setTimeout(() => {
          interruptSent = true;
          k.interrupt();
        }, interrupt.afterSeconds * 1000);
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
      let interrupted: ExecuteOutcome | null = null;
      if (outcome === 'timeout') {
        // Interrupt first, so an interruptible cell reports where it was; then stop the kernel for good.
        k.interrupt();
        interrupted = await Promise.race([execution, delay(graceMs).then(() => null)]);
        k.kill();
        await k.exited;
        if (interrupted !== null && interrupted.status !== 'dead') cell.execution_count = interrupted.executionCount;
      }
      const wallMs = performance.now() - tc;
      executed.add(p.index);
      result.cellsRun = executed.size;
      const timing = outcome !== 'timeout' && outcome.status !== 'dead' ? outcome.timing : undefined;
      if (timing !== undefined) {
        cell.metadata.execution = { ...timing };
        const busy = Date.parse(timing['iopub.status.busy'] ?? timing['shell.execute_reply']);
        const idle = Date.parse(timing['iopub.status.idle']);
        const timingEntry: CellTiming = { wallSeconds: wallMs / 1000, kernelSeconds: Math.max(0, idle - busy) / 1000 };
        result.cellTimings.push(timingEntry);
      }
      if (outcome !== 'timeout' && outcome.status !== 'dead') cell.execution_count = outcome.executionCount;
      collectChecks(cell, p, wallMs / 1000);

      if (interrupt !== undefined && outcome !== 'timeout' && outcome.status !== 'dead') {
        const flag = `--interrupt ${interrupt.cell}=${interrupt.afterSeconds}`;
        if (interruptSent) {
          // Keep what the cell printed, say that it was interrupted, and go on as a student would.
          const note = `the runner interrupted this cell after ${interrupt.afterSeconds} s (${flag}) and went on with the next cell`;
          cell.outputs.push({ output_type: 'error', ename: 'Interrupted', evalue: note, traceback: [`Interrupted: ${note}`] });
          log(`interrupted ${file} cell ${p.sourceNumber ?? 'parameters'} after ${interrupt.afterSeconds} s`);
          await delay(250); // tslab aborts requests that arrive within 200 ms of an error
          return true;
        }
        const failure: CellFailure = {
          notebook: file,
          kind: 'error',
          cell: p.sourceNumber,
          executionCount: cell.execution_count,
          ename: 'InterruptNotReached',
          evalue: `the cell finished after ${(wallMs / 1000).toFixed(1)} s, before the runner's interrupt at ${interrupt.afterSeconds} s (${flag}), so nothing was interrupted; lower the time.`,
          traceback: [],
          sourceLine: null,
        };
        cell.outputs.push(errorOutputFor(failure));
        result.failure = failure;
        result.status = 'failed';
        log(formatFailure(failure));
        return false;
      }

      if (outcome !== 'timeout' && outcome.status === 'ok') return true;
      if (outcome !== 'timeout' && outcome.status === 'error' && tags.includes(RAISES_TAG)) {
        await delay(250); // tslab aborts requests that arrive within 200 ms of an error
        return true;
      }

      // The cell failed: build the report and put the error in place.
      const parsed = parseCellError(stderr, source, javascript);
      const failure: CellFailure = {
        notebook: file,
        kind: 'error',
        cell: p.sourceNumber,
        executionCount: cell.execution_count,
        ename: parsed.ename,
        evalue: parsed.evalue,
        traceback: parsed.traceback,
        sourceLine: sourceLineOf(source, parsed.line),
      };
      if (outcome === 'timeout') {
        const exit = await k.exited;
        failure.kind = 'timeout';
        failure.ename = 'CellTimeoutError';
        const how =
          interrupted !== null && interrupted.status !== 'dead'
            ? 'the runner interrupted the cell (SIGINT) and stopped the kernel'
            : `the runner interrupted the kernel (SIGINT), which did not respond within ${graceMs / 1000} s, and killed it (${describeExit(exit)})`;
        failure.evalue =
          `${byNotebook ? `the notebook's ${timeoutS} s limit ran out` : `the cell did not finish within ${cellTimeoutS} s`}; ${how}.` +
          (byNotebook ? ' Raise it with --timeout or the profile\'s "timeout".' : ' Raise it with --cell-timeout or the profile\'s "cell_timeout".');
        result.status = 'timeout';
      } else if (outcome.status === 'dead') {
        failure.kind = 'dead-kernel';
        failure.ename = 'DeadKernelError';
        failure.evalue = `the kernel died while running this cell (${describeExit(outcome.exit)}).`;
        const tail = k.processOutput.trim().split('\n').slice(-20);
        failure.traceback = [...(stderr.trim() ? stderr.trim().split('\n') : []), ...(tail[0] ? ['kernel process output:', ...tail] : [])];
        result.status = 'dead-kernel';
      } else if (outcome.status === 'abort') {
        failure.kind = 'aborted';
        failure.ename = 'ExecutionAborted';
        failure.evalue = 'the kernel aborted this cell without running it (it follows an error too closely).';
        result.status = 'failed';
      } else {
        result.status = 'failed';
      }
      cell.outputs.push(errorOutputFor(failure));
      result.failure = failure;
      log(formatFailure(failure));
      return false;
    };

    const collectChecks = (cell: CodeCell, p: PlannedCell, secs: number): void => {
      for (const o of cell.outputs) {
        if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
        const rec = o.data[CHECK_MIME];
        if (rec === null || typeof rec !== 'object') continue;
        const check: CheckResult = { ...(rec as unknown as CheckRecord), notebook: file, cell: p.sourceNumber ?? 0, seconds: secs };
        // A rerun executes the cell again: keep the latest record of each cell and metric.
        const same = result.checks.findIndex((c) => c.cell === check.cell && c.metric === check.metric);
        if (same >= 0) result.checks.splice(same, 1);
        result.checks.push(check);
      }
    };

    const passed = await runCells(planned);
    if (passed) {
      const probe = await queryTensorflow(kernel, javascript);
      result.backend = probe.backend;
      if (options.rerun === true) await rerun(kernel, probe.numTensors);
    }
    if (passed && result.status === 'passed' && reference !== null) {
      result.differences = compareNotebooks(nb, reference, options.compareOptions);
      if (result.differences.length > 0) {
        result.status = 'differs';
        log(formatDifferences(file, result.differences, referenceName ?? 'the stored outputs'));
      }
    }

    /** Issue 9: execute every cell after the parameters again; tensors must not pile up. */
    async function rerun(k: Kernel, before: number | null): Promise<void> {
      const last = Math.max(
        -1,
        ...planned.filter((p) => cellTags(p.cell).some((t) => t === PARAMETERS_TAG || t === INJECTED_TAG)).map((p) => planned.indexOf(p)),
      );
      const again = planned.slice(last + 1);
      log(`rerun ${file}: executing ${again.length} cells again`);
      if (!(await runCells(again))) return;
      const after = (await queryTensorflow(k, javascript)).numTensors;
      if (before === null || after === null) return; // tfjs not loaded: nothing to count
      const allowance = options.leakAllowance ?? 0;
      const leak: LeakReport = { numTensors: [before, after], growth: after - before, allowance };
      result.leak = leak;
      if (leak.growth > allowance) {
        result.status = 'leaked';
        result.error =
          `running the cells a second time left ${leak.growth} more tensors (tf.memory().numTensors ${before} -> ${after}, ` +
          `allowed ${allowance}). Dispose what top-level code creates (tf.tidy, tensor.dispose()), or keep it in one variable that is disposed before it is replaced.`;
        log(`LEAKED ${file}: ${result.error}`);
      }
    }
  } finally {
    if (kernel !== null) await kernel.shutdown();
    result.seconds = (performance.now() - t0) / 1000;
    const status: NotebookStatus = result.status;
    nb.metadata.genlab = {
      ...(typeof nb.metadata.genlab === 'object' && nb.metadata.genlab !== null ? (nb.metadata.genlab as object) : {}),
      run: {
        profile: options.profile ?? null,
        params: result.params,
        started: started.toISOString(),
        seconds: Math.round(result.seconds * 10) / 10,
        backend: result.backend,
        status,
        ...(result.leak !== null ? { rerun: result.leak } : {}),
      },
    } as unknown as JsonObject; // plain JSON data (numbers, strings, nulls), typed by the runner
    if (outPath !== null) {
      await writeNotebook(outPath, nb);
      result.output = outPath;
    }
  }
  return finish();
}
