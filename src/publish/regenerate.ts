/**
 * Publishing saved outputs: run each notebook with the full profile through the runner, and only if
 * the run passed, write the executed notebook over its source with a provenance note first, and merge
 * its check records into the committed results file. A failed run publishes nothing: the old saved
 * notebook and its results stay, and the failure is reported.
 *
 * The run goes to a scratch folder rather than `inPlace`, because the runner writes the executed
 * notebook even when a cell fails; publishing is a separate, conditional step.
 */
import { execFileSync } from 'child_process';
import { existsSync, promises as fs, readdirSync } from 'fs';
import os from 'os';
import path from 'path';
import type { CheckResult, NotebookResult, RunOptions, RunSummary } from '../runner/options';
import { readNotebook, serializeNotebook, writeNotebook } from '../runner/nbformat';
import { runNotebooks } from '../runner/run-notebooks';
import { formatResultLine } from '../runner/summary';
import type { ResultsFile } from '../runner/summary';
import { dropNoOpInjection, setProvenance } from './provenance';
import { verifySavedOutputs } from './saved-outputs';
import { addFigureSnapshots, chromiumRenderer, figureOutputs, noSnapshotMessage } from './snapshots';
import type { SnapshotOptions, SnapshotRenderer } from './snapshots';

/** Options of `regenerate`. */
export interface RegenerateOptions {
  /**
   * Folder of the notebooks to publish.
   * @default 'notebooks'
   */
  dir?: string;
  /**
   * Publish only these notebooks (file names with or without `.ipynb`).
   * @default all notebooks in `dir`
   */
  only?: readonly string[];
  /**
   * Profile to run.
   * @default 'full'
   */
  profile?: string;
  /**
   * The committed results file; a run's records replace that notebook's records in it.
   * @default '<dir>/results/<profile>.json'
   */
  results?: string;
  /**
   * Run `jupyter trust` on each published notebook when that command is available (signatures go to the
   * local Jupyter database of whoever runs this, not into the file).
   * @default false
   */
  trust?: boolean;
  /** Extra runner options (timeouts, kernel); profile, outDir, inPlace and results are set here. */
  runOptions?: Omit<RunOptions, 'profile' | 'outDir' | 'outFile' | 'inPlace' | 'results' | 'write'>;
  /** Progress lines. @default no output */
  log?: (message: string) => void;
  /** The runner (tests substitute a fake). @default runNotebooks */
  run?: (files: readonly string[], options: RunOptions) => Promise<RunSummary>;
  /**
   * Give each figure a static PNG snapshot inside its HTML (snapshots.ts), so that untrusted and
   * script-free viewers show it; `false` publishes figures script-only. Without a Chromium the
   * notebooks are published script-only and the log says so.
   * @default true
   */
  snapshots?: boolean | SnapshotOptions;
  /**
   * Makes the snapshot renderer, once, when the first notebook with figures is published (tests
   * substitute a fake). A string is the reason there is none. @default chromiumRenderer
   */
  renderer?: () => Promise<SnapshotRenderer | string>;
}

/** What happened to one notebook. */
export interface PublishOutcome {
  notebook: string;
  /** `published`: written over the source; `refused`: the run failed, the old file is kept. */
  status: 'published' | 'refused';
  result: NotebookResult;
  /** Why it was refused. */
  reason: string | null;
}

/** The notebooks of `dir` selected by `only`; throws naming the unknown names. */
export function selectNotebooks(dir: string, only?: readonly string[]): string[] {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  if (only === undefined || only.length === 0) return all.map((f) => path.join(dir, f));
  const wanted = only.map((n) => (n.endsWith('.ipynb') ? path.basename(n) : `${path.basename(n)}.ipynb`));
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) throw new Error(`--only: no ${unknown.join(', ')} in ${dir} (there: ${all.join(', ') || 'none'}).`);
  return wanted.map((f) => path.join(dir, f));
}

async function readResults(file: string): Promise<ResultsFile | null> {
  if (!existsSync(file)) return null;
  return JSON.parse(await fs.readFile(file, 'utf8')) as ResultsFile;
}

/**
 * Merge freshly published notebooks into a results document: their checks and notebook entries
 * replace the old ones; the others' stay. Order follows the notebook names.
 */
export function mergeResults(old: ResultsFile | null, fresh: readonly NotebookResult[], profile: string, started: Date): ResultsFile {
  const names = new Set(fresh.map((r) => r.notebook));
  const keepChecks = (old?.checks ?? []).filter((c) => !names.has(c.notebook));
  // Entries written before per-notebook times were recorded carry the old document's time.
  const keepNotebooks = (old?.notebooks ?? [])
    .filter((n) => !names.has(n.notebook))
    .map((n) => (n.started === undefined && old?.started !== undefined ? { ...n, started: old.started } : n));
  const checks: CheckResult[] = [...keepChecks, ...fresh.flatMap((r) => r.checks)];
  const notebooks: ResultsFile['notebooks'] = [
    ...keepNotebooks,
    ...fresh.map((r) => ({
      notebook: r.notebook,
      status: r.status,
      seconds: Math.round(r.seconds * 100) / 100,
      backend: r.backend,
      params: r.params,
      // When this notebook was run: with --only, notebooks in one file come from different runs.
      started: started.toISOString(),
    })),
  ];
  const order = (n: string): string => path.basename(n);
  notebooks.sort((a, b) => order(a.notebook).localeCompare(order(b.notebook)));
  const pos = new Map(notebooks.map((n, i) => [n.notebook, i]));
  checks.sort((a, b) => (pos.get(a.notebook) ?? 0) - (pos.get(b.notebook) ?? 0) || a.cell - b.cell);
  return { started: started.toISOString(), profile, checks, notebooks };
}

