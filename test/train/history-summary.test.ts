/** A trainer's history prints as one line (what a notebook cell ending in `await trainer.fit(...)` shows). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { printAsSummary, summarizeHistory } from '../../src/train/history-summary';

test('a history prints as its epochs, the last finite value of each series and the time', () => {
  const h = printAsSummary({ epoch: [1, 2, 3], loss: [3, 2, 1.23456], val_loss: [NaN, 2.5, NaN], lr: [1e-3, 1e-3, 5e-4], seconds: [1.5, 2, 2.5] });
  assert.equal(summarizeHistory(h), 'History: 3 epochs · loss 1.235 · val_loss 2.500 · lr 0.0005000 · 6.0 s');
  assert.equal(inspect(h), summarizeHistory(h));
  assert.deepEqual(Object.keys(h), ['epoch', 'loss', 'val_loss', 'lr', 'seconds'], 'the summary is not a data field');
  assert.equal(JSON.stringify(h.loss), '[3,2,1.23456]');
  assert.equal(summarizeHistory({ epoch: [] }), 'History: 0 epochs');
});
