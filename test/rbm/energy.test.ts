/**
 * The energy, free energy and conditionals of both RBMs against brute-force enumeration of the joint
 * (v, h) states, and exact log Z against a double sum / numerical integration.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { binaryStates, exactLogZ } from '../../src/models/rbm/enumerate';
import { logSumExp, maxAbsDiff, tinyBernoulli, tinyGaussian } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

/** -E(v, h) for every hidden state h, one row per v: [B, 2^nh]. */
function negEnergyAllHidden(rbm: { energy(v: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor1D; nHidden: number }, v: tf.Tensor2D): number[][] {
  return tf.tidy(() => {
    const H = binaryStates(rbm.nHidden);
    const S = H.shape[0];
    const rows: number[][] = [];
    const B = v.shape[0];
    for (let r = 0; r < B; r++) {
      const vr = tf.tile(tf.slice(v, r, 1), [S, 1]) as tf.Tensor2D;
      rows.push(Array.from(tf.neg(rbm.energy(vr, H)).dataSync()));
    }
    return rows;
  });
}

test('Bernoulli free energy equals -log sum_h exp(-E(v, h))', () => {
  const rbm = tinyBernoulli(6, 5, 'fe');
  const v = binaryStates(6, 0, 64);
  const negE = negEnergyAllHidden(rbm, v);
  const F = rbm.freeEnergy(v).dataSync();
  const oracle = negE.map((row) => -logSumExp(row));
  assert.ok(maxAbsDiff(F, oracle) < 1e-4, `max |F - oracle| = ${maxAbsDiff(F, oracle)}`);
  tf.dispose(v);
  rbm.dispose();
});

test('Bernoulli p(h_j = 1 | v) and p(v_i = 1 | h) match enumeration of the joint', () => {
  const rbm = tinyBernoulli(5, 4, 'cond');
  const V = binaryStates(5);
  const H = binaryStates(4);
  // Joint unnormalised log p(v, h) over all pairs, as a [32, 16] table.
  const table = negEnergyAllHidden(rbm, V);
  const Hd = H.arraySync();
  const Vd = V.arraySync();
  // p(h_j = 1 | v) = sum_h h_j exp(-E) / sum_h exp(-E)
  const ph = rbm.hiddenProbs(V).arraySync();
  let worst = 0;
  table.forEach((row, vi) => {
    const lz = logSumExp(row);
    for (let j = 0; j < 4; j++) {
      let p = 0;
      row.forEach((x, hi) => (p += Hd[hi]![j]! * Math.exp(x - lz)));
      worst = Math.max(worst, Math.abs(p - ph[vi]![j]!));
    }
  });
  assert.ok(worst < 1e-5, `p(h|v): max error ${worst}`);
  // p(v_i = 1 | h) = sum_v v_i exp(-E) / sum_v exp(-E): enumerate over the columns.
  const pv = rbm.visibleMean(H).arraySync();
  worst = 0;
  for (let hi = 0; hi < 16; hi++) {
    const col = table.map((row) => row[hi]!);
    const lz = logSumExp(col);
    for (let i = 0; i < 5; i++) {
      let p = 0;
      col.forEach((x, vi) => (p += Vd[vi]![i]! * Math.exp(x - lz)));
      worst = Math.max(worst, Math.abs(p - pv[hi]![i]!));
    }
  }
  assert.ok(worst < 1e-5, `p(v|h): max error ${worst}`);
  tf.dispose([V, H]);
  rbm.dispose();
});

test('Bernoulli exact log Z: hidden-side and visible-side enumeration agree with the double sum', () => {
  for (const [nv, nh] of [
    [6, 4],
    [4, 6],
  ] as const) {
    const rbm = tinyBernoulli(nv, nh, `logz${nv}${nh}`);
    const V = binaryStates(nv);
    const brute = logSumExp(negEnergyAllHidden(rbm, V).flat());
    const lz = exactLogZ(rbm);
    assert.ok(Math.abs(lz - brute) < 1e-4, `nv=${nv}, nh=${nh}: exactLogZ ${lz} vs double sum ${brute}`);
    V.dispose();
    rbm.dispose();
  }
});

test('Gaussian-Bernoulli free energy, p(h|v) and E[v|h] match the energy', () => {
  const rbm = tinyGaussian(3, 4, 'gfe', 0.7, [0.5, 1, 2]);
  const v = tf.tidy(() => tf.mul(tf.randomNormal([7, 3], 0, 1, 'float32', 3), 1.5) as tf.Tensor2D);
  const negE = negEnergyAllHidden(rbm, v);
  const F = rbm.freeEnergy(v).dataSync();
  assert.ok(maxAbsDiff(F, negE.map((r) => -logSumExp(r))) < 1e-4, 'free energy');
  // p(h_j = 1 | v) from the enumerated joint.
  const H = binaryStates(4).arraySync();
  const ph = rbm.hiddenProbs(v).arraySync();
  let worst = 0;
  negE.forEach((row, r) => {
    const lz = logSumExp(row);
    for (let j = 0; j < 4; j++) {
      let p = 0;
      row.forEach((x, hi) => (p += H[hi]![j]! * Math.exp(x - lz)));
      worst = Math.max(worst, Math.abs(p - ph[r]![j]!));
    }
  });
  assert.ok(worst < 1e-5, `p(h|v): ${worst}`);
  // E[v | h] is where -E(v, h) peaks in v: the gradient of -E there is zero (central differences).
  const h = tf.tensor2d([[1, 0, 1, 1]]);
  const m = rbm.visibleMean(h);
  const md = m.dataSync();
  for (let i = 0; i < 3; i++) {
    const eps = 1e-2;
    const plus = Array.from(md);
    const minus = Array.from(md);
    plus[i]! += eps;
    minus[i]! -= eps;
    const e = tf.tidy(() => rbm.energy(tf.tensor2d([plus, minus]), tf.concat([h, h])).dataSync());
    assert.ok(Math.abs(e[0]! - e[1]!) / (2 * eps) < 1e-2, `dE/dv_${i} at the mean = ${(e[0]! - e[1]!) / (2 * eps)}`);
  }
  tf.dispose([v, h, m]);
  rbm.dispose();
});

test('Gaussian-Bernoulli exact log Z matches numerical integration of exp(-F(v))', () => {
  const rbm = tinyGaussian(2, 3, 'glz', 0.8, [0.7, 1.3]);
  // Midpoint rule on [-12, 12]^2 with step 0.04: the integrand is smooth and negligible at the edges.
  const step = 0.04;
  const n = 600;
  const pts: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pts.push(-12 + (i + 0.5) * step, -12 + (j + 0.5) * step);
  const grid = tf.tensor2d(pts, [n * n, 2]);
  const negF = tf.tidy(() => tf.neg(rbm.freeEnergy(grid)).dataSync());
  const numeric = logSumExp(negF) + 2 * Math.log(step);
  const lz = exactLogZ(rbm);
  assert.ok(Math.abs(lz - numeric) < 1e-3, `exactLogZ ${lz} vs quadrature ${numeric}`);
  grid.dispose();
  rbm.dispose();
});

test('clear errors for wrong shapes', () => {
  const rbm = tinyBernoulli(4, 3, 'err');
  const bad = tf.zeros([2, 5]) as tf.Tensor2D;
  assert.throws(() => rbm.freeEnergy(bad), /expected visible data of shape \[batch, 4\], got \[2,5\]/);
  assert.throws(() => rbm.visibleMean(bad), /expected hidden states of shape \[batch, 3\]/);
  bad.dispose();
  rbm.dispose();
});
