/**
 * ConvTranspose2d is the adjoint of Conv2d with the same kernel: <A x, y> = <x, Aᵀ y> for random x, y,
 * over strides, paddings and odd sizes; its forward pass equals a naive scatter loop (each input spreads
 * a kernel-shaped patch); its gradients equal finite differences of that loop; output sizes; errors.
 */
import { test, before } from 'node:test';
import { layerBackends } from '../layer-backends';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { seed } from '../../src/runtime/rng';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { Conv2d, ConvTranspose2d, convOutputSize, type Padding } from '../../src/nn';
import { assertClose, finiteDifferences, nhwc, randomArray } from './oracle';

interface Setting { h: number; w: number; k: [number, number]; s: [number, number]; p: Padding }
const SETTINGS: Setting[] = [
  { h: 5, w: 6, k: [3, 3], s: [1, 1], p: 'same' },
  { h: 6, w: 6, k: [2, 2], s: [2, 2], p: 'valid' }, // the U-Net's 2x upsampling
  { h: 7, w: 5, k: [3, 3], s: [2, 2], p: 'same' }, // odd sizes: the transpose is asked for 7 x 5
  { h: 7, w: 8, k: [3, 2], s: [2, 1], p: 'valid' },
  { h: 6, w: 5, k: [3, 3], s: [2, 2], p: 1 },
];
const [CIN, COUT] = [2, 3];

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

/** TensorFlow's leading padding of the convolution that maps n to `out`. */
function padBefore(n: number, k: number, s: number, p: Padding, out: number): number {
  if (p === 'valid') return 0;
  if (typeof p === 'number') return p;
  return Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
}

/** Aᵀ y by scattering: out[b, i s + m - pad, j s + n - pad, c] += W[m, n, c, o] y[b, i, j, o]; float64. */
function naiveTranspose(y: number[], yShape: number[], w: number[], st: Setting, bias: number[]): number[] {
  const [B, oh, ow] = yShape as [number, number, number, number];
  const outShape = [B, st.h, st.w, CIN];
  const out = new Array<number>(B * st.h * st.w * CIN).fill(0);
  for (let b = 0; b < B; b++) for (let i = 0; i < st.h; i++) for (let j = 0; j < st.w; j++) for (let c = 0; c < CIN; c++) out[nhwc(outShape, b, i, j, c)] = bias[c]!;
  const top = padBefore(st.h, st.k[0], st.s[0], st.p, oh);
  const left = padBefore(st.w, st.k[1], st.s[1], st.p, ow);
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < COUT; o++) {
    const v = y[nhwc(yShape, b, i, j, o)]!;
    for (let m = 0; m < st.k[0]; m++) for (let n = 0; n < st.k[1]; n++) {
      const r = i * st.s[0] + m - top;
      const q = j * st.s[1] + n - left;
      if (r < 0 || r >= st.h || q < 0 || q >= st.w) continue;
      for (let c = 0; c < CIN; c++) out[nhwc(outShape, b, r, q, c)] += w[((m * st.k[1] + n) * CIN + c) * COUT + o]! * v;
    }
  }
  return out;
}

function pairOf(st: Setting, label: string): { conv: Conv2d; up: ConvTranspose2d; oh: number; ow: number } {
  const conv = new Conv2d({ inChannels: CIN, outChannels: COUT, kernelSize: st.k, stride: st.s, padding: st.p, bias: false, rng: seed(label) });
  const up = new ConvTranspose2d({ inChannels: COUT, outChannels: CIN, kernelSize: st.k, stride: st.s, padding: st.p, bias: false, rng: seed(`${label}t`) });
  up.weight.assign(conv.weight);
  const [oh, ow] = conv.outputSize(st.h, st.w);
  return { conv, up, oh, ow };
}

