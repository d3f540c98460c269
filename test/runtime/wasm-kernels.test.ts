/**
 * The training kernels added to `wasm` (src/runtime/wasm-kernels.ts) against the `cpu` backend's kernels,
 * which serve as the oracle. Inputs are the same numbers on both backends; tolerances are float32
 * round-off for sums of up to a few thousand products.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { onBackend as on, values } from './values';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/runtime/wasm-kernels';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Run `f` on a backend and return its outputs as plain arrays. */

function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    worst = Math.max(worst, err);
  }
  assert.ok(worst <= tol, `${what}: max relative error ${worst} > ${tol}`);
}

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

test('every listed kernel is registered on wasm after install, and install is idempotent', () => {
  for (const name of WASM_TRAINING_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), `${name} registered`);
  assert.deepEqual(installWasmTrainingKernels(), [], 'second install adds nothing');
});

const convCases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'same' },
  { x: [3, 9, 8, 2], f: [2, 4, 2, 5], s: [2, 3], pad: 'valid' },
  { x: [2, 10, 10, 1], f: [5, 5, 1, 3], s: 2, pad: 1 },
  { x: [4, 28, 28, 1], f: [3, 3, 1, 8], s: 2, pad: 'same' },
];

for (const c of convCases) {
  test(`Conv2DBackpropFilter on wasm equals cpu: x ${c.x}, filter ${c.f}, strides ${c.s}, pad ${c.pad}`, async () => {
    const xv = values(size(c.x), 1);
    const fv = values(size(c.f), 2);
    // dW through the public gradient API: d/dW sum(conv2d(x, W) * r) for a fixed random r.
    const grad = (): tf.Tensor => {
      const x = tf.tensor4d(xv, c.x);
      const w = tf.tensor4d(fv, c.f);
      const y = tf.conv2d(x, w, c.s, c.pad);
      const r = tf.tensor(values(size(y.shape), 3), y.shape);
      return tf.grad((wv: tf.Tensor) => tf.conv2d(x, wv as tf.Tensor4D, c.s, c.pad).mul(r).sum())(w);
    };
    const [expected] = await on('cpu', grad);
    const [actual] = await on('wasm', grad);
    assertClose(actual!, expected!, 1e-4, 'dW');
  });
}

const inputGradCases: { x: [number, number, number, number]; f: [number, number, number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], pad: 'same' },
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], pad: 'valid' },
  { x: [3, 9, 8, 2], f: [2, 4, 2, 5], pad: 'same' },
  { x: [2, 10, 10, 1], f: [5, 5, 1, 3], pad: 1 },
  { x: [2, 6, 6, 4], f: [1, 1, 4, 2], pad: 'valid' },
];

for (const c of inputGradCases) {
  test(`Conv2DBackpropInput (stride 1, as a convolution) on wasm equals cpu: x ${c.x}, filter ${c.f}, pad ${c.pad}`, async () => {
    const xv = values(size(c.x), 7);
    const fv = values(size(c.f), 8);
    const grad = (): tf.Tensor => {
      const x = tf.tensor4d(xv, c.x);
      const w = tf.tensor4d(fv, c.f);
      const y = tf.conv2d(x, w, 1, c.pad);
      const r = tf.tensor(values(size(y.shape), 9), y.shape);
      return tf.grad((xin: tf.Tensor) => tf.conv2d(xin as tf.Tensor4D, w, 1, c.pad).mul(r).sum())(x);
    };
    const [expected] = await on('cpu', grad);
    const [actual] = await on('wasm', grad);
    assertClose(actual!, expected!, 1e-4, 'dx');
  });
}

