/**
 * Conv1d against the naive sum z[b, i, o] = β_o + Σ_k Σ_c w[k, c, o] x[b, i s + k D - p, c] (float64)
 * for strides, dilations and paddings; its gradients against finite differences; errors; no leaks.
 */
import { test, before } from 'node:test';
import { layerBackends } from '../layer-backends';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { seed } from '../../src/runtime/rng';
import { installWasmTrainingKernels } from '../../src/runtime/wasm-kernels';
import { Conv1d, type Conv1dConfig, type Padding } from '../../src/nn';
import { assertClose, finiteDifferences, randomArray } from './oracle';

interface Setting { n: number; k: number; s: number; d: number; p: Padding }
const SETTINGS: Setting[] = [
  { n: 9, k: 3, s: 1, d: 1, p: 'same' },
  { n: 10, k: 3, s: 2, d: 1, p: 'valid' },
  { n: 11, k: 3, s: 1, d: 2, p: 'valid' },
  { n: 8, k: 4, s: 2, d: 1, p: 'same' },
  { n: 7, k: 3, s: 2, d: 1, p: 1 },
  { n: 9, k: 2, s: 1, d: 3, p: 'same' },
  { n: 12, k: 3, s: 2, d: 2, p: 1 },
];
const [CIN, COUT, B] = [2, 3, 2];

before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmTrainingKernels();
});

function naive(x: number[], w: number[], bias: number[], st: Setting): number[] {
  const span = st.d * (st.k - 1) + 1;
  let out: number;
  let left: number;
  if (st.p === 'same') {
    out = Math.ceil(st.n / st.s);
    left = Math.floor(Math.max((out - 1) * st.s + span - st.n, 0) / 2);
  } else {
    left = st.p === 'valid' ? 0 : st.p;
    out = Math.floor((st.n + 2 * left - span) / st.s) + 1;
  }
  const z: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < out; i++) for (let o = 0; o < COUT; o++) {
    let acc = bias[o]!;
    for (let k = 0; k < st.k; k++) {
      const t = i * st.s + k * st.d - left;
      if (t < 0 || t >= st.n) continue;
      for (let c = 0; c < CIN; c++) acc += w[(k * CIN + c) * COUT + o]! * x[(b * st.n + t) * CIN + c]!;
    }
    z.push(acc);
  }
  return z;
}

for (const backend of layerBackends()) {
  test(`Conv1d equals the naive sum for seven settings, gradients equal finite differences (${backend})`, async () => {
    await tf.setBackend(backend);
    const start = tf.memory().numTensors;
    SETTINGS.forEach((st, idx) => {
      const layer = new Conv1d({ inChannels: CIN, outChannels: COUT, kernelSize: st.k, stride: st.s, dilation: st.d, padding: st.p, rng: seed(`c${idx}`) });
      const bias = randomArray(COUT, `b${idx}`);
      tf.tidy(() => layer.bias!.assign(tf.tensor1d(bias)));
      const w = Array.from(layer.weight.dataSync());
      const x = randomArray(B * st.n * CIN, `x${idx}`);
      const xt = tf.tensor3d(x, [B, st.n, CIN]);
      const z = layer.apply(xt);
      const ref = naive(x, w, bias, st);
      assert.deepEqual(z.shape, [B, layer.outputLength(st.n), COUT], `setting ${idx}: shape`);
      assertClose(z.dataSync(), ref, 1e-5, `setting ${idx}`);
      const r = randomArray(ref.length, `r${idx}`);
      const rt = tf.tensor(r, z.shape);
      const loss = (xx: number[], ww: number[], bb: number[]): number => naive(xx, ww, bb, st).reduce((a, v, i) => a + v * r[i]!, 0);
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xt), rt)) as tf.Scalar, layer.variables());
      const gx = tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(layer.apply(xin as tf.Tensor3D), rt)))(xt);
      assertClose(grads[layer.weight.name]!.dataSync(), finiteDifferences((a) => loss(x, a, bias), w), 1e-3, `setting ${idx} dW`);
      assertClose(grads[layer.bias!.name]!.dataSync(), finiteDifferences((a) => loss(x, w, a), bias), 1e-3, `setting ${idx} db`);
      assertClose(gx.dataSync(), finiteDifferences((a) => loss(a, w, bias), x), 1e-3, `setting ${idx} dx`);
      tf.dispose([xt, z, rt, value, gx, ...Object.values(grads)]);
      layer.dispose();
    });
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  });
}

test('Conv1d errors name the field', async () => {
  await tf.setBackend('cpu');
  const make = (over: Partial<Conv1dConfig>) => () => new Conv1d({ inChannels: 2, outChannels: 3, kernelSize: 3, rng: seed('e'), ...over });
  assert.throws(make({ kernelSize: 0 }), /Conv1d: kernelSize must be a positive integer/);
  assert.throws(make({ outChannels: 2.5 }), /Conv1d: outChannels must be a positive integer/);
  assert.throws(make({ dilation: 0 }), /Conv1d: dilation must be a positive integer/);
  assert.throws(make({ padding: -1 }), /padding must be 'same', 'valid' or a non-negative integer/);
  const valid = new Conv1d({ inChannels: 2, outChannels: 3, kernelSize: 5, padding: 'valid', rng: seed('e') });
  const x = tf.zeros([1, 4, 2]) as tf.Tensor3D;
  assert.throws(() => valid.apply(x), /kernelSize 5 \(span 5 with dilation 1\) is larger than the padded input \(4 \+ 2 x 0\)/);
  const x3 = tf.zeros([1, 8, 3]) as tf.Tensor3D;
  assert.throws(() => valid.apply(x3), /the input has 3 channels but inChannels is 2/);
  assert.equal(valid.parameterCount, 5 * 2 * 3 + 3);
  tf.dispose([x, x3]);
  valid.dispose();
});