/** Whether `jupyter trust` exists (it comes with nbformat's scripts; a bare `jupyter` may lack it). */
function jupyterTrustAvailable(): boolean {
  try {
    execFileSync('jupyter', ['trust', '--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `jupyter trust FILE`; a failure is reported, not fatal (the notebook is published either way). */
function signNotebook(file: string, log: (m: string) => void): void {
  try {
    execFileSync('jupyter', ['trust', file], { stdio: 'ignore' });
    log(`signed ${file} in the local Jupyter database`);
  } catch (e) {
    log(`could not sign ${file} (jupyter trust: ${(e as Error).message.split('\n')[0] ?? ''})`);
  }
}

/**
 * Run, check and publish. Returns one outcome per notebook; `exitCode` is 0 when all were published.
 */
export async function regenerate(options: RegenerateOptions = {}): Promise<{ outcomes: PublishOutcome[]; resultsFile: string; exitCode: 0 | 1 }> {
  const dir = options.dir ?? 'notebooks';
  const profile = options.profile ?? 'full';
  const resultsFile = options.results ?? path.join(dir, 'results', `${profile}.json`);
  const log = options.log ?? ((): void => undefined);
  const run = options.run ?? runNotebooks;
  const files = selectNotebooks(dir, options.only);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'genlab-publish-'));
  const outcomes: PublishOutcome[] = [];
  const published: NotebookResult[] = [];
  const trust = options.trust === true && jupyterTrustAvailable();
  const snapshotOptions: SnapshotOptions | null = options.snapshots === false ? null : options.snapshots === true || options.snapshots === undefined ? {} : options.snapshots;
  // Started for the first notebook that has figures, closed at the end; a string once it is known there is none.
  let renderer: SnapshotRenderer | string | null = null;
  if (options.trust === true && !trust) log('`jupyter trust` is not available: notebooks are not signed (see README, "Trusted figures").');
  try {
    // One notebook at a time, so each is published as soon as it passes and a later failure
    // (or an interrupted session) does not lose the earlier ones.
    for (const file of files) {
      const started = new Date();
      log(`running ${file} (profile ${profile}) ...`);
      const summary = await run([file], {
        ...options.runOptions,
        profile,
        outDir: path.join(scratch, path.basename(file, '.ipynb')),
        log: options.runOptions?.log ?? log,
      });
      const result = summary.results[0];
      if (result === undefined) throw new Error(`the runner returned no result for ${file}`);
      let reason: string | null = null;
      if (result.status !== 'passed') reason = formatResultLine(result);
      else if (result.output === null) reason = 'the runner wrote no executed notebook';
      if (reason === null && result.output !== null) {
        const executed = await readNotebook(result.output);
        dropNoOpInjection(executed);
        const nb = setProvenance(executed);
        const report = verifySavedOutputs(nb, profile);
        if (report.verdict !== 'ok') reason = `the executed notebook fails the saved-output checks: ${report.problems.join('; ')}`;
        else {
          if (snapshotOptions !== null && figureOutputs(nb).length > 0) {
            if (renderer === null) {
              renderer = await (options.renderer ?? chromiumRenderer)();
              log(typeof renderer === 'string' ? noSnapshotMessage(renderer) : `figure snapshots drawn by ${renderer.name}`);
            }
            if (typeof renderer !== 'string') {
              const before = serializeNotebook(nb).length;
              const s = await addFigureSnapshots(nb, renderer, { ...snapshotOptions, log });
              const added = serializeNotebook(nb).length - before;
              log(`snapshots: ${s.snapshotted}/${s.figures} figures of ${path.basename(file)} (+${(added / 1e6).toFixed(2)} MB in the file)` +
                (s.failures.length > 0 ? `; ${s.failures.length} without one stay script-only` : ''));
            }
          }
          await writeNotebook(file, nb);
          published.push(result);
          const merged = mergeResults(await readResults(resultsFile), [result], profile, started);
          await fs.mkdir(path.dirname(path.resolve(resultsFile)), { recursive: true });
          await fs.writeFile(resultsFile, JSON.stringify(merged, null, 2) + '\n', 'utf8');
          if (trust) signNotebook(file, log);
        }
      }
      if (reason === null) {
        outcomes.push({ notebook: file, status: 'published', result, reason: null });
        log(`published ${file} (${result.seconds.toFixed(0)} s, ${result.checks.length} checks)`);
      } else {
        outcomes.push({ notebook: file, status: 'refused', result, reason });
        log(`REFUSED ${file}: the saved notebook is kept unchanged. ${reason}`);
      }
    }
  } finally {
    if (renderer !== null && typeof renderer !== 'string') await renderer.close();
    await fs.rm(scratch, { recursive: true, force: true });
  }
  return { outcomes, resultsFile, exitCode: outcomes.every((o) => o.status === 'published') ? 0 : 1 };
}
