import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadMnist, oneHot, readMnistArrays, MissingDataError, MNIST_FILES } from '../../src/data';
import { seed } from '../../src/runtime/rng';
import { ROOT, idxUint8, tempDir, writeIdx } from './helpers';

const MNIST_DIR = path.join(ROOT, 'data', 'mnist');
const raw = readMnistArrays(MNIST_DIR, 'test');

const minMax = (t: tf.Tensor): [number, number] =>
  tf.tidy(() => [tf.min(t).dataSync()[0]!, tf.max(t).dataSync()[0]!]);

test('the shipped file: 10,000 items of 28 x 28, labels 0-9', () => {
  assert.equal(raw.n, 10000);
  assert.equal(raw.images.length, 10000 * 784);
  assert.deepEqual([raw.rows, raw.cols], [28, 28]);
  const counts = new Array(10).fill(0);
  raw.labels.forEach((l) => counts[l]++);
  assert.ok(counts.every((c) => c > 800), `every digit present: ${counts}`);
});

test('default: 8,000 / 2,000 split, [n, 784] float32 in [0, 1], int32 labels, no leaks', () => {
  const before = tf.memory().numTensors;
  const m = loadMnist();
  assert.equal(m.source, 'test-file-split');
  assert.deepEqual(m.train.x.shape, [8000, 784]);
  assert.deepEqual(m.test.x.shape, [2000, 784]);
  assert.deepEqual([m.train.n, m.test.n], [8000, 2000]);
  assert.equal(m.train.x.dtype, 'float32');
  assert.equal(m.train.y.dtype, 'int32');
  assert.deepEqual(m.train.y.shape, [8000]);
  assert.deepEqual(minMax(m.train.x), [0, 1]);
  assert.deepEqual(minMax(m.test.y), [0, 9]);
  // Items are the right images with the right labels: compare with the raw file via the indices.
  const i0 = m.indices.train[0]!;
  const row0 = tf.tidy(() => Array.from(m.train.x.slice([0, 0], [1, 784]).dataSync()));
  assert.deepEqual(row0, Array.from(raw.images.subarray(i0 * 784, (i0 + 1) * 784), (p) => Math.fround(p / 255)));
  assert.equal(m.train.y.dataSync()[0], raw.labels[i0]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('the split is deterministic, disjoint and complete; ordered split = first 8,000 / last 2,000', () => {
  const a = loadMnist({ limit: 10, testLimit: 10 }); // limit without rng: the first items of each part
  const b = loadMnist({ limit: 10, testLimit: 10 });
  const full = loadMnist({ limit: 1, testLimit: 1 });
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual(Array.from(a.train.y.dataSync()), Array.from(b.train.y.dataSync()));
  const m = loadMnist({ limit: 8000 });
  const all = [...m.indices.train, ...m.indices.test].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 10000 }, (_, i) => i));
  assert.notDeepEqual(Array.from(m.indices.train.subarray(0, 10)), Array.from({ length: 10 }, (_, i) => i), 'shuffled');
  const other = loadMnist({ splitSeed: 1, limit: 10, testLimit: 10 });
  assert.notDeepEqual(other.indices.train, a.indices.train);
  const o = loadMnist({ split: 'ordered', trainSize: 9000 });
  assert.equal(o.train.n, 9000);
  assert.equal(o.indices.test[0], 9000);
  assert.deepEqual(Array.from(o.test.y.dataSync().subarray(0, 5)), Array.from(raw.labels.subarray(9000, 9005)));
  [a, b, full, m, other, o].forEach((d) => d.dispose());
});

test("shape: 'image' gives [n, 28, 28, 1]; normalize: false keeps 0..255", () => {
  const m = loadMnist({ shape: 'image', normalize: false, limit: 50, testLimit: 50 });
  assert.deepEqual(m.train.x.shape, [50, 28, 28, 1]);
  assert.deepEqual(minMax(m.train.x), [0, 255]);
  m.dispose();
});

test('threshold binarisation: 1 exactly where intensity / 255 > threshold', () => {
  const m = loadMnist({ split: 'ordered', binarize: 'threshold', limit: 100, testLimit: 1 });
  const x = m.train.x.dataSync();
  for (let k = 0; k < 100 * 784; k++) assert.equal(x[k], raw.images[k]! / 255 > 0.5 ? 1 : 0);
  m.dispose();
  const hi = loadMnist({ split: 'ordered', binarize: 'threshold', threshold: 0.9, limit: 100, testLimit: 1 });
  const onHi = Array.from(hi.train.x.dataSync()).reduce((a, v) => a + v, 0);
  const onLo = Array.from(x).reduce((a, v) => a + v, 0);
  assert.ok(onHi < onLo, 'a higher threshold turns fewer pixels on');
  hi.dispose();
});

