/**
 * FusedAdamOptimizer (one GenlabAdamUpdate kernel per variable) against tf.train.adam's op chain, the
 * oracle: the same variables after several steps, bit for bit, on cpu and on wasm; the same saved state;
 * the GAN's folded-correction Adam through the kernel equals its op chain; no tensor leaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { FusedAdamOptimizer } from '../../src/optim/fused-adam';
import { adamUpdate, registerAdamKernel } from '../../src/runtime/adam-kernel';
import { values } from '../runtime/values';

// [300, 220] is above FUSED_ADAM_MAX_ELEMENTS: the op-chain path runs beside the fused one.
const SHAPES = [[7, 5], [13], [3, 1, 4, 2], [1], [300, 220]];

/** Train the same variables with `make()`'s optimiser for `steps` steps of a fixed quadratic-plus-sine loss. */
function run(make: () => tf.Optimizer, steps: number): { weights: Float32Array[]; state: Float32Array[] } {
  const vars = SHAPES.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(values(s.reduce((a, b) => a * b, 1), 50 + i), s))));
  const targets = SHAPES.map((s, i) => tf.tensor(values(s.reduce((a, b) => a * b, 1), 60 + i), s));
  const opt = make();
  for (let t = 0; t < steps; t++) {
    opt.minimize(() => tf.addN(vars.map((v, i) => tf.sum(tf.add(tf.square(tf.sub(v, targets[i]!)), tf.mul(0.3, tf.sin(tf.mul(v, 3 + t))))))) as tf.Scalar);
  }
  const weights = vars.map((v) => Float32Array.from(v.dataSync()));
  const o = opt as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[]; accumulatedSecondMoment: { variable: tf.Variable }[]; accBeta1: tf.Variable };
  const state = [...o.accumulatedFirstMoment, ...o.accumulatedSecondMoment].map((x) => Float32Array.from(x.variable.dataSync()));
  state.push(Float32Array.from(o.accBeta1.dataSync()));
  opt.dispose();
  tf.dispose([...vars, ...targets]);
  return { weights, state };
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`FusedAdamOptimizer equals tf.train.adam bit for bit over 25 steps on ${backend}, and leaks nothing`, async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    for (const [lr, b1, b2, eps] of [[1e-2, 0.9, 0.999, null], [0.05, 0.5, 0.99, 1e-4]] as const) {
      const stock = run(() => tf.train.adam(lr, b1, b2, eps ?? undefined), 25);
      const fused = run(() => new FusedAdamOptimizer(lr, b1, b2, eps), 25);
      stock.weights.forEach((w, i) => assert.deepEqual(fused.weights[i], w, `variable ${i} (lr ${lr})`));
      stock.state.forEach((w, i) => assert.deepEqual(fused.state[i], w, `state ${i} (lr ${lr})`));
    }
    assert.equal(tf.memory().numTensors, before, 'tensor count is flat');
  });
}

test('FusedAdamOptimizer keeps the Adam class name and config (the Trainer snapshots them)', () => {
  const o = new FusedAdamOptimizer(0.01);
  assert.equal(o.getClassName(), 'Adam');
  assert.deepEqual(o.getConfig(), tf.train.adam(0.01).getConfig());
  o.dispose();
});

test('the folded-correction update (the GAN Adam) equals its op chain bit for bit; bad shapes are named', async () => {
  registerAdamKernel();
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const [b1, b2, eps, lr, t] = [0.5, 0.999, 1e-8, 2e-4, 3];
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const step = (lr * Math.sqrt(c2)) / c1;
      const epsHat = eps * Math.sqrt(c2);
      const p = tf.tensor(values(33, 70), [3, 11]);
      const m = tf.tensor(values(33, 71), [3, 11]);
      const v = tf.abs(tf.tensor(values(33, 72), [3, 11]));
      const g = tf.tensor(values(33, 73), [3, 11]);
      const mE = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const vE = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      const pE = tf.sub(p, tf.mul(step, tf.div(mE, tf.add(tf.sqrt(vE), epsHat))));
      const [p1, m1, v1] = adamUpdate(p, m, v, g, { mode: 'folded', beta1: b1, beta2: b2, epsilon: epsHat, rate: step });
      assert.deepEqual(p1.dataSync(), pE.dataSync(), `${backend}: parameters`);
      assert.deepEqual(m1.dataSync(), mE.dataSync(), `${backend}: m`);
      assert.deepEqual(v1.dataSync(), vE.dataSync(), `${backend}: v`);
      assert.throws(() => adamUpdate(p, m, v, tf.zeros([4]), { mode: 'folded', beta1: b1, beta2: b2, epsilon: epsHat, rate: step }), /g has shape \[4\], the variable \[3,11\]/);
    });
  }
});

test('on wasm the SIMD update takes every size (the bit-for-bit test above runs through it); cpu keeps the size limit', async () => {
  const { simdKernelsFor } = await import('../../src/runtime/simd-kernels');
  const { useFusedAdamFor, FUSED_ADAM_MAX_ELEMENTS } = await import('../../src/runtime/adam-kernel');
  await tf.setBackend('cpu');
  assert.equal(useFusedAdamFor(FUSED_ADAM_MAX_ELEMENTS + 1), false);
  await tf.setBackend('wasm');
  assert.equal(useFusedAdamFor(784 * 512), true);
  const simd = simdKernelsFor(tf.backend());
  assert.ok(simd !== null);
  let calls = 0;
  const inner = simd.adam;
  simd.adam = (...a) => (calls++, inner(...a));
  try {
    const stock = run(() => tf.train.adam(0.01), 3);
    const fused = run(() => new FusedAdamOptimizer(0.01), 3);
    stock.weights.forEach((w, i) => assert.deepEqual(fused.weights[i], w, `variable ${i}`));
    assert.equal(calls, 3 * SHAPES.length, 'one SIMD call per variable per step');
  } finally {
    simd.adam = inner;
  }
});
