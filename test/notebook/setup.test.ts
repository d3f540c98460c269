/** setupNotebook installs the kernel's socket fix explicitly, before any display traffic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupNotebook } from '../../src/notebook/setup';
import { fakeKernel } from '../plot/helpers';

const PATCHED = Symbol.for('genlab-ts.send-queue.patched');

function zmqPatched(): boolean[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const zmq = require('zeromq') as Record<string, { prototype: { send: unknown } }>;
  return ['Publisher', 'Router'].map((name) => (zmq[name]!.prototype.send as Record<symbol, boolean>)[PATCHED] === true);
}

test('setupNotebook() in a kernel queues the sockets\' sends, with nothing displayed yet', async () => {
  assert.deepEqual(zmqPatched(), [false, false]);
  const kernel = fakeKernel();
  try {
    await setupNotebook({ backend: 'cpu', plotly: false });
    assert.deepEqual(kernel.sent, [], 'no display was needed to install it');
    assert.deepEqual(zmqPatched(), [true, true]);
  } finally {
    kernel.restore();
  }
});
