/**
 * The explicit-transpose wasm matrix products (src/runtime/wasm-matmul.ts) against the stock kernels and
 * against a plain JS triple loop (the oracle), for every transpose combination, batched and fused.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { values } from './values';
import { installFastWasmMatMul, uninstallFastWasmMatMul, fastWasmMatMulInstalled } from '../../src/runtime/wasm-matmul';


/** C[b] = op(A[b]) · op(B[b]) by the definition, in float64. */
function reference(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = tA ? a[p * k * m + q * m + i]! : a[p * m * k + i * k + q]!;
          const bv = tB ? b[p * n * k + j * k + q]! : b[p * k * n + q * n + j]!;
          s += av * bv;
        }
        c[p * m * n + i * n + j] = s;
      }
  return c;
}

function maxErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installFastWasmMatMul();
});

for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  test(`matMul transposeA=${tA} transposeB=${tB}: batched and 2-D agree with the definition`, () => {
    const [batch, m, k, n] = [3, 5, 7, 4];
    const a = values(batch * m * k, 1);
    const b = values(batch * k * n, 2);
    const ref = reference(a, b, batch, m, k, n, tA, tB);
    const A = tf.tensor3d(a, tA ? [batch, k, m] : [batch, m, k]);
    const B = tf.tensor3d(b, tB ? [batch, n, k] : [batch, k, n]);
    const got = tf.matMul(A, B, tA, tB);
    assert.deepEqual(got.shape, [batch, m, n]);
    assert.ok(maxErr(got.dataSync(), ref) < 1e-5);
    const A2 = tf.tensor2d(a.slice(0, m * k), tA ? [k, m] : [m, k]);
    const B2 = tf.tensor2d(b.slice(0, k * n), tB ? [n, k] : [k, n]);
    assert.ok(maxErr(tf.matMul(A2, B2, tA, tB).dataSync(), ref.slice(0, m * n)) < 1e-5);
    tf.dispose([A, B, got, A2, B2]);
  });
}

const batchedCases: [number[], number[], string][] = [
  [[4, 32, 40], [4, 40, 32], 'small products (m·k·n <= JS_MAX_WORK): JavaScript on wasm memory'],
  [[4, 64, 40], [4, 40, 32], 'mid-sized products: one XNNPACK call per batch'],
  [[3, 64, 64], [3, 64, 48], 'per-batch XNNPACK products'],
  [[300, 5, 7], [300, 7, 3], 'more batches than MAX_SPLIT_BATCH: JavaScript'],
  [[4, 64, 40], [1, 40, 32], 'shared weights: one [batch·m, k] product'],
  [[1, 64, 40], [4, 40, 32], 'shared left operand'],
  [[2, 3, 64, 40], [2, 3, 40, 32], 'two batch dims'],
  [[2, 1, 64, 40], [1, 3, 40, 32], 'batch dims broadcast both ways: tiled first (the stock kernel gets these wrong)'],
  [[2, 1, 4, 3], [1, 3, 3, 2], 'small, broadcast both ways: tiled, then the stock kernel'],
  [[6, 4, 3], [6, 3, 2], 'tiny products: JavaScript'],
  [[2, 3, 9, 5], [2, 3, 5, 9], 'attention scores, odd sizes: JavaScript'],
];
for (const [aShape, bShape, what] of batchedCases) {
  test(`batched matMul ${aShape} x ${bShape} (${what}) agrees with the definition, also transposed`, () => {
    const [m, k] = [aShape[aShape.length - 2]!, aShape[aShape.length - 1]!];
    const n = bShape[bShape.length - 1]!;
    const outer = aShape.slice(0, -2).map((d, i) => Math.max(d, bShape[i]!));
    const batch = outer.reduce((p, q) => p * q, 1);
    const A = tf.tensor(values(aShape.reduce((p, q) => p * q, 1), 9), aShape);
    const B = tf.tensor(values(bShape.reduce((p, q) => p * q, 1), 10), bShape);
    // The oracle on explicitly broadcast copies.
    const Ab = tf.broadcastTo(A, [...outer, m, k]);
    const Bb = tf.broadcastTo(B, [...outer, k, n]);
    const ref = reference(Ab.dataSync() as Float32Array, Bb.dataSync() as Float32Array, batch, m, k, n, false, false);
    const got = tf.matMul(A, B);
    assert.deepEqual(got.shape, [...outer, m, n]);
    assert.ok(maxErr(got.dataSync(), ref) < 1e-4, 'plain');
    const At = tf.transpose(A, [...outer.keys(), outer.length + 1, outer.length]);
    const gotT = tf.matMul(At, B, true, false);
    assert.ok(maxErr(gotT.dataSync(), ref) < 1e-4, 'transposeA');
    const ids = tf.engine().backend.numDataIds();
    tf.tidy(() => void tf.matMul(A, B).dataSync());
    assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
    tf.dispose([A, B, Ab, Bb, got, At, gotT]);
  });
}

