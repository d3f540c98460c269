/** k-means against a hand-made case whose clusters and centres are known. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { kMeans, nearestCentroid, oneHotCode } from '../../src/analysis/kmeans';

before(async () => {
  await tf.setBackend('cpu');
});

// Three tight groups of four points around (0, 0), (10, 0) and (0, 10): offsets ±0.5 cancel, so each
// group's mean is exactly its centre and the inertia of the right clustering is 12 · 0.5² = 3.
const centres = [[0, 0], [10, 0], [0, 10]];
const offsets = [[0.5, 0], [-0.5, 0], [0, 0.5], [0, -0.5]];
const points = centres.flatMap(([cx, cy]) => offsets.map(([dx, dy]) => [cx! + dx!, cy! + dy!]));

test('k-means finds the three hand-made clusters, their centres and inertia', () => {
  const x = tf.tensor2d(points);
  const n0 = tf.memory().numTensors;
  const r = kMeans(x, { k: 3, rng: seed('kmeans') });
  assert.equal(tf.memory().numTensors, n0 + 1, 'only the centroids are left');
  assert.ok(r.converged);
  assert.ok(Math.abs(r.inertia - 3) < 1e-4, `inertia ${r.inertia}`);
  // Points of one group share a cluster, and the three groups are in different clusters.
  const groups = [0, 1, 2].map((g) => new Set(Array.from(r.assignments.slice(4 * g, 4 * g + 4))));
  groups.forEach((s) => assert.equal(s.size, 1));
  assert.equal(new Set(groups.map((s) => [...s][0])).size, 3);
  const found = r.centroids.arraySync();
  for (const [g, c] of centres.entries()) {
    const j = [...groups[g]!][0]!;
    assert.ok(Math.abs(found[j]![0]! - c[0]!) < 1e-5 && Math.abs(found[j]![1]! - c[1]!) < 1e-5, `centre ${g}: ${found[j]}`);
  }
  for (let t = 1; t < r.inertiaHistory.length; t++) assert.ok(r.inertiaHistory[t]! <= r.inertiaHistory[t - 1]! + 1e-9, 'inertia never increases');
  r.centroids.dispose();
  x.dispose();
});

test('k-means is deterministic for a seed and improves on a bad start', () => {
  const rng = seed('blobs');
  const x = tf.tidy(() => tf.add(tf.mul(rng.randn([300, 5]), 0.3), tf.gather(tf.mul(rng.randn([6, 5]), 4), tf.tensor1d(Array.from({ length: 300 }, (_, i) => i % 6), 'int32')))) as tf.Tensor2D;
  const a = kMeans(x, { k: 6, rng: seed(1) });
  const b = kMeans(x, { k: 6, rng: seed(1) });
  assert.deepEqual(Array.from(a.assignments), Array.from(b.assignments));
  assert.equal(a.inertia, b.inertia);
  // Compared with one Lloyd step's inertia, the converged one is no larger.
  const one = kMeans(x, { k: 6, rng: seed(1), maxIterations: 1 });
  assert.ok(a.inertia <= one.inertia + 1e-6);
  // nearestCentroid agrees with a naive loop.
  const { index } = nearestCentroid(x, a.centroids, 7);
  const xs = x.arraySync();
  const cs = a.centroids.arraySync();
  xs.forEach((p, i) => {
    const d = cs.map((c) => c.reduce((s, v, t) => s + (p[t]! - v) ** 2, 0));
    assert.equal(index[i], d.indexOf(Math.min(...d)));
  });
  tf.dispose([x, a.centroids, b.centroids, one.centroids]);
});

test('one-hot codes and bad input', () => {
  const h = oneHotCode([2, 0, 1], 3);
  assert.deepEqual(h.arraySync(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  h.dispose();
  const x = tf.tensor2d(points);
  assert.throws(() => kMeans(x, { k: 13, rng: seed(0) }), /cannot exceed the number of rows/);
  assert.throws(() => kMeans(x, { k: 0, rng: seed(0) }), /positive integer/);
  assert.throws(() => oneHotCode([3], 3), /not a cluster/);
  x.dispose();
});
