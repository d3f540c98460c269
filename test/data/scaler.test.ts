import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { StandardScaler } from '../../src/data';

const close = (a: number[], b: number[], tol = 1e-6): void =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol, `index ${i}: ${v} vs ${b[i]}`));

test('fit: per-feature mean and population std (closed form), zero variance -> std 1', () => {
  // Column 0: 1, 3 -> mean 2, std 1. Column 1: 10, 30 -> mean 20, std 10. Column 2: constant.
  const s = new StandardScaler().fit([[1, 10, 5], [3, 30, 5]]);
  assert.deepEqual(s.mean, [2, 20, 5]);
  assert.deepEqual(s.std, [1, 10, 1]);
  assert.deepEqual(s.transform([[1, 10, 5], [3, 30, 5]]), [[-1, -1, 0], [1, 1, 0]]);
});

test('tensor fit agrees with array fit; transform gives mean 0 std 1 on the fitted data', () => {
  const rows = Array.from({ length: 200 }, (_, i) => [Math.sin(i) * 3 + 7, i * 0.01 + 0.99, (i % 7) - 100]);
  const before = tf.memory().numTensors;
  const x = tf.tensor2d(rows);
  const a = new StandardScaler().fit(rows);
  const b = new StandardScaler().fit(x);
  close(a.mean, b.mean, 1e-4);
  close(a.std, b.std, 1e-4);
  const z = a.transform(x);
  assert.deepEqual(z.shape, [200, 3]);
  assert.equal(z.dtype, 'float32');
  const { mean, variance } = tf.moments(z, 0);
  close(Array.from(mean.dataSync()), [0, 0, 0], 1e-5);
  close(Array.from(variance.dataSync()), [1, 1, 1], 1e-4);
  tf.dispose([x, z, mean, variance]);
  assert.equal(tf.memory().numTensors, before, 'transform leaks no intermediates');
});

test('inverseTransform round-trips tensors, rows and a single column', () => {
  const rows = [[1, 2], [3, 5], [4, -1]];
  const s = new StandardScaler().fit(rows);
  s.inverseTransform(s.transform(rows)).forEach((r, i) => close(r, rows[i]!, 1e-12));
  const x = tf.tensor2d(rows);
  const back = s.inverseTransform(s.transform(x));
  close(Array.from(back.dataSync()), rows.flat(), 1e-5);
  tf.dispose([x, back]);
  const y = [5, 6, 7, 6];
  const ys = new StandardScaler().fit(y);
  assert.equal(ys.numFeatures, 1);
  close(ys.inverseTransform(ys.transform(y)), y, 1e-12);
  const yt = tf.tensor2d(y, [4, 1]);
  const yz = ys.transform(yt);
  assert.deepEqual(yz.shape, [4, 1]);
  tf.dispose([yt, yz]);
});

test('int32 tensors are accepted and come back float32', () => {
  const s = new StandardScaler().fit([0, 2]);
  const t = tf.tensor1d([0, 2], 'int32');
  const z = s.transform(t);
  assert.equal(z.dtype, 'float32');
  assert.deepEqual(Array.from(z.dataSync()), [-1, 1]);
  tf.dispose([t, z]);
});

test('toJSON / fromJSON keep the statistics', () => {
  const s = new StandardScaler().fit([[1, 10], [3, 30]]);
  const r = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assert.deepEqual(r.transform([[2, 40]]), s.transform([[2, 40]]));
});

test('misuse is a clear error', () => {
  const s = new StandardScaler();
  assert.equal(s.fitted, false);
  assert.throws(() => s.transform([[1]]), /not fitted yet; call fit\(trainingData\) first/);
  s.fit([[1, 2], [3, 4]]);
  assert.throws(() => s.transform([[1, 2, 3]]), /has 2 feature\(s\) but the data has 3/);
  assert.throws(() => s.transform([1, 2]), /wrap a single row as \[\[\.\.\.\]\]/);
  const t = tf.tensor1d([1, 2]);
  assert.throws(() => s.transform(t), /reshape a single row to \[1, d\]/);
  t.dispose();
  assert.throws(() => new StandardScaler().fit([[1, 2], [3]]), /row 1 has 1 values, row 0 has 2/);
  assert.throws(() => new StandardScaler().fit([[NaN], [1]]), /feature 0 has non-finite values/);
  assert.throws(() => new StandardScaler().fit([]), /data is empty/);
  assert.throws(() => StandardScaler.fromJSON({ mean: [0], std: [0] }), /every std must be > 0/);
});
