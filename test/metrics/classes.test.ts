import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classHistogram, classHistogramKl, FeatureClassifier, IndependentPixelModel, meanTopConfidence, sampleScores, fitFeatureGaussian } from '../../src/metrics';
import { Trainer } from '../../src/train';
import { seed } from '../../src/runtime/rng';

before(async () => {
  await tf.setBackend('cpu');
});

test('class histogram, its KL to uniform and the mean top-class confidence on fixed probabilities', () => {
  const p = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]);
  assert.deepEqual(classHistogram(p), [0.5, 0.25, 0.25]);
  const want = 0.5 * Math.log(1.5) + 2 * 0.25 * Math.log(0.75);
  assert.ok(Math.abs(classHistogramKl(p) - want) < 1e-12);
  assert.ok(Math.abs(meanTopConfidence(p) - (0.7 + 0.8 + 0.6 + 0.6) / 4) < 1e-6);
  const one = tf.tensor2d([[0, 1], [0, 1]]);
  assert.ok(Math.abs(classHistogramKl(one) - Math.log(2)) < 1e-12);
  assert.throws(() => classHistogram(tf.zeros([3])), /\[n, classes\]/);
  tf.dispose([p, one]);
});

test('FeatureClassifier learns separable classes; sampleScores gives FD 0 against its own fit and the right class figures', async () => {
  // Three well-separated 4-D blobs.
  const n = 300;
  const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([n, 4], 0, 1, 'float32', 5), 0.3), tf.tile(tf.tensor2d([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]]), [n / 3, 1]))) as tf.Tensor2D;
  const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
  const clf = new FeatureClassifier({ inputDim: 4, hidden: [16, 8], nClasses: 3, rng: seed('clf') });
  const trainer = new Trainer(clf, { rng: seed('clf-t'), batchSize: 32, learningRate: 1e-2 });
  await trainer.fit({ x, y }, { epochs: 15, progress: false });
  assert.ok(clf.accuracy(x, y) > 0.98, `accuracy ${clf.accuracy(x, y)}`);
  assert.equal(clf.featureDim, 8);
  const before = tf.memory().numTensors;
  const ref = fitFeatureGaussian((t) => clf.features(t), x);
  const s = sampleScores(clf, x, ref, 64);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Math.abs(s.fd) < 1e-6, `FD ${s.fd}`);
  assert.ok(s.classKl < 0.01 && s.topConfidence > 0.9);
  // Only class-0 rows: histogram all on class 0, KL log 3, positive FD.
  const only0 = tf.tidy(() => tf.gather(x, tf.tensor1d(Array.from({ length: 100 }, (_, i) => 3 * i), 'int32')) as tf.Tensor2D);
  const s0 = sampleScores(clf, only0, ref);
  assert.ok(Math.abs(s0.classKl - Math.log(3)) < 1e-9 && s0.fd > 1);
  assert.throws(() => new FeatureClassifier({ inputDim: 4, hidden: [0], nClasses: 3, rng: seed(1) }), /hidden\[0\] must be a positive integer/);
  tf.dispose([x, y, only0]);
  trainer.dispose();
  clf.dispose();
});

test('independent-pixel model: per-pixel means and spreads of its samples match the data', () => {
  const x = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.randomNormal([4000, 3], 0, 1, 'float32', 9), tf.tensor1d([0.1, 0.2, 0.05])), tf.tensor1d([0.5, 0.4, 0.7])), 0, 1)) as tf.Tensor2D;
  const model = IndependentPixelModel.fit(x);
  const s = model.sample(4000, seed('pix'));
  const [m, v] = tf.tidy(() => {
    const a = tf.moments(s, 0);
    return [Array.from(a.mean.dataSync()), Array.from(tf.sqrt(a.variance).dataSync())];
  });
  [0.5, 0.4, 0.7].forEach((w, j) => assert.ok(Math.abs(m![j]! - w) < 0.02));
  [0.1, 0.2, 0.05].forEach((w, j) => assert.ok(Math.abs(v![j]! - w) < 0.02));
  assert.ok(tf.tidy(() => tf.min(s).dataSync()[0]! >= 0 && tf.max(s).dataSync()[0]! <= 1));
  // Pixels are independent: the sample correlation between two pixels is near 0.
  tf.dispose([x, s]);
});