test('a small CNN trains on wasm: one SGD step gives the same weights and loss as on cpu', async () => {
  const step = (): tf.Tensor[] => {
    const x = tf.tensor4d(values(8 * 12 * 12 * 1, 4), [8, 12, 12, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const w1 = tf.variable(tf.tensor4d(values(3 * 3 * 1 * 4, 5), [3, 3, 1, 4]));
    const w2 = tf.variable(tf.tensor2d(values(6 * 6 * 4 * 3, 6), [6 * 6 * 4, 3]));
    const loss = (): tf.Scalar => {
      const h = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'));
      return tf.losses.softmaxCrossEntropy(y, tf.matMul(h.reshape([8, -1]), w2)) as tf.Scalar;
    };
    const opt = tf.train.sgd(0.5);
    const l0 = opt.minimize(loss, true) as tf.Scalar;
    const out = [l0, w1.clone(), w2.clone(), loss()];
    opt.dispose();
    w1.dispose();
    w2.dispose();
    return out;
  };
  const expected = await on('cpu', step);
  const actual = await on('wasm', step);
  ['loss before', 'conv filter', 'dense weights', 'loss after'].forEach((what, i) => assertClose(actual[i]!, expected[i]!, 1e-4, what));
  assert.ok(actual[3]![0]! < actual[0]![0]!, 'the step lowered the loss');
});

test('depthwise convolution gradients (bridged) equal cpu', async () => {
  const grads = (): tf.Tensor[] => {
    const x = tf.tensor4d(values(2 * 6 * 6 * 3, 7), [2, 6, 6, 3]);
    const w = tf.tensor4d(values(3 * 3 * 3 * 2, 8), [3, 3, 3, 2]);
    const r = tf.tensor4d(values(2 * 3 * 3 * 6, 9), [2, 3, 3, 6]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').mul(r).sum());
    return g([x, w]);
  };
  const expected = await on('cpu', grads);
  const actual = await on('wasm', grads);
  assertClose(actual[0]!, expected[0]!, 1e-4, 'dx');
  assertClose(actual[1]!, expected[1]!, 1e-4, 'dW');
});

test('gather gradient (UnsortedSegmentSum, bridged) and einsum equal cpu', async () => {
  const f = (): tf.Tensor[] => {
    const table = tf.tensor2d(values(10 * 4, 10), [10, 4]);
    const idx = tf.tensor1d([3, 1, 3, 9, 0, 3], 'int32');
    const r = tf.tensor2d(values(6 * 4, 11), [6, 4]);
    const dTable = tf.grad((t: tf.Tensor) => tf.gather(t, idx).mul(r).sum())(table);
    const e = tf.einsum('ij,jk->ik', table, tf.tensor2d(values(4 * 5, 12), [4, 5]));
    return [dTable, e];
  };
  const expected = await on('cpu', f);
  const actual = await on('wasm', f);
  assertClose(actual[0]!, expected[0]!, 1e-5, 'd table');
  assertClose(actual[1]!, expected[1]!, 1e-5, 'einsum');
});

test('GatherV2 (rows copied in wasm memory on axis 0; stock kernel otherwise) equals cpu', async () => {
  const f = (): tf.Tensor[] => {
    const x2 = tf.tensor2d(values(50 * 7, 15), [50, 7]);
    const x3 = tf.tensor3d(values(20 * 3 * 4, 16), [20, 3, 4]);
    const xi = tf.tensor2d(Int32Array.from({ length: 30 }, (_, i) => i * 7 - 50), [10, 3], 'int32');
    const xb = tf.cast(tf.greater(tf.tensor2d(values(12 * 5, 17), [12, 5]), 0), 'bool');
    const idx = tf.tensor1d([49, 0, 3, 3, 17, 48], 'int32');
    const idx2 = tf.tensor2d([[1, 2], [9, 0]], [2, 2], 'int32');
    return [
      tf.gather(x2, idx),
      tf.gather(x3, tf.tensor1d([19, 2, 2], 'int32')),
      tf.gather(xi, idx2),
      tf.cast(tf.gather(xb, tf.tensor1d([11, 0, 5], 'int32')), 'float32'),
      tf.gather(x2, tf.tensor1d([6, 1, 1], 'int32'), 1), // axis 1: stock kernel
      tf.gather(x2, tf.tensor1d([], 'int32')),
    ];
  };
  const expected = await on('cpu', f);
  const actual = await on('wasm', f);
  expected.forEach((e, i) => assertClose(actual[i]!, e, 0, `gather case ${i}`));
  await tf.setBackend('wasm');
  const x = tf.ones([4, 2]);
  assert.throws(() => tf.gather(x, tf.tensor1d([4], 'int32')), /not in \[0, 3\]/);
  assert.throws(() => tf.gather(x, tf.tensor1d([-1], 'int32')), /not in \[0, 3\]/);
  x.dispose();
});

test('Identity and a same-dtype Cast share the buffer (no copy); other casts convert; either tensor outlives the other', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor2d([[1.5, -2], [3, 4.25]]);
  const bytes0 = tf.memory().numBytes;
  const buffers0 = (tf.engine().backend as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
  const y = tf.clone(x);
  const z = tf.cast(x, 'float32');
  // Two more tensors, no more buffers: both point at x's.
  assert.equal((tf.engine().backend as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds(), buffers0);
  assert.equal(y.dataId, x.dataId);
  assert.equal(z.dataId, x.dataId);
  assert.ok(tf.memory().numBytes >= bytes0);
  const i = tf.cast(x, 'int32');
  assert.notEqual(i.dataId, x.dataId);
  assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3, 4]);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1.5, -2, 3, 4.25]);
  y.dispose();
  assert.deepEqual(Array.from(z.dataSync()), [1.5, -2, 3, 4.25]);
  tf.dispose([z, i]);
  // The gradient of a product saves (clones) its inputs and casts them: same results as on cpu.
  const f = (): tf.Tensor[] => {
    const a = tf.tensor2d([[0.5, -1.25, 2], [3, 0.75, -0.5]]);
    const b = tf.tensor2d([[2, 1], [-1, 0.5], [0.25, 4]]);
    const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), tf.sigmoid(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D)))));
    return g([a, b]);
  };
  const w = await on('wasm', f);
  const c = await on('cpu', f);
  w.forEach((arr, k) => assertClose(arr, c[k]!, 1e-5, `gradient ${k}`));
  await tf.setBackend('wasm');
});

