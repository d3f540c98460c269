/**
 * Max, average and global average pooling against naive loops over their window formulas, their input
 * gradients against finite differences of the naive loops, output sizes, config errors, no leaks.
 */
import { test, before } from 'node:test';
import { layerBackends } from '../layer-backends';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { AvgPool2d, globalAvgPool, MaxPool2d } from '../../src/nn';
import { assertClose, finiteDifferences, nhwc, randomArray } from './oracle';

before(async () => {
  await tf.setBackend('cpu');
});

interface Setting { h: number; w: number; k: [number, number]; s: [number, number] }
const SETTINGS: Setting[] = [
  { h: 4, w: 6, k: [2, 2], s: [2, 2] },
  { h: 5, w: 5, k: [2, 2], s: [2, 2] }, // odd: the last row and column are dropped ('valid')
  { h: 6, w: 5, k: [3, 2], s: [1, 2] }, // overlapping windows along the height
];

/** 'valid' pooling by the window formula, in float64. */
function naivePool(x: number[], shape: number[], st: Setting, kind: 'max' | 'avg'): { y: number[]; oh: number; ow: number } {
  const [B, H, W, C] = shape as [number, number, number, number];
  const oh = Math.floor((H - st.k[0]) / st.s[0]) + 1;
  const ow = Math.floor((W - st.k[1]) / st.s[1]) + 1;
  const y: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let c = 0; c < C; c++) {
    const vals: number[] = [];
    for (let m = 0; m < st.k[0]; m++) for (let n = 0; n < st.k[1]; n++) vals.push(x[nhwc(shape, b, i * st.s[0] + m, j * st.s[1] + n, c)]!);
    y.push(kind === 'max' ? Math.max(...vals) : vals.reduce((a, v) => a + v, 0) / vals.length);
  }
  return { y, oh, ow };
}

test('max and average pooling equal the naive window loops; gradients equal finite differences', () => {
  const start = tf.memory().numTensors;
  SETTINGS.forEach((st, idx) => {
    const shape = [2, st.h, st.w, 3];
    const x = randomArray(shape.reduce((a, b) => a * b, 1), `pool${idx}`);
    const weights = randomArray(1000, `r${idx}`);
    for (const kind of ['max', 'avg'] as const) {
      const layer = kind === 'max' ? new MaxPool2d({ poolSize: st.k, stride: st.s }) : new AvgPool2d({ poolSize: st.k, stride: st.s });
      const ref = naivePool(x, shape, st, kind);
      assert.deepEqual(layer.outputSize(st.h, st.w), [ref.oh, ref.ow], `${kind} ${idx}: outputSize`);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const y = layer.apply(xt);
      assert.deepEqual(y.shape, [2, ref.oh, ref.ow, 3]);
      assertClose(y.dataSync(), ref.y, 1e-6, `${kind} ${idx}`);
      // L = Σ r ⊙ pool(x): the input gradient routes r to each window's argmax (max) or spreads it (avg).
      const r = tf.tensor(weights.slice(0, y.size), y.shape);
      const gx = tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(layer.apply(xin as tf.Tensor4D), r)))(xt);
      const fd = finiteDifferences((a) => naivePool(a, shape, st, kind).y.reduce((s, v, i) => s + v * weights[i]!, 0), x, 1e-5);
      assertClose(gx.dataSync(), fd, 1e-3, `${kind} ${idx} d/dx`);
      tf.dispose([xt, y, r, gx]);
    }
  });
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
});

test("pooling with 'same' padding, the default stride, global average pooling", () => {
  const pool = new MaxPool2d({ poolSize: 2, padding: 'same' });
  assert.deepEqual(pool.stride, [2, 2], 'stride defaults to poolSize');
  assert.deepEqual(pool.outputSize(5, 7), [3, 4]);
  const x = tf.tensor4d(randomArray(2 * 5 * 7 * 2, 'same'), [2, 5, 7, 2]);
  const y = pool.apply(x);
  assert.deepEqual(y.shape, [2, 3, 4, 2]);
  // The last window of a row holds only the last column: its max is that value.
  const xs = x.arraySync();
  assert.ok(Math.abs(y.arraySync()[0]![2]![3]![1]! - Math.max(xs[0]![4]![6]![1]!)) < 1e-6);
  const g = globalAvgPool(x);
  assert.deepEqual(g.shape, [2, 2]);
  const want: number[] = [];
  for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) {
    let s = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) s += xs[b]![i]![j]![c]!;
    want.push(s / 35);
  }
  assertClose(g.dataSync(), want, 1e-6, 'globalAvgPool');
  assert.equal(pool.parameterCount, 0);
  assert.deepEqual(pool.variables(), []);
  tf.dispose([x, y, g]);
});