test('fused matMul (bias + relu) with transposes equals the unfused ops', () => {
  const a = tf.tensor2d(values(6 * 8, 3), [8, 6]);
  const b = tf.tensor2d(values(5 * 8, 4), [5, 8]);
  const bias = tf.tensor1d(values(5, 5));
  const fused = tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu' });
  const plain = tf.relu(tf.add(tf.matMul(tf.transpose(a), tf.transpose(b)), bias));
  assert.ok(maxErr(fused.dataSync(), plain.dataSync()) < 1e-5);
  tf.dispose([a, b, bias, fused, plain]);
});

test('gradients of a dense layer through the patched kernels equal those of the stock kernels', () => {
  const x = tf.tensor2d(values(16 * 12, 6), [16, 12]);
  const w = tf.tensor2d(values(12 * 9, 7), [12, 9]);
  const g = (): tf.Tensor[] => tf.grads((xv: tf.Tensor, wv: tf.Tensor) => tf.tanh(tf.matMul(xv as tf.Tensor2D, wv as tf.Tensor2D)).sum())([x, w]);
  const fast = g();
  assert.ok(fastWasmMatMulInstalled());
  assert.deepEqual(uninstallFastWasmMatMul().sort(), ['BatchMatMul', '_FusedMatMul']);
  assert.ok(!fastWasmMatMulInstalled());
  const stock = g();
  installFastWasmMatMul();
  assert.ok(fastWasmMatMulInstalled());
  for (let i = 0; i < 2; i++) assert.ok(maxErr(fast[i]!.dataSync(), stock[i]!.dataSync()) < 1e-5);
  tf.dispose([x, w, ...fast, ...stock]);
});

test('install and uninstall are idempotent, and no wasm buffer leaks', () => {
  assert.ok(installFastWasmMatMul().length === 2);
  const a = tf.tensor2d(values(20, 8), [4, 5]);
  const once = (): void => tf.tidy(() => void tf.matMul(a, a, true, false).dataSync());
  once();
  const ids = tf.engine().backend.numDataIds();
  for (let i = 0; i < 5; i++) once();
  assert.equal(tf.engine().backend.numDataIds(), ids);
  uninstallFastWasmMatMul();
  assert.deepEqual(uninstallFastWasmMatMul(), []);
  installFastWasmMatMul();
  a.dispose();
});

test('attention-shaped products with every transpose (JavaScript path) equal the cpu backend, and leak nothing', async () => {
  const shapes: [number, number, number, number][] = [[2, 3, 11, 7], [1, 4, 64, 16], [5, 1, 3, 1]]; // [B, H, L, d]
  for (const [B, H, L, d] of shapes) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const run = (): Float32Array => tf.tidy(() => {
        const q = tf.tensor(values(B * H * L * d, 41), tA ? [B, H, d, L] : [B, H, L, d]);
        const k = tf.tensor(values(B * H * L * d, 42), tB ? [B, H, L, d] : [B, H, d, L]);
        return tf.matMul(q, k, tA, tB).dataSync() as Float32Array;
      });
      await tf.setBackend('cpu');
      const expected = run();
      await tf.setBackend('wasm');
      const ids = tf.engine().backend.numDataIds();
      const got = run();
      assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
      assert.ok(maxErr(got, expected) < 1e-5, `[${B}, ${H}, ${L}, ${d}] tA=${tA} tB=${tB}`);
    }
  }
});

