import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modeMetrics, ringCentres } from '../../src/metrics';

const centres = ringCentres(8, 2);
const std = 0.02;

test('ring centres sit at radius r, angles 2 pi k / K, component 0 on the +x axis', () => {
  assert.equal(centres.length, 8);
  centres.forEach((c, k) => {
    assert.ok(Math.abs(Math.hypot(c[0]!, c[1]!) - 2) < 1e-12);
    assert.ok(Math.abs(Math.atan2(c[1]!, c[0]!) - (k <= 4 ? 1 : 1) * ((2 * Math.PI * k) / 8 - (k > 4 ? 2 * Math.PI : 0))) < 1e-12);
  });
});

test('all mass on one mode: 1 mode covered, KL = log 8, every sample high quality', () => {
  const samples = Array.from({ length: 100 }, (_, i) => [2 + 0.01 * Math.sin(i), 0.01 * Math.cos(i)]);
  const m = modeMetrics(samples, centres, std);
  assert.equal(m.covered, 1);
  assert.equal(m.highQualityFraction, 1);
  assert.ok(Math.abs(m.kl - Math.log(8)) < 1e-12);
  assert.deepEqual(m.counts, [100, 0, 0, 0, 0, 0, 0, 0]);
});

test('equal mass on every mode: 8 covered, KL 0; points off the modes are not high quality; minCount and radius apply', () => {
  const samples: number[][] = [];
  centres.forEach((c) => {
    for (let i = 0; i < 25; i++) samples.push([c[0]! + 0.05 * Math.cos(i), c[1]! + 0.05 * Math.sin(i)]); // 2.5 std: high quality
  });
  for (let i = 0; i < 50; i++) samples.push([0.1 * Math.cos(i), 0.1 * Math.sin(i)]); // near the origin: far from every mode
  const m = modeMetrics(samples, centres, std);
  assert.equal(m.covered, 8);
  assert.ok(Math.abs(m.kl) < 1e-12);
  assert.equal(m.highQualityFraction, 200 / 250);
  // Radius 2 std excludes the points at 2.5 std; minCount 26 uncovers every mode.
  assert.equal(modeMetrics(samples, centres, std, { radius: 2 }).highQualityFraction, 0);
  assert.equal(modeMetrics(samples, centres, std, { minCount: 26 }).covered, 0);
  assert.ok(Number.isNaN(modeMetrics([[0, 0]], centres, std).kl));
});

test('two modes with 3:1 counts: KL = 3/4 log(8 * 3/4) + 1/4 log(8 * 1/4)', () => {
  const samples = [...Array(60).fill(centres[0]!), ...Array(20).fill(centres[5]!)];
  const m = modeMetrics(samples, centres, std);
  assert.equal(m.covered, 2);
  assert.ok(Math.abs(m.kl - (0.75 * Math.log(6) + 0.25 * Math.log(2))) < 1e-12);
  assert.throws(() => modeMetrics([[1, 2, 3]], centres, std), /3 columns but centres have 2/);
  assert.throws(() => modeMetrics(samples, centres, 0), /std must be > 0/);
});
