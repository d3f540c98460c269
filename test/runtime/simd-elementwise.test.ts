/**
 * SIMD reductions over leading axes and broadcasting arithmetic (src/runtime/simd-elementwise.ts) against
 * the cpu backend on random inputs: the shapes models make (bias gradients, batch- and group-norm
 * statistics, bias adds, per-row scalings), odd sizes for the 16-, 4- and 1-column loops, keepDims, and
 * the cases that must fall back to the stock kernel. Counts the SIMD calls so the path is known to run.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { maxRelErr, values } from './values';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { simdKernelsFor } from '../../src/runtime/simd-kernels';
import { collapseBroadcast } from '../../src/runtime/simd-elementwise';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  const r = { shape: t.shape, data: t.dataSync() as Float32Array };
  t.dispose();
  return r;
}


const counts = { colsum: 0, binop: 0 };
before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
  const simd = simdKernelsFor(tf.backend());
  assert.ok(simd !== null);
  const [c, b] = [simd.colsum, simd.binop];
  simd.colsum = (...a) => (counts.colsum++, c(...a));
  simd.binop = (...a) => (counts.binop++, b(...a));
});

async function same(what: string, f: () => tf.Tensor, tol = 1e-5): Promise<void> {
  const want = await on('cpu', f);
  await tf.setBackend('wasm');
  const ids = tf.engine().backend.numDataIds();
  const got = await on('wasm', f);
  assert.equal(tf.engine().backend.numDataIds(), ids, `${what}: no wasm buffer leaks`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const e = maxRelErr(got.data, want.data);
  assert.ok(e < tol, `${what}: max relative error ${e}`);
}

const reductions: [number[], number | number[], boolean][] = [
  [[1024, 64], 0, false], [[37, 5], 0, true], [[128, 14, 14, 16], [0, 1, 2], false], [[8, 7, 7, 33], [0, 1, 2], true],
  [[3, 5, 6, 7], [1, 2], false], [[32, 28, 28, 4, 4], [1, 2, 4], true], [[2, 6, 6, 3, 5], [1, 2, 4], false],
  [[4, 9, 19], [-2], false], [[6, 10, 3], [0, 1], false],
];
for (const [shape, axis, keepDims] of reductions) {
  test(`Sum and Mean over ${JSON.stringify(axis)} of [${shape}] (keepDims ${keepDims}) equal cpu`, async () => {
    const before = counts.colsum;
    const x = (): tf.Tensor => tf.tensor(values(size(shape), 71), shape);
    await same('sum', () => tf.sum(x(), axis, keepDims), 1e-4);
    await same('mean', () => tf.mean(x(), axis, keepDims), 1e-5);
    assert.ok(counts.colsum >= before + 2, 'the SIMD column sums ran');
  });
}

test('reductions the SIMD path does not take (innermost axis, all axes of a vector, int32) still equal cpu', async () => {
  const before = counts.colsum;
  await same('last axis', () => tf.sum(tf.tensor(values(60, 72), [3, 4, 5]), -1));
  await same('vector', () => tf.mean(tf.tensor(values(17, 73), [17])));
  await same('int32', () => tf.cast(tf.sum(tf.tensor([[1, 2], [3, 4]], undefined, 'int32'), 0), 'float32'));
  await same('two inner blocks', () => tf.sum(tf.tensor(values(2 * 3 * 4 * 5, 74), [2, 3, 4, 5]), [0, 2]));
  assert.equal(counts.colsum, before, 'no SIMD call for these');
});

const binaries: [number[], number[]][] = [
  [[128, 14, 14, 16], [16]], [[16], [128, 14, 14, 16]], [[32, 28, 28, 4, 4], [32, 1, 1, 4, 1]], [[1024, 64], [1024, 1]],
  [[7, 1, 5], [1, 3, 5]], [[9, 13], [13]], [[2, 3, 1, 7], [5, 1]], [[1, 1, 33], [6, 2, 1]], [[4, 1, 6, 1, 3], [1, 5, 1, 2, 1]],
];
for (const [aShape, bShape] of binaries) {
  test(`Add, Sub, Multiply, RealDiv of [${aShape}] and [${bShape}] equal cpu`, async () => {
    const a = (): tf.Tensor => tf.tensor(values(size(aShape), 75), aShape);
    const b = (): tf.Tensor => tf.add(tf.abs(tf.tensor(values(size(bShape), 76), bShape)), 0.5);
    await same('add', () => tf.add(a(), b()));
    await same('sub', () => tf.sub(a(), b()));
    await same('mul', () => tf.mul(a(), b()));
    await same('div', () => tf.div(a(), b()));
  });
}

test('the broadcasting ops reach the SIMD path, and same-shape or int32 operands do not', async () => {
  let before = counts.binop;
  await same('bias add', () => tf.add(tf.tensor(values(64 * 10, 77), [64, 10]), tf.tensor(values(10, 78), [10])));
  assert.equal(counts.binop, before + 1);
  before = counts.binop;
  await same('same shape', () => tf.mul(tf.tensor(values(640, 79), [64, 10]), tf.tensor(values(640, 80), [64, 10])));
  await same('int32', () => tf.cast(tf.add(tf.tensor([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor([5, 6], undefined, 'int32')), 'float32'));
  assert.equal(counts.binop, before);
});

test('collapseBroadcast merges runs where both operands agree and pads to four axes', () => {
  assert.deepEqual(collapseBroadcast([128, 14, 14, 16], [16], [128, 14, 14, 16]), { n: [1, 1, 25088, 16], sa: [0, 0, 16, 1], sb: [0, 0, 0, 1] });
  assert.deepEqual(collapseBroadcast([32, 28, 28, 4, 4], [32, 1, 1, 4, 1], [32, 28, 28, 4, 4]), { n: [32, 784, 4, 4], sa: [12544, 16, 4, 1], sb: [4, 0, 1, 0] });
  assert.deepEqual(collapseBroadcast([6, 5], [6, 5], [6, 5]), { n: [1, 1, 1, 30], sa: [0, 0, 0, 1], sb: [0, 0, 0, 1] });
  assert.equal(collapseBroadcast([2, 1, 2, 1, 2], [1, 2, 1, 2, 1], [2, 2, 2, 2, 2]), null);
});

test('Exp (SIMD, Cephes expf) is within 2 float32 ulps of exp on [-87, 88], exact 0/inf/NaN outside, and runs SIMD', async () => {
  const xs: number[] = [];
  for (let i = 0; i <= 20000; i++) xs.push(-87 + (175.5 * i) / 20000);
  xs.push(0, -0, 1, -1, 1e-8, -1e-8, 88.72, -87.33, 100, -100, Infinity, -Infinity, NaN, 5, 7); // 7 extra: an odd tail
  await tf.setBackend('wasm');
  const before = counts.binop;
  const simd = simdKernelsFor(tf.backend())!;
  let calls = 0;
  const inner = simd.exp;
  simd.exp = (...a) => (calls++, inner(...a));
  try {
    const got = tf.tidy(() => tf.exp(tf.tensor1d(xs)).dataSync() as Float32Array);
    assert.equal(calls, 1, 'the SIMD exp ran');
    const x32 = Float32Array.from(xs);
    let worstUlp = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = x32[i]!;
      const want = Math.fround(Math.exp(x));
      if (Number.isNaN(x)) assert.ok(Number.isNaN(got[i]!), 'NaN stays NaN');
      else if (x > 88.72284) assert.equal(got[i], Infinity, `exp(${x})`);
      else if (x < -87.33655) assert.equal(got[i], 0, `exp(${x})`);
      else {
        const ulp = Math.abs(Math.fround(want * (1 + 2 ** -23)) - want);
        worstUlp = Math.max(worstUlp, Math.abs(got[i]! - want) / ulp);
      }
    }
    assert.ok(worstUlp <= 2, `worst error ${worstUlp} ulp`);
    console.log(`# SIMD exp: worst error ${worstUlp.toFixed(2)} ulp over ${xs.length} points`);
    await same('exp of a tensor', () => tf.exp(tf.tensor(values(3 * 7 * 5, 81), [3, 7, 5])), 1e-6);
    await same('log-softmax gradient', () => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(z), tf.tensor(values(4 * 9, 83), [4, 9]))))(tf.tensor(values(4 * 9, 82), [4, 9])), 1e-5);
  } finally {
    simd.exp = inner;
  }
  assert.ok(counts.binop >= before);
});
