/**
 * Conv2d against a naive float64 loop over the formula in src/nn/conv2d.ts, on the `cpu` backend and on
 * `wasm` with the kit's training kernels; its gradients against central finite differences of the naive
 * loss; the output-size formula against the shapes the layer produces; clear config errors.
 */
import { test, before } from 'node:test';
import { layerBackends } from '../layer-backends';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { seed } from '../../src/runtime/rng';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { Conv2d, convOutputSize, type Padding } from '../../src/nn';

interface Setting { h: number; w: number; cin: number; cout: number; k: [number, number]; s: [number, number]; p: Padding; d: [number, number] }

const SETTINGS: Setting[] = [
  { h: 5, w: 6, cin: 1, cout: 2, k: [3, 3], s: [1, 1], p: 'same', d: [1, 1] },
  { h: 7, w: 5, cin: 2, cout: 3, k: [3, 2], s: [2, 1], p: 'valid', d: [1, 1] },
  { h: 6, w: 7, cin: 3, cout: 2, k: [3, 3], s: [2, 2], p: 'same', d: [1, 1] },
  { h: 5, w: 5, cin: 2, cout: 2, k: [3, 3], s: [2, 2], p: 1, d: [1, 1] },
  { h: 7, w: 8, cin: 1, cout: 2, k: [3, 3], s: [1, 1], p: 'valid', d: [2, 2] },
  { h: 6, w: 6, cin: 2, cout: 1, k: [2, 2], s: [1, 1], p: 'same', d: [2, 1] },
  { h: 9, w: 8, cin: 2, cout: 2, k: [3, 3], s: [2, 2], p: 1, d: [2, 2] },
];

/** TensorFlow's padding for one axis: [before, after]. */
function pads(n: number, k: number, s: number, p: Padding, d: number, out: number): [number, number] {
  if (p === 'valid') return [0, 0];
  if (typeof p === 'number') return [p, p];
  const total = Math.max((out - 1) * s + d * (k - 1) + 1 - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** y[b,i,j,o] = bias[o] + Σ w[m,n,c,o] x[b, i s_h + m d_h − p_top, j s_w + n d_w − p_left, c], in float64. */
function naiveConv(x: number[], shape: [number, number, number, number], w: number[], bias: number[], st: Setting): { y: number[]; oh: number; ow: number } {
  const [B, H, W, C] = shape;
  const oh = convOutputSize(H, st.k[0], { stride: st.s[0], padding: st.p, dilation: st.d[0] });
  const ow = convOutputSize(W, st.k[1], { stride: st.s[1], padding: st.p, dilation: st.d[1] });
  const [top] = pads(H, st.k[0], st.s[0], st.p, st.d[0], oh);
  const [left] = pads(W, st.k[1], st.s[1], st.p, st.d[1], ow);
  const y = new Array<number>(B * oh * ow * st.cout).fill(0);
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < st.cout; o++) {
    let acc = bias[o]!;
    for (let m = 0; m < st.k[0]; m++) for (let n = 0; n < st.k[1]; n++) {
      const r = i * st.s[0] + m * st.d[0] - top;
      const c0 = j * st.s[1] + n * st.d[1] - left;
      if (r < 0 || r >= H || c0 < 0 || c0 >= W) continue;
      for (let c = 0; c < C; c++) acc += w[((m * st.k[1] + n) * C + c) * st.cout + o]! * x[((b * H + r) * W + c0) * C + c]!;
    }
    y[((b * oh + i) * ow + j) * st.cout + o] = acc;
  }
  return { y, oh, ow };
}

function randomArray(n: number, rng: ReturnType<typeof seed>): number[] {
  return Array.from({ length: n }, () => rng.normal());
}

function layerFor(st: Setting, label: string): { layer: Conv2d; w: number[]; bias: number[] } {
  const layer = new Conv2d({ inChannels: st.cin, outChannels: st.cout, kernelSize: st.k, stride: st.s, padding: st.p, dilation: st.d, rng: seed(label) });
  const bias = randomArray(st.cout, seed(`${label}-b`));
  tf.tidy(() => layer.bias!.assign(tf.tensor1d(bias)));
  return { layer, w: Array.from(layer.weight.dataSync()), bias };
}

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

for (const backend of layerBackends()) {
  test(`Conv2d forward equals the naive loop for seven settings of stride, padding, dilation and channels (${backend})`, async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    SETTINGS.forEach((st, idx) => {
      const { layer, w, bias } = layerFor(st, `fwd${idx}`);
      const shape: [number, number, number, number] = [2, st.h, st.w, st.cin];
      const x = randomArray(2 * st.h * st.w * st.cin, seed(`x${idx}`));
      const ref = naiveConv(x, shape, w, bias, st);
      const xt = tf.tensor4d(x, shape);
      const y = layer.apply(xt);
      assert.deepEqual(y.shape, [2, ref.oh, ref.ow, st.cout], `setting ${idx}: shape`);
      assert.deepEqual(layer.outputSize(st.h, st.w), [ref.oh, ref.ow], `setting ${idx}: outputSize`);
      const got = y.dataSync();
      ref.y.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-4 * (1 + Math.abs(v)), `setting ${idx} [${i}]: ${got[i]} vs ${v}`));
      tf.dispose([xt, y]);
      layer.dispose();
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });

  test(`Conv2d gradients w.r.t. filters, bias and input equal central finite differences of the naive loss (${backend})`, async () => {
    await tf.setBackend(backend);
    // L = ½ Σ (y − t)² is quadratic in each argument, so central differences are exact up to rounding.
    for (const idx of [1, 3, 4, 6]) {
      const st = SETTINGS[idx]!;
      const { layer, w, bias } = layerFor(st, `grad${idx}`);
      const shape: [number, number, number, number] = [2, st.h, st.w, st.cin];
      const x = randomArray(2 * st.h * st.w * st.cin, seed(`gx${idx}`));
      const target = naiveConv(x, shape, w, bias, st).y.map((v, i) => v + Math.sin(i));
      const loss = (xx: number[], ww: number[], bb: number[]): number =>
        naiveConv(xx, shape, ww, bb, st).y.reduce((a, v, i) => a + 0.5 * (v - target[i]!) ** 2, 0);
      const xt = tf.tensor4d(x, shape);
      const tt = tf.tensor(target, [2, ...layer.outputSize(st.h, st.w), st.cout]);
      const { grads, value } = tf.variableGrads(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(layer.apply(xt), tt)))) as tf.Scalar, layer.variables());
      const gx = tf.grad((xin: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(tf.sub(layer.apply(xin as tf.Tensor4D), tt)))))(xt);
      const fd = (arr: number[], which: 'x' | 'w' | 'b', i: number): number => {
        const eps = 1e-3;
        const plus = [...arr]; plus[i]! += eps;
        const minus = [...arr]; minus[i]! -= eps;
        const f = (a: number[]): number => (which === 'x' ? loss(a, w, bias) : which === 'w' ? loss(x, a, bias) : loss(x, w, a));
        return (f(plus) - f(minus)) / (2 * eps);
      };
      const check = (got: ArrayLike<number>, arr: number[], which: 'x' | 'w' | 'b'): void => {
        for (let i = 0; i < arr.length; i++) {
          const ref = fd(arr, which, i);
          assert.ok(Math.abs(got[i]! - ref) < 2e-3 * (1 + Math.abs(ref)), `setting ${idx} d/d${which}[${i}]: ${got[i]} vs ${ref}`);
        }
      };
      check(grads[layer.weight.name]!.dataSync(), w, 'w');
      check(grads[layer.bias!.name]!.dataSync(), bias, 'b');
      check(gx.dataSync(), x, 'x');
      tf.dispose([xt, tt, gx, value, ...Object.values(grads)]);
      layer.dispose();
    }
  });
}

