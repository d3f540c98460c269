/**
 * Issue 26 through the real kernel: `--interrupt` stops a training cell the way JupyterLab's
 * Kernel > Interrupt does (SIGINT to tslab), the run goes on, and the next cells find the trainer
 * consistent and able to continue, with a flat tensor count and nothing in the weight cache. A cell
 * timeout also keeps the interrupted cell's partial outputs and its error in the executed notebook.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseArgs } from '../../src/runner/args';
import type { CodeCell, Notebook, NotebookOutput } from '../../src/runner/nbformat';
import { joinText } from '../../src/runner/nbformat';
import type { NotebookResult } from '../../src/runner/options';
import { runNotebook } from '../../src/runner/run-notebook';
import { ensureBuilt, fixture, readJson, tempDir } from './helpers';

const cellById = (nb: Notebook, id: string): CodeCell => {
  const c = nb.cells.find((x) => x.id === id);
  assert.ok(c !== undefined && c.cell_type === 'code', `no code cell ${id}`);
  return c as CodeCell;
};
const textOf = (o: NotebookOutput): string =>
  o.output_type === 'stream' ? joinText(o.text) : o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : joinText((o.data['text/plain'] as string | string[] | undefined) ?? '');

describe('interrupting a training cell (--interrupt)', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  const cache = mkdtempSync(path.join(os.tmpdir(), 'genlab-interrupt-cache-'));
  let r: NotebookResult;
  let timedOut: NotebookResult;
  before(async () => {
    ensureBuilt();
    [r, timedOut] = await Promise.all([
      runNotebook(fixture('interrupt-fit.ipynb'), {
        interrupts: [{ cell: 'train', afterSeconds: 4 }],
        outDir: path.join(tmp.dir, 'interrupt'),
        kernel: { env: { GENLAB_WEIGHT_CACHE: cache } },
      }),
      // Long enough for the set-up cell (loading wasm) on a busy machine; the training cell never ends by itself.
      runNotebook(fixture('interrupt-fit.ipynb'), { cellTimeout: 12, interruptGrace: 3, outDir: path.join(tmp.dir, 'timeout') }),
    ]);
  });

  it('interrupts the named cell, keeps its outputs and goes on: the trainer survives and continues', () => {
    assert.equal(r.status, 'passed', JSON.stringify(r.failure ?? r.error));
    const nb = readJson<Notebook>(path.join(tmp.dir, 'interrupt', 'interrupt-fit.ipynb'));
    const train = cellById(nb, 'train');
    const last = train.outputs.at(-1)!;
    assert.equal(last.output_type, 'error');
    assert.match(textOf(last), /^Interrupted: the runner interrupted this cell after 4 s \(--interrupt train=4\)/);
    // The progress line was updated to its final state: where training stopped.
    const progress = train.outputs.find((o) => o.output_type === 'display_data');
    assert.ok(progress !== undefined, 'the progress display is kept');
    assert.match(textOf(progress), /interrupted at epoch \d+, step \d+\/32: run fit again to continue/);
    assert.match(cellById(nb, 'after').outputs.map(textOf).join(''), /interrupted at epoch \d+, step \d+; \d+ complete epochs/);
    assert.match(cellById(nb, 'continue').outputs.map(textOf).join(''), /continued to \d+ epochs/);
  });

  it('stores nothing in the weight cache for the interrupted run or its continuation', () => {
    const nb = readJson<Notebook>(path.join(tmp.dir, 'interrupt', 'interrupt-fit.ipynb'));
    assert.match(cellById(nb, 'c02').outputs.map(textOf).join(''), new RegExp(`weight cache: ${cache}`), 'the cache was on in this kernel');
    assert.match(cellById(nb, 'continue').outputs.map(textOf).join(''), /not used: this call continues an epoch that was interrupted/);
    assert.deepEqual(readdirSync(cache), []);
  });

  it('a cell timeout keeps the partial outputs and the error in the executed notebook', () => {
    assert.equal(timedOut.status, 'timeout');
    assert.equal(timedOut.failure?.cell, 5, 'the training cell is the one that timed out');
    const nb = readJson<Notebook>(path.join(tmp.dir, 'timeout', 'interrupt-fit.ipynb'));
    const train = cellById(nb, 'train');
    assert.ok(train.outputs.some((o) => o.output_type === 'display_data' && /epoch \d+\/1000/.test(textOf(o))), 'partial progress output kept');
    assert.equal(train.outputs.at(-1)?.output_type, 'error');
    assert.match(textOf(train.outputs.at(-1)!), /CellTimeoutError: the cell did not finish within 12 s/);
    assert.equal(cellById(nb, 'after').execution_count, null, 'nothing after the timed-out cell ran');
  });

  it('fails clearly when the named cell finishes first, or names no cell', async () => {
    const early = await runNotebook(fixture('passing.ipynb'), { interrupts: [{ cell: '3', afterSeconds: 60 }], write: false });
    assert.equal(early.status, 'failed');
    assert.equal(early.failure?.ename, 'InterruptNotReached');
    assert.match(String(early.failure?.evalue), /before the runner's interrupt at 60 s \(--interrupt 3=60\), so nothing was interrupted/);
    const none = await runNotebook(fixture('passing.ipynb'), { interrupts: [{ cell: 'nope', afterSeconds: 1 }], write: false });
    assert.equal(none.status, 'usage-error');
    assert.match(String(none.error), /no code cell of .*passing\.ipynb has the id, tag or number "nope"/);
  });

  it('parses --interrupt CELL=SECONDS', () => {
    const p = parseArgs([fixture('passing.ipynb'), '--interrupt', 'train=2.5', '--interrupt=7=1']);
    assert.ok(!p.help);
    assert.deepEqual(p.options.interrupts, [
      { cell: 'train', afterSeconds: 2.5 },
      { cell: '7', afterSeconds: 1 },
    ]);
    assert.throws(() => parseArgs([fixture('passing.ipynb'), '--interrupt', 'train']), /--interrupt expects CELL=SECONDS/);
    assert.throws(() => parseArgs([fixture('passing.ipynb'), '--interrupt', 'train=soon']), /--interrupt needs a positive number/);
  });
});
