import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeCheckerboard, makeCircles, makeGaussianRing, makeMoons, makeSwissRoll, ToyData } from '../../src/data';
import { seed } from '../../src/runtime/rng';
import { columnStats } from './helpers';

const points = (d: ToyData): Array<[number, number]> => {
  const v = d.x.dataSync();
  return Array.from({ length: d.x.shape[0] }, (_, i) => [v[2 * i]!, v[2 * i + 1]!]);
};
const labelsOf = (d: ToyData): number[] => Array.from(d.labels!.dataSync());
const near = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

const generators = {
  moons: (n: number, s: number) => makeMoons(n, { seed: s }),
  circles: (n: number, s: number) => makeCircles(n, { seed: s }),
  swissRoll: (n: number, s: number) => makeSwissRoll(n, { seed: s }),
  ring: (n: number, s: number) => makeGaussianRing(n, { seed: s }),
  checkerboard: (n: number, s: number) => makeCheckerboard(n, { seed: s }),
};

test('every set: [n, 2] float32, seeded determinism, needs an rng, no leaks', () => {
  const before = tf.memory().numTensors;
  for (const [name, make] of Object.entries(generators)) {
    const a = make(501, 1);
    const b = make(501, 1);
    const c = make(501, 2);
    assert.deepEqual(a.x.shape, [501, 2], name);
    assert.equal(a.x.dtype, 'float32', name);
    assert.deepEqual(a.x.dataSync(), b.x.dataSync(), `${name}: same seed, same points`);
    assert.notDeepEqual(a.x.dataSync(), c.x.dataSync(), `${name}: different seed, different points`);
    if (a.labels) {
      assert.equal(a.labels.dtype, 'int32', name);
      assert.deepEqual(a.labels.shape, [501], name);
    }
    [a, b, c].forEach((d) => d.dispose());
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => makeMoons(10, {}), /makeMoons: needs randomness: pass \{ rng \}/);
  assert.throws(() => makeCircles(0, { seed: 1 }), /makeCircles: n must be a positive integer, got 0/);
  assert.throws(() => makeSwissRoll(10, { seed: 1, noise: -1 }), /noise must be a standard deviation >= 0/);
  const r = seed(9);
  const first = makeMoons(20, { rng: r });
  const second = makeMoons(20, { rng: r });
  assert.notDeepEqual(first.x.dataSync(), second.x.dataSync(), 'a shared rng moves on between calls');
  [first, second].forEach((d) => d.dispose());
});

