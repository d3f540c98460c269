/**
 * Issue 9, rerun mode: every cell after the parameters runs a second time in the same kernel; errors
 * fail the run, and so does growth of tf.memory().numTensors beyond the allowance.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeCell, Notebook } from '../../src/runner/nbformat';
import type { NotebookResult, RunSummary } from '../../src/runner/options';
import { runNotebooks } from '../../src/runner/run-notebooks';
import { ensureBuilt, fixture, readJson, tempDir } from './helpers';

describe('--rerun', () => {
  const tmp = tempDir();
  after(tmp.cleanup);
  let s: RunSummary;
  const get = (name: string): NotebookResult => s.results.find((r) => r.notebook.endsWith(name)) as NotebookResult;

  before(async () => {
    ensureBuilt();
    s = await runNotebooks([fixture('leak.ipynb'), fixture('no-leak.ipynb'), fixture('leak-variable.ipynb')], { rerun: true, jobs: 2, outDir: tmp.dir });
  });

  it('catches top-level tensors that pile up when cells run again', () => {
    const r = get('leak.ipynb');
    assert.equal(r.status, 'leaked', JSON.stringify(r.failure ?? r.error));
    assert.ok(r.leak);
    assert.equal(r.leak.growth, 2, 'x and y are created again and the old ones are never disposed');
    assert.equal(r.leak.numTensors[1] - r.leak.numTensors[0], 2);
    assert.match(String(r.error), /left 2 more tensors \(tf\.memory\(\)\.numTensors \d+ -> \d+, allowed 0\)/);
    assert.equal(r.backend, 'cpu');
    const nb = readJson<Notebook>(path.join(tmp.dir, 'leak.ipynb'));
    assert.deepEqual((nb.metadata.genlab as { run: { rerun: unknown } }).run.rerun, r.leak);
  });

  it('passes a notebook that disposes what it makes', () => {
    const r = get('no-leak.ipynb');
    assert.equal(r.status, 'passed', JSON.stringify(r.failure ?? r.error));
    assert.equal(r.leak?.growth, 0);
  });

  it('fails when the second pass raises (a named variable registered twice)', () => {
    const r = get('leak-variable.ipynb');
    assert.equal(r.status, 'failed');
    assert.equal(r.failure?.cell, 2);
    assert.match(String(r.failure?.evalue), /fixed_w/);
    const cell = readJson<Notebook>(path.join(tmp.dir, 'leak-variable.ipynb')).cells[1] as CodeCell;
    assert.equal(cell.outputs.at(-1)?.output_type, 'error');
  });

  it('exits 1', () => assert.equal(s.exitCode, 1));
});
