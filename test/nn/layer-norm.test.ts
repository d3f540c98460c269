/** LayerNorm against its formula per row, its gradient against finite differences, batch-size independence, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { LayerNorm } from '../../src/nn';

function naive(row: number[], gamma: number[], beta: number[], eps: number): number[] {
  const mu = row.reduce((a, b) => a + b, 0) / row.length;
  const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / row.length;
  return row.map((h, d) => gamma[d]! * (h - mu) / Math.sqrt(v + eps) + beta[d]!);
}

test('LayerNorm equals its formula on every row of a [2, 3, 5] tensor, whatever the batch', () => {
  const before = tf.memory().numTensors;
  const ln = new LayerNorm({ dim: 5 });
  const rng = seed('ln');
  const gamma = Array.from({ length: 5 }, () => 1 + rng.normal());
  const beta = Array.from({ length: 5 }, () => rng.normal());
  tf.tidy(() => { ln.gamma.assign(tf.tensor1d(gamma)); ln.beta.assign(tf.tensor1d(beta)); });
  const xs = Array.from({ length: 30 }, () => 3 + 2 * rng.normal());
  const y = tf.tidy(() => ln.apply(tf.tensor3d(xs, [2, 3, 5])).dataSync());
  for (let r = 0; r < 6; r++) {
    const ref = naive(xs.slice(5 * r, 5 * r + 5), gamma, beta, 1e-5);
    ref.forEach((v, d) => assert.ok(Math.abs(y[5 * r + d]! - v) < 1e-4, `row ${r} feature ${d}: ${y[5 * r + d]} vs ${v}`));
  }
  // A single row normalised alone gives the same answer: no batch statistics are involved.
  const alone = tf.tidy(() => ln.apply(tf.tensor2d([xs.slice(10, 15)])).dataSync());
  for (let d = 0; d < 5; d++) assert.ok(Math.abs(alone[d]! - y[10 + d]!) < 1e-6);
  ln.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('LayerNorm gradients w.r.t. input, gain and shift equal central finite differences', () => {
  const ln = new LayerNorm({ dim: 4, epsilon: 1e-3 });
  const rng = seed('lng');
  const gamma = Array.from({ length: 4 }, () => 1 + 0.5 * rng.normal());
  const beta = Array.from({ length: 4 }, () => rng.normal());
  ln.gamma.assign(tf.tensor1d(gamma));
  ln.beta.assign(tf.tensor1d(beta));
  const x = Array.from({ length: 8 }, () => rng.normal());
  const r = Array.from({ length: 8 }, () => rng.normal());
  // L = Σ r ⊙ sin(LN[x]): nonlinear, so the check sees second-order mistakes too.
  const loss = (xx: number[], g: number[], b: number[]): number =>
    [0, 1].reduce((acc, row) => acc + naive(xx.slice(4 * row, 4 * row + 4), g, b, 1e-3).reduce((a, v, d) => a + r[4 * row + d]! * Math.sin(v), 0), 0);
  const xt = tf.tensor2d(x, [2, 4]);
  const rt = tf.tensor2d(r, [2, 4]);
  const f = (xin: tf.Tensor): tf.Scalar => tf.sum(tf.mul(rt, tf.sin(ln.apply(xin)))) as tf.Scalar;
  const { grads, value } = tf.variableGrads(() => f(xt), ln.variables());
  const gx = tf.grad(f)(xt);
  const eps = 1e-4;
  const fd = (arr: number[], i: number, call: (a: number[]) => number): number => {
    const p = [...arr]; p[i]! += eps;
    const m = [...arr]; m[i]! -= eps;
    return (call(p) - call(m)) / (2 * eps);
  };
  const check = (got: ArrayLike<number>, arr: number[], call: (a: number[]) => number, what: string): void =>
    arr.forEach((_, i) => { const ref = fd(arr, i, call); assert.ok(Math.abs(got[i]! - ref) < 2e-3 * (1 + Math.abs(ref)), `${what}[${i}]: ${got[i]} vs ${ref}`); });
  check(gx.dataSync(), x, (a) => loss(a, gamma, beta), 'dL/dx');
  check(grads[ln.gamma.name]!.dataSync(), gamma, (a) => loss(x, a, beta), 'dL/dgamma');
  check(grads[ln.beta.name]!.dataSync(), beta, (a) => loss(x, gamma, a), 'dL/dbeta');
  tf.dispose([xt, rt, gx, value, ...Object.values(grads)]);
  ln.dispose();
});

test('LayerNorm: clear errors for a wrong feature width and bad configs', () => {
  const ln = new LayerNorm({ dim: 6 });
  tf.tidy(() => assert.throws(() => ln.apply(tf.zeros([2, 5])), /last axis has 6 features, got shape \[2, 5\]/));
  ln.dispose();
  assert.throws(() => new LayerNorm({ dim: 0 }), /dim must be a positive integer/);
  assert.throws(() => new LayerNorm({ dim: 3, epsilon: 0 }), /epsilon must be positive/);
});
