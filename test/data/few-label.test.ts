/** Few-label subsets: stratified, deterministic for a seed, clear errors; class selection for transfer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fewLabelSplit, selectClasses } from '../../src/data/split';

const labels = Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);

test('stratified: each class floor(total / C) or one more, all distinct, from the right rows', () => {
  for (const total of [10, 25, 100, 999]) {
    const idx = fewLabelSplit(labels, { total, seed: 3 });
    assert.equal(idx.length, total);
    assert.equal(new Set(idx).size, total, 'no repeats');
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[labels[i]!]++;
    assert.ok(counts.every((c) => c === Math.floor(total / 10) || c === Math.floor(total / 10) + 1), `${total}: ${counts}`);
    assert.equal(counts.filter((c) => c > Math.floor(total / 10)).length, total % 10);
  }
});

test('deterministic for a seed, different for another', () => {
  const a = fewLabelSplit(labels, { total: 50, seed: 1 });
  const b = fewLabelSplit(labels, { total: 50, seed: 1 });
  const c = fewLabelSplit(labels, { total: 50, seed: 2 });
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.notDeepEqual(Array.from(a), Array.from(c));
});

test('errors name the problem', () => {
  assert.throws(() => fewLabelSplit(labels, { total: 0, seed: 1 }), /total must be/);
  assert.throws(() => fewLabelSplit([0, 0, 0, 1], { total: 4, seed: 1 }), /class 1 has 1 items/);
  assert.throws(() => fewLabelSplit([0, 1.5], { total: 1, seed: 1 }), /class indices/);
  assert.throws(() => fewLabelSplit(labels, { total: 10 }), /needs randomness/);
});

test('selectClasses keeps the chosen classes and renumbers them in the given order', () => {
  const { indices, labels: renamed } = selectClasses([5, 1, 9, 5, 0, 7], [9, 5]);
  assert.deepEqual(Array.from(indices), [0, 2, 3]);
  assert.deepEqual(Array.from(renamed), [1, 0, 1]);
  assert.throws(() => selectClasses([1, 2], [3]), /no label/);
  assert.throws(() => selectClasses([1, 2], [1, 1]), /without repeats/);
});