test('SIMD products (simd-kernels.ts) equal the cpu backend for odd sizes, every transpose and one-sided broadcasts', async () => {
  const { simdMatMulFor } = await import('../../src/runtime/simd-kernels');
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: import('../../src/runtime/simd-kernels').WasmMemory } } }).wasm.asm.memory;
  const simd = simdMatMulFor(memory);
  assert.ok(simd !== null, 'the SIMD module instantiates on the wasm memory');
  // Count calls, so the test fails if the products stop reaching the SIMD path.
  let calls = 0;
  const [nn, nt] = [simd.mmNN, simd.mmNT];
  simd.mmNN = (...args) => (calls++, nn(...args));
  simd.mmNT = (...args) => (calls++, nt(...args));
  // n covers the 16-, 4- and 1-column loops; k the 4-lane dot products and their tails.
  const cases: [number[], number[]][] = [
    [[3, 5, 7], [3, 7, 1]], [[3, 5, 7], [3, 7, 19]], [[2, 2, 9, 16], [2, 2, 16, 35]], [[4, 1, 3], [4, 3, 4]],
    [[5, 6, 13], [1, 13, 21]], [[1, 6, 13], [5, 13, 21]], [[7, 64, 16], [7, 16, 64]],
  ];
  for (const [aShape, bShape] of cases) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true]] as const) {
      const ra = aShape.length;
      const rb = bShape.length;
      const aS = tA ? [...aShape.slice(0, -2), aShape[ra - 1]!, aShape[ra - 2]!] : aShape;
      const bS = tB ? [...bShape.slice(0, -2), bShape[rb - 1]!, bShape[rb - 2]!] : bShape;
      const run = (): Float32Array => tf.tidy(() => {
        const a = tf.tensor(values(aS.reduce((p, q) => p * q, 1), 51), aS);
        const b = tf.tensor(values(bS.reduce((p, q) => p * q, 1), 52), bS);
        return tf.matMul(a, b, tA, tB).dataSync() as Float32Array;
      });
      await tf.setBackend('cpu');
      const expected = run();
      await tf.setBackend('wasm');
      const ids = tf.engine().backend.numDataIds();
      const got = run();
      process.env['GENLAB_SIMD_MATMUL'] = '0';
      const before = calls;
      const js = run();
      delete process.env['GENLAB_SIMD_MATMUL'];
      assert.equal(calls, before, 'GENLAB_SIMD_MATMUL=0 turns the SIMD path off');
      assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
      const what = `${aS} x ${bS} tA=${tA} tB=${tB}`;
      assert.ok(maxErr(got, expected) < 1e-5, `SIMD vs cpu: ${what}`);
      assert.ok(maxErr(js, expected) < 1e-5, `JS vs cpu: ${what}`);
    }
  }
  assert.ok(calls >= 18, `the SIMD kernels ran (${calls} calls)`);
  [simd.mmNN, simd.mmNT] = [nn, nt];
});

test('single products go through the SIMD kernels, large ones in packed blocks (mm_tiled) with remainders in k and n; all equal the definition', async () => {
  const { simdMatMulFor } = await import('../../src/runtime/simd-kernels');
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: import('../../src/runtime/simd-kernels').WasmMemory } } }).wasm.asm.memory;
  const simd = simdMatMulFor(memory)!;
  const calls = { panel: 0, tiled: 0 };
  const [nn, nt, tiled] = [simd.mmNN, simd.mmNT, simd.mmTiled];
  simd.mmNN = (...args) => (calls.panel++, nn(...args));
  simd.mmNT = (...args) => (calls.panel++, nt(...args));
  simd.mmTiled = (...args) => (calls.tiled++, tiled(...args));
  try {
    // [m, k, n, tA, tB, path]: k = 600 is three blocks of 256 rows of B (the last 88), n = 150 three of 64 columns
    // (the last 22: the 16-, 4- and 1-column loops); a transposed A is packed in 4x4 tiles and one value at a time at
    // the edges (m or k not multiples of 4), and keeps the unpacked panel below 16 columns; a transposed B (stored
    // [n, k]) is gathered into the blocks.
    const cases = [
      [37, 21, 35, false, false, 'panel'], [37, 21, 35, false, true, 'panel'], [37, 21, 35, true, false, 'panel'], [19, 23, 65, true, false, 'panel'],
      [37, 600, 150, false, false, 'tiled'], [37, 600, 150, true, false, 'tiled'], [33, 300, 64, false, false, 'tiled'], [5, 257, 70, true, false, 'tiled'],
      [37, 600, 40, true, false, 'tiled'], [301, 257, 15, true, false, 'panel'], [37, 600, 150, false, true, 'tiled'], [9, 300, 70, false, true, 'tiled'],
      [64, 1024, 64, true, false, 'tiled'], [6, 260, 4099, true, false, 'tiled'],
    ] as const;
    for (const [m, k, n, tA, tB, path] of cases) {
      const a = values(m * k, 91);
      const b = values(k * n, 92);
      const ref = reference(a, b, 1, m, k, n, tA, tB);
      const before = { ...calls };
      const ids = tf.engine().backend.numDataIds();
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, tA ? [k, m] : [m, k]), tf.tensor2d(b, tB ? [n, k] : [k, n]), tA, tB).dataSync());
      assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
      const what = `${m}x${k}x${n} tA=${tA} tB=${tB}`;
      assert.equal(calls.tiled - before.tiled, path === 'tiled' ? 1 : 0, `${what}: packed blocks ${path === 'tiled'}`);
      assert.equal(calls.panel - before.panel, path === 'panel' ? 1 : 0, `${what}: unpacked panel ${path === 'panel'}`);
      assert.ok(maxErr(got, ref) < 1e-5 * Math.sqrt(k), what);
    }
  } finally {
    [simd.mmNN, simd.mmNT, simd.mmTiled] = [nn, nt, tiled];
  }
});