test('stochastic binarisation: needs an rng, is seeded, and matches the intensities on average', () => {
  assert.throws(() => loadMnist({ binarize: 'stochastic' }), /loadMnist: needs randomness/);
  const opts = { split: 'ordered', binarize: 'stochastic', limit: 500, testLimit: 1 } as const;
  const a = loadMnist({ ...opts, seed: 1 });
  const b = loadMnist({ ...opts, rng: seed(1) });
  const c = loadMnist({ ...opts, seed: 2 });
  const xa = a.train.x.dataSync();
  assert.deepEqual(xa, b.train.x.dataSync());
  assert.notDeepEqual(xa, c.train.x.dataSync());
  assert.ok(xa.every((v) => v === 0 || v === 1));
  let on = 0;
  let expected = 0;
  a.indices.train.forEach((item, r) => {
    for (let j = 0; j < 784; j++) {
      on += xa[r * 784 + j]!;
      expected += raw.images[item * 784 + j]! / 255;
    }
  });
  // ~392,000 Bernoulli draws: the count is within a few standard deviations (sd < sqrt(n)/2 ~ 313) of its mean.
  assert.ok(Math.abs(on - expected) < 2000, `on ${on} vs expected ${expected}`);
  [a, b, c].forEach((d) => d.dispose());
});

test('seeded subsets: limit + rng picks a random, reproducible subset of the training part', () => {
  const a = loadMnist({ limit: 300, testLimit: 100, seed: 3 });
  const b = loadMnist({ limit: 300, testLimit: 100, seed: 3 });
  const c = loadMnist({ limit: 300, testLimit: 100, seed: 4 });
  const full = loadMnist({ limit: 8000 });
  assert.deepEqual([a.train.n, a.test.n], [300, 100]);
  assert.deepEqual(a.indices, b.indices);
  assert.notDeepEqual(a.indices.train, c.indices.train);
  const trainSet = new Set(full.indices.train);
  assert.ok(Array.from(a.indices.train).every((i) => trainSet.has(i)), 'the subset stays inside the training part');
  assert.ok(Array.from(a.indices.test).every((i) => !trainSet.has(i)), 'and the test subset inside the test part');
  assert.equal(new Set(a.indices.train).size, 300, 'no repeats');
  assert.throws(() => loadMnist({ limit: 9000 }), /limit must be an integer in 1\.\.8000, got 9000/);
  [a, b, c, full].forEach((d) => d.dispose());
});

test('oneHot: [n, 10] float32 rows with a single 1 at the label', () => {
  const before = tf.memory().numTensors;
  const labels = tf.tensor1d([3, 0, 9], 'int32');
  const h = oneHot(labels);
  assert.deepEqual(h.shape, [3, 10]);
  assert.equal(h.dtype, 'float32');
  assert.deepEqual(Array.from(tf.tidy(() => h.argMax(1).dataSync())), [3, 0, 9]);
  const g = oneHot([1, 2], 4);
  assert.deepEqual(Array.from(g.dataSync()), [0, 1, 0, 0, 0, 0, 1, 0]);
  tf.dispose([labels, h, g]);
  assert.equal(tf.memory().numTensors, before);
});

/** A folder with a fake 60,000-image pair (here 12 images) and links to the real t10k files. */
function folderWithTrainFiles(n = 12): string {
  const dir = tempDir('mnist-train');
  const pixels = Array.from({ length: n * 784 }, (_, k) => Math.floor(k / 784) * 20); // image i is all 20*i
  writeIdx(path.join(dir, `${MNIST_FILES.train.images}.gz`), idxUint8([n, 28, 28], pixels));
  writeIdx(path.join(dir, MNIST_FILES.train.labels), idxUint8([n], Array.from({ length: n }, (_, i) => i % 10))); // raw, no .gz
  for (const f of Object.values(MNIST_FILES.test)) fs.symlinkSync(path.join(MNIST_DIR, `${f}.gz`), path.join(dir, `${f}.gz`));
  return dir;
}

