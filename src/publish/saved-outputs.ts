/**
 * Is a saved notebook's output trustworthy? A published notebook must be complete (every code cell
 * ran, none raised), come from a passing run, and its check records must satisfy their thresholds
 * when evaluated again with the library's own `evaluateCheck` - the stored `passed` flag is not
 * trusted, so an edited value or a record copied from a failing run is caught.
 */
import { CHECK_MIME, CheckRecord, CheckSpec, evaluateCheck, formatCheck } from '../notebook/check';
import { cellTags } from '../runner/nbformat';
import type { Notebook } from '../runner/nbformat';
import { runRecord } from './provenance';
import type { RunRecord } from './provenance';

/** Tag of the cells holding checks (see the notebook standards). */
export const CHECKS_TAG = 'checks';

/** A check record found in a saved output. */
export interface SavedCheck {
  /** 1-based cell position in the saved notebook. */
  cell: number;
  record: CheckRecord;
}

/** The verdict on one saved notebook. */
export interface SavedOutputsReport {
  /** `skipped`: no saved run (no `metadata.genlab.run`); `ok`: no problems; `problems`: see `problems`. */
  verdict: 'skipped' | 'ok' | 'problems';
  run: RunRecord | null;
  checks: SavedCheck[];
  /** One line per problem, naming the cell. */
  problems: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Evaluate a stored record again under its own profile; null when it passes, else why not. */
export function recheck(record: Record<string, unknown>): string | null {
  const metric = typeof record.metric === 'string' ? record.metric : '(no metric)';
  const profile = record.profile;
  if (typeof profile !== 'string') return `check ${metric}: the record has no profile`;
  // JSON has no NaN: the kernel writes it as null, and NaN never passes.
  const value = record.value === null ? NaN : record.value;
  const spec = {
    metric,
    value,
    op: record.op,
    threshold: { [profile]: record.threshold },
    profile,
    why: typeof record.why === 'string' ? record.why : '',
  } as unknown as CheckSpec;
  try {
    const r = evaluateCheck(spec);
    return r.passed ? null : `check failed on re-evaluation: ${formatCheck(r)}${record.passed === true ? ' (the record claims it passed)' : ''}`;
  } catch (e) {
    return `check ${metric}: malformed record: ${(e as Error).message}`;
  }
}

/** Verify one saved notebook. `expectedProfile` (e.g. `full`) is required of the run when given. */
export function verifySavedOutputs(nb: Notebook, expectedProfile?: string): SavedOutputsReport {
  const run = runRecord(nb);
  if (run === null) return { verdict: 'skipped', run, checks: [], problems: [] };
  const problems: string[] = [];
  const checks: SavedCheck[] = [];
  if (run.status !== 'passed') problems.push(`the run's status is "${run.status}", not "passed"`);
  if (expectedProfile !== undefined && run.profile !== expectedProfile) {
    problems.push(`the run used profile "${run.profile ?? 'none'}", expected "${expectedProfile}"`);
  }
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const where = `cell ${i + 1}`;
    if (cell.execution_count === null) problems.push(`${where} has not run (execution_count is null)`);
    let checksHere = 0;
    for (const o of cell.outputs) {
      if (o.output_type === 'error') {
        problems.push(`${where} has an error output: ${o.ename}: ${o.evalue.split('\n')[0] ?? ''}`);
        continue;
      }
      if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
      const rec = o.data[CHECK_MIME];
      if (rec === undefined) continue;
      checksHere++;
      if (!isObject(rec)) {
        problems.push(`${where}: a ${CHECK_MIME} output is not a JSON object`);
        continue;
      }
      if (run.profile !== null && rec.profile !== run.profile) {
        problems.push(`${where}: check ${String(rec.metric)} ran under profile "${String(rec.profile)}", but the run is "${run.profile}"`);
      }
      const why = recheck(rec);
      if (why !== null) problems.push(`${where}: ${why}`);
      else checks.push({ cell: i + 1, record: rec as unknown as CheckRecord });
    }
    if (cellTags(cell).includes(CHECKS_TAG) && checksHere === 0 && cell.execution_count !== null) {
      problems.push(`${where} is tagged "${CHECKS_TAG}" but holds no check record`);
    }
  });
  return { verdict: problems.length === 0 ? 'ok' : 'problems', run, checks, problems };
}
