/**
 * The wasm kernels that work on wasm memory from JavaScript (src/runtime/wasm-heap-kernels.ts) against
 * the `cpu` backend's kernels on the same pseudo-random inputs, odd shapes included; the stock fallbacks
 * (other dtypes, NCHW) and that no tensor or wasm buffer leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { values } from './values';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, REPLACED_KERNELS } from '../../src/runtime/wasm-kernels';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<{ arrays: Float32Array[]; dtypes: string[] }> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const arrays = list.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  const dtypes = list.map((t) => t.dtype);
  tf.dispose(list);
  return { arrays, dtypes };
}

function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst <= tol, `${what}: max relative error ${worst} > ${tol}`);
}

async function sameOnBoth(f: () => tf.Tensor | tf.Tensor[], tol: number, what: string, checkDtypes = true): Promise<void> {
  const expected = await on('cpu', f);
  const actual = await on('wasm', f);
  if (checkDtypes) assert.deepEqual(actual.dtypes, expected.dtypes, `${what}: dtypes`);
  expected.arrays.forEach((e, i) => assertClose(actual.arrays[i]!, e, tol, `${what} [${i}]`));
}

/** The wasm backend's live buffers (tensors and their memory) must not grow across `f`. */
async function noLeak(f: () => Promise<void>): Promise<void> {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { dataIdMap: { numDataIds(): number } };
  const tensors = tf.memory().numTensors;
  const buffers = backend.dataIdMap.numDataIds();
  await f();
  await tf.setBackend('wasm');
  assert.equal(tf.memory().numTensors, tensors, 'tensor count is flat');
  assert.equal(backend.dataIdMap.numDataIds(), buffers, 'wasm buffers are flat');
}

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

test('the replaced kernels are installed, idempotently, and uninstall puts the stock ones back', () => {
  const mine = REPLACED_KERNELS.map((n) => tf.getKernel(n, 'wasm')!.kernelFunc);
  assert.deepEqual(installWasmTrainingKernels(), []);
  const removed = uninstallWasmTrainingKernels();
  for (const n of REPLACED_KERNELS) assert.ok(removed.includes(n), `${n} restored`);
  REPLACED_KERNELS.forEach((n, i) => assert.notEqual(tf.getKernel(n, 'wasm')!.kernelFunc, mine[i], `${n} is the stock kernel again`));
  const added = installWasmTrainingKernels();
  for (const n of REPLACED_KERNELS) assert.ok(added.includes(n), `${n} re-installed`);
});

const convCases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 7, 5, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'same' },
  { x: [3, 9, 8, 2], f: [2, 4, 2, 5], s: [2, 3], pad: 'valid' },
  { x: [2, 10, 11, 1], f: [5, 5, 1, 3], s: 2, pad: 1 },
  { x: [1, 13, 13, 7], f: [1, 1, 7, 3], s: 3, pad: 'same' },
  { x: [4, 28, 28, 16], f: [3, 3, 16, 1], s: 1, pad: 'same' },
];

for (const c of convCases) {
  test(`Conv2DBackpropInput (dy·Wᵀ and col2im) equals cpu: x ${c.x}, filter ${c.f}, strides ${c.s}, pad ${c.pad}`, async () => {
    const xv = values(size(c.x), 21);
    const fv = values(size(c.f), 22);
    const dx = (): tf.Tensor[] => {
      const x = tf.tensor4d(xv, c.x);
      const w = tf.tensor4d(fv, c.f);
      const y = tf.conv2d(x, w, c.s, c.pad);
      const r = tf.tensor(values(size(y.shape), 23), y.shape);
      // dx through the public gradient API, and the kernel called directly as a transposed convolution.
      const viaGrad = tf.grad((xx: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, w, c.s, c.pad).mul(r).sum())(x);
      const direct = tf.conv2dTranspose(r as tf.Tensor4D, w, c.x, c.s, c.pad);
      return [viaGrad, direct];
    };
    await sameOnBoth(dx, 1e-5, 'dx');
  });
}

test('Conv2DBackpropInput (strided, same padding) leaks no tensor and no wasm buffer', async () => {
  await noLeak(async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      const w = tf.tensor4d(values(3 * 3 * 2 * 4, 24), [3, 3, 2, 4]);
      const r = tf.tensor4d(values(2 * 4 * 4 * 4, 25), [2, 4, 4, 4]);
      const dx = tf.conv2dTranspose(r, w, [2, 8, 8, 2], 2, 'same');
      assert.deepEqual(dx.shape, [2, 8, 8, 2]);
    });
  });
});

