import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { keep, release, keptNames } from '../../src/runtime/keep';

test('keep frees the previous value held under a name (a re-run cell does not leak)', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  for (let run = 0; run < 5; run++) {
    keep('x', { a: tf.ones([3]), b: [tf.zeros([2]), tf.zeros([2])] });
  }
  assert.equal(tf.memory().numTensors, before + 3);
  let disposed = 0;
  keep('model', { dispose: () => disposed++ });
  keep('model', { dispose: () => disposed++ });
  assert.equal(disposed, 1);
  // A record with plain fields (e.g. a loaded data set) is freed field by field; strings are skipped.
  const record = { name: 'mnist', n: 3, x: tf.ones([2]), meta: { files: ['a', 'b'] } };
  keep('record', record as unknown as { x: tf.Tensor });
  keep('record', tf.zeros([1]));
  assert.equal(record.x.isDisposed, true);
  release('record');
  const same = tf.ones([1]);
  keep('same', same);
  keep('same', same);
  assert.equal(same.isDisposed, false, 'keeping the same object again does not free it');
  assert.deepEqual(keptNames().sort(), ['model', 'same', 'x']);
  release();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(disposed, 2);
  assert.deepEqual(keptNames(), []);
});
