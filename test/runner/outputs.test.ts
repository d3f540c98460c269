import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeCell } from '../../src/runner/nbformat';
import { OutputCollector } from '../../src/runner/outputs';
import { createMessage } from '../../src/runner/wire';

const msg = (type: string, content: Record<string, unknown>) => createMessage(type, content, 's');
const cell = (): CodeCell => ({ cell_type: 'code', metadata: {}, source: '', outputs: [], execution_count: null });

describe('OutputCollector', () => {
  it('merges consecutive stream messages of one name, as JupyterLab shows them', () => {
    const c = cell();
    const col = new OutputCollector();
    col.handle(c, msg('stream', { name: 'stdout', text: 'a' }));
    col.handle(c, msg('stream', { name: 'stdout', text: 'b\n' }));
    col.handle(c, msg('stream', { name: 'stderr', text: 'e\n' }));
    col.handle(c, msg('stream', { name: 'stdout', text: 'c\n' }));
    assert.deepEqual(c.outputs, [
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'stream', name: 'stderr', text: 'e\n' },
      { output_type: 'stream', name: 'stdout', text: 'c\n' },
    ]);
  });

  it('applies update_display_data to the output with that display id, in any cell', () => {
    const c1 = cell();
    const c2 = cell();
    const col = new OutputCollector();
    col.handle(c1, msg('display_data', { data: { 'text/plain': 'step 1' }, metadata: {}, transient: { display_id: 'bar' } }));
    for (let i = 2; i <= 100; i++) col.handle(c1, msg('update_display_data', { data: { 'text/plain': `step ${i}` }, metadata: {}, transient: { display_id: 'bar' } }));
    col.handle(c2, msg('update_display_data', { data: { 'text/plain': 'done' }, metadata: { k: 1 }, transient: { display_id: 'bar' } }));
    col.handle(c2, msg('update_display_data', { data: { 'text/plain': 'ignored' }, metadata: {}, transient: { display_id: 'unknown' } }));
    assert.deepEqual(c1.outputs, [{ output_type: 'display_data', data: { 'text/plain': 'done' }, metadata: { k: 1 } }]);
    assert.deepEqual(c2.outputs, []);
  });

  it('updates every output showing the same display id', () => {
    const c = cell();
    const col = new OutputCollector();
    const shown = { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } };
    col.handle(c, msg('display_data', shown));
    col.handle(c, msg('display_data', shown));
    col.handle(c, msg('update_display_data', { ...shown, data: { 'text/plain': 'v2' } }));
    assert.deepEqual(c.outputs.map((o) => (o.output_type === 'display_data' ? o.data['text/plain'] : null)), ['v2', 'v2']);
  });

  it('keeps execute_result counts and error outputs, and honours clear_output(wait)', () => {
    const c = cell();
    const col = new OutputCollector();
    col.handle(c, msg('execute_result', { data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 }));
    col.handle(c, msg('error', { ename: 'E', evalue: 'v', traceback: ['t'] }));
    assert.deepEqual(c.outputs, [
      { output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 4 },
      { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t'] },
    ]);
    col.handle(c, msg('clear_output', { wait: true }));
    assert.equal(c.outputs.length, 2, 'wait=true clears only when the next output arrives');
    col.handle(c, msg('stream', { name: 'stdout', text: 'fresh' }));
    assert.deepEqual(c.outputs, [{ output_type: 'stream', name: 'stdout', text: 'fresh' }]);
    col.handle(c, msg('clear_output', { wait: false }));
    assert.deepEqual(c.outputs, []);
  });
});
