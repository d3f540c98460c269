import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainValTestSplit, takeRows } from '../../src/data';
import { seed } from '../../src/runtime/rng';

const sorted = (a: ArrayLike<number>): number[] => Array.from(a).sort((x, y) => x - y);

test('sizes: test = round(n*test), val = round(rest*val) of the training part', () => {
  const s = trainValTestSplit(1599, { test: 0.2, val: 0.1, seed: 1 });
  assert.equal(s.test.length, 320);
  assert.equal(s.val.length, 128); // round(1279 * 0.1)
  assert.equal(s.train.length, 1599 - 320 - 128);
  const d = trainValTestSplit(1000, { seed: 1 }); // defaults 0.2 / 0.1
  assert.deepEqual([d.train.length, d.val.length, d.test.length], [720, 80, 200]);
});

test('parts are disjoint and together exactly 0..n-1', () => {
  const n = 4898;
  const s = trainValTestSplit(n, { seed: 7 });
  const all = sorted([...s.train, ...s.val, ...s.test]);
  assert.deepEqual(all, Array.from({ length: n }, (_, i) => i));
});

test('same seed same split, different seed different split, rng continues a stream', () => {
  const a = trainValTestSplit(500, { seed: 3 });
  const b = trainValTestSplit(500, { seed: 3 });
  const c = trainValTestSplit(500, { seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(sorted(a.test), sorted(c.test));
  const r1 = trainValTestSplit(500, { rng: seed(3) });
  assert.deepEqual(r1, a, '{ rng: seed(3) } and { seed: 3 } give the same split');
  const r = seed(3);
  trainValTestSplit(500, { rng: r });
  assert.notDeepEqual(trainValTestSplit(500, { rng: r }), a, 'a used rng has moved on');
});

test('val = 0 and test = 0 are allowed', () => {
  const s = trainValTestSplit(10, { test: 0, val: 0, seed: 1 });
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [10, 0, 0]);
});

test('bad arguments are clear errors', () => {
  assert.throws(() => trainValTestSplit(10, {}), /trainValTestSplit: needs randomness: pass \{ rng \}/);
  assert.throws(() => trainValTestSplit(10, { rng: seed(1), seed: 1 }), /either \{ rng \} or \{ seed \}/);
  assert.throws(() => trainValTestSplit(10, { test: 1.2, seed: 1 }), /test must be a fraction in \[0, 1\), got 1.2/);
  assert.throws(() => trainValTestSplit(10, { val: -0.1, seed: 1 }), /val must be a fraction/);
  assert.throws(() => trainValTestSplit(0, { seed: 1 }), /n must be a positive integer/);
  assert.throws(() => trainValTestSplit(2, { test: 0.5, val: 0.9, seed: 1 }), /no items left for training/);
});

test('takeRows gathers rows in index order and rejects bad indices', () => {
  assert.deepEqual(takeRows([[1], [2], [3]], Int32Array.from([2, 0])), [[3], [1]]);
  assert.throws(() => takeRows([1, 2], [5]), /index 5 out of range for 2 rows/);
});
