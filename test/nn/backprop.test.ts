import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import {
  MLP, autodiffSquaredLossGradient, backwardPass, composeDense, denseArraysOf, evaluateDense, finiteDifferenceGradient, flattenDense, forwardPass,
  parameterCount, randomDense, squaredLoss, squaredLossGradient, squaredLossObjective, unflattenDense,
} from '../../src/nn';

function data(rng: ReturnType<typeof seed>, n: number, dIn: number, dOut: number): { xs: number[][]; ys: number[][] } {
  const xs = Array.from({ length: n }, () => Array.from({ length: dIn }, () => rng.normal()));
  const ys = Array.from({ length: n }, () => Array.from({ length: dOut }, () => rng.normal()));
  return { xs, ys };
}

test('dense arrays: flatten/unflatten round trip, forward pass equals MLP.apply', () => {
  const mlp = new MLP({ sizes: [3, 5, 4, 2], rng: seed('bp') });
  const net = denseArraysOf(mlp);
  assert.equal(parameterCount(net), 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2);
  assert.deepEqual(unflattenDense(net, flattenDense(net)), net);
  const x = [0.3, -1.2, 0.8];
  const ref = tf.tidy(() => Array.from(mlp.apply(tf.tensor2d([x])).dataSync()));
  const mine = evaluateDense(net, x);
  mine.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-5, `output ${i}: ${v} vs ${ref[i]}`));
  assert.deepEqual(forwardPass(net, x).preactivations.at(-1), mine);
  assert.throws(() => forwardPass(net, [1, 2]), /takes 3 inputs/);
  assert.throws(() => denseArraysOf(new MLP({ sizes: [2, 2], rng: seed(1), activation: 'tanh' })), /ReLU hidden units/);
  mlp.dispose();
});

test('backward pass equals finite differences of the loss (float64, central differences)', () => {
  const rng = seed('fd');
  const mlp = new MLP({ sizes: [2, 6, 5, 3], rng: rng.fork('net') });
  const net = denseArraysOf(mlp);
  // Non-zero biases so units sit at varied offsets (none exactly at a kink with probability 1).
  net.biases = net.biases.map((b) => b.map(() => 0.3 * rng.normal()));
  const { xs, ys } = data(rng, 7, 2, 3);
  const hand = flattenDense(squaredLossGradient(net, xs, ys).gradients);
  const fd = flattenDense(finiteDifferenceGradient(net, xs, ys, 1e-6));
  const scale = Math.max(...hand.map(Math.abs));
  // Central differences: truncation O(h²) vanishes for a piecewise-linear net away from kinks;
  // rounding is about ε·L/h ≈ 1e-16·1/1e-6 = 1e-10 per entry.
  hand.forEach((g, p) => assert.ok(Math.abs(g - fd[p]!) <= 1e-7 * scale, `parameter ${p}: backprop ${g} vs finite difference ${fd[p]}`));
  assert.ok(Math.abs(squaredLossGradient(net, xs, ys).loss - squaredLoss(net, xs, ys)) < 1e-12);
  mlp.dispose();
});

test('backward pass equals TensorFlow.js autodiff to float32 rounding, without leaking tensors', () => {
  const rng = seed('ad');
  const mlp = new MLP({ sizes: [3, 8, 8, 2], rng: rng.fork('net') });
  tf.tidy(() => mlp.biases.forEach((b) => b.assign(tf.mul(rng.randn(b.shape), 0.2))));
  const { xs, ys } = data(rng, 16, 3, 2);
  const before = tf.memory().numTensors;
  const auto = autodiffSquaredLossGradient(mlp, xs, ys);
  assert.equal(tf.memory().numTensors, before, 'autodiffSquaredLossGradient leaked tensors');
  const net = denseArraysOf(mlp);
  const hand = squaredLossGradient(net, xs, ys);
  const a = flattenDense(auto.gradients);
  const h = flattenDense(hand.gradients);
  const scale = Math.max(...h.map(Math.abs));
  // float32 has a relative precision of 6e-8; sums over 16 examples and 8-unit layers lose a few bits.
  h.forEach((g, p) => assert.ok(Math.abs(g - a[p]!) <= 2e-5 * scale, `parameter ${p}: hand ${g} vs autodiff ${a[p]}`));
  assert.ok(Math.abs(auto.loss - hand.loss) <= 1e-5 * hand.loss);
  mlp.dispose();
});

test('backward pass by layer: ∂l/∂β_K = ∂l/∂f and ∂l/∂Ω = ∂l/∂j hᵀ; a dead unit gets no gradient', () => {
  const net = { weights: [[[1, -1]], [[2], [3]]], biases: [[0, -5], [0.5]] };
  // x = 2: j_0 = [2, -7], h_1 = [2, 0] (second unit dead), f = 4.5.
  const cache = forwardPass(net, [2]);
  assert.deepEqual(cache.preactivations, [[2, -7], [4.5]]);
  const g = backwardPass(net, cache, [1]);
  assert.deepEqual(g.biases[1], [1]);
  assert.deepEqual(g.weights[1], [[2], [0]]);
  assert.deepEqual(g.biases[0], [2, 0]);
  assert.deepEqual(g.weights[0], [[4, 0]]);
  assert.throws(() => backwardPass(net, cache, [1, 2]), /1 outputs/);
  assert.throws(() => squaredLossGradient(net, [[1]], []), /as many targets/);
});

test('composeDense: the merged network computes second(first(x)) with one layer fewer than stacking both', () => {
  const rng = seed('compose');
  const a = denseArraysOf(new MLP({ sizes: [1, 3, 2], rng: rng.fork('a') }));
  const b = denseArraysOf(new MLP({ sizes: [2, 4, 1], rng: rng.fork('b') }));
  a.biases = a.biases.map((v) => v.map(() => rng.normal()));
  b.biases = b.biases.map((v) => v.map(() => rng.normal()));
  const c = composeDense(a, b);
  assert.equal(c.weights.length, 3);
  for (const x of [-2, -0.4, 0.3, 1.7]) assert.ok(Math.abs(evaluateDense(c, [x])[0]! - evaluateDense(b, evaluateDense(a, [x]))[0]!) < 1e-12);
  assert.throws(() => composeDense(a, a), /2 outputs, the second takes 1/);
});

test('squaredLossObjective: a network with no hidden layer is linear regression, with the textbook gradient', () => {
  const like = { weights: [[[0]]], biases: [[0]] };
  const xs = [[0], [1], [2], [3]];
  const ys = [[1], [2.5], [2.9], [4.2]];
  const obj = squaredLossObjective(like, xs, ys);
  const theta = [0.7, 0.4]; // slope, intercept (weights come before biases)
  const r = xs.map((x, i) => 0.7 * x[0]! + 0.4 - ys[i]![0]!);
  const g = obj.gradient(theta);
  assert.ok(Math.abs(g[0]! - (2 / 4) * r.reduce((s, v, i) => s + v * xs[i]![0]!, 0)) < 1e-12);
  assert.ok(Math.abs(g[1]! - (2 / 4) * r.reduce((s, v) => s + v, 0)) < 1e-12);
  assert.ok(Math.abs(obj.loss(theta, [1, 3]) - (r[1]! ** 2 + r[3]! ** 2) / 2) < 1e-12);
  const rd = randomDense([1, 5, 1], seed('rd'), 0.5);
  assert.equal(rd.weights[0]![0]!.length, 5);
  assert.throws(() => randomDense([1], seed(1)), /at least two/);
});
