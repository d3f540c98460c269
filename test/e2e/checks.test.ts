/**
 * The end-to-end test's assertions (checks.ts), without a browser: each must pass on what a good run
 * reports and fail on the broken variant it exists to catch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCells,
  checkFigureCount,
  checkFigurePictures,
  countFigurePictures,
  checkRequiredKinds,
  countDrawnFigures,
  outputKind,
  pickRerunCells,
  textOutputsShown,
  type CellState,
  type IopubRecord,
  type OutputDom,
  type OutputModel,
} from './checks';

const out = (o: Partial<OutputModel>): OutputModel => ({
  outputType: 'display_data',
  mimes: ['text/html', 'text/plain'],
  html: '',
  plain: '',
  streamName: null,
  ename: null,
  evalue: null,
  traceback: '',
  ...o,
});
const dom = (d: Partial<OutputDom>): OutputDom => ({ plots: [], imgs: [], tables: [], text: '', ...d });

const figure = out({ html: '<div id="f1" class="genlab-plot"></div><script>...</script>', plain: 'figure: 1 trace' });
const figureDom = dom({ plots: [{ id: 'f1', drawn: true, traces: 1, dataLength: 1, width: 800, height: 400, text: '' }] });
const progress = out({ html: '<div>...</div>', plain: '[####################] epoch 4/4  step 7/7  loss 0.5  2.0s  eta 0.0s' });
const progressDom = dom({ text: 'epoch 4/4 · step 7/7 · loss 0.5 · 2.0s · eta 0.0s' });
const table = out({ html: '<table border="1" class="dataframe"><thead>...' });
const tableDom = dom({ tables: [{ dataframe: true, rows: 5, columns: 12 }] });
const image = out({ mimes: ['image/png', 'text/plain'], plain: 'image grid 8 x 8' });
const imageDom = dom({ imgs: [{ complete: true, naturalWidth: 400, naturalHeight: 60, png: true }] });

function cell(index: number, count: number, outputs: OutputModel[], doms: OutputDom[], source = 'show(x);'): CellState {
  return { index, type: 'code', source, executionCount: count, running: false, timingMs: 1000, outputs, dom: doms };
}

/** IOPub messages of a training cell run as In [count]: one display and `updates` updates of display id d1. */
function trainingMessages(count: number, updates: number, ids = ['d1']): IopubRecord[] {
  const parent = `msg-${count}`;
  const m: IopubRecord[] = [];
  for (const id of ids) {
    m.push({ type: 'display_data', parent, displayId: id, executionCount: null, plain: '[#---] epoch 1/4  step 1/7  loss 2' });
    for (let i = 0; i < updates; i++) m.push({ type: 'update_display_data', parent, displayId: id, executionCount: null, plain: '[####] epoch 4/4  step 7/7' });
  }
  m.push({ type: 'execute_reply', parent, displayId: null, executionCount: count, plain: '' });
  return m;
}

