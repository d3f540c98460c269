/**
 * Max pooling with switches and max unpooling against a naive loop: unpool(pool(x)) keeps each window's
 * maximum where it was and zeros elsewhere (also for odd sizes, where the uncovered border stays zero);
 * the gradient with respect to the pooled values is the upstream gradient read at the switches.
 */
import { test, before } from 'node:test';
import { layerBackends } from '../layer-backends';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { MaxUnpool2d } from '../../src/nn';
import { assertClose, nhwc, randomArray } from './oracle';

/** Each k x k window's maximum at its own position, zeros elsewhere, in float64. */
function naiveUnpool(x: number[], shape: number[], k: number): number[] {
  const [B, H, W, C] = shape as [number, number, number, number];
  const out = new Array<number>(x.length).fill(0);
  for (let b = 0; b < B; b++) for (let i = 0; i + k <= H; i += k) for (let j = 0; j + k <= W; j += k) for (let c = 0; c < C; c++) {
    let best = -Infinity;
    let at = -1;
    for (let m = 0; m < k; m++) for (let n = 0; n < k; n++) {
      const p = nhwc(shape, b, i + m, j + n, c);
      if (x[p]! > best) [best, at] = [x[p]!, p];
    }
    out[at] = best;
  }
  return out;
}

for (const backend of layerBackends()) {
  test(`unpool(pool(x)) keeps the window maxima in place, even and odd sizes (${backend})`, async () => {
    await tf.setBackend(backend);
    await tf.ready();
    const start = tf.memory().numTensors;
    for (const [h, w, k] of [[4, 6, 2], [5, 7, 2], [6, 6, 3]] as const) {
      // Random normals: many windows are all negative (the case tfjs-wasm's own argmax kernel gets wrong).
      const shape = [2, h, w, 3];
      const x = randomArray(shape.reduce((a, b) => a * b, 1), `u${h}${w}`);
      const layer = new MaxUnpool2d({ poolSize: k });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const { y, argmax, inputSize } = layer.pool(xt);
      assert.deepEqual(y.shape, [2, Math.floor(h / k), Math.floor(w / k), 3]);
      assert.deepEqual(inputSize, [h, w]);
      const u = layer.unpool(y, argmax, inputSize);
      assert.deepEqual(u.shape, shape);
      assertClose(u.dataSync(), naiveUnpool(x, shape, k), 1e-6, `${h}x${w} k=${k}`);
      // d/dy Σ r ⊙ unpool(y) = r at each switch.
      const r = tf.tensor4d(randomArray(x.length, `r${h}`), shape as [number, number, number, number]);
      const gy = tf.grad((yin: tf.Tensor) => tf.sum(tf.mul(layer.unpool(yin as tf.Tensor4D, argmax, inputSize), r)))(y);
      const rs = r.dataSync();
      const sw = argmax.dataSync();
      const per = h * w * 3;
      const want = Array.from(sw, (p, i) => rs[Math.floor(i / (y.size / 2)) * per + p]!);
      assertClose(gy.dataSync(), want, 1e-6, `${h}x${w} d/dy`);
      tf.dispose([xt, y, argmax, u, r, gy]);
    }
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  });
}

test('ties go to the first maximum of a window, as the naive loop does (saturated pixels are common in MNIST)', async () => {
  await tf.setBackend('cpu');
  const layer = new MaxUnpool2d({ poolSize: 2 });
  const x = tf.tensor4d([1, 1, 0, 0.5, 1, 1, 0.5, 0.5], [1, 2, 4, 1]);
  const { y, argmax } = layer.pool(x);
  assert.deepEqual(Array.from(argmax.dataSync()), [0, 3]);
  assert.deepEqual(Array.from(layer.unpool(y, argmax, [2, 4]).dataSync()), [1, 0, 0, 0.5, 0, 0, 0, 0]);
  tf.dispose([x, y, argmax]);
});

test('max unpooling errors name what was wrong', async () => {
  await tf.setBackend('cpu');
  const layer = new MaxUnpool2d({ poolSize: 2 });
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const { y, argmax } = layer.pool(x);
  assert.throws(() => new MaxUnpool2d({ poolSize: -2 }), /MaxUnpool2d: poolSize must be a positive integer/);
  assert.throws(() => new MaxUnpool2d({ poolSize: 5 }).pool(x), /poolSize \[5, 5\] is larger than the input \(4 x 4\)/);
  assert.throws(() => layer.unpool(y, argmax, [6, 6]), /outputSize \[6, 6\] does not pool to y's \[2, 2\]/);
  assert.throws(() => layer.unpool(y, tf.zeros([1, 2, 2, 2]) as tf.Tensor4D, [4, 4]), /argmax has shape \[1, 2, 2, 2\] but y has \[1, 2, 2, 1\]/);
  tf.dispose([x, y, argmax]);
});
