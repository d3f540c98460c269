/**
 * upsample2d against naive loops over its definition (nearest: y[i, j] = x[⌊i/f_h⌋, ⌊j/f_w⌋]; bilinear:
 * half-pixel-centre interpolation written out per output pixel), its input gradient against central finite
 * differences of the naive loss, the interpolation matrices' rows summing to 1, and clear errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { upsample2d, interpolationMatrix, type UpsampleMode } from '../../src/nn';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

/** Source coordinate and the two taps of 1-D bilinear upsampling (PyTorch align_corners=False), written independently. */
function taps(i: number, n: number, f: number): [number, number, number] {
  let u = (i + 0.5) / f - 0.5;
  if (u < 0) u = 0;
  if (u > n - 1) u = n - 1;
  const lo = Math.floor(u);
  const hi = lo + 1 < n ? lo + 1 : lo;
  return [lo, hi, u - lo];
}

function naive(x: number[], [B, H, W, C]: [number, number, number, number], fh: number, fw: number, mode: UpsampleMode): number[] {
  const at = (b: number, i: number, j: number, c: number): number => x[((b * H + i) * W + j) * C + c]!;
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < H * fh; i++) for (let j = 0; j < W * fw; j++) for (let c = 0; c < C; c++) {
    if (mode === 'nearest') { out.push(at(b, Math.floor(i / fh), Math.floor(j / fw), c)); continue; }
    const [i0, i1, di] = taps(i, H, fh);
    const [j0, j1, dj] = taps(j, W, fw);
    out.push((1 - di) * ((1 - dj) * at(b, i0, j0, c) + dj * at(b, i0, j1, c)) + di * ((1 - dj) * at(b, i1, j0, c) + dj * at(b, i1, j1, c)));
  }
  return out;
}

const CASES: { shape: [number, number, number, number]; f: number | [number, number] }[] = [
  { shape: [2, 3, 4, 2], f: 2 },
  { shape: [1, 5, 3, 3], f: [3, 2] },
  { shape: [2, 1, 2, 1], f: 4 },
  { shape: [1, 7, 7, 2], f: [1, 2] },
];

for (const mode of ['nearest', 'bilinear'] as const) {
  test(`upsample2d '${mode}' equals the naive loop for four shapes and factors, without leaks`, () => {
    const before = tf.memory().numTensors;
    CASES.forEach(({ shape, f }, k) => {
      const rng = seed(`up-${mode}-${k}`);
      const x = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
      const [fh, fw] = typeof f === 'number' ? [f, f] : f;
      const want = naive(x, shape, fh, fw, mode);
      const xt = tf.tensor4d(x, shape);
      const y = upsample2d(xt, f, mode);
      assert.deepEqual(y.shape, [shape[0], shape[1] * fh, shape[2] * fw, shape[3]]);
      const got = y.dataSync();
      want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-5, `case ${k} [${i}]: ${got[i]} vs ${v}`));
      tf.dispose([xt, y]);
    });
    assert.equal(tf.memory().numTensors, before);
  });

  test(`upsample2d '${mode}': input gradient equals central finite differences of the naive loss`, () => {
    const shape: [number, number, number, number] = [2, 3, 5, 2];
    const [fh, fw] = [2, 3];
    const rng = seed(`upgrad-${mode}`);
    const x = Array.from({ length: 60 }, () => rng.normal());
    const r = Array.from({ length: 60 * fh * fw }, () => rng.normal());
    // L = Σ r ⊙ upsample(x) + ½ Σ upsample(x)²: quadratic, so central differences are exact up to rounding.
    const loss = (xx: number[]): number => naive(xx, shape, fh, fw, mode).reduce((a, v, i) => a + r[i]! * v + 0.5 * v * v, 0);
    const rt = tf.tensor4d(r, [2, 3 * fh, 5 * fw, 2]);
    const xt = tf.tensor4d(x, shape);
    const g = tf.grad((xin: tf.Tensor) => {
      const y = upsample2d(xin as tf.Tensor4D, [fh, fw], mode);
      return tf.add(tf.sum(tf.mul(rt, y)), tf.mul(0.5, tf.sum(tf.square(y))));
    })(xt);
    const got = g.dataSync();
    for (let i = 0; i < x.length; i++) {
      const eps = 1e-3;
      const p = [...x]; p[i]! += eps;
      const m = [...x]; m[i]! -= eps;
      const fd = (loss(p) - loss(m)) / (2 * eps);
      assert.ok(Math.abs(got[i]! - fd) < 2e-3 * (1 + Math.abs(fd)), `d/dx[${i}]: ${got[i]} vs ${fd}`);
    }
    tf.dispose([rt, xt, g]);
  });
}

test('interpolationMatrix: rows sum to 1; nearest rows are one-hot; bilinear keeps a linear ramp linear inside', () => {
  for (const mode of ['nearest', 'bilinear'] as const) {
    const a = interpolationMatrix(5, 2, mode);
    for (let i = 0; i < 10; i++) {
      const row = Array.from(a.slice(i * 5, i * 5 + 5));
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-6, `${mode} row ${i}`);
      if (mode === 'nearest') assert.equal(row.filter((v) => v === 1).length, 1);
    }
  }
  // Upsampling x_k = k by 2 at pixel centres: output i sits at (i + ½)/2 − ½ = i/2 − ¼, where it is not clamped.
  const a = interpolationMatrix(4, 2, 'bilinear');
  for (let i = 1; i < 7; i++) {
    const v = [0, 1, 2, 3].reduce((s, k) => s + a[i * 4 + k]! * k, 0);
    assert.ok(Math.abs(v - (i / 2 - 0.25)) < 1e-6, `ramp at ${i}: ${v}`);
  }
});

test('upsample2d: clear errors for rank, factor and mode', () => {
  tf.tidy(() => {
    assert.throws(() => upsample2d(tf.zeros([2, 784]) as unknown as tf.Tensor4D, 2), /expected an NHWC batch/);
    assert.throws(() => upsample2d(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 0), /factor \(height\) must be a positive integer/);
    assert.throws(() => upsample2d(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, [2, 1.5]), /factor \(width\) must be a positive integer/);
    assert.throws(() => upsample2d(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 2, 'cubic' as UpsampleMode), /unknown mode "cubic"/);
  });
});
