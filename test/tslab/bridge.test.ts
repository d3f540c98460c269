/**
 * The kernel-side bridge: asking whether we are in a notebook changes nothing; the socket fix is
 * installed by the set-up (or, at the latest, by the first display sent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayBundle, inNotebook } from '../../src/tslab/display';
import { fakeKernel } from '../plot/helpers';

const PATCHED = Symbol.for('genlab-ts.send-queue.patched');

function zmqPatched(): boolean[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const zmq = require('zeromq') as Record<string, { prototype: { send: unknown } }>;
  return ['Publisher', 'Router'].map((name) => (zmq[name]!.prototype.send as Record<symbol, boolean>)[PATCHED] === true);
}

test('inNotebook() is a plain predicate; sending a display installs the socket fix', () => {
  assert.deepEqual(zmqPatched(), [false, false], 'nothing patched before');
  assert.equal(inNotebook(), false);
  const kernel = fakeKernel();
  try {
    assert.equal(inNotebook(), true);
    assert.deepEqual(zmqPatched(), [false, false], 'asking patches nothing');
    displayBundle({ 'text/plain': 'hello' });
    assert.deepEqual(kernel.sent.map((s) => s.data), [{ 'text/plain': 'hello' }]);
    assert.deepEqual(zmqPatched(), [true, true], 'sending made sure the sends are queued');
  } finally {
    kernel.restore();
  }
});
