/** The one-line-per-notebook summary and the results file. */
import { promises as fs } from 'fs';
import path from 'path';
import type { CheckResult, NotebookResult, RunSummary } from './options';

/** `passed  notebooks/a.ipynb  12/12 cells  34.2 s` plus the reason when it did not pass. */
export function formatResultLine(r: NotebookResult): string {
  const cells = `${r.cellsRun}/${r.codeCells} cells`;
  let reason = '';
  if (r.failure !== null) {
    const where = r.failure.cell === null ? 'injected parameters cell' : `cell ${r.failure.cell}`;
    reason = `  ${where}: ${r.failure.ename}: ${r.failure.evalue.split('\n')[0] ?? ''}`;
  } else if (r.error !== null) {
    reason = `  ${r.error.split('\n')[0] ?? ''}`;
  } else if (r.differences.length > 0) {
    reason = `  ${r.differences.length} output difference${r.differences.length === 1 ? '' : 's'}`;
  }
  if (r.leak !== null) reason = `  tensors ${r.leak.numTensors[0]} -> ${r.leak.numTensors[1]}${reason}`;
  if (reason.length > 200) reason = reason.slice(0, 197) + '...';
  return `${r.status.padEnd(11)} ${r.notebook}  ${cells}  ${r.seconds.toFixed(1)} s${reason}`;
}

/** All lines plus a total. */
export function formatSummary(s: RunSummary): string {
  const passed = s.results.filter((r) => r.status === 'passed').length;
  return [
    ...s.results.map(formatResultLine),
    `${passed}/${s.results.length} notebooks passed in ${s.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** The `--results FILE` document. */
export interface ResultsFile {
  /** When the run started (ISO). */
  started: string;
  profile: string | null;
  checks: CheckResult[];
  /** `started`: when that notebook's run began (a merged file holds runs of different times). */
  notebooks: { notebook: string; status: string; seconds: number; backend: string | null; params: Record<string, unknown>; started?: string }[];
}

/** Write the results file (creating its folder). */
export async function writeResults(file: string, started: Date, profile: string | undefined, results: readonly NotebookResult[]): Promise<void> {
  const doc: ResultsFile = {
    started: started.toISOString(),
    profile: profile ?? null,
    checks: results.flatMap((r) => r.checks),
    notebooks: results.map((r) => ({
      notebook: r.notebook,
      status: r.status,
      seconds: Math.round(r.seconds * 100) / 100,
      backend: r.backend,
      params: r.params,
    })),
  };
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, JSON.stringify(doc, null, 2) + '\n', 'utf8');
}