test('Unpack (tf.unstack, the gradient of tf.stack) equals cpu on every axis, float32, int32 and bool', async () => {
  const f = (): tf.Tensor[] => {
    const x = tf.tensor(values(3 * 5 * 2 * 7 * 4, 26), [3, 5, 2, 7, 4]);
    const xi = tf.tensor3d(Int32Array.from({ length: 2 * 3 * 5 }, (_, i) => i * 37 - 400), [2, 3, 5], 'int32');
    const xb = tf.greater(tf.tensor2d(values(4 * 3, 27), [4, 3]), 0);
    const wide = tf.tensor2d(values(3 * 100, 28), [3, 100]);
    return [
      ...[0, 1, 2, 3, 4, -1].flatMap((axis) => tf.unstack(x, axis)),
      ...[0, 2].flatMap((axis) => tf.unstack(xi, axis)),
      ...tf.unstack(xb, 1).map((t) => tf.cast(t, 'float32')),
      ...tf.unstack(wide, 0),
      tf.grad((a: tf.Tensor) => tf.stack([a, tf.mul(a, 2)], 2).mul(tf.tensor(values(3 * 5 * 2 * 2 * 7 * 4, 29), [3, 5, 2, 2, 7, 4])).sum())(x),
    ];
  };
  await sameOnBoth(f, 0, 'unstack');
  await noLeak(async () => {
    await on('wasm', f);
  });
});

test('UnsortedSegmentSum (tf.unsortedSegmentSum, the gradient of tf.gather) equals cpu; negative ids dropped', async () => {
  const f = (): tf.Tensor[] => {
    const x = tf.tensor3d(values(6 * 2 * 3, 30), [6, 2, 3]);
    const ids = tf.tensor1d([4, 0, -1, 4, 2, 4], 'int32');
    const xi = tf.tensor2d(Int32Array.from({ length: 5 * 3 }, (_, i) => i * 11 - 70), [5, 3], 'int32');
    const table = tf.tensor2d(values(64 * 16, 31), [64, 16]);
    const tokens = tf.tensor2d(Int32Array.from({ length: 9 * 7 }, (_, i) => (i * 29 + 3) % 64), [9, 7], 'int32');
    const r = tf.tensor3d(values(9 * 7 * 16, 32), [9, 7, 16]);
    return [
      tf.unsortedSegmentSum(x, ids, 5),
      tf.unsortedSegmentSum(xi, tf.tensor1d([1, 1, 0, 3, 1], 'int32'), 4),
      tf.grad((t: tf.Tensor) => tf.gather(t, tokens).mul(r).sum())(table), // the embedding gradient
    ];
  };
  // The cpu kernel returns int32 sums as float32; TensorFlow (and this kernel) keeps x's dtype.
  await sameOnBoth(f, 1e-6, 'segment sum', false);
  await noLeak(async () => {
    assert.deepEqual((await on('wasm', f)).dtypes, ['float32', 'int32', 'float32']);
  });
});

test('UnsortedSegmentSum rejects an id >= numSegments with a message that names it, and leaks nothing', async () => {
  await noLeak(async () => {
    await tf.setBackend('wasm');
    assert.throws(
      () => tf.tidy(() => tf.unsortedSegmentSum(tf.ones([3, 2]), tf.tensor1d([0, 5, 1], 'int32'), 3)),
      /segment id 5 at position 1 is not below numSegments = 3/,
    );
  });
});

/** Every permutation of 0..r-1. */
function permutations(r: number): number[][] {
  if (r === 1) return [[0]];
  return permutations(r - 1).flatMap((p) => Array.from({ length: r }, (_, i) => [...p.slice(0, i), r - 1, ...p.slice(i)]));
}

