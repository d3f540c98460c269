/**
 * The SIMD convolution passes (src/runtime/simd-conv.ts) against the cpu backend on random inputs: filter
 * gradient, input gradient and forward pass, for odd channel counts (the 16-, 4- and 1-column loops),
 * strides, 'same'/'valid'/explicit padding and non-square filters. Each case also counts the SIMD calls,
 * so the test fails if the kernels stop reaching the SIMD path, and checks that nothing leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { convWithGrads, maxRelErr, onBackend as on, values } from './values';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { simdKernelsFor } from '../../src/runtime/simd-kernels';
import { simdConv2D } from '../../src/runtime/simd-conv';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);



before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

type Pad = 'same' | 'valid' | number;
const cases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad }[] = [
  { x: [2, 9, 9, 17], f: [3, 3, 17, 18], s: 1, pad: 'same' },
  { x: [3, 8, 7, 5], f: [3, 3, 5, 33], s: 2, pad: 'same' },
  { x: [2, 10, 9, 16], f: [2, 4, 16, 7], s: [2, 3], pad: 'valid' },
  { x: [2, 11, 10, 3], f: [5, 5, 3, 20], s: 2, pad: 1 },
  { x: [1, 6, 6, 1], f: [3, 3, 1, 1], s: 1, pad: 'same' },
  { x: [4, 5, 5, 32], f: [1, 1, 32, 16], s: 1, pad: 'valid' },
  { x: [2, 3, 4, 4], f: [3, 3, 4, 4], s: 3, pad: 'same' },
];

for (const c of cases) {
  test(`SIMD conv passes equal cpu: x ${c.x}, filter ${c.f}, strides ${c.s}, pad ${c.pad}`, async () => {
    const xv = values(size(c.x), 61);
    const fv = values(size(c.f), 62);
    const run = convWithGrads(c.x, c.f, c.s, c.pad, 61);
    const expected = await on('cpu', run);
    await tf.setBackend('wasm');
    const simd = simdKernelsFor(tf.backend());
    assert.ok(simd !== null, 'the SIMD kernels load on wasm');
    const calls = { filter: 0, input: 0, forward: 0 };
    const [f0, i0, c0] = [simd.convFilterTap, simd.convInputTap, simd.convForwardTap];
    simd.convFilterTap = (...a) => (calls.filter++, f0(...a));
    simd.convInputTap = (...a) => (calls.input++, i0(...a));
    simd.convForwardTap = (...a) => (calls.forward++, c0(...a));
    try {
      const ids = tf.engine().backend.numDataIds();
      const got = await on('wasm', run);
      const [, dx, dw] = got;
      assert.equal(tf.engine().backend.numDataIds(), ids, 'no wasm buffer leaks');
      assert.ok(calls.filter > 0 && calls.input > 0, `the SIMD taps ran (filter ${calls.filter}, input ${calls.input})`);
      const wide = c.f[2] >= 8 && c.f[3] >= 8;
      assert.equal(calls.forward > 0, wide, `the registered Conv2D takes the SIMD forward exactly for >= 8 channels in and out (${calls.forward} calls)`);
      // and the registered forward itself equals cpu
      assert.ok(maxRelErr(got[0]!, expected[0]!) < 1e-5, 'registered forward');
      assert.ok(maxRelErr(dw!, expected[2]!) < 1e-5, `dW: ${maxRelErr(dw!, expected[2]!)}`);
      assert.ok(maxRelErr(dx!, expected[1]!) < 1e-5, `dx: ${maxRelErr(dx!, expected[1]!)}`);
      // The forward pass, called directly (the registered Conv2D takes it for >= 8 channels in and out).
      const y = tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(fv, c.f);
        const out = simdConv2D({ inputs: { x, filter: w }, backend: tf.backend(), attrs: { strides: c.s, pad: c.pad, dataFormat: 'NHWC' } });
        assert.ok(out !== null);
        return tf.engine().makeTensorFromTensorInfo(out);
      });
      assert.ok(maxRelErr(y.dataSync() as Float32Array, expected[0]!) < 1e-5, 'forward');
      y.dispose();
    } finally {
      [simd.convFilterTap, simd.convInputTap, simd.convForwardTap] = [f0, i0, c0];
    }
  });
}

test('GENLAB_SIMD_MATMUL=0 turns the SIMD convolutions off (the previous paths run and agree)', async () => {
  await tf.setBackend('wasm');
  const run = (): tf.Tensor[] => {
    const x = tf.tensor4d(values(2 * 7 * 7 * 5, 64), [2, 7, 7, 5]);
    const w = tf.tensor4d(values(3 * 3 * 5 * 6, 65), [3, 3, 5, 6]);
    return tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same').square().sum())([x, w]);
  };
  const fast = await on('wasm', run);
  process.env['GENLAB_SIMD_MATMUL'] = '0';
  try {
    assert.equal(simdKernelsFor(tf.backend()), null);
    const slow = await on('wasm', run);
    for (let i = 0; i < 2; i++) assert.ok(maxRelErr(fast[i]!, slow[i]!) < 1e-5);
  } finally {
    delete process.env['GENLAB_SIMD_MATMUL'];
  }
});
