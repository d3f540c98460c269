import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { ACTIVATIONS, activate, initialWeights, MLP, requireMatrix, requirePositiveInt } from '../../src/nn';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('activations match their closed forms, leaky ReLU with the slope asked for', () => {
  const xs = [-2, -0.5, 0, 0.7, 3];
  const x = tf.tensor1d(xs);
  const ref: Record<string, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(0, v),
    leakyRelu: (v) => (v > 0 ? v : 0.2 * v),
    elu: (v) => (v > 0 ? v : Math.expm1(v)),
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    softplus: (v) => Math.log1p(Math.exp(v)),
    silu: (v) => v / (1 + Math.exp(-v)),
  };
  for (const a of ACTIVATIONS) close(activate(x, a).dataSync(), xs.map(ref[a]!), 1e-6, a);
  close(activate(x, 'leakyRelu', 0.01).dataSync(), xs.map((v) => (v > 0 ? v : 0.01 * v)), 1e-7, 'leakyRelu(0.01)');
  assert.throws(() => activate(x, 'swish' as never), /Unknown activation "swish"/);
  x.dispose();
});

test('init schemes make one rng draw per matrix: the same numbers as drawing it by hand', () => {
  const [fanIn, fanOut] = [5, 3];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  close(initialWeights('glorotUniform', fanIn, fanOut, seed('w'), 'relu').dataSync(), seed('w').uniform([fanIn, fanOut], -limit, limit).dataSync(), 0, 'glorotUniform');
  const eps = seed('w').randn([fanIn, fanOut]).dataSync();
  const scaled = (std: number): number[] => Array.from(eps, (e) => Math.fround(e * std));
  close(initialWeights('glorotNormal', fanIn, fanOut, seed('w'), 'relu').dataSync(), scaled(Math.sqrt(2 / 8)), 1e-7, 'glorotNormal');
  close(initialWeights('heNormal', fanIn, fanOut, seed('w'), 'tanh').dataSync(), scaled(Math.sqrt(2 / 5)), 1e-7, 'heNormal');
  close(initialWeights('lecunNormal', fanIn, fanOut, seed('w'), 'tanh').dataSync(), scaled(Math.sqrt(1 / 5)), 1e-7, 'lecunNormal');
  // 'auto': He before ReLU-like units, Glorot otherwise.
  close(initialWeights('auto', fanIn, fanOut, seed('w'), 'elu').dataSync(), scaled(Math.sqrt(2 / 5)), 1e-7, 'auto/elu');
  close(initialWeights('auto', fanIn, fanOut, seed('w'), 'linear').dataSync(), scaled(Math.sqrt(2 / 8)), 1e-7, 'auto/linear');
});

test('MLP: the forward pass is the layer equation, leading dimensions kept, zeroLast outputs 0', () => {
  const net = new MLP({ sizes: [3, 4, 2], rng: seed('mlp'), activation: 'tanh', outputActivation: 'sigmoid' });
  const x = tf.tensor2d([[0.5, -1, 2], [0, 0.3, -0.7]]);
  const [W1, b1, W2, b2] = net.variables();
  const ref = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, W1 as tf.Tensor2D), b1!)), W2 as tf.Tensor2D), b2!)));
  close(net.apply(x).dataSync(), ref.dataSync(), 1e-6, 'apply');
  const x3 = x.reshape([1, 2, 3]);
  const y3 = net.apply(x3);
  assert.deepEqual(y3.shape, [1, 2, 2]);
  close(y3.dataSync(), ref.dataSync(), 1e-6, 'apply on [1, 2, 3]');
  assert.deepEqual([net.inputDim, net.outputDim], [3, 2]);
  const zero = new MLP({ sizes: [3, 4, 2], rng: seed('mlp'), zeroLast: true });
  assert.deepEqual(Array.from(zero.apply(x).dataSync()), [0, 0, 0, 0]);
  // zeroLast draws nothing for the last layer: the first layer matches the unzeroed net's.
  close(zero.weights[0]!.dataSync(), new MLP({ sizes: [3, 4, 2], rng: seed('mlp') }).weights[0]!.dataSync(), 0, 'W1');
  tf.dispose([x, ref, x3, y3]);
  net.dispose();
  zero.dispose();
});

test('MLP masks cut connections: a masked-out input has no effect on the output', () => {
  // Output 0 sees input 0 only; output 1 sees both (through the single hidden unit for input 1).
  const masks = [
    [[1, 0], [0, 1]],
    [[1, 1], [0, 1]],
  ];
  const net = new MLP({ sizes: [2, 2, 2], rng: seed('made'), masks, init: 'glorotUniform' });
  const y = tf.tidy(() => tf.sub(net.apply(tf.tensor2d([[0.3, 5]])), net.apply(tf.tensor2d([[0.3, -5]]))).dataSync());
  assert.equal(y[0], 0);
  assert.notEqual(y[1], 0);
  assert.throws(() => new MLP({ sizes: [2, 2, 2], rng: seed('m'), masks: [masks[0]!] }), /1 masks for 2 weight matrices/);
  assert.throws(() => new MLP({ sizes: [2, 3, 2], rng: seed('m'), masks }), /mask 0 must be \[2, 3\]/);
  net.dispose();
});

test('MLP: gradients flow, memory stays flat across steps, dispose frees everything; bad configs are named', () => {
  const before = tf.memory().numTensors;
  const net = new MLP({ sizes: [2, 8, 1], rng: seed('mem'), masks: [Array(2).fill(Array(8).fill(1)), Array(8).fill([1])] });
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const opt = tf.train.sgd(0.01);
  const after0 = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const { value, grads } = tf.variableGrads(() => tf.sum(net.apply(x)) as tf.Scalar, net.variables());
    assert.equal(Object.keys(grads).length, 4);
    opt.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    if (i > 0) assert.equal(tf.memory().numTensors, after0, `step ${i}`);
  }
  opt.dispose();
  x.dispose();
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new MLP({ sizes: [3], rng: seed('e') }), /at least the input and output widths/);
  assert.throws(() => new MLP({ sizes: [3, 0], rng: seed('e') }), /sizes\[1\] must be a positive integer/);
  assert.throws(() => new MLP({ sizes: [3, 2], rng: seed('e'), init: 'xavier' as never }), /unknown init "xavier"/);
  assert.throws(() => requirePositiveInt(1.5, 'K', 'bound'), /bound: K must be a positive integer, got 1.5/);
  const img = tf.zeros([2, 28, 28]);
  assert.throws(() => requireMatrix(img, 784, 'VAE.encode(x)'), /expected a \[batch, 784\].*flatten images first/);
  img.dispose();
});