test('moons follow sklearn make_moons (reference values without noise or shuffling)', () => {
  // sklearn.datasets.make_moons(4, shuffle=False, noise=None):
  // [[1, 0], [-1, 0], [0, 0.5], [2, 0.5]], labels [0, 0, 1, 1]
  const m = makeMoons(4, { seed: 0, noise: 0, shuffle: false });
  points(m).forEach((p, i) => {
    const ref = [[1, 0], [-1, 0], [0, 0.5], [2, 0.5]][i]!;
    near(p[0], ref[0]!, 1e-6, `x${i}`);
    near(p[1], ref[1]!, 1e-6, `y${i}`);
  });
  assert.deepEqual(labelsOf(m), [0, 0, 1, 1]);
  m.dispose();
  const n = 1001;
  const d = makeMoons(n, { seed: 1, noise: 0 });
  const labels = labelsOf(d);
  assert.equal(labels.filter((l) => l === 0).length, 500, 'n // 2 points on the upper moon');
  assert.equal(labels.filter((l) => l === 1).length, 501);
  assert.notDeepEqual(labels.slice(0, 20), new Array(20).fill(0), 'shuffled by default');
  points(d).forEach(([x, y], i) => {
    if (labels[i] === 0) near(Math.hypot(x, y), 1, 1e-5, 'upper moon on the unit circle');
    else near(Math.hypot(x - 1, y - 0.5), 1, 1e-5, 'lower moon on the circle centred (1, 0.5)');
    assert.ok(labels[i] === 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
  });
  d.dispose();
  const noisy = makeMoons(4000, { seed: 2, noise: 0.1, shuffle: false });
  const resid = points(noisy).slice(0, 2000).map(([x, y]) => Math.hypot(x, y) - 1);
  const sd = Math.sqrt(resid.reduce((a, r) => a + r * r, 0) / resid.length);
  near(sd, 0.1, 0.01, 'radial spread equals the noise std');
  noisy.dispose();
});

test('circles follow sklearn make_circles: radii 1 and factor, outer first when not shuffled', () => {
  const d = makeCircles(1001, { seed: 1, noise: 0, factor: 0.3 });
  const labels = labelsOf(d);
  assert.equal(labels.filter((l) => l === 0).length, 500);
  points(d).forEach(([x, y], i) => near(Math.hypot(x, y), labels[i] === 0 ? 1 : 0.3, 1e-6, `radius ${i}`));
  d.dispose();
  const u = makeCircles(8, { seed: 0, noise: 0, shuffle: false });
  // linspace(0, 2 pi, 4, endpoint=False): (1, 0), (0, 1), (-1, 0), (0, -1), then the same times 0.8.
  const p = points(u);
  near(p[1]![1], 1, 1e-6, 'outer point 1');
  near(p[4]![0], 0.8, 1e-6, 'inner point 0 at the default factor 0.8');
  assert.deepEqual(labelsOf(u), [0, 0, 0, 0, 1, 1, 1, 1]);
  u.dispose();
  const noisy = makeCircles(4000, { seed: 3, noise: 0.05, factor: 0.5 });
  const l = labelsOf(noisy);
  const meanR = (k: number): number => {
    const r = points(noisy).filter((_, i) => l[i] === k).map(([x, y]) => Math.hypot(x, y));
    return r.reduce((a, b) => a + b, 0) / r.length;
  };
  near(meanR(1) / meanR(0), 0.5, 0.01, 'mean radius ratio = factor');
  noisy.dispose();
  assert.throws(() => makeCircles(10, { seed: 1, factor: 1 }), /factor must be in \(0, 1\)/);
});

test('swiss roll: (x, z) / 10 of the sklearn roll; |t| range and position t', () => {
  const d = makeSwissRoll(2000, { seed: 1, noise: 0 });
  const t = Array.from(d.t.dataSync());
  points(d).forEach(([x, z], i) => {
    // Without noise, 10 * (x, z) = t (cos t, sin t): the radius is t itself.
    near(10 * Math.hypot(x, z), t[i]!, 1e-4, 'radius = t');
    near(Math.atan2(z, x), Math.atan2(Math.sin(t[i]!), Math.cos(t[i]!)), 1e-4, 'angle = t');
  });
  assert.ok(Math.min(...t) >= 1.5 * Math.PI && Math.max(...t) <= 4.5 * Math.PI);
  assert.ok(Math.min(...t) < 1.6 * Math.PI && Math.max(...t) > 4.4 * Math.PI, 't covers its range');
  d.dispose();
  const noisy = makeSwissRoll(2000, { seed: 1 }); // default noise 0.5 in 3-D units
  const pts = points(noisy);
  const maxAbs = Math.max(...pts.flat().map(Math.abs));
  assert.ok(maxAbs < 0.45 * Math.PI + 0.3 && maxAbs > 1.2, `coordinates within about +-1.41: ${maxAbs}`);
  noisy.dispose();
});

test('gaussian ring: component means on a circle of the right radius, balanced labels', () => {
  const K = 8;
  const radius = 2;
  const n = 8000;
  const d = makeGaussianRing(n, { seed: 4, noise: 0.1 });
  const labels = labelsOf(d);
  const pts = points(d);
  for (let k = 0; k < K; k++) {
    const mine = pts.filter((_, i) => labels[i] === k);
    near(mine.length, n / K, 5 * Math.sqrt(n / K), `count of component ${k}`);
    const mx = mine.reduce((a, p) => a + p[0], 0) / mine.length;
    const my = mine.reduce((a, p) => a + p[1], 0) / mine.length;
    near(Math.hypot(mx, my), radius, 0.02, `component ${k} mean radius`);
    near(mx, radius * Math.cos((2 * Math.PI * k) / K), 0.02, `component ${k} mean x`);
    near(my, radius * Math.sin((2 * Math.PI * k) / K), 0.02, `component ${k} mean y`);
    const sx = Math.sqrt(mine.reduce((a, p) => a + (p[0] - mx) ** 2, 0) / mine.length);
    near(sx, 0.1, 0.01, `component ${k} std`);
  }
  d.dispose();
  const r3 = makeGaussianRing(300, { seed: 1, components: 3, radius: 5 });
  assert.ok(labelsOf(r3).every((l) => l >= 0 && l < 3));
  r3.dispose();
});

test('checkerboard: only alternate squares are filled, evenly, within the board', () => {
  const n = 8000;
  const d = makeCheckerboard(n, { seed: 5 });
  const counts = new Map<string, number>();
  for (const [x, y] of points(d)) {
    assert.ok(x >= -4 && x <= 4 && y >= -4 && y <= 4, `inside [-4, 4]^2: ${x}, ${y}`);
    const i = Math.min(3, Math.floor((x + 4) / 2));
    const j = Math.min(3, Math.floor((y + 4) / 2));
    assert.equal((i + j) % 2, 0, `point ${x}, ${y} in an empty square`);
    counts.set(`${i},${j}`, (counts.get(`${i},${j}`) ?? 0) + 1);
  }
  assert.equal(counts.size, 8, '8 of the 16 squares are filled');
  for (const c of counts.values()) near(c, n / 8, 5 * Math.sqrt(n / 8), 'points per filled square');
  d.dispose();
  const small = makeCheckerboard(500, { seed: 1, squares: 3, size: 3 });
  for (const [x, y] of points(small)) {
    assert.equal((Math.min(2, Math.floor(x + 1.5)) + Math.min(2, Math.floor(y + 1.5))) % 2, 0);
  }
  small.dispose();
});

test('standardize: mean 0 / std 1 over the sample, and the scaler maps back to the raw points', () => {
  const raw = makeGaussianRing(2000, { seed: 6 });
  const std = makeGaussianRing(2000, { seed: 6, standardize: true });
  const s = columnStats(std.x);
  s.mean.forEach((m) => near(m, 0, 1e-5, 'mean'));
  s.std.forEach((v) => near(v, 1, 1e-4, 'std'));
  assert.ok(std.scaler);
  const back = std.scaler.inverseTransform(std.x);
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(back, raw.x))).dataSync()[0]!);
  assert.ok(err < 1e-5, `round trip error ${err}`);
  assert.deepEqual(labelsOf(std), labelsOf(raw), 'same draws, same labels');
  tf.dispose(back);
  raw.dispose();
  std.dispose();
});