test('Transpose (rank >= 3, strided copy) equals cpu for every permutation of ranks 3-5, float32 and int32', async () => {
  const f = (): tf.Tensor[] => {
    const x3 = tf.tensor3d(values(3 * 5 * 7, 33), [3, 5, 7]);
    const x4 = tf.tensor4d(values(2 * 3 * 1 * 5, 34), [2, 3, 1, 5]);
    const x5 = tf.tensor(values(2 * 3 * 4 * 2 * 40, 35), [2, 3, 4, 2, 40]);
    const xi = tf.tensor3d(Int32Array.from({ length: 4 * 2 * 3 }, (_, i) => i * 13 - 50), [4, 2, 3], 'int32');
    return [
      ...permutations(3).map((p) => tf.transpose(x3, p)),
      ...permutations(4).map((p) => tf.transpose(x4, p)),
      ...permutations(5).map((p) => tf.transpose(x5, p)),
      ...permutations(3).map((p) => tf.transpose(xi, p)),
      tf.cast(tf.transpose(tf.greater(x3, 0), [2, 0, 1]), 'float32'), // bool: stock kernel
      tf.transpose(tf.zeros([2, 0, 3]), [2, 1, 0]),
    ];
  };
  await sameOnBoth(f, 0, 'transpose');
  await noLeak(async () => {
    await on('wasm', f);
  });
});

test('Conv2DBackpropFilter (colsᵀ · dy) equals cpu on a wide odd case and leaks no tensor or wasm buffer', async () => {
  const f = (): tf.Tensor => {
    const x = tf.tensor4d(values(3 * 11 * 9 * 6, 36), [3, 11, 9, 6]);
    const r = tf.tensor4d(values(3 * 6 * 3 * 5, 37), [3, 6, 3, 5]);
    const w = tf.zeros([4, 3, 6, 5]);
    return tf.grad((wv: tf.Tensor) => tf.conv2d(x, wv as tf.Tensor4D, [2, 3], 'same').mul(r).sum())(w);
  };
  await sameOnBoth(f, 1e-5, 'dW');
  await noLeak(async () => {
    await on('wasm', f);
  });
});

test('Concat and SplitV along the last axis (SIMD row copies) equal cpu for odd widths, int32, three parts, and their gradients; other axes keep the stock kernels', async () => {
  const { simdKernelsFor } = await import('../../src/runtime/simd-kernels');
  await tf.setBackend('wasm');
  const simd = simdKernelsFor(tf.backend())!;
  let calls = 0;
  const inner = simd.copyRows;
  simd.copyRows = (...a) => (calls++, inner(...a));
  try {
    const f = (): tf.Tensor[] => {
      const a = tf.tensor(values(2 * 5 * 3 * 16, 61), [2, 5, 3, 16]);
      const b = tf.tensor(values(2 * 5 * 3 * 7, 62), [2, 5, 3, 7]);   // 7: the four-wide copies and a scalar tail
      const c = tf.tensor(values(2 * 5 * 3 * 1, 63), [2, 5, 3, 1]);
      const e = tf.zeros([2, 5, 3, 0]);                                   // an empty part
      const ai = tf.tensor2d(Int32Array.from({ length: 4 * 6 }, (_, i) => i * 13 - 90), [4, 6], 'int32');
      const bi = tf.tensor2d(Int32Array.from({ length: 4 * 3 }, (_, i) => 7 - i), [4, 3], 'int32');
      const x = tf.tensor(values(3 * 4 * 23, 64), [3, 4, 23]);
      const w = tf.tensor(values(2 * 5 * 3 * 24, 65), [2, 5, 3, 24]);
      return [
        tf.concat([a, b, c], 3), tf.concat([a, e, b], -1), tf.concat([ai, bi], 1), tf.concat([a, a], 0), tf.concat([a, b], 3).slice([1, 2, 0, 10], [1, 2, 3, 10]),
        ...tf.split(x, [5, 1, 17], 2), ...tf.split(x, [5, 1, 17], -1), ...tf.split(x, 2, 1), ...tf.split(ai, [2, 4], 1),
        // the U-Net's skip: concat in the forward pass, SplitV in its gradient
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.concat([t, tf.mul(t, 2)], 3), w)))(tf.tensor(values(2 * 5 * 3 * 12, 66), [2, 5, 3, 12])),
      ];
    };
    await sameOnBoth(f, 0, 'concat/split');
    assert.ok(calls >= 12, `the SIMD row copies ran (${calls} calls)`);
    await noLeak(async () => {
      await on('wasm', f);
    });
  } finally {
    simd.copyRows = inner;
  }
});
