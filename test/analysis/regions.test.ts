import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationPattern, deepRegionBound1d, linearRegions1d, linearRegions2d, regionIdGrid, shallowRegionBound, zigzagNetwork,
} from '../../src/analysis';
import { evaluateDense, parameterCount, type DenseArrays } from '../../src/nn';

/** A shallow 1-D net with units ReLU[s_d (x - t_d)] and output weights c_d. */
function shallow1d(t: number[], s: number[], c: number[]): DenseArrays {
  return { weights: [[s], c.map((v) => [v])], biases: [t.map((v, d) => -s[d]! * v), [0.1]] };
}

test('1-D shallow: D joints inside the range give exactly D + 1 regions, located where they were put', () => {
  const t = [-0.7, -0.2, 0.1, 0.55, 0.9];
  const net = shallow1d(t, [1, -1, 1, 1, -1], [1, 2, -1.5, 0.7, 3]);
  const r = linearRegions1d(net, [-1, 1]);
  assert.equal(r.count, 6);
  assert.equal(r.pieces, 6);
  r.joints.forEach((j, i) => assert.ok(Math.abs(j - t[i]!) < 1e-12, `joint ${i}: ${j} vs ${t[i]}`));
  // Each region's slope and value reproduce the network.
  for (const iv of r.intervals) {
    const x = 0.3 * iv.lo + 0.7 * iv.hi;
    assert.ok(Math.abs(iv.value + iv.slope * (x - iv.lo) - evaluateDense(net, [x])[0]!) < 1e-12);
  }
  assert.equal(shallowRegionBound(5), 6);
});

test('1-D shallow: joints outside the range, two units sharing a joint, and equal slopes are counted as they are', () => {
  // Joints at 2 and -3 are outside [-1, 1]: only the three inside count.
  assert.equal(linearRegions1d(shallow1d([-0.5, 0, 0.5, 2, -3], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]), [-1, 1]).count, 4);
  // Two units with the same joint make one joint.
  assert.equal(linearRegions1d(shallow1d([0.2, 0.2, -0.4], [1, -1, 1], [1, 2, 1]), [-1, 1]).count, 3);
  // ReLU(x) - ReLU(-x) = x: two activation regions, one linear piece (no joint).
  const lin = linearRegions1d(shallow1d([0, 0], [1, -1], [1, -1]), [-1, 1]);
  assert.equal(lin.count, 2);
  assert.equal(lin.pieces, 1);
  assert.throws(() => linearRegions1d(shallow1d([0], [1], [1]), [1, -1]), /lo < hi/);
});

test('1-D deep: the folding construction has exactly D^K regions within the (D + 1)^K bound', () => {
  for (const [D, K] of [[2, 1], [2, 6], [3, 3], [4, 4]] as const) {
    const net = zigzagNetwork(D, K);
    const r = linearRegions1d(net, [0, 1]);
    assert.equal(r.count, D ** K, `D = ${D}, K = ${K}`);
    assert.equal(r.pieces, D ** K);
    assert.ok(r.count <= deepRegionBound1d(D, K));
    assert.equal(parameterCount(net), 3 * D + 1 + (K - 1) * D * (D + 1));
    // The output is a zigzag between 0 and 1 with D^K teeth: 0 at even multiples of D^-K, 1 at odd ones.
    const n = D ** K;
    for (const i of [0, 1, 2, n - 1, n]) assert.ok(Math.abs(evaluateDense(net, [i / n])[0]! - (i % 2)) < 1e-9, `f(${i}/${n})`);
  }
});

test('2-D: m vertical and n horizontal lines make (m + 1)(n + 1) rectangles; lines in general position meet the Zaslavsky bound', () => {
  const xs = [-0.5, 0.2, 0.6];
  const ys = [-0.3, 0.4];
  const w0 = [[...xs.map(() => 1), ...ys.map(() => 0)], [...xs.map(() => 0), ...ys.map(() => 1)]];
  const grid: DenseArrays = { weights: [w0, [[1], [1], [1], [1], [1]]], biases: [[...xs.map((v) => -v), ...ys.map((v) => -v)], [0]] };
  const r = linearRegions2d(grid, [-1, 1], [-1, 1]);
  assert.equal(r.count, 12);
  const area = r.polygons.reduce((s, p) => s + polyArea(p.vertices), 0);
  assert.ok(Math.abs(area - 4) < 1e-12, `areas add up to the box: ${area}`);
  // 4 lines through a small central area, all 6 crossings inside the box: 1 + 4 + 6 = 11 regions.
  const angles = [0.1, 0.9, 1.7, 2.5];
  const offsets = [0.05, -0.1, 0.08, -0.03];
  const general: DenseArrays = {
    weights: [[angles.map(Math.cos), angles.map(Math.sin)], angles.map(() => [1])],
    biases: [offsets, [0]],
  };
  assert.equal(linearRegions2d(general, [-3, 3], [-3, 3]).count, shallowRegionBound(4, 2));
  assert.equal(shallowRegionBound(4, 2), 11);
});

test('2-D deep: every polygon has one activation pattern, and a fine grid finds no pattern the polygons miss', () => {
  const net = {
    weights: [
      [[1, -0.5, 0.3, 0.8], [0.2, 1, -0.9, 0.4]],
      [[0.5, -1, 0.3], [1, 0.2, -0.6], [-0.7, 0.9, 1], [0.4, 0.6, -0.2]],
      [[1], [-1], [0.5]],
    ],
    biases: [[0.1, -0.2, 0.05, 0.3], [0.1, 0.2, -0.1], [0]],
  };
  const r = linearRegions2d(net, [-2, 2], [-2, 2]);
  const patterns = new Set(r.polygons.map((p) => p.pattern));
  for (const p of r.polygons) {
    const [cx, cy] = p.vertices.reduce(([a, b], [x, y]) => [a + x / p.vertices.length, b + y / p.vertices.length], [0, 0]);
    assert.equal(activationPattern(net, [cx, cy]), p.pattern);
  }
  const seen = new Set<string>();
  for (let i = 0; i < 150; i++) for (let j = 0; j < 150; j++) seen.add(activationPattern(net, [-2 + (4 * (i + 0.5)) / 150, -2 + (4 * (j + 0.5)) / 150]));
  for (const s of seen) assert.ok(patterns.has(s), `grid pattern ${s} missing from the polygons`);
  assert.ok(r.count >= seen.size);
  const ids = regionIdGrid(net, [-2, 2], [-2, 2], 20);
  assert.equal(ids.length, 20);
  assert.throws(() => linearRegions2d({ weights: [[[1]], [[1]]], biases: [[0], [0]] }, [0, 1], [0, 1]), /must take 2 inputs/);
});

function polyArea(v: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]![0] * v[(i + 1) % v.length]![1] - v[(i + 1) % v.length]![0] * v[i]![1];
  return Math.abs(s) / 2;
}
