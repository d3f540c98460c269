/**
 * GroupNorm against its equation computed by hand in float64 (per example and group, over height, width
 * and the group's channels), gradients against central finite differences, G = 1 / G = C as layer and
 * instance norm, independence from the batch, and clear config errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { GroupNorm, defaultGroups } from '../../src/nn';
import { simdKernelsFor } from '../../src/runtime/simd-kernels';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

function naiveGN(x: number[], [B, H, W, C]: number[], G: number, gamma: number[], beta: number[], eps = 1e-5): number[] {
  const out = new Array<number>(x.length);
  const cg = C! / G;
  const idx = (b: number, i: number, j: number, c: number): number => ((b * H! + i) * W! + j) * C! + c;
  for (let b = 0; b < B!; b++) for (let g = 0; g < G; g++) {
    const members: number[] = [];
    for (let i = 0; i < H!; i++) for (let j = 0; j < W!; j++) for (let c = g * cg; c < (g + 1) * cg; c++) members.push(idx(b, i, j, c));
    const mu = members.reduce((s, k) => s + x[k]!, 0) / members.length;
    const v = members.reduce((s, k) => s + (x[k]! - mu) ** 2, 0) / members.length;
    for (const k of members) {
      const c = k % C!;
      out[k] = gamma[c]! * (x[k]! - mu) / Math.sqrt(v + eps) + beta[c]!;
    }
  }
  return out;
}

const randn = (n: number, label: string): number[] => { const r = seed(label); return Array.from({ length: n }, () => r.normal()); };

test('GroupNorm equals the equation by hand for G = 1, 2, 3, 6 (layer norm ... instance norm), with learned γ, β', () => {
  const shape = [2, 3, 4, 6];
  const x = randn(144, 'gn-x').map((v, i) => 3 * v + (i % 6) - 2);
  const before = tf.memory().numTensors;
  for (const G of [1, 2, 3, 6]) {
    const gn = new GroupNorm({ channels: 6, groups: G });
    const gamma = randn(6, `g${G}`), beta = randn(6, `b${G}`);
    tf.tidy(() => { gn.gamma.assign(tf.tensor1d(gamma)); gn.beta.assign(tf.tensor1d(beta)); });
    const want = naiveGN(x, shape, G, gamma, beta);
    const y = tf.tidy(() => gn.apply(tf.tensor4d(x, shape as [number, number, number, number])));
    const got = y.dataSync();
    want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-4 * (1 + Math.abs(v)), `G ${G} [${i}]: ${got[i]} vs ${v}`));
    y.dispose();
    gn.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no leaks');
});

test('GroupNorm at U-Net sizes (16 and 32 channels, odd maps, offset groups) equals the equation by hand', () => {
  for (const [shape, G] of [[[3, 7, 5, 16], 4], [[2, 4, 6, 32], 8]] as [[number, number, number, number], number][]) {
    const n = shape.reduce((p, q) => p * q, 1);
    // Group means far from 0 (up to ±20) against unit spreads: the centring must be exact, not E[x²] − E[x]².
    const x = randn(n, `gn-big-${G}`).map((v, i) => v + 10 * Math.sin(i % shape[3]));
    const gn = new GroupNorm({ channels: shape[3], groups: G });
    const gamma = randn(shape[3], `gbig${G}`), beta = randn(shape[3], `bbig${G}`);
    tf.tidy(() => { gn.gamma.assign(tf.tensor1d(gamma)); gn.beta.assign(tf.tensor1d(beta)); });
    const want = naiveGN(x, shape, G, gamma, beta);
    const got = tf.tidy(() => gn.apply(tf.tensor4d(x, shape)).dataSync());
    want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-4 * (1 + Math.abs(v)), `${shape} G ${G} [${i}]: ${got[i]} vs ${v}`));
    gn.dispose();
  }
});

test('GroupNorm gradients w.r.t. input, γ and β equal central finite differences of the naive loss', () => {
  const shape = [2, 2, 3, 4];
  const G = 2;
  const x = randn(48, 'gng-x');
  const gamma = randn(4, 'gng-g'), beta = randn(4, 'gng-b');
  const r = randn(48, 'gng-r');
  const loss = (xx: number[], gg: number[], bb: number[]): number => naiveGN(xx, shape, G, gg, bb).reduce((s, v, i) => s + r[i]! * v + 0.5 * v * v, 0);
  const gn = new GroupNorm({ channels: 4, groups: G });
  tf.tidy(() => { gn.gamma.assign(tf.tensor1d(gamma)); gn.beta.assign(tf.tensor1d(beta)); });
  const xt = tf.tensor4d(x, shape as [number, number, number, number]);
  const rt = tf.tensor4d(r, shape as [number, number, number, number]);
  const f = (xin: tf.Tensor4D): tf.Scalar => { const y = gn.apply(xin); return tf.add(tf.sum(tf.mul(rt, y)), tf.mul(0.5, tf.sum(tf.square(y)))) as tf.Scalar; };
  const { grads, value } = tf.variableGrads(() => f(xt), gn.variables());
  const gx = tf.grad((xin: tf.Tensor) => f(xin as tf.Tensor4D))(xt);
  const fd = (arr: number[], i: number, at: (a: number[]) => number): number => {
    const eps = 1e-3;
    const p = [...arr]; p[i]! += eps;
    const m = [...arr]; m[i]! -= eps;
    return (at(p) - at(m)) / (2 * eps);
  };
  const check = (got: ArrayLike<number>, arr: number[], at: (a: number[]) => number, what: string): void => {
    for (let i = 0; i < arr.length; i++) {
      const want = fd(arr, i, at);
      assert.ok(Math.abs(got[i]! - want) < 5e-3 * (1 + Math.abs(want)), `${what}[${i}]: ${got[i]} vs ${want}`);
    }
  };
  check(gx.dataSync(), x, (a) => loss(a, gamma, beta), 'dx');
  check(grads[gn.gamma.name]!.dataSync(), gamma, (a) => loss(x, a, beta), 'dgamma');
  check(grads[gn.beta.name]!.dataSync(), beta, (a) => loss(x, gamma, a), 'dbeta');
  tf.dispose([xt, rt, gx, value, ...Object.values(grads)]);
  gn.dispose();
});

test('on wasm, GroupNorm of a multiple of 4 channels runs the two fused kernels, which agree with the op chain (values and gradients) and leak nothing', () => {
  const simd = simdKernelsFor(tf.backend());
  assert.ok(simd !== null, 'the SIMD kernels load on wasm');
  for (const [shape, G] of [[[3, 7, 5, 16], 4], [[2, 9, 6, 32], 8], [[2, 3, 3, 8], 1], [[1, 4, 4, 12], 12]] as [[number, number, number, number], number][]) {
    const n = shape.reduce((p, q) => p * q, 1);
    const C = shape[3];
    const x = tf.tensor4d(randn(n, `gnf-${G}`).map((v, i) => 2 * v + 5 * Math.cos(i % C)), shape);
    const r = tf.tensor4d(randn(n, `gnf-r-${G}`), shape);
    const gn = new GroupNorm({ channels: C, groups: G });
    tf.tidy(() => { gn.gamma.assign(tf.tensor1d(randn(C, `gnf-g${G}`))); gn.beta.assign(tf.tensor1d(randn(C, `gnf-b${G}`))); });
    const run = (): Float32Array[] => tf.tidy(() => {
      const f = (): tf.Scalar => { const y = gn.apply(x); return tf.add(tf.sum(tf.mul(r, y)), tf.mul(0.5, tf.sum(tf.square(y)))) as tf.Scalar; };
      const { grads } = tf.variableGrads(f, gn.variables());
      const gx = tf.grad((xin: tf.Tensor) => { const y = gn.apply(xin as tf.Tensor4D); return tf.add(tf.sum(tf.mul(r, y)), tf.mul(0.5, tf.sum(tf.square(y)))); })(x);
      return [gn.apply(x), gx, grads[gn.gamma.name]!, grads[gn.beta.name]!].map((t) => t.dataSync() as Float32Array);
    });
    const calls = { f: 0, b: 0 };
    const [f0, b0] = [simd.gnForward, simd.gnBackward];
    simd.gnForward = (...a) => (calls.f++, f0(...a));
    simd.gnBackward = (...a) => (calls.b++, b0(...a));
    const before = tf.memory().numTensors;
    let fused: Float32Array[];
    try {
      fused = run();
    } finally {
      [simd.gnForward, simd.gnBackward] = [f0, b0];
    }
    assert.equal(tf.memory().numTensors, before, 'no leaks');
    assert.ok(calls.f >= 3 && calls.b >= 2, `the fused kernels ran (forward ${calls.f}, backward ${calls.b})`);
    process.env['GENLAB_SIMD_MATMUL'] = '0';
    let chain: Float32Array[];
    try {
      chain = run();
    } finally {
      delete process.env['GENLAB_SIMD_MATMUL'];
    }
    ['y', 'dx', 'dgamma', 'dbeta'].forEach((what, k) => {
      const scale = Math.max(...chain[k]!.map(Math.abs));
      chain[k]!.forEach((v, i) => assert.ok(Math.abs(fused[k]![i]! - v) < 2e-5 * (1 + scale), `${shape} G ${G} ${what}[${i}]: fused ${fused[k]![i]} vs op chain ${v}`));
    });
    tf.dispose([x, r]);
    gn.dispose();
  }
  // 6 channels: not a multiple of 4, so the op chain.
  const gn6 = new GroupNorm({ channels: 6, groups: 2 });
  let called = 0;
  const f0 = simd.gnForward;
  simd.gnForward = (...a) => (called++, f0(...a));
  try {
    tf.tidy(() => gn6.apply(tf.ones([1, 2, 2, 6]) as tf.Tensor4D).dataSync());
  } finally {
    simd.gnForward = f0;
  }
  assert.equal(called, 0, '6 channels take the op chain');
  gn6.dispose();
});

test('GroupNorm uses no batch statistics: an example normalises the same alone and in a batch', () => {
  const gn = new GroupNorm({ channels: 8 });
  const [alone, inBatch] = tf.tidy(() => {
    const x = tf.tensor4d(randn(3 * 5 * 5 * 8, 'gnb'), [3, 5, 5, 8]);
    return [gn.apply(tf.slice(x, [1, 0, 0, 0], [1, 5, 5, 8]) as tf.Tensor4D), tf.slice(gn.apply(x), [1, 0, 0, 0], [1, 5, 5, 8])];
  });
  const a = alone!.dataSync(), b = inBatch!.dataSync();
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5));
  tf.dispose([alone!, inBatch!]);
  gn.dispose();
});

test('GroupNorm: default groups (at most 8, at least 4 channels each), clear errors for groups that do not divide C and wrong inputs', () => {
  assert.deepEqual([1, 3, 4, 8, 12, 16, 32, 48, 36].map(defaultGroups), [1, 1, 1, 2, 2, 4, 8, 8, 4]);
  assert.throws(() => new GroupNorm({ channels: 6, groups: 4 }), /groups \(4\) must divide channels \(6\); pick a divisor such as 1, 2, 3, 6/);
  assert.throws(() => new GroupNorm({ channels: 0 }), /channels must be a positive integer/);
  assert.throws(() => new GroupNorm({ channels: 4, epsilon: 0 }), /epsilon must be positive/);
  const gn = new GroupNorm({ channels: 4 });
  tf.tidy(() => assert.throws(() => gn.apply(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D), /expected an NHWC batch \[batch, height, width, 4\], got shape \[1, 2, 2, 3\]/));
  gn.dispose();
});