for (const backend of layerBackends()) {
  test(`<A x, y> = <x, Aᵀ y>: ConvTranspose2d is Conv2d's adjoint for five settings (${backend})`, async () => {
    await tf.setBackend(backend);
    const start = tf.memory().numTensors;
    SETTINGS.forEach((st, idx) => {
      const { conv, up, oh, ow } = pairOf(st, `adj${idx}`);
      const x = tf.tensor4d(randomArray(2 * st.h * st.w * CIN, `x${idx}`), [2, st.h, st.w, CIN]);
      const y = tf.tensor4d(randomArray(2 * oh * ow * COUT, `y${idx}`), [2, oh, ow, COUT]);
      const ax = conv.apply(x);
      const aty = up.apply(y, [st.h, st.w]);
      assert.deepEqual(aty.shape, x.shape, `setting ${idx}: Aᵀ y has x's shape`);
      const lhs = tf.tidy(() => tf.sum(tf.mul(ax, y)));
      const rhs = tf.tidy(() => tf.sum(tf.mul(x, aty)));
      const [l, r] = [lhs.dataSync()[0]!, rhs.dataSync()[0]!];
      assert.ok(Math.abs(l - r) < 1e-4 * (1 + Math.abs(l)), `setting ${idx}: <Ax, y> = ${l}, <x, Aᵀy> = ${r}`);
      tf.dispose([x, y, ax, aty, lhs, rhs]);
      conv.dispose();
      up.dispose();
    });
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  });

  test(`ConvTranspose2d forward equals the naive scatter loop; gradients equal finite differences (${backend})`, async () => {
    await tf.setBackend(backend);
    SETTINGS.forEach((st, idx) => {
      const { conv, oh, ow } = pairOf(st, `fwd${idx}`);
      conv.dispose();
      const up = new ConvTranspose2d({ inChannels: COUT, outChannels: CIN, kernelSize: st.k, stride: st.s, padding: st.p, rng: seed(`fwd${idx}`) });
      const bias = randomArray(CIN, `b${idx}`);
      up.bias!.assign(tf.tensor1d(bias));
      const w = Array.from(up.weight.dataSync());
      const yShape = [2, oh, ow, COUT];
      const y = randomArray(2 * oh * ow * COUT, `yf${idx}`);
      const yt = tf.tensor4d(y, yShape as [number, number, number, number]);
      const out = up.apply(yt, [st.h, st.w]);
      assertClose(out.dataSync(), naiveTranspose(y, yShape, w, st, bias), 1e-4, `setting ${idx}`);
      // L = Σ r ⊙ Aᵀ y is linear in y, W and the bias: central differences are exact up to rounding.
      const r = randomArray(out.size, `r${idx}`);
      const rt = tf.tensor(r, out.shape);
      const loss = (yy: number[], ww: number[], bb: number[]): number => naiveTranspose(yy, yShape, ww, st, bb).reduce((a, v, i) => a + v * r[i]!, 0);
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(up.apply(yt, [st.h, st.w]), rt)) as tf.Scalar, up.variables());
      const gy = tf.grad((yin: tf.Tensor) => tf.sum(tf.mul(up.apply(yin as tf.Tensor4D, [st.h, st.w]), rt)))(yt);
      assertClose(grads[up.weight.name]!.dataSync(), finiteDifferences((a) => loss(y, a, bias), w), 1e-3, `setting ${idx} dW`);
      assertClose(grads[up.bias!.name]!.dataSync(), finiteDifferences((a) => loss(y, w, a), bias), 1e-3, `setting ${idx} db`);
      assertClose(gy.dataSync(), finiteDifferences((a) => loss(a, w, bias), y), 1e-3, `setting ${idx} dy`);
      tf.dispose([yt, out, rt, value, gy, ...Object.values(grads)]);
      up.dispose();
    });
  });
}

test('output sizes invert the convolution; wrong sizes and configs are clear errors', async () => {
  await tf.setBackend('cpu');
  const up = new ConvTranspose2d({ inChannels: 4, outChannels: 2, kernelSize: 2, stride: 2, padding: 'valid', rng: seed('o') });
  assert.deepEqual(up.outputSize(7, 7), [14, 14]);
  assert.deepEqual(up.outputSize(7, 7, [15, 14]), [15, 14], 'the convolution maps 15 to 7 too');
  assert.throws(() => up.outputSize(7, 7, [16, 14]), /outputSize \[16, 14\] does not match a 7 x 7 input/);
  const same = new ConvTranspose2d({ inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, rng: seed('o') });
  assert.deepEqual(same.outputSize(4, 4), [8, 8]);
  assert.deepEqual(same.outputSize(4, 4, [7, 7]), [7, 7], 'odd sizes the convolution also maps to 4');
  for (const [m, k, s, p] of [[5, 3, 2, 'valid'], [4, 3, 1, 1], [3, 4, 2, 1]] as const) {
    const t = new ConvTranspose2d({ inChannels: 1, outChannels: 1, kernelSize: k, stride: s, padding: p, rng: seed('z') });
    const [n] = t.outputSize(m, m);
    assert.equal(convOutputSize(n, k, { stride: s, padding: p }), m, `k=${k} s=${s} p=${p}`);
    t.dispose();
  }
  assert.equal(up.parameterCount, 2 * 2 * 2 * 4 + 2);
  assert.throws(() => new ConvTranspose2d({ inChannels: 0, outChannels: 2, kernelSize: 2, rng: seed('e') }), /ConvTranspose2d: inChannels must be a positive integer/);
  assert.throws(() => new ConvTranspose2d({ inChannels: 1, outChannels: 2, kernelSize: [2, 0], rng: seed('e') }), /kernelSize\[1\] must be a positive integer/);
  assert.throws(() => new ConvTranspose2d({ inChannels: 1, outChannels: 2, kernelSize: 2, padding: 'full' as never, rng: seed('e') }), /padding must be 'same', 'valid'/);
  assert.throws(() => new ConvTranspose2d({ inChannels: 1, outChannels: 2, kernelSize: 2, init: 'orthogonal' as never, rng: seed('e') }), /init must be 'he', 'glorot' or 'zero'/);
  const x = tf.zeros([1, 3, 3, 3]) as tf.Tensor4D;
  assert.throws(() => up.apply(x), /the input has 3 channels but inChannels is 4/);
  x.dispose();
  up.dispose();
  same.dispose();
});
