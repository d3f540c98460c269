/**
 * Greedy stacked-autoencoder pre-training, exact copies of pre-trained layers into the classifier, the
 * multi-head loss against a naive computation, dropout, a frozen trunk, and no tensor leaks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { DBN } from '../../src/models/rbm/dbn';
import { StackedAutoencoder } from '../../src/models/pretrain/stacked-autoencoder';
import { DeepClassifier } from '../../src/models/pretrain/deep-classifier';
import { dropout } from '../../src/nn/dropout';
import { stepContext } from '../step-context';
import { halfPatterns } from '../toy-patterns';

before(async () => {
  await tf.setBackend('cpu');
});


const same = (a: tf.Tensor, b: tf.Tensor) => {
  const [u, v] = [a.dataSync(), b.dataSync()];
  return u.length === v.length && u.every((t, i) => Object.is(t, v[i]));
};

test('stacked denoising autoencoders train greedily, and the classifier copies them bit for bit', async () => {
  const { x, y } = halfPatterns(200, 'sae-data');
  for (const activation of ['sigmoid', 'relu'] as const) {
    const sae = new StackedAutoencoder({ sizes: [12, 8, 6, 4], activation, rng: seed(`sae-${activation}`) });
    const n0 = tf.memory().numTensors;
    const hist = await sae.fitGreedy(x, { rng: seed('greedy'), epochs: [15, 10, 10], batchSize: 20, learningRate: 1e-2, progress: false });
    const n1 = tf.memory().numTensors;
    await sae.fitLayer(2, x, { rng: seed('greedy'), epochs: 1, batchSize: 20, progress: false });
    assert.equal(tf.memory().numTensors, n1, 'resuming a layer leaks nothing');
    // Per layer, Adam keeps two moments for each of 4 variables plus its two running powers: 3 x 10.
    assert.ok(n1 - n0 <= 30, `greedy training left ${n1 - n0} tensors (trainers' optimiser state only)`);
    const recon = hist[0]!['recon']!;
    assert.ok(recon.at(-1)! < 0.8 * recon[0]!, `${activation}: layer 1 learns (${recon[0]} -> ${recon.at(-1)})`);
    // Each layer trained on the clean codes of the one below: its input width is the code width below.
    assert.deepEqual(sae.layers.map((l) => [l.inputDim, l.codeDim]), [[12, 8], [8, 6], [6, 4]]);

    const net = DeepClassifier.fromStackedAutoencoder(sae, { heads: { y: 2 }, rng: seed('clf') });
    assert.equal(net.activation, activation);
    sae.encoderLayers().forEach((layer, l) => {
      assert.ok(same(net.trunkLayers()[l]!.W, layer.W), `layer ${l} W copied exactly`);
      assert.ok(same(net.trunkLayers()[l]!.b, layer.b), `layer ${l} b copied exactly`);
    });
    const fNet = net.features(x);
    const fSae = sae.features(x);
    assert.ok(same(fNet, fSae), 'the trunk computes exactly the stacked encoders');
    // A copy, not a shared reference: training the classifier leaves the autoencoders as they were.
    const before = sae.encoderLayers()[0]!.W.clone();
    const trainer = new Trainer(net, { rng: seed('ft'), learningRate: 0.05, batchSize: 50 });
    await trainer.fit({ x, y }, { epochs: 5, progress: false });
    assert.ok(same(sae.encoderLayers()[0]!.W, before));
    assert.ok(!same(net.trunkLayers()[0]!.W, before), 'fine-tuning moved the trunk');
    assert.ok(net.accuracy(x, y) > 0.9, `fine-tuned accuracy ${net.accuracy(x, y)}`);
    tf.dispose([fNet, fSae, before]);
    trainer.dispose();
    net.dispose();
    sae.dispose();
  }
  tf.dispose([x, y]);
});

test('a DBN initialises the trunk exactly, and its up-pass is the trunk forward pass', async () => {
  const { x, y } = halfPatterns(100, 'dbn-data');
  const dbn = new DBN({ sizes: [12, 8, 6], rbm: { learningRate: 0.1 }, rng: seed('dbn') });
  await dbn.fitGreedy(x, { rng: seed('g'), epochs: 5, batchSize: 20, progress: false });
  const net = DeepClassifier.fromDBN(dbn, { heads: { y: 2 }, activation: 'sigmoid', rng: seed('clf') });
  dbn.layers.forEach((rbm, l) => {
    assert.ok(same(net.trunkLayers()[l]!.W, rbm.W));
    assert.ok(same(net.trunkLayers()[l]!.b, rbm.c), 'the hidden biases c become the trunk biases');
  });
  const a = net.features(x);
  const b = dbn.features(x);
  const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  assert.ok(gap < 1e-6, `up-pass vs trunk: ${gap}`);
  // copyTrunkFrom copies exactly too, and shape mismatches are refused with a clear message.
  const other = new DeepClassifier({ sizes: [12, 8, 6], heads: { z: 3 }, rng: seed('other') });
  other.copyTrunkFrom(net);
  net.trunkLayers().forEach((layer, l) => assert.ok(same(other.trunkLayers()[l]!.W, layer.W)));
  const wrong = new DeepClassifier({ sizes: [12, 5], heads: { y: 2 }, rng: seed('wrong') });
  assert.throws(() => wrong.copyTrunkFrom(net, 1), /needs W \[12,5\]/);
  tf.dispose([a, b, x, y]);
  [net, other, wrong].forEach((m) => m.dispose());
  dbn.dispose();
});

test('the multi-head loss is the sum of each head\'s cross-entropy, and its bias gradient is mean(p - onehot)', () => {
  const { x, y } = halfPatterns(16, 'heads');
  const parity = tf.tidy(() => tf.cast(tf.slice(x, [0, 0], [16, 1]).reshape([16]), 'int32')) as tf.Tensor1D;
  const net = new DeepClassifier({ sizes: [12, 5], heads: { y: 2, parity: 2 }, activation: 'tanh', rng: seed('mh') });
  const n0 = tf.memory().numTensors;
  const terms = tf.tidy(() => {
    const t = net.loss({ x, y, parity }, stepContext('mh', { training: false }));
    return [t['xent_y']!.dataSync()[0]!, t['xent_parity']!.dataSync()[0]!];
  });
  assert.equal(tf.memory().numTensors, n0, 'loss inside tidy leaks nothing');
  // Naive: -mean log softmax, from the logits in plain JS.
  const naive = (head: string, labels: tf.Tensor1D) => {
    const L = net.logits(x, head);
    const rows = L.arraySync();
    const lab = labels.arraySync();
    L.dispose();
    return -rows.reduce((s, r, i) => s + r[lab[i]!]! - Math.log(r.reduce((t, v) => t + Math.exp(v), 0)), 0) / rows.length;
  };
  assert.ok(Math.abs(terms[0]! - naive('y', y)) < 1e-5);
  assert.ok(Math.abs(terms[1]! - naive('parity', parity)) < 1e-5);
  // d loss / d d_y = mean over the batch of softmax(logits) - onehot(y) (parity's head does not depend on it).
  const headBias = net.variables()[net.variables().length - 3]!; // order: trunk W, b, then y: W, b, parity: W, b
  assert.deepEqual(headBias.shape, [2]);
  const { grads } = tf.variableGrads(() => {
    const t = net.loss({ x, y, parity }, stepContext('mh', { training: false }));
    return tf.add(t['xent_y']!, t['xent_parity']!) as tf.Scalar;
  }, [headBias]);
  const expected = tf.tidy(() => tf.mean(tf.sub(tf.softmax(net.logits(x, 'y')), tf.oneHot(y, 2)), 0));
  const g = grads[headBias.name]!;
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]!);
  assert.ok(err < 1e-6, `bias gradient error ${err}`);
  tf.dispose([g, expected, x, y, parity]);
  assert.throws(() => net.logits(x), /name the one you mean/);
  net.dispose();
});

test('dropout: inverted scaling, none at evaluation; a frozen trunk trains the heads only', async () => {
  const rng = seed('drop');
  const ones = tf.ones([200, 50]);
  const d = dropout(ones, 0.3, rng);
  const vals = d.dataSync();
  const kept = vals.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6), 'kept units scaled by 1 / (1 - rate)');
  assert.ok(Math.abs(kept.length / vals.length - 0.7) < 0.02, `kept fraction ${kept.length / vals.length}`);
  assert.equal(dropout(ones, 0.3, rng, false), ones, 'no dropout at evaluation');
  assert.throws(() => dropout(ones, 1, rng), /\[0, 1\)/);
  tf.dispose([ones, d]);

  const { x, y } = halfPatterns(100, 'frozen');
  const net = new DeepClassifier({ sizes: [12, 8, 8], heads: { y: 2 }, activation: 'relu', dropout: 0.5, freezeTrunk: true, rng: seed('f') });
  // Evaluation is deterministic despite dropout; a training loss differs between step seeds.
  const e1 = net.features(x);
  const e2 = net.features(x);
  assert.ok(same(e1, e2));
  const l1 = tf.tidy(() => net.loss({ x, y }, stepContext('a'))['xent']!.dataSync()[0]!);
  const l2 = tf.tidy(() => net.loss({ x, y }, stepContext('b'))['xent']!.dataSync()[0]!);
  assert.notEqual(l1, l2);
  const trunk0 = net.trunkLayers().map((l) => l.W.clone());
  const trainer = new Trainer(net, { rng: seed('t'), learningRate: 0.05, batchSize: 25 });
  const n0 = tf.memory().numTensors;
  await trainer.fit({ x, y }, { epochs: 3, progress: false, validation: { x, y } });
  const n1 = tf.memory().numTensors;
  await trainer.fit({ x, y }, { epochs: 2, progress: false, validation: { x, y } });
  assert.equal(tf.memory().numTensors, n1, 'a second fit leaks nothing');
  assert.ok(n1 - n0 < 12, `optimiser state only: ${n1 - n0}`);
  net.trunkLayers().forEach((l, i) => assert.ok(same(l.W, trunk0[i]!), 'frozen trunk unchanged'));
  assert.equal(trainer.history['val_error']!.length, 5);
  tf.dispose([e1, e2, x, y, ...trunk0]);
  trainer.dispose();
  net.dispose();
  assert.throws(() => new DeepClassifier({ sizes: [4], heads: {}, rng: seed(0) }), /at least one head/);
  assert.throws(() => new DeepClassifier({ sizes: [4], heads: { y: 2 }, dropout: 1.2, rng: seed(0) }), /dropout rate/);
});
