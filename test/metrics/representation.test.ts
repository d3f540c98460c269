/** Sparsity, distributedness and disentanglement measures on codes whose answers are known. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeStatistics, disentanglement } from '../../src/metrics/representation';

test('the lecture table: local, dense and sparse distributed codes', () => {
  // The three codes of the lecture's table (rows: inputs, columns: units).
  const local = [[0, 0.2, 0, 0, 0], [0, 0, 0, 0, 0.1], [0, 0, 0, 0.4, 0]];
  const dense = [[0.1, 0.8, 0.7, 0.5, 0.7], [0.8, 0.9, 0.6, 0.2, 0.4], [0.3, 0.1, 0.6, 0.3, 0.3]];
  const sparseDistributed = [[0, 0.8, 0, 0.5, 0], [0, 0, 0.6, 0, 0.4], [0.3, 0, 0, 0.3, 0]];
  const l = codeStatistics(local);
  assert.equal(l.activeUnits, 1, 'one unit per input');
  assert.ok(Math.abs(l.activeFraction - 1 / 5) < 1e-12);
  assert.equal(l.deadUnits, 2);
  assert.equal(l.distinctPatterns, 3);
  const d = codeStatistics(dense);
  assert.ok(Math.abs(d.activeFraction - 1) < 1e-12, 'every unit active (all above 0.1 · max)');
  const s = codeStatistics(sparseDistributed);
  assert.equal(s.activeUnits, 2, 'two units per input: sparse and distributed');
  assert.ok(Math.abs(s.activeFraction - 0.4) < 1e-12);
  assert.deepEqual(s.usagePerUnit, [1 / 3, 1 / 3, 1 / 3, 2 / 3, 1 / 3]);
  assert.ok(Math.abs(s.unitUsage - 0.4) < 1e-12, 'mean lifetime usage = mean population activity');
});

test('distinct patterns: k for a one-hot code, 2^n for all binary codes of n units', () => {
  const oneHot = Array.from({ length: 40 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i % 4 === j ? 1 : 0)));
  assert.equal(codeStatistics(oneHot).distinctPatterns, 4);
  const binary = Array.from({ length: 16 }, (_, i) => [0, 1, 2, 3].map((b) => (i >> b) & 1));
  const st = codeStatistics(binary);
  assert.equal(st.distinctPatterns, 16);
  assert.equal(st.activeFraction, 0.5);
  assert.throws(() => codeStatistics(binary, { tau: 1 }), /tau/);
});

test('disentanglement: 1 for the factors themselves, 0 for a 45° mix, in between for a partial mix', () => {
  const n = 200;
  const factors = Array.from({ length: n }, (_, i) => [Math.sin(i * 1.3) * 3, Math.cos(i * 0.7 + 1) * 2]);
  // A monotone (nonlinear) copy of each factor in its own unit, plus a constant unit.
  const aligned = factors.map(([a, b]) => [Math.exp(a!), 0.5, b! ** 3]);
  const r = disentanglement(aligned, factors);
  // Ranks are unchanged by monotone maps: each factor's own unit has |corr| 1, the constant unit 0, and the
  // runner-up is the other factor's unit, whose |corr| is the factors' own rank correlation.
  assert.ok(Math.abs(r.correlations[0]![0]! - 1) < 1e-12 && Math.abs(r.correlations[2]![1]! - 1) < 1e-12);
  assert.deepEqual(r.correlations[1], [0, 0]);
  assert.ok(Math.abs(r.score - (1 - r.correlations[0]![1]!)) < 1e-12, `aligned: ${r.score}`);
  assert.ok(r.score > 0.95);
  assert.deepEqual(r.bestUnit, [0, 2]);
  // Standardised factors rotated by 45°: each unit is (a ± b)/√2, both units track each factor equally.
  const std = (k: number) => {
    const v = factors.map((f) => f[k]!);
    const m = v.reduce((s, t) => s + t, 0) / n;
    const sd = Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / n);
    return v.map((t) => (t - m) / sd);
  };
  const [a, b] = [std(0), std(1)];
  const rotated = a.map((ai, i) => [(ai + b[i]!) / Math.SQRT2, (ai - b[i]!) / Math.SQRT2]);
  const rr = disentanglement(rotated, factors, { method: 'pearson' });
  // corr(u1, a) = (1 + rho)/sqrt(2 + 2 rho) and corr(u2, a) = (1 - rho)/sqrt(2 - 2 rho), rho = corr(a, b):
  const rho = a.reduce((s, ai, i) => s + ai * b[i]!, 0) / n;
  const expectedGap = Math.abs(Math.abs((1 + rho) / Math.sqrt(2 + 2 * rho)) - Math.abs((1 - rho) / Math.sqrt(2 - 2 * rho)));
  assert.ok(Math.abs(rr.gaps[0]! - expectedGap) < 1e-9, `gap ${rr.gaps[0]} vs ${expectedGap}`);
  assert.ok(rr.score < 0.15, `rotated: ${rr.score}`);
  assert.throws(() => disentanglement([[1], [2], [3]], [[1], [2], [3]]), /two code units/);
  assert.throws(() => disentanglement(aligned, factors.slice(1)), /one row per input/);
});
