import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';

test('same seed gives the same stream; different seeds differ', () => {
  const a = seed(42);
  const b = seed(42);
  const c = seed(43);
  const xa = Array.from({ length: 20 }, () => a.nextUint32());
  const xb = Array.from({ length: 20 }, () => b.nextUint32());
  const xc = Array.from({ length: 20 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('string seeds are stable and distinct', () => {
  assert.equal(new Rng('vae').nextUint32(), new Rng('vae').nextUint32());
  assert.notEqual(new Rng('vae').nextUint32(), new Rng('flow').nextUint32());
});

test('uniform draws have the moments of U(0,1)', () => {
  const r = seed(1);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.random();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  // Standard error of the mean: sqrt(1/12/n) = 6.5e-4; allow 5 standard errors.
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 2e-3, `variance ${variance}`);
});

test('normal draws have mean 0, variance 1 and Gaussian tails', () => {
  const r = seed(2);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  let beyond2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    if (Math.abs(z) > 2) beyond2++;
  }
  assert.ok(Math.abs(s / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
  // P(|Z| > 2) = 0.0455
  assert.ok(Math.abs(beyond2 / n - 0.0455) < 0.003, `tail ${beyond2 / n}`);
});

test('permutation is a permutation and seeded', () => {
  const p = seed(3).permutation(1000);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, seed(3).permutation(1000));
  assert.notDeepEqual(p, seed(4).permutation(1000));
});

test('fork gives reproducible, independent children', () => {
  const a = seed(5).fork('x').nextUint32();
  const b = seed(5).fork('x').nextUint32();
  const parent = seed(5);
  const c1 = parent.fork('x').nextUint32();
  const c2 = parent.fork('x').nextUint32();
  assert.equal(a, b);
  assert.equal(a, c1);
  assert.notEqual(c1, c2, 'successive forks advance the parent');
  assert.notEqual(seed(5).fork('x').nextUint32(), seed(5).fork('y').nextUint32());
});

test('tensor draws are reproducible from the same seed', async () => {
  await tf.setBackend('cpu');
  const x1 = seed(7).randn([5]).arraySync();
  const x2 = seed(7).randn([5]).arraySync();
  const x3 = seed(8).randn([5]).arraySync();
  assert.deepEqual(x1, x2);
  assert.notDeepEqual(x1, x3);
  const p = tf.fill([20000], 0.3);
  const b = seed(9).bernoulli(p);
  const m = b.mean().arraySync() as number;
  assert.ok(Math.abs(m - 0.3) < 0.02, `bernoulli mean ${m}`);
  tf.dispose([p, b]);
});

test('bad seeds and ranges are clear errors', () => {
  assert.throws(() => seed(Number.NaN), /finite number or a string/);
  assert.throws(() => seed(1).int(0), /positive integer/);
});