test('no tensors or wasm buffers leak across repeated gradient calls', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(values(2 * 8 * 8 * 2, 13), [2, 8, 8, 2]);
  const w = tf.tensor4d(values(3 * 3 * 2 * 3, 14), [3, 3, 2, 3]);
  const once = (): void => {
    tf.tidy(() => tf.grad((wv: tf.Tensor) => tf.conv2d(x, wv as tf.Tensor4D, 2, 'same').sum())(w).dataSync());
    tf.tidy(() => tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([1, 1, 0], 'int32')).sum())(w.reshape([18, 3])).dataSync());
    tf.tidy(() => tf.gather(x, tf.tensor1d([1, 0, 1], 'int32')).dataSync());
  };
  once();
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  for (let i = 0; i < 5; i++) once();
  assert.equal(tf.memory().numTensors, tensors, 'tensors');
  assert.equal(tf.engine().backend.numDataIds(), dataIds, 'wasm buffers');
  tf.dispose([x, w]);
});

test('uninstall removes exactly what install added (conv gradient throws again on wasm)', async () => {
  await tf.setBackend('wasm');
  const removed = uninstallWasmTrainingKernels();
  assert.ok(removed.includes('Conv2DBackpropFilter') && removed.includes('GatherV2') && removed.includes('Conv2DBackpropInput'));
  const x = tf.zeros([1, 4, 4, 1]);
  const w = tf.zeros([2, 2, 1, 1]);
  assert.throws(() => tf.grad((wv: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, wv as tf.Tensor4D, 1, 'valid').sum())(w), /Conv2DBackpropFilter/);
  installWasmTrainingKernels();
  tf.dispose([x, w]);
});
