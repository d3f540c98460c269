/**
 * ResidualBlock: the identity at zero weights (zeroLast), y = x + f(x) with f composed by hand from its
 * own layers, the plain block y = f(x), gradients against finite differences, errors, no leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { ResidualBlock } from '../../src/nn';
import { assertClose, randomArray } from './oracle';

before(async () => {
  await tf.setBackend('cpu');
});

test('a block whose last convolution is zero is exactly the identity, in both batch-norm modes', () => {
  const block = new ResidualBlock({ channels: 3, zeroLast: true, rng: seed('id') });
  const x = tf.tensor4d(randomArray(2 * 5 * 5 * 3, 'x'), [2, 5, 5, 3]);
  for (const training of [true, false]) {
    const y = block.apply(x, training);
    assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()), `training ${training}`);
    y.dispose();
  }
  x.dispose();
  block.dispose();
});

test('y = x + f(x) with f = conv ∘ ReLU ∘ BN twice; the plain block is f alone', () => {
  const start = tf.memory().numTensors;
  for (const bn of [true, false]) {
    const res = new ResidualBlock({ channels: 2, batchNorm: bn, rng: seed('r') });
    const plain = new ResidualBlock({ channels: 2, batchNorm: bn, skip: false, rng: seed('r') });
    const x = tf.tensor4d(randomArray(2 * 4 * 4 * 2, 'x2'), [2, 4, 4, 2]);
    const f = tf.tidy(() => {
      let h: tf.Tensor4D = x;
      res.convs.forEach((conv, l) => {
        const n = res.norms[l];
        h = conv.apply(tf.relu(n === undefined ? h : n.apply(h, false)));
      });
      return h;
    });
    const y = res.apply(x, false);
    const yp = plain.apply(x, false);
    const want = tf.add(x, f);
    assertClose(y.dataSync(), want.dataSync(), 1e-6, `residual, batchNorm ${bn}`);
    assertClose(yp.dataSync(), f.dataSync(), 1e-6, `plain, batchNorm ${bn}`);
    assert.equal(res.parameterCount, 2 * (3 * 3 * 2 * 2 + (bn ? 2 * 2 : 2)), 'convs (+ bias without BN) and γ, δ');
    assert.equal(res.layers, 2);
    tf.dispose([x, f, y, yp, want]);
    res.dispose();
    plain.dispose();
  }
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
});

test('gradients of a residual block (training mode) equal finite differences of its own forward pass', () => {
  const block = new ResidualBlock({ channels: 2, layers: 1, rng: seed('g') });
  const x = randomArray(2 * 3 * 3 * 2, 'gx');
  const r = tf.tensor4d(randomArray(x.length, 'gr'), [2, 3, 3, 2]);
  // f64 finite differences of a float32 forward pass: eps 1e-2 keeps the rounding error below the tolerance.
  const loss = (a: number[]): number => tf.tidy(() => tf.sum(tf.mul(block.apply(tf.tensor4d(a, [2, 3, 3, 2]), true), r)).dataSync()[0]!);
  const xt = tf.tensor4d(x, [2, 3, 3, 2]);
  const g = tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(block.apply(xin as tf.Tensor4D, true), r)))(xt);
  const eps = 1e-2;
  const fd = x.map((_v, i) => {
    const p = [...x]; p[i]! += eps;
    const m = [...x]; m[i]! -= eps;
    return (loss(p) - loss(m)) / (2 * eps);
  });
  assertClose(g.dataSync(), fd, 3e-2, 'dx');
  tf.dispose([r, xt, g]);
  block.dispose();
});

test('ResidualBlock errors name the field', () => {
  assert.throws(() => new ResidualBlock({ channels: 0, rng: seed('e') }), /ResidualBlock: channels must be a positive integer/);
  assert.throws(() => new ResidualBlock({ channels: 2, kernelSize: 2, rng: seed('e') }), /kernelSize must be odd/);
  assert.throws(() => new ResidualBlock({ channels: 2, layers: 0, rng: seed('e') }), /layers must be a positive integer/);
  const block = new ResidualBlock({ channels: 2, rng: seed('e') });
  const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  assert.throws(() => block.apply(x, false), /expected an NHWC input \[batch, height, width, 2\], got shape \[1, 4, 4, 3\]/);
  x.dispose();
  block.dispose();
});
