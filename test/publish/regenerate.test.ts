/**
 * Publishing: the provenance note is first and replaced (not duplicated) on regeneration; a passing
 * run is written over the source and merged into the results file; a failing run publishes nothing.
 * The runner is replaced by a fake that "executes" a notebook by copying a prepared executed fixture,
 * so these tests need no kernel (the real run is `npm run notebooks:publish`). Figure snapshots are
 * off (the fixtures hold figures) except in their own tests, which use a fake renderer: no browser.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cellSource, cellTags, joinText, readNotebook, serializeNotebook, type CodeCell, type MimeData, type Notebook } from '../../src/runner/nbformat';
import { linePlot } from '../../src/plot';
import { encodePng } from '../../src/plot/png';
import { figureBundle } from '../../src/plot/show';
import { figureOutputs, type SnapshotRenderer } from '../../src/publish/snapshots';
import type { NotebookResult, RunOptions, RunSummary } from '../../src/runner/options';
import type { ResultsFile } from '../../src/runner/summary';
import { dropNoOpInjection, PROVENANCE_TAG, provenanceText, runSeed, setProvenance } from '../../src/publish/provenance';
import { mergeResults, regenerate, selectNotebooks } from '../../src/publish/regenerate';
import { fixture, FIXTURES, tmpDir } from './helpers';

describe('provenance note', () => {
  it('says when, backend, seed, seconds and profile, from metadata.genlab.run and the parameters cell', () => {
    const text = provenanceText(fixture('saved-ok.ipynb'));
    assert.match(text, /Executed by genlab-run on 2026-11-20 10:00 UTC, backend wasm, seed 3, 12 s, profile full\./);
  });
  it('prefers an injected SEED', () => {
    const nb = fixture('saved-ok.ipynb');
    (nb.metadata.genlab as { run: { params: Record<string, unknown> } }).run.params.SEED = 7;
    assert.equal(runSeed(nb), '7');
  });
  it('is the first cell and is replaced, not duplicated, when set again', () => {
    const nb = setProvenance(setProvenance(fixture('saved-ok.ipynb')));
    const notes = nb.cells.filter((c) => cellTags(c).includes(PROVENANCE_TAG));
    assert.equal(notes.length, 1);
    assert.ok(cellTags(nb.cells[0]!).includes(PROVENANCE_TAG));
    assert.equal(nb.cells.length, fixture('saved-ok.ipynb').cells.length + 1);
  });
  it('drops an injected-parameters cell that only restated the defaults, and keeps one that changed a value', () => {
    const withInjection = (params: Record<string, unknown>): Notebook => {
      const nb = fixture('saved-ok.ipynb');
      (nb.metadata.genlab as { run: { params: Record<string, unknown> } }).run.params = params;
      const at = nb.cells.findIndex((c) => cellTags(c).includes('parameters')) + 1;
      nb.cells.splice(at, 0, { cell_type: 'code', metadata: { tags: ['injected-parameters'] }, source: '// injected', outputs: [], execution_count: 2 });
      return nb;
    };
    const full = withInjection({ profile: 'full' });
    const n = full.cells.length;
    assert.equal(dropNoOpInjection(full), true);
    assert.equal(full.cells.length, n - 1);
    assert.ok(!full.cells.some((c) => cellTags(c).includes('injected-parameters')));
    for (const params of [{ profile: 'quick' }, { profile: 'full', SEED: 4 }, { profile: 'full', UNDECLARED: 1 }]) {
      const nb = withInjection(params);
      assert.equal(dropNoOpInjection(nb), false, JSON.stringify(params));
      assert.equal(nb.cells.length, n);
    }
  });
  it('refuses a notebook without a saved run', () => {
    assert.throws(() => provenanceText(fixture('unexecuted.ipynb')), /no metadata\.genlab\.run/);
  });
});

function fakeResult(file: string, output: string | null, status: NotebookResult['status']): NotebookResult {
  return {
    notebook: file,
    output,
    status,
    cellsRun: 5,
    codeCells: 5,
    seconds: 12.3,
    kernelStartSeconds: 1,
    failure: null,
    error: status === 'passed' ? null : 'cell 5: CheckFailedError: check failed: test_loss = 1.7',
    checks: [
      { metric: 'test_loss', value: 0.5, op: '<=', threshold: 1, profile: 'full', backend: 'wasm', passed: status === 'passed', why: 'w', notebook: file, cell: 5, seconds: 0.1 },
    ],
    params: { profile: 'full' },
    backend: 'wasm',
    cellTimings: [],
    leak: null,
    differences: [],
  };
}

/** A runner that writes `executed` as the run's output and reports `status`. */
function fakeRun(executed: string, status: (file: string) => NotebookResult['status']) {
  const calls: { files: readonly string[]; options: RunOptions }[] = [];
  const run = async (files: readonly string[], options: RunOptions): Promise<RunSummary> => {
    calls.push({ files, options });
    const file = files[0]!;
    const out = path.join(options.outDir!, path.basename(file));
    mkdirSync(options.outDir!, { recursive: true });
    copyFileSync(executed, out);
    const r = fakeResult(file, out, status(file));
    return { results: [r], seconds: 1, exitCode: r.status === 'passed' ? 0 : 1 };
  };
  return { run, calls };
}

