import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareNotebooks, diffText, linesMatch, sanitize } from '../../src/runner/compare';
import type { CodeCell, Notebook, NotebookOutput } from '../../src/runner/nbformat';

function nb(...cells: { outputs: NotebookOutput[]; tags?: string[] }[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c, i): CodeCell => ({ cell_type: 'code', metadata: c.tags ? { tags: c.tags } : {}, source: '', outputs: c.outputs, execution_count: i + 1 })),
  };
}
const out = (text: string): NotebookOutput => ({ output_type: 'stream', name: 'stdout', text });

describe('output comparison', () => {
  it('sanitises timings, clocks, dates, addresses and carriage-return progress', () => {
    assert.equal(sanitize('epoch 1 took 12.5 ms'), 'epoch 1 took <time>');
    assert.equal(sanitize('done in 3s, 41.2 it/s'), 'done in <time>, <rate>');
    assert.equal(sanitize('at 2024-01-02T03:04:05.123Z eta 01:23'), 'at <date> eta <clock>');
    assert.equal(sanitize('object at 0x7ffee1b2c3d4'), 'object at <addr>');
    assert.equal(sanitize('[=====>    ] 40%\r[==========] 100%\n'), '<bar> 100%');
  });

  it('compares numbers within a relative tolerance', () => {
    assert.ok(linesMatch('rmse 0.68120', 'rmse 0.6812'));
    assert.ok(linesMatch('rmse 0.6813', 'rmse 0.6812', { rtol: 1e-3 }));
    assert.ok(!linesMatch('rmse 0.70', 'rmse 0.6812', { rtol: 1e-3 }));
    assert.ok(!linesMatch('loss 1', 'cost 1'));
    assert.ok(linesMatch('layer conv2d_3', 'layer conv2d_3'));
  });

  it('diffs lines with - reference / + actual', () => {
    assert.deepEqual(diffText('a\nb 1.5\nc', 'a\nb 1.0\nc'), ['  a', '- b 1.0', '+ b 1.5', '  c']);
    assert.deepEqual(diffText('a\nc', 'a\nb\nc'), ['  a', '- b', '  c']);
    assert.deepEqual(diffText('same\n', 'same\n'), []);
    const long = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = long.map((l, i) => (i === 10 ? 'line ten' : l));
    assert.deepEqual(diffText(changed.join('\n'), long.join('\n')), [
      '  ... 8 unchanged lines',
      '  line 8',
      '  line 9',
      '- line 10',
      '+ line ten',
      '  line 11',
      '  line 12',
      '  ... 7 unchanged lines',
    ]);
  });

  it('passes identical and sanitised-equal notebooks, fails a changed number, naming the cell', () => {
    const ref = nb({ outputs: [out('test rmse 0.6812\nepoch took 10 ms\n')] }, { outputs: [out('x 1\n')] });
    assert.deepEqual(compareNotebooks(ref, ref), []);
    assert.deepEqual(compareNotebooks(nb({ outputs: [out('test rmse 0.6812\nepoch took 97 ms\n')] }, { outputs: [out('x 1\n')] }), ref), []);
    const diffs = compareNotebooks(nb({ outputs: [out('test rmse 0.9000\nepoch took 10 ms\n')] }, { outputs: [out('x 1\n')] }), ref);
    assert.equal(diffs.length, 1);
    assert.equal(diffs[0]?.cell, 1);
    assert.equal(diffs[0]?.what, 'output 1 (stream stdout)');
    assert.ok(diffs[0]?.diff.includes('- test rmse 0.6812'));
    assert.ok(diffs[0]?.diff.includes('+ test rmse 0.9000'));
  });

  it('skips cells tagged nbval-ignore-output or no-compare, and reports different output kinds', () => {
    const ref = nb({ outputs: [out('r 1')] }, { outputs: [out('x')] });
    assert.deepEqual(compareNotebooks(nb({ outputs: [out('r 2')], tags: ['nbval-ignore-output'] }, { outputs: [out('x')] }), ref), []);
    assert.deepEqual(compareNotebooks(nb({ outputs: [out('r 1')] }, { outputs: [out('y')], tags: ['no-compare'] }), ref), []);
    const kinds = compareNotebooks(nb({ outputs: [out('r 1'), { output_type: 'error', ename: 'E', evalue: 'v', traceback: [] }] }, { outputs: [out('x')] }), ref);
    assert.equal(kinds[0]?.what, 'outputs');
  });

  it('compares check records by value within tolerance and by pass/fail exactly', () => {
    const rec = (value: number, passed = true): NotebookOutput => ({
      output_type: 'display_data',
      metadata: {},
      data: { 'application/vnd.genlab.check+json': { metric: 'rmse', value, op: '<=', threshold: 0.7, profile: 'full', passed }, 'text/plain': `✓ rmse = ${value}` },
    });
    const ref = nb({ outputs: [rec(0.6812)] });
    assert.deepEqual(compareNotebooks(nb({ outputs: [rec(0.68125)] }), ref), []);
    const d = compareNotebooks(nb({ outputs: [rec(0.75, false)] }), ref);
    assert.equal(d.length, 1);
    assert.ok(d[0]?.diff.some((l) => l.includes('passed: true -> false')));
    assert.ok(d[0]?.diff.some((l) => l.includes('value: 0.6812 -> 0.75')));
  });
});
