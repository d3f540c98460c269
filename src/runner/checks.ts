/** The `check(...)` records a cell displayed, gathered into a run's results. */
import { CHECK_MIME, type CheckRecord } from '../shared/check-record';
import type { CodeCell } from './nbformat';
import type { CheckResult } from './options';

/**
 * Add the checks `cell` displayed to `into`. A rerun executes the cell again: the latest record of
 * each cell and metric replaces an earlier one.
 */
export function recordChecks(into: CheckResult[], cell: CodeCell, where: { notebook: string; cell: number; seconds: number }): void {
  for (const o of cell.outputs) {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
    const rec = o.data[CHECK_MIME];
    if (rec === null || typeof rec !== 'object') continue;
    const check: CheckResult = { ...(rec as unknown as CheckRecord), ...where };
    const same = into.findIndex((c) => c.cell === check.cell && c.metric === check.metric);
    if (same >= 0) into.splice(same, 1);
    into.push(check);
  }
}
