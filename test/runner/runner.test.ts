/**
 * The runner end to end, through real tslab kernels: fixtures under test/fixtures/runner.
 * Batches run with jobs: 2 where they can, to keep the suite short on 2 cores.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHECK_MIME } from '../../src/notebook/check';
import type { CodeCell, Notebook, NotebookOutput } from '../../src/runner/nbformat';
import { joinText } from '../../src/runner/nbformat';
import type { NotebookResult, RunSummary } from '../../src/runner/options';
import { runNotebook } from '../../src/runner/run-notebook';
import { runNotebooks } from '../../src/runner/run-notebooks';
import type { ResultsFile } from '../../src/runner/summary';
import { ensureBuilt, eventually, fixture, FIXTURES, marker, processesWithMarker, readJson, ROOT, tempDir } from './helpers';

const codeCells = (nb: Notebook): CodeCell[] => nb.cells.filter((c): c is CodeCell => c.cell_type === 'code');
const text = (o: NotebookOutput | undefined): string =>
  o === undefined ? '' : o.output_type === 'stream' ? joinText(o.text) : o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : joinText(o.data['text/plain'] as string[]);
const byName = (s: RunSummary, name: string): NotebookResult => {
  const r = s.results.find((x) => path.basename(x.notebook) === name);
  assert.ok(r, `no result for ${name}`);
  return r;
};

before(() => ensureBuilt());

describe('a passing notebook', () => {
  // In the project, so the in-place copy can import genlab-ts like the original.
  const tmp = tempDir({ inProject: true });
  after(tmp.cleanup);
  let summary: RunSummary;
  let inPlace: NotebookResult;
  const copy = path.join(tmp.dir, 'copy', 'passing.ipynb');
  const sourceBefore = readFileSync(path.join(FIXTURES, 'passing.ipynb'), 'utf8');

  before(async () => {
    cpSync(path.join(FIXTURES, 'passing.ipynb'), copy);
    cpSync(path.join(FIXTURES, 'data'), path.join(tmp.dir, 'copy', 'data'), { recursive: true });
    [summary, inPlace] = await Promise.all([
      runNotebooks([fixture('passing.ipynb')], { outDir: path.join(tmp.dir, 'out'), results: path.join(tmp.dir, 'results.json') }),
      // tcp here, ipc (the default) above: both transports work.
      runNotebook(copy, { inPlace: true, kernel: { transport: 'tcp' } }),
    ]);
  });

  it('passes and exits 0', () => {
    assert.equal(summary.exitCode, 0, JSON.stringify(summary.results[0]?.failure ?? summary.results[0]?.error));
    const r = summary.results[0] as NotebookResult;
    assert.equal(r.status, 'passed');
    assert.equal(r.cellsRun, 4, 'the empty cell is skipped');
    assert.equal(r.codeCells, 5);
    assert.ok(r.kernelStartSeconds !== null && r.kernelStartSeconds > 0);
  });

  it('writes the executed copy, not over the source', () => {
    const out = path.join(tmp.dir, 'out', 'passing.ipynb');
    assert.equal(summary.results[0]?.output, out);
    assert.equal(readFileSync(path.join(FIXTURES, 'passing.ipynb'), 'utf8'), sourceBefore);
    const nb = readJson<Notebook>(out);
    const cells = codeCells(nb);
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, null, 4]);
    // The kernel ran in the notebook's folder: ./data/hello.txt resolved as in JupyterLab.
    assert.equal(text(cells[1]?.outputs[0]), 'hello from the data folder epochs = 50\n');
    assert.deepEqual(cells[2]?.outputs.map((o) => [o.output_type, text(o)]), [
      ['stream', 'a warning on stderr\n'],
      // The last expression's value: an execute_result from the kit's kernel (plain tslab prints it).
      ['execute_result', '[ 1, 4, 9 ]'],
    ]);
    const checkOut = cells[4]?.outputs[0];
    assert.ok(checkOut?.output_type === 'display_data');
    assert.equal(text(checkOut), '✓ epochs_seen = 50 >= 10 (full)');
    assert.equal((checkOut.data[CHECK_MIME] as { passed: boolean }).passed, true);
    const run = (nb.metadata.genlab as { run: Record<string, unknown> }).run;
    assert.equal(run.status, 'passed');
    assert.equal(run.profile, null);
    assert.equal((nb.metadata.language_info as { name: string }).name, 'typescript');
  });

  it('writes over the source only when asked (inPlace)', () => {
    assert.equal(inPlace.status, 'passed', JSON.stringify(inPlace.failure ?? inPlace.error));
    assert.equal(inPlace.output, copy);
    const nb = readJson<Notebook>(copy);
    assert.equal(text(codeCells(nb)[1]?.outputs[0]), 'hello from the data folder epochs = 50\n');
  });

  it('records every check in the results file', () => {
    const results = readJson<ResultsFile>(path.join(tmp.dir, 'results.json'));
    assert.equal(results.checks.length, 1);
    const c = results.checks[0];
    assert.ok(c);
    assert.deepEqual(
      { metric: c.metric, value: c.value, op: c.op, threshold: c.threshold, profile: c.profile, backend: c.backend, passed: c.passed, cell: c.cell },
      { metric: 'epochs_seen', value: 50, op: '>=', threshold: 10, profile: 'full', backend: null, passed: true, cell: 6 },
    );
    assert.ok(c.seconds > 0 && c.seconds < 60);
    assert.equal(c.notebook, fixture('passing.ipynb'));
  });
});

describe('parameters and profiles', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  let quick: NotebookResult;
  let tiny: NotebookResult;
  before(async () => {
    // The tiny run starts from a "published" copy: its provenance note must not survive into this run.
    const published = readJson<Notebook>(fixture('params.ipynb'));
    published.cells.unshift({ cell_type: 'markdown', metadata: { tags: ['genlab-provenance'] }, source: '> **Saved outputs.** Executed by genlab-run on 2026-01-01.' });
    const publishedFile = path.join(tmp.dir, 'published', 'params.ipynb');
    mkdirSync(path.dirname(publishedFile), { recursive: true });
    writeFileSync(publishedFile, JSON.stringify(published));
    [quick, tiny] = await Promise.all([
      runNotebook(fixture('params.ipynb'), { profile: 'quick', params: { epochs: '3' }, outDir: path.join(tmp.dir, 'q') }),
      runNotebook(publishedFile, { profile: 'tiny', params: { verbose: true, extra: '{"b": [1]}' }, outDir: path.join(tmp.dir, 't') }),
    ]);
  });

  it('injects the profile and --param values (which win) in a tagged cell after the parameters', () => {
    assert.equal(quick.status, 'passed', JSON.stringify(quick.failure ?? quick.error));
    const nb = readJson<Notebook>(path.join(tmp.dir, 'q', 'params.ipynb'));
    const injected = nb.cells[2] as CodeCell;
    assert.deepEqual(injected.metadata.tags, ['injected-parameters']);
    assert.equal(
      joinText(injected.source),
      '// Parameters injected by genlab-run (profile "quick").\nconst profile: string = "quick";\nconst epochs: number = 3;\nconst hidden: number[] = [8];',
    );
    assert.deepEqual(JSON.parse(text((nb.cells[3] as CodeCell).outputs[0])), {
      profile: 'quick',
      epochs: 3,
      lr: 0.001,
      name: 'wine',
      verbose: false,
      hidden: [8],
      extra: { a: 1 },
    });
    assert.deepEqual((nb.metadata.genlab as { run: { params: unknown } }).run.params, { profile: 'quick', epochs: 3, hidden: [8] });
  });

  it('types values: strings, booleans and JSON; drops a published notebook\'s provenance note', () => {
    assert.equal(tiny.status, 'passed', JSON.stringify(tiny.failure ?? tiny.error));
    const nb = readJson<Notebook>(path.join(tmp.dir, 't', 'params.ipynb'));
    assert.equal(nb.cells.filter((c) => (c.metadata.tags ?? []).includes('genlab-provenance')).length, 0);
    assert.deepEqual(JSON.parse(text((nb.cells[3] as CodeCell).outputs[0])), {
      profile: 'tiny',
      epochs: 1,
      lr: 0.001,
      name: 'toy',
      verbose: true,
      hidden: [64, 64],
      extra: { b: [1] },
    });
  });

  it('refuses a parameter the notebook does not declare, before starting a kernel (exit 2)', async () => {
    const s = await runNotebooks([fixture('params.ipynb')], { params: { learning_rate: '0.1' }, outDir: path.join(tmp.dir, 'u') });
    assert.equal(s.exitCode, 2);
    const r = s.results[0] as NotebookResult;
    assert.equal(r.status, 'usage-error');
    assert.match(String(r.error), /--param learning_rate sets learning_rate, which the parameters cell \(cell 2\) of .*params\.ipynb does not declare \(it declares: profile, epochs, lr, name, verbose, hidden, extra\)/);
    assert.equal(r.kernelStartSeconds, null);
    assert.equal(r.output, null);
  });
});

describe('failing notebooks', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  let s: RunSummary;
  before(async () => {
    s = await runNotebooks([fixture('failing-check.ipynb'), fixture('syntax-error.ipynb'), fixture('runtime-error.ipynb'), fixture('results.ipynb')], {
      outDir: tmp.dir,
      jobs: 2,
      results: path.join(tmp.dir, 'results.json'),
    });
  });

  it('exits 1', () => assert.equal(s.exitCode, 1));

  it('reports a failing check: cell, source line, error name, message, traceback', () => {
    const r = byName(s, 'failing-check.ipynb');
    assert.equal(r.status, 'failed');
    const f = r.failure;
    assert.ok(f);
    assert.equal(f.cell, 3);
    assert.equal(f.executionCount, 3);
    assert.equal(f.ename, 'CheckFailedError');
    assert.equal(f.evalue, 'check failed: test_rmse = 0.9, required <= 0.7 for profile "full" (Keras reference BNN: 0.761)');
    assert.deepEqual(f.sourceLine, { line: 3, text: 'check({' });
    assert.match(f.traceback.join('\n'), /at check \(.*dist[\\/]notebook[\\/]check\.js/);
  });

  it('still writes the partial notebook with the error in place', () => {
    const nb = readJson<Notebook>(path.join(tmp.dir, 'failing-check.ipynb'));
    const cells = codeCells(nb);
    const outs = cells[2]?.outputs ?? [];
    assert.equal(text(outs[0]), '✗ test_rmse = 0.9 <= 0.7 (full)');
    const last = outs[outs.length - 1];
    assert.ok(last?.output_type === 'error');
    assert.equal(last.ename, 'CheckFailedError');
    assert.equal(cells[3]?.execution_count, null, 'cells after the failure do not run');
    assert.deepEqual(cells[3]?.outputs, []);
    assert.equal((nb.metadata.genlab as { run: { status: string } }).run.status, 'failed');
  });

  it('records failed and passed checks of every notebook in the results file', () => {
    const results = readJson<ResultsFile>(path.join(tmp.dir, 'results.json'));
    assert.deepEqual(
      results.checks.map((c) => [path.basename(c.notebook), c.metric, c.value, c.op, c.threshold, c.profile, c.passed, c.cell]),
      [
        ['failing-check.ipynb', 'test_rmse', 0.9, '<=', 0.7, 'full', false, 3],
        ['results.ipynb', 'test_rmse', 0.65, '<=', 0.7, 'full', true, 3],
        ['results.ipynb', 'coverage_95', 0.93, 'between', [0.9, 0.99], 'full', true, 3],
      ],
    );
    assert.ok(results.checks.every((c) => c.backend === null && c.seconds > 0 && typeof c.why === 'string'));
    assert.deepEqual(results.notebooks.map((n) => n.status), ['failed', 'failed', 'failed', 'passed']);
  });

  it('reports a compile error with its line', () => {
    const f = byName(s, 'syntax-error.ipynb').failure;
    assert.ok(f);
    assert.equal(f.ename, 'CompileError');
    assert.equal(f.evalue, "Type 'number' is not assignable to type 'string'.");
    assert.deepEqual(f.sourceLine, { line: 3, text: 'const s: string = n;' });
    assert.equal(f.cell, 2);
  });

  it('reports a runtime error at the statement of the failing cell', () => {
    const f = byName(s, 'runtime-error.ipynb').failure;
    assert.ok(f);
    assert.equal(f.ename, 'Error');
    assert.equal(f.evalue, 'cannot load missing.csv');
    assert.deepEqual(f.sourceLine, { line: 4, text: "const text = load('missing.csv');" });
  });
});

describe('faults: timeouts and dead kernels leave no process behind', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const mark = marker();
  let s: RunSummary;
  let byProfile: NotebookResult;
  before(async () => {
    const files = ['timeout.ipynb', 'async-hang.ipynb', 'spawn-child.ipynb', 'kernel-exit.ipynb', 'kernel-crash.ipynb', 'display-updates.ipynb', 'javascript.ipynb'].map(fixture);
    [s, byProfile] = await Promise.all([
      runNotebooks(files, { outDir: tmp.dir, jobs: 2, cellTimeout: 3, interruptGrace: 2, kernel: { env: mark.env } }),
      // The quick profile of timeout.ipynb sets "cell_timeout": 2.
      runNotebook(fixture('timeout.ipynb'), { profile: 'quick', outDir: path.join(tmp.dir, 'quick'), kernel: { env: mark.env } }),
    ]);
  });

  it('interrupts a cell that runs too long, names it, then stops the kernel', () => {
    const r = byName(s, 'timeout.ipynb');
    assert.equal(r.status, 'timeout');
    assert.equal(r.failure?.cell, 3);
    assert.equal(r.failure?.ename, 'CellTimeoutError');
    assert.match(String(r.failure?.evalue), /^the cell did not finish within 3 s; the runner interrupted the cell \(SIGINT\) and stopped the kernel/);
    const nb = readJson<Notebook>(path.join(tmp.dir, 'timeout.ipynb'));
    const cells = codeCells(nb);
    assert.equal(cells[2]?.outputs.at(-1)?.output_type, 'error');
    assert.equal(cells[3]?.execution_count, null);
  });

  it("takes the per-cell limit from the profile's cell_timeout", () => {
    assert.equal(byProfile.status, 'timeout');
    assert.match(String(byProfile.failure?.evalue), /within 2 s/);
  });

  it('times out a cell awaiting forever', () => {
    const r = byName(s, 'async-hang.ipynb');
    assert.equal(r.status, 'timeout');
    assert.equal(r.failure?.cell, 1);
  });

  it('reports a kernel that exits, with its exit code', () => {
    const r = byName(s, 'kernel-exit.ipynb');
    assert.equal(r.status, 'dead-kernel');
    assert.equal(r.failure?.cell, 2);
    assert.equal(r.failure?.ename, 'DeadKernelError');
    assert.match(String(r.failure?.evalue), /the kernel died while running this cell \(exit code 3\)/);
    const nb = readJson<Notebook>(path.join(tmp.dir, 'kernel-exit.ipynb'));
    assert.equal(text(codeCells(nb)[0]?.outputs[0]), 'about to exit\n');
    assert.equal(codeCells(nb)[1]?.outputs.at(-1)?.output_type, 'error');
  });

  it('reports a kernel killed by a signal', () => {
    const r = byName(s, 'kernel-crash.ipynb');
    assert.equal(r.status, 'dead-kernel');
    assert.match(String(r.failure?.evalue), /signal SIGKILL/);
  });

  it('runs the other notebooks in fresh kernels (display updates collapse into one output)', () => {
    const r = byName(s, 'display-updates.ipynb');
    assert.equal(r.status, 'passed', JSON.stringify(r.failure));
    const cells = codeCells(readJson<Notebook>(path.join(tmp.dir, 'display-updates.ipynb')));
    // 50 updates in cell 1 and a final one from cell 2 all land on cell 1's single display output.
    assert.deepEqual(cells[0]?.outputs.map((o) => [o.output_type, text(o)]), [
      ['display_data', 'finished'],
      ['stream', 'done\n'],
    ]);
    assert.deepEqual(cells[1]?.outputs.map((o) => [o.output_type, text(o)]), [['display_data', 'second display']]);
  });

  it('starts jslab for a notebook whose kernelspec asks for JavaScript', () => {
    const r = byName(s, 'javascript.ipynb');
    assert.equal(r.status, 'passed', JSON.stringify(r.failure));
    const nb = readJson<Notebook>(path.join(tmp.dir, 'javascript.ipynb'));
    assert.equal(text(codeCells(nb)[0]?.outputs[0]), 'javascript\n');
    assert.equal((nb.metadata.language_info as { name: string }).name, 'javascript');
  });

  it('leaves no kernel or child process running', async () => {
    assert.ok(byName(s, 'spawn-child.ipynb').status === 'timeout');
    const gone = await eventually(() => processesWithMarker(mark.value).length === 0);
    assert.ok(gone, `still running: ${processesWithMarker(mark.value).join(', ')}`);
  });
});

describe('files that are not runnable notebooks', () => {
  it('reports malformed JSON, nbformat 3 and a foreign kernel clearly and fails the run (exit 1)', async () => {
    const s = await runNotebooks([fixture('malformed.ipynb'), fixture('nbformat3.ipynb'), fixture('python.ipynb')], { write: false });
    assert.equal(s.exitCode, 1);
    assert.deepEqual(s.results.map((r) => r.status), ['invalid', 'invalid', 'invalid']);
    assert.match(String(s.results[0]?.error), /malformed\.ipynb is not valid JSON at line 4/);
    assert.match(String(s.results[1]?.error), /uses nbformat 3/);
    assert.match(String(s.results[2]?.error), /asks for the kernel "python3" \(python\); this runner runs tslab/);
    assert.ok(s.results.every((r) => r.kernelStartSeconds === null), 'no kernel was started');
  });
});

describe('the genlab-run command', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const cli = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'dist', 'runner', 'cli.js'), ...args], { cwd: ROOT, timeout: 180_000 }, (error, stdout, stderr) => {
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });

  it('exits 0, 1 and 2 for pass, failure and bad usage, and prints one line per notebook', async () => {
    const [ok, failed, usage, missing, help] = await Promise.all([
      cli('test/fixtures/runner/passing.ipynb', '--out', path.join(tmp.dir, 'ok'), '--quiet'),
      cli('test/fixtures/runner/syntax-error.ipynb', '--out', path.join(tmp.dir, 'failed'), '--quiet'),
      cli('test/fixtures/runner/params.ipynb', '--param', 'nope=1'),
      cli('test/fixtures/runner/absent.ipynb'),
      cli('--help'),
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^passed\s+test\/fixtures\/runner\/passing\.ipynb {2}4\/5 cells {2}\d+\.\d s\n1\/1 notebooks passed/);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /^failed\s+test\/fixtures\/runner\/syntax-error\.ipynb {2}2\/3 cells .* cell 2: CompileError: Type 'number'/);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /does not declare/);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /genlab-run: notebook not found: test\/fixtures\/runner\/absent\.ipynb/);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: genlab-run/);
  });
});
