import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Discriminator, gradientPenalty, inputGradient, r1Penalty } from '../../src/models/gan';
import { seed } from '../../src/runtime/rng';

before(async () => {
  await tf.setBackend('cpu');
});

/** Central finite differences of D(x) in each input coordinate of one row. */
function fdGradient(d: Discriminator, row: number[], h = 1e-3): number[] {
  return row.map((_, j) => {
    const up = row.slice();
    const down = row.slice();
    up[j]! += h;
    down[j]! -= h;
    const v = tf.tidy(() => d.logits(tf.tensor2d([up, down])).dataSync());
    return (v[0]! - v[1]!) / (2 * h);
  });
}

test('leaky-ReLU discriminator equals the MLP with tf.leakyRelu, and its input gradient matches finite differences', () => {
  const d = new Discriminator({ sizes: [3, 16, 16, 1], rng: seed('pen1') });
  const rows = [[0.3, -1.2, 0.8], [1.5, 0.1, -0.4], [-0.7, 0.9, 2.0]];
  const x = tf.tensor2d(rows);
  const ours = d.logits(x);
  const stock = tf.tidy(() => d.net.apply(x).reshape([-1]));
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(ours, stock))).dataSync()[0]!) < 1e-5);
  const g = inputGradient(d, x).arraySync();
  rows.forEach((row, i) => fdGradient(d, row).forEach((v, j) => assert.ok(Math.abs(v - g[i]![j]!) < 2e-3, `${v} vs ${g[i]![j]}`)));
  tf.dispose([x, ours, stock]);
  d.dispose();
});

test('R1 = gamma/2 mean ||grad D||^2 and the WGAN-GP term lambda mean (||grad D(xhat)|| - 1)^2, against finite-difference norms', () => {
  const d = new Discriminator({ sizes: [2, 12, 12, 1], rng: seed('pen2') });
  const real = [[0.5, 1.0], [-1.0, 0.3], [2.0, -0.5], [0.1, 0.1]];
  const fake = [[1.5, -1.0], [0.0, 0.0], [-0.3, 2.2], [1.0, 1.0]];
  const eps = [0.2, 0.9, 0.5, 0.35];
  const norm2 = (v: number[]) => v.reduce((s, a) => s + a * a, 0);
  const wantR1 = (0.7 / 2) * real.reduce((s, r) => s + norm2(fdGradient(d, r)), 0) / real.length;
  const xhat = real.map((r, i) => r.map((v, j) => eps[i]! * v + (1 - eps[i]!) * fake[i]![j]!));
  const wantGp = 10 * xhat.reduce((s, r) => s + (Math.sqrt(norm2(fdGradient(d, r))) - 1) ** 2, 0) / xhat.length;
  const xr = tf.tensor2d(real);
  const xf = tf.tensor2d(fake);
  const e = tf.tensor2d(eps, [4, 1]);
  const r1 = r1Penalty(d, xr, 0.7);
  const gp = gradientPenalty(d, xr, xf, 10, seed('unused'), e);
  assert.ok(Math.abs(r1.dataSync()[0]! - wantR1) < 2e-3 * Math.max(1, wantR1), `R1 ${r1.dataSync()[0]} vs ${wantR1}`);
  assert.ok(Math.abs(gp.dataSync()[0]! - wantGp) < 2e-3 * Math.max(1, wantGp), `GP ${gp.dataSync()[0]} vs ${wantGp}`);
  assert.throws(() => gradientPenalty(d, xr, tf.zeros([3, 2]) as tf.Tensor2D, 1, seed(0)), /same shape/);
  tf.dispose([xr, xf, e, r1, gp]);
  d.dispose();
});

test('the penalties are differentiable in the weights (double backprop): gradient of R1 matches a finite difference', () => {
  const d = new Discriminator({ sizes: [2, 8, 1], rng: seed('pen3') });
  const x = tf.tensor2d([[0.4, -0.2], [1.1, 0.7], [-0.5, 0.9]]);
  const W = d.net.weights[0]!;
  const { grads } = tf.variableGrads(() => r1Penalty(d, x, 1), [W]);
  const analytic = grads[W.name]!.arraySync() as number[][];
  const w0 = W.arraySync() as number[][];
  const at = (delta: number) => {
    const w = w0.map((r) => r.slice());
    w[1]![3]! += delta;
    W.assign(tf.tensor2d(w));
    return tf.tidy(() => r1Penalty(d, x, 1).dataSync()[0]!);
  };
  const h = 1e-2;
  const numeric = (at(h) - at(-h)) / (2 * h);
  W.assign(tf.tensor2d(w0));
  assert.ok(Math.abs(numeric - analytic[1]![3]!) < 2e-3 * Math.max(1, Math.abs(numeric)), `${numeric} vs ${analytic[1]![3]}`);
  tf.dispose([x, ...Object.values(grads)]);
  d.dispose();
});