function setup(): { dir: string; a: string; b: string } {
  const dir = tmpDir('regen');
  const a = path.join(dir, 'alpha.ipynb');
  const b = path.join(dir, 'beta.ipynb');
  copyFileSync(path.join(FIXTURES, 'unexecuted.ipynb'), a);
  copyFileSync(path.join(FIXTURES, 'unexecuted.ipynb'), b);
  return { dir, a, b };
}

describe('regenerate', () => {
  it('publishes a passing run over the source with provenance, and writes the results file', async () => {
    const { dir, a, b } = setup();
    const { run, calls } = fakeRun(path.join(FIXTURES, 'saved-ok.ipynb'), () => 'passed');
    const { outcomes, resultsFile, exitCode } = await regenerate({ dir, run, snapshots: false });
    assert.equal(exitCode, 0);
    assert.deepEqual(outcomes.map((o) => o.status), ['published', 'published']);
    assert.equal(calls[0]!.options.profile, 'full');
    assert.notEqual(path.resolve(calls[0]!.options.outDir!), path.resolve(dir), 'runs go to a scratch folder, not over the source');
    for (const f of [a, b]) {
      const nb = await readNotebook(f);
      assert.ok(cellTags(nb.cells[0]!).includes(PROVENANCE_TAG));
      assert.match(cellSource(nb.cells[0]!), /seed 3, 12 s, profile full/);
    }
    assert.equal(resultsFile, path.join(dir, 'results', 'full.json'));
    const doc = JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsFile;
    assert.deepEqual(doc.notebooks.map((n) => path.basename(n.notebook)), ['alpha.ipynb', 'beta.ipynb']);
    assert.equal(doc.checks.length, 2);
    // Regenerating again keeps one provenance note.
    await regenerate({ dir, run, snapshots: false, only: ['alpha'] });
    const again = await readNotebook(a);
    assert.equal(again.cells.filter((c) => cellTags(c).includes(PROVENANCE_TAG)).length, 1);
  });

  it('refuses a failed run: the old notebook and the results stay byte-identical', async () => {
    const { dir, a, b } = setup();
    const ok = fakeRun(path.join(FIXTURES, 'saved-ok.ipynb'), () => 'passed');
    await regenerate({ dir, run: ok.run, snapshots: false });
    const beforeA = readFileSync(a, 'utf8');
    const beforeResults = readFileSync(path.join(dir, 'results', 'full.json'), 'utf8');
    const bad = fakeRun(path.join(FIXTURES, 'false-pass.ipynb'), (f) => (f.endsWith('alpha.ipynb') ? 'failed' : 'passed'));
    const lines: string[] = [];
    const { outcomes, exitCode } = await regenerate({ dir, run: bad.run, snapshots: false, log: (m) => lines.push(m) });
    assert.equal(exitCode, 1);
    assert.equal(outcomes[0]!.status, 'refused');
    assert.match(outcomes[0]!.reason!, /failed/);
    assert.equal(readFileSync(a, 'utf8'), beforeA);
    assert.match(lines.join('\n'), /REFUSED .*alpha\.ipynb: the saved notebook is kept unchanged/);
    // beta "passed" but its executed notebook's check does not hold on re-evaluation: refused too.
    assert.equal(outcomes[1]!.status, 'refused');
    assert.match(outcomes[1]!.reason!, /saved-output checks: .*test_loss = 1\.7/);
    assert.equal(readFileSync(path.join(dir, 'results', 'full.json'), 'utf8'), beforeResults);
    assert.ok(existsSync(b));
  });

  it('--only selects by name and rejects unknown names', () => {
    const { dir } = setup();
    assert.deepEqual(selectNotebooks(dir, ['beta']).map((f) => path.basename(f)), ['beta.ipynb']);
    assert.deepEqual(selectNotebooks(dir, ['alpha.ipynb', 'beta']).length, 2);
    assert.throws(() => selectNotebooks(dir, ['gamma']), /no gamma\.ipynb in .*there: alpha\.ipynb, beta\.ipynb/);
  });

  it('mergeResults replaces one notebook\'s records and keeps the others', () => {
    const old = mergeResults(null, [fakeResult('nb/a.ipynb', null, 'passed'), fakeResult('nb/b.ipynb', null, 'passed')], 'full', new Date(0));
    const fresh = fakeResult('nb/a.ipynb', null, 'passed');
    fresh.checks[0]!.value = 0.25;
    const merged = mergeResults(old, [fresh], 'full', new Date(1000));
    assert.deepEqual(merged.checks.map((c) => [c.notebook, c.value]), [['nb/a.ipynb', 0.25], ['nb/b.ipynb', 0.5]]);
    assert.equal(merged.notebooks.length, 2);
    assert.deepEqual(merged.notebooks.map((n) => n.started), [new Date(1000).toISOString(), new Date(0).toISOString()]);
    // A kept entry from a file written before per-notebook times existed gets that file's time, not the merge's.
    delete merged.notebooks[1]!.started;
    const again = mergeResults({ ...merged, started: '2026-01-02T03:04:05.000Z' }, [fresh], 'full', new Date(2000));
    assert.equal(again.notebooks.find((n) => n.notebook === 'nb/b.ipynb')!.started, '2026-01-02T03:04:05.000Z');
  });

  it('writes what it publishes in Jupyter\'s layout (round trip is stable)', async () => {
    const { dir, a } = setup();
    const { run } = fakeRun(path.join(FIXTURES, 'saved-ok.ipynb'), () => 'passed');
    await regenerate({ dir, run, snapshots: false, only: ['alpha'] });
    const text = readFileSync(a, 'utf8');
    assert.equal(serializeNotebook(await readNotebook(a)), text);
    writeFileSync(a, text);
  });

  describe('figure snapshots', () => {
    /** The executed fixture with one figure output added to its first code cell. */
    function executedWithFigure(): string {
      const nb = fixture('saved-ok.ipynb');
      const cell = nb.cells.find((c): c is CodeCell => c.cell_type === 'code')!;
      cell.outputs.push({ output_type: 'display_data', data: figureBundle(linePlot([1, 2, 3], { title: 'curve' })) as MimeData, metadata: {} });
      const file = path.join(tmpDir('regen-fig'), 'executed.ipynb');
      writeFileSync(file, serializeNotebook(nb));
      return file;
    }
    const figureHtmlOf = async (file: string): Promise<string> => joinText(figureOutputs(await readNotebook(file))[0]!.data['text/html'] as string);
    const fake = (made: string[]): (() => Promise<SnapshotRenderer>) => async () => {
      made.push('renderer');
      return { name: 'fake renderer', render: async (_f, w, h) => encodePng(w, h, new Uint8Array(w * h), 1), close: async () => void made.push('closed') };
    };

    it('publishing puts a PNG in each figure, starting the renderer once and closing it', async () => {
      const { dir, a, b } = setup();
      const { run } = fakeRun(executedWithFigure(), () => 'passed');
      const lines: string[] = [];
      const made: string[] = [];
      await regenerate({ dir, run, renderer: fake(made), log: (m) => lines.push(m) });
      assert.deepEqual(made, ['renderer', 'closed']);
      for (const f of [a, b]) assert.match(await figureHtmlOf(f), /<div id="genlab-plot-[^"]+" class="genlab-plot" style="[^"]*"><img class="genlab-plot-fallback"[^>]* src="data:image\/png;base64,/);
      assert.match(lines.join('\n'), /figure snapshots drawn by fake renderer/);
      assert.match(lines.join('\n'), /snapshots: (\d+)\/\1 figures of alpha\.ipynb \(\+0\.\d\d MB in the file\)/);
    });

    it('without a renderer it publishes the figures script-only and says so; snapshots: false starts none', async () => {
      const { dir, a } = setup();
      const { run } = fakeRun(executedWithFigure(), () => 'passed');
      const lines: string[] = [];
      const { exitCode } = await regenerate({ dir, run, renderer: async () => 'no Chromium on PATH.', log: (m) => lines.push(m) });
      assert.equal(exitCode, 0);
      assert.equal(lines.filter((l) => l.startsWith('figure snapshots: none taken (no Chromium on PATH.) Figures stay script-only')).length, 1, lines.join('\n'));
      const h = await figureHtmlOf(a);
      assert.match(h, /Interactive figure "curve": drawn by plotly\.js when the notebook is trusted/);
      assert.doesNotMatch(h, /<img/);
      const made: string[] = [];
      await regenerate({ dir, run, renderer: fake(made), snapshots: false, only: ['alpha'] });
      assert.deepEqual(made, []);
      assert.doesNotMatch(await figureHtmlOf(a), /<img/);
    });
  });
});
