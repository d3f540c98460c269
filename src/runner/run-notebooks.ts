/** Run a batch of notebooks, `jobs` at a time, each in its own kernel. */
import { existsSync, statSync } from 'fs';
import path from 'path';
import { performance } from 'perf_hooks';
import { DEFAULT_OUT_DIR, NotebookResult, RunOptions, RunSummary, UsageError } from './options';
import { runNotebook } from './run-notebook';
import { formatResultLine, writeResults } from './summary';

/** The deepest folder containing all of `files`. */
function commonFolder(files: readonly string[]): string {
  const dirs = files.map((f) => path.dirname(path.resolve(f)).split(path.sep));
  const first = dirs[0] ?? [];
  let n = first.length;
  for (const d of dirs) {
    let i = 0;
    while (i < n && d[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(path.sep) || path.sep;
}

/**
 * Where each executed notebook goes: `outDir` + the path relative to the inputs' common folder (so
 * `a/x.ipynb` and `b/x.ipynb` do not overwrite each other), or the source itself with `inPlace`.
 */
export function outputPaths(files: readonly string[], options: Pick<RunOptions, 'outDir' | 'inPlace' | 'outFile'>): string[] {
  if (options.inPlace === true) return [...files];
  if (options.outFile !== undefined) {
    if (files.length !== 1) throw new UsageError(`outFile names one file, but ${files.length} notebooks were given; use outDir.`);
    return [options.outFile];
  }
  const base = commonFolder(files);
  const out = options.outDir ?? DEFAULT_OUT_DIR;
  return files.map((f) => path.join(out, path.relative(base, path.resolve(f))));
}

/**
 * Run notebooks and summarise. Results keep the input order; `log` gets a summary line as each
 * notebook finishes. Writes `options.results` when given. Throws UsageError for a request that
 * cannot be right (an output over its source without `inPlace`); problems of single notebooks are
 * reported in their results, never thrown.
 */
export async function runNotebooks(files: readonly string[], options: RunOptions = {}): Promise<RunSummary> {
  const started = new Date();
  const t0 = performance.now();
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const outs = outputPaths(files, options);
  const ref = options.compare;
  if (ref !== undefined && ref !== 'stored' && files.length > 1 && !(existsSync(ref) && statSync(ref).isDirectory())) {
    throw new UsageError(`compare: ${ref} is one notebook, but ${files.length} notebooks were given; pass a folder of reference notebooks.`);
  }
  // Never over the source unless asked (inPlace).
  outs.forEach((o, i) => {
    if (options.inPlace !== true && path.resolve(o) === path.resolve(files[i] as string)) {
      throw new UsageError(`the executed copy of ${files[i]} would overwrite it; choose another output folder, or ask for inPlace (--in-place).`);
    }
  });
  const results: NotebookResult[] = new Array<NotebookResult>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const r = await runNotebook(files[i] as string, options, outs[i]);
      results[i] = r;
      options.log?.(formatResultLine(r));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  if (options.results !== undefined) await writeResults(options.results, started, options.profile, results);
  const usage = results.some((r) => r.status === 'usage-error');
  const failed = results.some((r) => r.status !== 'passed');
  return { results, seconds: (performance.now() - t0) / 1000, exitCode: usage ? 2 : failed ? 1 : 0 };
}