test('pooling config errors name the field', () => {
  assert.throws(() => new MaxPool2d({ poolSize: 0 }), /MaxPool2d: poolSize must be a positive integer/);
  assert.throws(() => new AvgPool2d({ poolSize: [2, 2], stride: [1, 1.5] as [number, number] }), /AvgPool2d: stride\[1\] must be a positive integer/);
  assert.throws(() => new MaxPool2d({ poolSize: 2, padding: 'full' as never }), /padding must be 'valid' or 'same'/);
  const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
  assert.throws(() => new MaxPool2d({ poolSize: 4 }).apply(x), /poolSize \[4, 4\] is larger than the input \(3 x 3\)/);
  assert.throws(() => new MaxPool2d({ poolSize: 2 }).apply(tf.zeros([3, 3]) as never), /expected an NHWC input/);
  assert.throws(() => globalAvgPool(tf.zeros([3, 3]) as never), /globalAvgPool: expected an NHWC input/);
  x.dispose();
});

/** 'same' average pooling by TensorFlow's rule (windows cut at the border, mean of the inputs inside), in float64. */
function naiveSameAvg(x: number[], shape: number[], k: [number, number], s: [number, number]): { y: number[]; oh: number; ow: number } {
  const [B, H, W, C] = shape as [number, number, number, number];
  const oh = Math.ceil(H / s[0]);
  const ow = Math.ceil(W / s[1]);
  const top = Math.floor(Math.max((oh - 1) * s[0] + k[0] - H, 0) / 2);
  const left = Math.floor(Math.max((ow - 1) * s[1] + k[1] - W, 0) / 2);
  const y: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let c = 0; c < C; c++) {
    const vals: number[] = [];
    for (let m = 0; m < k[0]; m++) for (let n = 0; n < k[1]; n++) {
      const r = i * s[0] + m - top;
      const q = j * s[1] + n - left;
      if (r >= 0 && r < H && q >= 0 && q < W) vals.push(x[nhwc(shape, b, r, q, c)]!);
    }
    y.push(vals.reduce((a, v) => a + v, 0) / vals.length);
  }
  return { y, oh, ow };
}

for (const backend of layerBackends()) {
  test(`average pooling with 'same' padding: border windows average the inputs inside, and the gradient is right there too (${backend}; tfjs's own avgPool gradient is not)`, async () => {
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend(backend);
    const start = tf.memory().numTensors;
    for (const [k, s, h, w] of [[[2, 2], [2, 2], 5, 5], [[3, 3], [2, 2], 6, 7], [[3, 2], [1, 1], 4, 5]] as [[number, number], [number, number], number, number][]) {
      const shape = [2, h, w, 2];
      const x = randomArray(shape.reduce((a, b) => a * b, 1), `same${h}${w}`);
      const ref = naiveSameAvg(x, shape, k, s);
      const r = randomArray(ref.y.length, `r${h}${w}`);
      const pool = new AvgPool2d({ poolSize: k, stride: s, padding: 'same' });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const rt = tf.tensor4d(r, [2, ref.oh, ref.ow, 2]);
      const y = pool.apply(xt);
      assert.deepEqual(y.shape, [2, ref.oh, ref.ow, 2]);
      assertClose(y.dataSync(), ref.y, 1e-5, `same avg ${k} ${s} forward`);
      const g = tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(pool.apply(xin as tf.Tensor4D), rt)))(xt);
      const fd = finiteDifferences((xx) => naiveSameAvg(xx, shape, k, s).y.reduce((a, v, i) => a + v * r[i]!, 0), x);
      assertClose(g.dataSync(), fd, 1e-3, `same avg ${k} ${s} gradient`);
      tf.dispose([xt, rt, y, g]);
    }
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
    await tf.setBackend('cpu');
  });
}
