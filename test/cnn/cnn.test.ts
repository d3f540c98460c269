/**
 * The notebook's classifiers: SmallCNN's parameter count by the formula (20,490 on MNIST, the issue's
 * reference), its logits by hand from its own layers; DeepCNN's depth and the plain/residual pair having
 * the same parameters; both learn a small separable task with the Trainer; errors; no leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { DeepCNN, SmallCNN } from '../../src/models/cnn';
import { Trainer } from '../../src/train/trainer';
import { assertClose } from '../nn/oracle';

before(async () => {
  await tf.setBackend('cpu');
});

test('SmallCNN: 20,490 parameters on MNIST (conv 160 + conv 4,640 + dense 15,690); logits by hand', () => {
  const net = new SmallCNN({ rng: seed('s') });
  assert.equal(net.parameterCount, 3 * 3 * 1 * 16 + 16 + 3 * 3 * 16 * 32 + 32 + 7 * 7 * 32 * 10 + 10);
  assert.equal(net.parameterCount, 20490);
  const x = seed('x').uniform([3, 28, 28, 1]) as tf.Tensor4D;
  const start = tf.memory().numTensors;
  const logits = net.logits(x, false);
  const want = tf.tidy(() => {
    const h1 = tf.maxPool(tf.relu(net.convs[0]!.apply(x)), 2, 2, 'valid');
    const h2 = tf.maxPool(tf.relu(net.convs[1]!.apply(h1)), 2, 2, 'valid');
    return tf.add(tf.matMul(tf.reshape(h2, [3, 7 * 7 * 32]), net.headWeight as tf.Tensor2D), net.headBias);
  });
  assert.deepEqual(logits.shape, [3, 10]);
  assertClose(logits.dataSync(), want.dataSync(), 1e-5, 'logits');
  tf.dispose([logits, want]);
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  assert.throws(() => net.logits(tf.zeros([2, 784]) as never, false), /expected images \[n, 28, 28, 1\] \(NHWC\), got shape \[2, 784\]; reshape flat images first/);
  assert.throws(() => new SmallCNN({ channels: [16, 0], rng: seed('e') }), /SmallCNN: channels\[1\] must be a positive integer/);
  assert.throws(() => new SmallCNN({ inputShape: [4, 4, 1], channels: [2, 2, 2], rng: seed('e') }), /halve a 4 x 4 image below 1 pixel/);
  x.dispose();
  net.dispose();
});

test('DeepCNN: depth = stem + transition + 2 x blocks + head; plain and residual have the same parameters', () => {
  for (const [blocks, depth] of [[2, 7], [8, 19], [14, 31]] as const) {
    const res = new DeepCNN({ blocks, residual: true, rng: seed('d') });
    const plain = new DeepCNN({ blocks, residual: false, rng: seed('d') });
    assert.equal(res.depth, depth);
    assert.equal(plain.parameterCount, res.parameterCount);
    res.dispose();
    plain.dispose();
  }
  // Heads: flatten (7 x 7 x 32 features after two stride-2 layers) or global average pooling (32).
  const pooled = new DeepCNN({ blocks: 0, residual: true, head: 'pool', rng: seed('h') });
  const flatHead = new DeepCNN({ blocks: 0, residual: true, rng: seed('h') });
  assert.equal(flatHead.parameterCount - pooled.parameterCount, (7 * 7 * 32 - 32) * 10);
  const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
  for (const net of [pooled, flatHead]) {
    const l = net.logits(x, false);
    assert.deepEqual(l.shape, [2, 10]);
    l.dispose();
    net.dispose();
  }
  x.dispose();
  assert.throws(() => new DeepCNN({ blocks: 1, residual: true, head: 'max' as never, rng: seed('e') }), /head must be 'flatten' or 'pool'/);
  assert.throws(() => new DeepCNN({ blocks: -1, residual: true, rng: seed('e') }), /blocks must be a non-negative integer/);
  assert.throws(() => new DeepCNN({ blocks: 2, residual: 'yes' as never, rng: seed('e') }), /residual must be true/);
  assert.throws(() => new DeepCNN({ blocks: 2, residual: true, channels: [16, 0], rng: seed('e') }), /channels\[1\] must be a positive integer/);
});

test('both families and the small CNN learn a separable toy task with the Trainer (loss falls, accuracy high)', async () => {
  // Class 0: a bright left half; class 1: a bright right half; plus noise.
  const r = seed('toy');
  const n = 64;
  const labels = Array.from({ length: n }, (_v, i) => i % 2);
  const x = tf.tidy(() => {
    const left = tf.concat([tf.ones([1, 12, 6, 1]), tf.zeros([1, 12, 6, 1])], 2);
    const right = tf.reverse(left, 2);
    const imgs = labels.map((l) => (l === 0 ? left : right));
    return tf.add(tf.concat(imgs, 0), tf.mul(0.3, r.randn([n, 12, 12, 1])));
  }) as tf.Tensor4D;
  const y = tf.tensor1d(labels, 'int32');
  const models = [
    new SmallCNN({ inputShape: [12, 12, 1], channels: [4], nClasses: 2, rng: seed('m1') }),
    new DeepCNN({ blocks: 2, residual: true, channels: [4, 8], inputShape: [12, 12, 1], nClasses: 2, rng: seed('m2') }),
    new DeepCNN({ blocks: 2, residual: false, channels: [4, 8], inputShape: [12, 12, 1], nClasses: 2, rng: seed('m3') }),
  ];
  for (const m of models) {
    const t = new Trainer(m, { rng: seed('t'), batchSize: 16, learningRate: 1e-2 });
    const h = await t.fit({ x, y }, { epochs: 8, progress: false });
    const loss = h['loss']!;
    assert.ok(loss[loss.length - 1]! < 0.5 * loss[0]!, `${m.constructor.name}: loss ${loss[0]} -> ${loss[loss.length - 1]}`);
    assert.ok(m.accuracy(x, y) >= 0.95, `${m.constructor.name}: accuracy ${m.accuracy(x, y)}`);
    m.dispose();
  }
  tf.dispose([x, y]);
});

test('ImageDenoiser: the loss is the mean squared error against the clean images under σ-noise; training lowers the error', async () => {
  const { ImageDenoiser } = await import('../../src/models/cnn');
  const { Conv2d } = await import('../../src/nn');
  const conv = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, rng: seed('dn') });
  const model = new ImageDenoiser({ net: conv, noiseStd: 0.3 });
  // Smooth images (a blurred random field): a 3 x 3 averaging kernel removes much of the noise.
  const clean = tf.tidy(() => tf.avgPool(seed('img').uniform([32, 10, 10, 1]) as tf.Tensor4D, 3, 1, 'same'));
  const ctx = { epoch: 0, step: 0, globalStep: 0, datasetSize: 32, rng: seed('noise'), training: true };
  const mse = tf.tidy(() => model.loss({ x: clean }, ctx)['mse']!.dataSync()[0]!);
  const noisy = model.noisy(clean, seed('noise'));
  const want = model.reconstructionError(noisy, clean, 7);
  assert.ok(Math.abs(mse - want) < 1e-6, `loss ${mse} vs reconstructionError ${want} (same noise draw)`);
  const before = model.reconstructionError(noisy, clean);
  const t = new Trainer(model, { rng: seed('t'), batchSize: 8, learningRate: 1e-2 });
  await t.fit({ x: clean }, { epochs: 30, progress: false });
  const after = model.reconstructionError(noisy, clean);
  const noiseOnly = 0.09; // E (σ ε)² for the identity map
  assert.ok(after < 0.5 * noiseOnly && after < before, `error ${before} -> ${after} (the noisy input itself: ${noiseOnly})`);
  assert.throws(() => new ImageDenoiser({ net: conv, noiseStd: 0 }), /noiseStd must be positive/);
  tf.dispose([clean, noisy]);
  model.dispose();
});