test('useTrainFiles: train = the training files, test = all 10,000; auto picks them up', () => {
  const dir = folderWithTrainFiles();
  const m = loadMnist({ dir, useTrainFiles: true });
  assert.equal(m.source, 'train-files');
  assert.deepEqual(m.train.x.shape, [12, 784]);
  assert.deepEqual(m.test.x.shape, [10000, 784]);
  assert.deepEqual(Array.from(m.train.y.dataSync()), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  const x = m.train.x.dataSync();
  assert.equal(x[5 * 784 + 100], Math.fround(100 / 255), 'image 5 has intensity 100');
  assert.equal(m.files.length, 4);
  m.dispose();
  const auto = loadMnist({ dir, useTrainFiles: 'auto', limit: 5, seed: 1 });
  assert.equal(auto.source, 'train-files');
  assert.equal(auto.train.n, 5);
  auto.dispose();
  const shipped = loadMnist({ useTrainFiles: 'auto', limit: 1, testLimit: 1 });
  assert.equal(shipped.source, 'test-file-split', 'auto without training files splits the test file');
  shipped.dispose();
  assert.throws(() => loadMnist({ useTrainFiles: true }), (e: Error) => {
    assert.ok(e instanceof MissingDataError);
    assert.match(e.message, /training file not found: .*train-images-idx3-ubyte\.gz/);
    assert.match(e.message, /drop them into this folder/);
    return true;
  });
});

test('a missing folder names the path and the expected files', () => {
  const dir = path.join(tempDir('mnist-missing'), 'no-such-folder');
  assert.throws(() => loadMnist({ dir }), (e: Error) => {
    assert.ok(e instanceof MissingDataError);
    assert.match(e.message, /loadMnist: test file not found: .*no-such-folder.*t10k-images-idx3-ubyte\.gz/);
    assert.match(e.message, /Expected in that folder: t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz, train-images/);
    return true;
  });
});

test('corrupt files are clear errors: bad magic, truncated, count mismatch, swapped, bad label', () => {
  const make = (images: Buffer | null, labels: Buffer | null): string => {
    const dir = tempDir('mnist-bad');
    if (images) writeIdx(path.join(dir, `${MNIST_FILES.test.images}.gz`), images);
    if (labels) writeIdx(path.join(dir, `${MNIST_FILES.test.labels}.gz`), labels);
    return dir;
  };
  const imgs = (n: number) => idxUint8([n, 28, 28], new Array(n * 784).fill(0));
  const labs = (n: number) => idxUint8([n], new Array(n).fill(1));
  const noTensors = tf.memory().numTensors;
  const badMagic = Buffer.from(imgs(3));
  badMagic[2] = 0x99;
  assert.throws(() => loadMnist({ dir: make(badMagic, labs(3)) }), /t10k-images-idx3-ubyte\.gz: not an IDX file: bad magic bytes 00 00 99 03/);
  const truncated = imgs(3).subarray(0, 16 + 2 * 784 + 5);
  assert.throws(() => loadMnist({ dir: make(truncated, labs(3)) }), /IDX file truncated: header says uint8 \[3 x 28 x 28\]/);
  assert.throws(() => loadMnist({ dir: make(imgs(5), labs(4)) }),
    /image\/label count mismatch: .*t10k-images-idx3-ubyte\.gz has 5 images but .*t10k-labels-idx1-ubyte\.gz has 4 labels/);
  assert.throws(() => loadMnist({ dir: make(labs(3), imgs(3)) }), /expected images \(uint8 with 3 dimensions\), got uint8 \[3\]; are images and labels files swapped/);
  assert.throws(() => loadMnist({ dir: make(imgs(2), idxUint8([2], [1, 12])) }), /label 12 at item 1 is outside 0\.\.9/);
  assert.throws(() => loadMnist({ dir: make(imgs(2), null) }), /test file not found: .*t10k-labels-idx1-ubyte\.gz/);
  assert.equal(tf.memory().numTensors, noTensors, 'no tensors made from bad files');
});

test('bad options are clear errors', () => {
  assert.throws(() => loadMnist({ trainSize: 10000 }), /trainSize must be an integer in 1\.\.9999/);
  assert.throws(() => loadMnist({ threshold: 1.5, binarize: 'threshold' }), /threshold must be in \[0, 1\)/);
  assert.throws(() => loadMnist({ binarize: 'yes' as 'none' }), /binarize must be 'none', 'threshold' or 'stochastic'/);
});