describe('e2e checks', () => {
  it('classifies outputs', () => {
    assert.equal(outputKind(figure), 'figure');
    assert.equal(outputKind(progress), 'progress');
    assert.equal(outputKind(table), 'table');
    assert.equal(outputKind(image), 'image');
    assert.equal(outputKind(out({ html: '<div class="genlab-plotly-loader">plotly.js</div>' })), 'other');
    assert.equal(outputKind(out({ outputType: 'error', ename: 'Error' })), 'error');
  });

  it('passes a good run', () => {
    const cells = [cell(0, 1, [figure, table, image], [figureDom, tableDom, imageDom]), cell(1, 2, [progress], [progressDom], 'await trainer.fit(x);')];
    assert.deepEqual(checkCells(cells, { messages: trainingMessages(2, 3), requireAllExecuted: true }), []);
    assert.deepEqual(checkRequiredKinds(cells, ['figure', 'image', 'table', 'progress']), []);
  });

  it('fails on error outputs and cells that never ran', () => {
    const err = out({ outputType: 'error', mimes: [], ename: 'TypeError', evalue: 'x is undefined', traceback: 'at cell 3' });
    const p = checkCells([cell(0, 1, [err], [dom({})]), { ...cell(1, 0, [], []), executionCount: null }], { messages: [], requireAllExecuted: true });
    assert.equal(p.length, 2);
    assert.match(p[0] as string, /raised TypeError: x is undefined/);
    assert.match(p[1] as string, /did not run/);
  });

  it('fails on a cell whose execution failed without an error output (tslab: trace on stderr)', () => {
    const stderr = out({ outputType: 'stream', mimes: [], streamName: 'stderr', plain: "Error: deliberate failure\n    at evalmachine" });
    const replies = (status: string): IopubRecord[] => [{ type: 'execute_reply', parent: 'p7', displayId: null, executionCount: 7, plain: '', status }];
    const c = cell(6, 7, [stderr], [dom({})], "throw new Error('deliberate failure');");
    assert.match(checkCells([c], { messages: replies('error'), requireAllExecuted: true }).join('\n'), /failed \(the kernel replied "error"\):\n.*deliberate failure/);
    assert.deepEqual(checkCells([c], { messages: replies('ok'), requireAllExecuted: true }), []);
    // A failure in a cell the page did not report is still a failure.
    const orphan: IopubRecord[] = [{ type: 'execute_reply', parent: 'p9', displayId: null, executionCount: null, plain: '', status: 'error' }];
    assert.match(checkCells([c], { messages: orphan, requireAllExecuted: true }).join('\n'), /1 execution\(s\) failed/);
  });

  it('fails on a figure that is not drawn or drawn without data', () => {
    const notDrawn = dom({ plots: [{ id: 'f1', drawn: false, traces: 0, dataLength: 0, width: 0, height: 0, text: 'plotly.js is not loaded in this page' }] });
    const noData = dom({ plots: [{ id: 'f1', drawn: true, traces: 0, dataLength: 0, width: 800, height: 400, text: '' }] });
    assert.match(checkCells([cell(0, 1, [figure], [notDrawn])], { messages: [], requireAllExecuted: true })[0] as string, /not drawn.*not loaded/);
    assert.match(checkCells([cell(0, 1, [figure], [noData])], { messages: [], requireAllExecuted: true })[0] as string, /without data/);
    assert.match(checkCells([cell(0, 1, [figure], [dom({})])], { messages: [], requireAllExecuted: true })[0] as string, /no \.genlab-plot/);
  });

  it('fails on broken images and tables, and on a page missing outputs', () => {
    const broken = dom({ imgs: [{ complete: true, naturalWidth: 0, naturalHeight: 0, png: true }] });
    assert.match(checkCells([cell(0, 1, [image], [broken])], { messages: [], requireAllExecuted: true })[0] as string, /no loaded <img>/);
    assert.match(checkCells([cell(0, 1, [table], [dom({})])], { messages: [], requireAllExecuted: true })[0] as string, /no table\.dataframe/);
    assert.match(checkCells([cell(0, 1, [figure, table], [figureDom])], { messages: [], requireAllExecuted: true })[0] as string, /shows 1 outputs.*has 2/);
  });

  it('fails when progress appends instead of updating in place', () => {
    const run = (outputs: OutputModel[], doms: OutputDom[], messages: IopubRecord[]): string[] =>
      checkCells([cell(0, 5, outputs, doms, 'await trainer.fit(x);')], { messages, requireAllExecuted: true });
    // One display per update (no display id reuse): 3 outputs for what should be 1.
    const appended = [progress, progress, progress];
    assert.match(run(appended, [progressDom, progressDom, progressDom], trainingMessages(5, 0, ['a'])).join('\n'), /3 progress outputs for 1 training runs/);
    // Shown once but never updated.
    assert.match(run([progress], [progressDom], trainingMessages(5, 0)).join('\n'), /never updated in place/);
    // Sent without a display id: it cannot be updated.
    const noId = trainingMessages(5, 0).map((m) => ({ ...m, displayId: null }));
    assert.match(run([progress], [progressDom], noId).join('\n'), /without a display id|none was sent with a display id/);
    // The page still shows an old state.
    assert.match(run([progress], [dom({ text: 'epoch 1/4 · step 1/7' })], trainingMessages(5, 2)).join('\n'), /shows "epoch 1\/4 step 1\/7"/);
    // No messages recorded: the check must not pass silently.
    assert.match(run([progress], [progressDom], []).join('\n'), /no IOPub messages were recorded/);
    // Hundreds of outputs.
    const many = Array.from({ length: 100 }, () => out({ outputType: 'stream', mimes: [], plain: 'epoch' }));
    assert.match(run(many, many.map(() => dom({})), []).join('\n'), /100 outputs/);
  });

  it('checks saved outputs: final progress state without messages, every figure in the file drawn', () => {
    const saved = [cell(0, 1, [figure, progress], [figureDom, progressDom], 'await trainer.fit(x);')];
    assert.deepEqual(checkCells(saved, { messages: [], requireAllExecuted: true, fromFile: true }), []);
    // The saved final state must still be what the page shows.
    const stale = [cell(0, 1, [progress], [dom({ text: 'epoch 1/4 · step 1/7' })])];
    assert.match(checkCells(stale, { messages: [], requireAllExecuted: true, fromFile: true }).join('\n'), /shows "epoch 1\/4 step 1\/7"/);
    // A figure whose script never ran (an untrusted notebook) is not counted as drawn.
    const blank = dom({ plots: [{ id: 'f2', drawn: false, traces: 0, dataLength: 0, width: 0, height: 0, text: '' }] });
    const cells = [cell(0, 1, [figure], [figureDom]), cell(1, 2, [figure], [blank]), cell(2, 3, [figure], [dom({})])];
    assert.equal(countDrawnFigures(cells), 1);
    assert.deepEqual(checkFigureCount(cells.slice(0, 1), 1), []);
    assert.deepEqual(checkFigureCount(cells, 3), ['1 of the 3 figures in the file drawn in the page']);
    // Untrusted: undrawn figures are expected, everything else is still checked.
    const untrusted = { messages: [], requireAllExecuted: true, fromFile: true, figuresDrawn: false };
    assert.deepEqual(checkCells(cells, untrusted), []);
    assert.match(checkCells([cell(0, 1, [figure, table], [blank, dom({})])], untrusted).join('\n'), /no table\.dataframe/);
  });

  it('counts text outputs the page shows (streams and text-only displays such as check records)', () => {
    const stream = out({ outputType: 'stream', mimes: [], streamName: 'stdout', plain: '\x1b[32mlog Z\x1b[0m of U1:   1.8775\n' });
    const check = out({ mimes: ['application/vnd.genlab.check+json', 'text/plain'], plain: '✓ planar_kl_best = 0.2216 <= 0.35 (full)' });
    const good = [cell(0, 1, [stream, check, figure], [dom({ text: 'log Z of U1: 1.8775' }), dom({ text: '✓ planar_kl_best = 0.2216 <= 0.35 (full)' }), figureDom])];
    assert.deepEqual(textOutputsShown(good), { expected: 2, shown: 2, problems: [] });
    const blank = [cell(0, 1, [stream, check], [dom({ text: 'log Z of U1: 1.8775' }), dom({})])];
    const r = textOutputsShown(blank);
    assert.equal(r.shown, 1);
    assert.match(r.problems.join('\n'), /does not show its text "✓ planar_kl_best/);
  });

  it('requires the kinds it is told to, and picks the quickest cells to re-run', () => {
    assert.deepEqual(checkRequiredKinds([cell(0, 1, [figure], [figureDom])], ['figure', 'table']), ['no table output anywhere in the notebook (expected at least one)']);
    const slowTrain = { ...cell(2, 3, [progress], [progressDom]), timingMs: 9000 };
    const fastTrain = { ...cell(4, 5, [progress, figure], [progressDom, figureDom]), timingMs: 2000 };
    const plot = { ...cell(6, 7, [figure], [figureDom]), timingMs: 500 };
    const pick = pickRerunCells([slowTrain, fastTrain, plot]);
    assert.equal(pick.training?.index, 4);
    assert.equal(pick.plot?.index, 6);
  });

  it('untrusted: every figure must show its snapshot picture; trusted: the picture gives way to the figure', () => {
    const picture = { complete: true, naturalWidth: 800, naturalHeight: 400, png: true };
    const undrawn = { id: 'f1', drawn: false, traces: 0, dataLength: 0, width: 0, height: 0, text: '' };
    const shown = dom({ plots: [undrawn], imgs: [picture] });
    const cells = [cell(0, 1, [figure, image], [shown, imageDom]), cell(1, 2, [figure], [shown])];
    assert.equal(countFigurePictures(cells), 2, 'image grids are not figures');
    assert.deepEqual(checkFigurePictures(cells, 2), []);
    // A figure published without a snapshot, one whose picture did not load, and a count that disagrees.
    const none = [cell(0, 1, [figure], [dom({ plots: [undrawn] })])];
    assert.match(checkFigurePictures(none, 1).join('\n'), /cell 1 \(In \[1\]\) `show\(x\);`, output 1: the figure shows no picture without its script \(no <img>: was the notebook published without snapshots\?\)/);
    assert.match(checkFigurePictures(none, 1).join('\n'), /0 of the 1 figures in the file show a picture/);
    const broken = [cell(0, 1, [figure], [dom({ plots: [undrawn], imgs: [{ ...picture, complete: true, naturalWidth: 0 }] })])];
    assert.equal(checkFigurePictures(broken, 1).length, 2);
    assert.deepEqual(checkFigurePictures(cells, 3), ['2 of the 3 figures in the file show a picture in the page']);
    // Trusted and drawn, the snapshot must be gone.
    const both = [cell(0, 1, [figure], [dom({ plots: figureDom.plots, imgs: [picture] })])];
    assert.match(checkCells(both, { messages: [], requireAllExecuted: true, fromFile: true }).join('\n'), /static snapshot is still shown beside the drawn figure/);
    assert.deepEqual(checkCells([cell(0, 1, [figure], [figureDom])], { messages: [], requireAllExecuted: true, fromFile: true }), []);
  });
});