test('convOutputSize: the three padding rules on a table of settings, and a kernel that does not fit', () => {
  assert.equal(convOutputSize(28, 3), 28);
  assert.equal(convOutputSize(28, 3, { stride: 2 }), 14);
  assert.equal(convOutputSize(7, 3, { stride: 2 }), 4);
  assert.equal(convOutputSize(28, 3, { padding: 'valid' }), 26);
  assert.equal(convOutputSize(28, 5, { padding: 'valid', stride: 2 }), 12);
  assert.equal(convOutputSize(28, 3, { padding: 1, stride: 2 }), 14);
  assert.equal(convOutputSize(28, 3, { padding: 'valid', dilation: 2 }), 24);
  assert.equal(convOutputSize(5, 4, { padding: 2 }), 6);
  assert.throws(() => convOutputSize(3, 5, { padding: 'valid' }), /extent 5 .* larger than the padded input 3/);
  assert.throws(() => convOutputSize(3, 3, { padding: -1 }), /padding must be/);
});

test('Conv2d: clear errors for channels, rank, a kernel larger than the input and bad configs', () => {
  const rng = seed('err');
  const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 5, padding: 'valid', rng });
  assert.equal(conv.parameterCount, 5 * 5 * 3 * 4 + 4);
  tf.tidy(() => {
    assert.throws(() => conv.apply(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D), /input has 1 channels but inChannels is 3/);
    assert.throws(() => conv.apply(tf.zeros([1, 3, 8, 3]) as tf.Tensor4D), /input 3x8 is too small.*larger than the padded input 3/);
    assert.throws(() => conv.apply(tf.zeros([2, 784]) as unknown as tf.Tensor4D), /NHWC.*reshape flat images/);
  });
  conv.dispose();
  assert.throws(() => new Conv2d({ inChannels: 0, outChannels: 4, kernelSize: 3, rng }), /inChannels must be a positive integer/);
  assert.throws(() => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: [3] as unknown as number, rng }), /kernelSize must be a positive integer or a pair \[h, w\]/);
  assert.throws(() => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 'full' as Padding, rng }), /padding must be/);
  assert.throws(() => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, init: 'xavier' as 'he', rng }), /unknown init "xavier"/);
});

test('Conv2d init: He variance 2/fan_in, zero init, the same seed gives the same filters', () => {
  const a = new Conv2d({ inChannels: 8, outChannels: 64, kernelSize: 3, rng: seed('he') });
  const b = new Conv2d({ inChannels: 8, outChannels: 64, kernelSize: 3, rng: seed('he') });
  const z = new Conv2d({ inChannels: 8, outChannels: 4, kernelSize: 3, init: 'zero', bias: false, rng: seed('z') });
  const wa = Array.from(a.weight.dataSync());
  assert.deepEqual(wa, Array.from(b.weight.dataSync()));
  const variance = wa.reduce((s, v) => s + v * v, 0) / wa.length;
  // 4,608 draws: the sample variance of a Gaussian has relative sd sqrt(2/4608) ≈ 2%.
  assert.ok(Math.abs(variance / (2 / 72) - 1) < 0.08, `variance ${variance} vs ${2 / 72}`);
  assert.ok(z.weight.dataSync().every((v) => v === 0));
  assert.equal(z.bias, null);
  assert.equal(z.variables().length, 1);
  for (const l of [a, b, z]) l.dispose();
});
