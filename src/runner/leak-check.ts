/**
 * The rerun leak check (issue 9): every cell after the parameters runs a second time in the same
 * kernel, and `tf.memory().numTensors` must not grow by more than the allowance.
 */
import { type CodeCell, cellTags } from './nbformat';
import type { LeakReport } from './options';
import { INJECTED_TAG, PARAMETERS_TAG } from './parameters';

/** The cells a rerun executes again: those after the last parameters (or injected parameters) cell. */
export function cellsToRerun<T extends { cell: CodeCell }>(planned: readonly T[]): T[] {
  let last = -1;
  planned.forEach((p, i) => {
    if (cellTags(p.cell).some((t) => t === PARAMETERS_TAG || t === INJECTED_TAG)) last = i;
  });
  return planned.slice(last + 1);
}

/** Judge the tensor counts after the first pass and after the second; `error` is null when within the allowance. */
export function judgeLeak(before: number, after: number, allowance: number): { leak: LeakReport; error: string | null } {
  const leak: LeakReport = { numTensors: [before, after], growth: after - before, allowance };
  if (leak.growth <= allowance) return { leak, error: null };
  return {
    leak,
    error:
      `running the cells a second time left ${leak.growth} more tensors (tf.memory().numTensors ${before} -> ${after}, ` +
      `allowed ${allowance}). Dispose what top-level code creates (tf.tidy, tensor.dispose()), or keep it in one variable that is disposed before it is replaced.`,
  };
}
