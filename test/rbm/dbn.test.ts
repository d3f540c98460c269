/**
 * The deep belief net (greedy stacking through the Trainer, up-pass, sampling) and the classifier it
 * initialises.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { DBN } from '../../src/models/rbm/dbn';
import { MLPClassifier } from '../../src/models/rbm/classifier';
import { BernoulliRBM } from '../../src/models/rbm/bernoulli';
import { GaussianBernoulliRBM } from '../../src/models/rbm/gaussian';
import { maxAbsDiff } from './helpers';
import { halfPatterns } from '../toy-patterns';

before(async () => {
  await tf.setBackend('cpu');
});


test('greedy training, features, samples and a classifier initialised from the DBN', async () => {
  const { x, y } = halfPatterns(300, 'dbn-data');
  const dbn = new DBN({ sizes: [12, 8, 6], rbm: { learningRate: 0.1 }, rng: seed('dbn') });
  assert.deepEqual(dbn.histories, [{ epoch: [] }, { epoch: [] }], 'no history before training');
  const n0 = tf.memory().numTensors;
  const hist = await dbn.fitGreedy(x, { rng: seed('greedy'), epochs: [20, 20], batchSize: 20, progress: false });
  assert.equal(hist.length, 2);
  assert.equal(hist[1]!['recon']!.filter(Number.isFinite).length, 20);
  // Trainers (their optimiser state) stay alive for resuming; nothing else accumulates per step.
  const n1 = tf.memory().numTensors;
  await dbn.fitLayer(1, x, { rng: seed('greedy'), epochs: 2, batchSize: 20, progress: false });
  assert.equal(tf.memory().numTensors, n1, 'resuming a layer leaks nothing');
  assert.equal(dbn.histories[1]!.epoch.length, 22, 'histories reads each layer trainer\'s history, resumed epochs included');
  assert.equal(dbn.histories[0]!.epoch.length, 20);
  assert.ok(n1 - n0 < 10, `greedy training left ${n1 - n0} tensors`);

  const f = dbn.features(x);
  assert.deepEqual(f.shape, [300, 6]);
  // The up-pass is the composition of the layers' p(h | v).
  const manual = tf.tidy(() => dbn.layers[1]!.hiddenProbs(dbn.layers[0]!.hiddenProbs(x)));
  assert.ok(maxAbsDiff(f.dataSync(), manual.dataSync()) < 1e-6);
  const s = dbn.sample({ n: 50, gibbsSteps: 100, rng: seed('samples') });
  assert.deepEqual(s.shape, [50, 12]);
  const sd = s.dataSync();
  assert.ok(sd.every((p) => p >= 0 && p <= 1), 'samples are pixel probabilities');
  // Samples look like the data: one half on, the other off (the mean |left - right| is large).
  const contrast = tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.mean(tf.slice(s, [0, 0], [50, 6]), 1), tf.mean(tf.slice(s, [0, 6], [50, 6]), 1)))).dataSync()[0]!);
  assert.ok(contrast > 0.4, `samples are not bimodal: mean |left - right| = ${contrast}`);

  // The classifier's hidden layers reproduce the DBN's features exactly before fine-tuning.
  const net = MLPClassifier.fromDBN(dbn, { nClasses: 2, rng: seed('clf') });
  const g = net.features(x);
  assert.ok(maxAbsDiff(g.dataSync(), f.dataSync()) < 1e-6, 'fromDBN copies W and c');
  const trainer = new Trainer(net, { rng: seed('ft'), learningRate: 0.05, batchSize: 30 });
  await trainer.fit({ x, y }, { epochs: 15, progress: false, validation: { x, y } });
  const acc = net.accuracy(x, y);
  // Bayes accuracy of this toy is ~1 (12 bits, 10% noise); chance is 0.5.
  assert.ok(acc > 0.95, `fine-tuned accuracy ${acc}`);
  assert.ok(Number.isFinite(trainer.history['val_error']!.at(-1)!));
  tf.dispose([f, manual, s, g]);
  trainer.dispose();
  const before = tf.memory().numTensors;
  net.dispose();
  dbn.dispose();
  assert.ok(before - tf.memory().numTensors >= 6 + 2 + 14, 'dispose frees the classifier and every layer');
  tf.dispose([x, y]);
});

test('softmax cross-entropy matches a hand computation; one-hot and index labels agree', () => {
  const net = new MLPClassifier({ sizes: [3], nClasses: 4, rng: seed('lr') });
  const x = tf.tensor2d([
    [1, 0, -1],
    [0.5, 2, 0],
  ]);
  const y = tf.tensor1d([2, 0], 'int32');
  const logits = net.logits(x).arraySync();
  const oracle =
    -[2, 0]
      .map((c, r) => {
        const row = logits[r]!;
        const m = Math.max(...row);
        return row[c]! - m - Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
      })
      .reduce((a, b) => a + b) / 2;
  const a = tf.tidy(() => net.loss({ x, y })['xent']!.dataSync()[0]!);
  const b = tf.tidy(() => net.loss({ x, y: tf.oneHot(y, 4) })['xent']!.dataSync()[0]!);
  assert.ok(Math.abs(a - oracle) < 1e-5 && Math.abs(b - oracle) < 1e-5, `${a}, ${b} vs ${oracle}`);
  assert.throws(() => net.loss({ x }), /needs "x" and "y"/);
  tf.dispose([x, y]);
  net.dispose();
});

test('making and disposing every model leaves no tensor behind', () => {
  const n0 = tf.memory().numTensors;
  const models = [
    new BernoulliRBM({ nVisible: 6, nHidden: 4, persistent: true, nChains: 5, rng: seed('m1') }),
    new GaussianBernoulliRBM({ nVisible: 3, nHidden: 2, sigma: [1, 2, 3], rng: seed('m2') }),
    new MLPClassifier({ sizes: [5, 4, 3], nClasses: 2, rng: seed('m3') }),
    new DBN({ sizes: [6, 4, 3], rng: seed('m4') }),
  ];
  assert.equal(tf.memory().numTensors - n0, 7 + 7 + 6 + 12, 'only the models\' own variables (and sigma) exist');
  const x = tf.ones([4, 6]) as tf.Tensor2D;
  const x3 = tf.ones([4, 3]) as tf.Tensor2D;
  const n1 = tf.memory().numTensors;
  (models[0] as BernoulliRBM).initVisibleBiases(x);
  (models[1] as GaussianBernoulliRBM).initVisibleBiases(x3);
  assert.equal(tf.memory().numTensors, n1, 'initVisibleBiases keeps nothing');
  tf.dispose([x, x3]);
  models.forEach((m) => m.dispose());
  assert.equal(tf.memory().numTensors, n0);
});
