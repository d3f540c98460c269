/** The runner's judgement of one executed cell, and the rerun leak check: pure functions, no kernel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CellEnd, classifyCell } from '../../src/runner/cell-verdict';
import type { ExecuteOutcome } from '../../src/runner/kernel';
import { cellsToRerun, judgeLeak } from '../../src/runner/leak-check';
import type { CodeCell } from '../../src/runner/nbformat';

const timing = { 'shell.execute_reply': '2026-01-01T00:00:01Z', 'iopub.status.idle': '2026-01-01T00:00:01Z' };
const reply = (status: 'ok' | 'error' | 'abort'): ExecuteOutcome => ({ status, executionCount: 3, content: {}, timing });

function end(over: Partial<CellEnd>): CellEnd {
  return {
    notebook: 'nb.ipynb',
    cell: 4,
    executionCount: 3,
    source: 'const a = 1;\nthrow new RangeError("bad a");',
    javascript: false,
    raisesException: false,
    outcome: reply('ok'),
    stderr: '',
    wallSeconds: 1.25,
    interrupt: null,
    timeout: null,
    kernelOutput: '',
    ...over,
  };
}

describe('classifyCell', () => {
  it('goes on after a cell that ran, and after an error its raises-exception tag expects', () => {
    assert.deepEqual(classifyCell(end({})), { kind: 'ok' });
    assert.deepEqual(classifyCell(end({ outcome: reply('error'), raisesException: true })), { kind: 'expected-error' });
  });

  it('reports a cell error with its name, message and source line', () => {
    const stderr = 'RangeError: bad a\n    at evalmachine.<anonymous>:2:7\n';
    const v = classifyCell(end({ outcome: reply('error'), stderr }));
    assert.equal(v.kind, 'failed');
    if (v.kind !== 'failed') return;
    assert.equal(v.status, 'failed');
    assert.equal(v.failure.kind, 'error');
    assert.equal(v.failure.ename, 'RangeError');
    assert.equal(v.failure.evalue, 'bad a');
    assert.equal(v.failure.cell, 4);
    assert.equal(v.failure.executionCount, 3);
  });

  it('an aborted request is a failure of its own kind', () => {
    const v = classifyCell(end({ outcome: reply('abort') }));
    assert.ok(v.kind === 'failed' && v.failure.kind === 'aborted' && v.failure.ename === 'ExecutionAborted' && v.status === 'failed');
  });

  it('a dead kernel reports its exit and the tail of its output', () => {
    const kernelOutput = Array.from({ length: 30 }, (_v, i) => `line ${i}`).join('\n');
    const v = classifyCell(end({ outcome: { status: 'dead', exit: { code: null, signal: 'SIGKILL' } }, stderr: 'partial\n', kernelOutput }));
    assert.ok(v.kind === 'failed');
    if (v.kind !== 'failed') return;
    assert.equal(v.status, 'dead-kernel');
    assert.equal(v.failure.ename, 'DeadKernelError');
    assert.match(v.failure.evalue, /the kernel died while running this cell \(.*SIGKILL.*\)/);
    assert.deepEqual(v.failure.traceback.slice(0, 2), ['partial', 'kernel process output:']);
    assert.equal(v.failure.traceback.at(-1), 'line 29');
    assert.equal(v.failure.traceback.length, 2 + 20, 'the last 20 lines of the kernel output');
  });

  it('a timeout names the limit that ran out and how the kernel was stopped', () => {
    const base = { timeoutSeconds: 600, cellTimeoutSeconds: 60, graceSeconds: 5, exit: { code: null, signal: 'SIGKILL' as const } };
    const byCell = classifyCell(end({ outcome: 'timeout', timeout: { ...base, byNotebook: false, answeredInterrupt: true } }));
    assert.ok(byCell.kind === 'failed' && byCell.status === 'timeout' && byCell.failure.kind === 'timeout' && byCell.failure.ename === 'CellTimeoutError');
    assert.equal(
      byCell.failure.evalue,
      'the cell did not finish within 60 s; the runner interrupted the cell (SIGINT) and stopped the kernel. Raise it with --cell-timeout or the profile\'s "cell_timeout".',
    );
    const byNotebook = classifyCell(end({ outcome: 'timeout', timeout: { ...base, byNotebook: true, answeredInterrupt: false } }));
    assert.ok(byNotebook.kind === 'failed');
    assert.match(byNotebook.failure.evalue, /^the notebook's 600 s limit ran out; the runner interrupted the kernel \(SIGINT\), which did not respond within 5 s, and killed it \(.*\)\. Raise it with --timeout/);
    assert.throws(() => classifyCell(end({ outcome: 'timeout' })), /needs its timeout details/);
  });

  it("the runner's --interrupt: a note when it landed, a failure when the cell ended first", () => {
    const spec = { cell: 'train', afterSeconds: 2 };
    const landed = classifyCell(end({ outcome: reply('error'), interrupt: { spec, sent: true } }));
    assert.ok(landed.kind === 'interrupted');
    if (landed.kind !== 'interrupted') return;
    assert.equal(landed.output.ename, 'Interrupted');
    assert.match(landed.output.evalue, /interrupted this cell after 2 s \(--interrupt train=2\) and went on/);
    assert.equal(landed.message, 'interrupted nb.ipynb cell 4 after 2 s');
    const early = classifyCell(end({ interrupt: { spec, sent: false } }));
    assert.ok(early.kind === 'failed' && early.failure.ename === 'InterruptNotReached' && early.status === 'failed');
    assert.match(early.kind === 'failed' ? early.failure.evalue : '', /finished after 1\.3 s, before the runner's interrupt at 2 s/);
    // A dead kernel is a dead kernel, interrupt or not.
    const dead = classifyCell(end({ outcome: { status: 'dead', exit: { code: 1, signal: null } }, interrupt: { spec, sent: true } }));
    assert.ok(dead.kind === 'failed' && dead.status === 'dead-kernel');
  });
});

describe('leak check', () => {
  const cell = (tags: string[]): { cell: CodeCell } => ({ cell: { cell_type: 'code', metadata: { tags }, source: '', outputs: [], execution_count: null } });

  it('reruns the cells after the last parameters cell', () => {
    const planned = [cell([]), cell(['parameters']), cell(['injected-parameters']), cell([]), cell(['checks'])];
    assert.deepEqual(cellsToRerun(planned), planned.slice(3));
    const none = [cell([]), cell([])];
    assert.deepEqual(cellsToRerun(none), none);
  });

  it('flags growth beyond the allowance', () => {
    assert.deepEqual(judgeLeak(100, 102, 2), { leak: { numTensors: [100, 102], growth: 2, allowance: 2 }, error: null });
    const bad = judgeLeak(100, 103, 2);
    assert.equal(bad.leak.growth, 3);
    assert.match(bad.error ?? '', /left 3 more tensors \(tf\.memory\(\)\.numTensors 100 -> 103, allowed 2\)/);
  });
});
