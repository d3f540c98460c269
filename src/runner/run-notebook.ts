/**
 * Run one notebook through a real tslab kernel, the way JupyterLab would: kernel working directory =
 * the notebook's folder, one `execute_request` per code cell in order, outputs collected from IOPub,
 * stop at the first failing cell. The executed notebook (partial on failure, with the error in place)
 * is written unless `write: false`.
 */
import path from 'path';
import { performance } from 'perf_hooks';
import { classifyCell } from './cell-verdict';
import { recordChecks } from './checks';
import { executeCell } from './execute-cell';
import { cellsToRerun, judgeLeak } from './leak-check';
import { compareNotebooks, formatDifferences } from './compare';
import { errorOutputFor, formatFailure } from './failure';
import { Kernel, KernelStartError } from './kernel';
import { cellSource, cellTags, writeNotebook } from './nbformat';
import type { JsonObject, Notebook } from './nbformat';
import {
  DEFAULT_CELL_TIMEOUT_SECONDS,
  DEFAULT_OUT_DIR,
  DEFAULT_TIMEOUT_SECONDS,
  NotebookResult,
  NotebookStatus,
  RunOptions,
} from './options';
import { OutputCollector } from './outputs';
import { type PlannedCell, prepareRun } from './prepare-run';
import { queryTensorflow } from './probe';
// The weight cache's variable from its own module, not from weight-cache.ts (which loads tfjs).
import { WEIGHT_CACHE_ENV } from '../train/weight-cache-env';

export { WEIGHT_CACHE_ENV };

/** Tags with the same meaning as in nbclient. */
const SKIP_TAG = 'skip-execution';
const RAISES_TAG = 'raises-exception';

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

  const prepared = await prepareRun(file, options);
  if (prepared.kind === 'refused') {
    result.status = prepared.status;
    result.error = prepared.error;
    if (prepared.params !== undefined) result.params = prepared.params;
    if (prepared.codeCells !== undefined) result.codeCells = prepared.codeCells;
    log(`ERROR ${file}: ${result.error}`);
    return finish();
  }
  const { nb, plan, reference, referenceName, planned, interrupts } = prepared;
  result.params = plan.values;
  result.codeCells = planned.length;

  const cellTimeoutS = options.cellTimeout ?? plan.settings.cellTimeout ?? DEFAULT_CELL_TIMEOUT_SECONDS;
  const timeoutS = options.timeout ?? plan.settings.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const deadline = t0 + timeoutS * 1000;
  const graceMs = (options.interruptGrace ?? 5) * 1000;
  const javascript = prepared.language === 'javascript';
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
        // JPY_SESSION_NAME: the notebook's path, as Jupyter Server sets it; the backend choice reads the
        // notebook's `metadata.genlab.backend` through it (src/runtime/notebook-backend.ts).
        env: { [WEIGHT_CACHE_ENV]: 'off', JPY_SESSION_NAME: path.resolve(file), ...options.kernel?.env },
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

    const k = kernel;
    /** Run one cell and act on its verdict; false: the notebook stops here. */
    const runCell = async (p: PlannedCell): Promise<boolean> => {
      const { cell } = p;
      const source = cellSource(cell);
      const tags = cellTags(cell);
      if (source.trim() === '' || tags.includes(SKIP_TAG)) return true;
      const remaining = deadline - performance.now();
      // The --interrupt of a cell applies once (the first pass of a rerun).
      const interrupt = interrupts.get(p.index);
      interrupts.delete(p.index);
      const run = await executeCell(k, cell, source, collector, {
        limitMs: Math.min(cellTimeoutS * 1000, remaining),
        graceMs,
        interruptAfterMs: interrupt === undefined ? null : interrupt.afterSeconds * 1000,
      });
      executed.add(p.index);
      result.cellsRun = executed.size;
      if (run.timing !== null) result.cellTimings.push(run.timing);
      recordChecks(result.checks, cell, { notebook: file, cell: p.sourceNumber ?? 0, seconds: run.wallSeconds });
      const verdict = classifyCell({
        notebook: file,
        cell: p.sourceNumber,
        executionCount: cell.execution_count,
        source,
        javascript,
        raisesException: tags.includes(RAISES_TAG),
        outcome: run.outcome,
        stderr: run.stderr,
        wallSeconds: run.wallSeconds,
        interrupt: interrupt === undefined ? null : { spec: interrupt, sent: run.interruptSent },
        timeout:
          run.timedOut === null
            ? null
            : { byNotebook: remaining < cellTimeoutS * 1000, timeoutSeconds: timeoutS, cellTimeoutSeconds: cellTimeoutS, graceSeconds: graceMs / 1000, ...run.timedOut },
        kernelOutput: k.processOutput,
      });
      switch (verdict.kind) {
        case 'ok':
          return true;
        case 'interrupted':
          cell.outputs.push(verdict.output);
          log(verdict.message);
          await delay(250); // tslab aborts requests that arrive within 200 ms of an error
          return true;
        case 'expected-error':
          await delay(250);
          return true;
        case 'failed':
          cell.outputs.push(errorOutputFor(verdict.failure));
          result.failure = verdict.failure;
          result.status = verdict.status;
          log(formatFailure(verdict.failure));
          return false;
      }
    };
    const runCells = async (cells: readonly PlannedCell[]): Promise<boolean> => {
      for (const p of cells) if (!(await runCell(p))) return false;
      return true;
    };

    const passed = await runCells(planned);
    if (passed) {
      const probe = await queryTensorflow(k, javascript);
      result.backend = probe.backend;
      if (options.rerun === true) {
        // Issue 9: execute every cell after the parameters again; tensors must not pile up.
        const again = cellsToRerun(planned);
        log(`rerun ${file}: executing ${again.length} cells again`);
        if (await runCells(again)) {
          const before = probe.numTensors;
          const after = (await queryTensorflow(k, javascript)).numTensors;
          // tfjs not loaded: nothing to count.
          if (before !== null && after !== null) {
            const judged = judgeLeak(before, after, options.leakAllowance ?? 0);
            result.leak = judged.leak;
            if (judged.error !== null) {
              result.status = 'leaked';
              result.error = judged.error;
              log(`LEAKED ${file}: ${result.error}`);
            }
          }
        }
      }
    }
    if (passed && result.status === 'passed' && reference !== null) {
      result.differences = compareNotebooks(nb, reference, options.compareOptions);
      if (result.differences.length > 0) {
        result.status = 'differs';
        log(formatDifferences(file, result.differences, referenceName ?? 'the stored outputs'));
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
