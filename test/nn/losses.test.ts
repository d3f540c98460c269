import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { LikelihoodNet, bernoulliNLL, categoricalNLL, gaussianNLL } from '../../src/nn';
import { stepContext } from '../step-context';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('gaussianNLL is -log N(y; μ, σ²) written out, and least squares up to scale and shift', () => {
  const y = [0.3, -1.2, 2.5];
  const mu = [0.1, -1, 1.5];
  const v = [0.5, 2, 0.1];
  const got = tf.tidy(() => Array.from(gaussianNLL(tf.tensor1d(y), tf.tensor1d(mu), tf.tensor1d(v)).dataSync()));
  y.forEach((yi, i) => close(got[i]!, -Math.log(Math.exp(-((yi - mu[i]!) ** 2) / (2 * v[i]!)) / Math.sqrt(2 * Math.PI * v[i]!)), 1e-5, `example ${i}`));
  const fixed = tf.tidy(() => Array.from(gaussianNLL(tf.tensor1d(y), tf.tensor1d(mu), 0.7).dataSync()));
  y.forEach((yi, i) => close(fixed[i]!, 0.5 * Math.log(2 * Math.PI * 0.7) + (yi - mu[i]!) ** 2 / 1.4, 1e-5, `fixed σ² example ${i}`));
  assert.throws(() => gaussianNLL(tf.tensor1d(y), tf.tensor1d([1, 2]), 1), /shape/);
  assert.throws(() => gaussianNLL(tf.tensor1d(y), tf.tensor1d(mu), 0), /positive/);
});

test('bernoulliNLL is binary cross-entropy from logits, equals tf.losses.sigmoidCrossEntropy, finite for extreme logits', () => {
  const z = [-3, -0.5, 0, 0.7, 4];
  const y = [0, 1, 1, 0, 1];
  const got = tf.tidy(() => Array.from(bernoulliNLL(tf.tensor1d(y), tf.tensor1d(z)).dataSync()));
  z.forEach((zi, i) => {
    const lam = 1 / (1 + Math.exp(-zi));
    close(got[i]!, -(y[i]! * Math.log(lam) + (1 - y[i]!) * Math.log(1 - lam)), 1e-5, `naive, example ${i}`);
  });
  const ref = tf.tidy(() => tf.losses.sigmoidCrossEntropy(tf.tensor1d(y), tf.tensor1d(z), undefined, 0, tf.Reduction.NONE).dataSync());
  got.forEach((g, i) => close(g, ref[i]!, 1e-5, `tfjs, example ${i}`));
  // Extreme logits: -log sig(-1e4) = 1e4 exactly in the limit; a naive log(sigmoid) gives Infinity.
  const ext = tf.tidy(() => Array.from(bernoulliNLL(tf.tensor1d([1, 0, 1, 0]), tf.tensor1d([-1e4, 1e4, 1e4, -1e4])).dataSync()));
  close(ext[0]!, 1e4, 1e-2, 'y=1, z=-1e4');
  close(ext[1]!, 1e4, 1e-2, 'y=0, z=1e4');
  close(ext[2]!, 0, 1e-6, 'y=1, z=1e4');
  close(ext[3]!, 0, 1e-6, 'y=0, z=-1e4');
});

test('categoricalNLL is -log softmax_y, equals tf.losses.softmaxCrossEntropy, finite for extreme logits', () => {
  const z = [[1, 2, 0.5], [-1, 0, 3], [0.2, 0.2, 0.2]];
  const labels = [1, 0, 2];
  const got = tf.tidy(() => Array.from(categoricalNLL(tf.tensor1d(labels, 'int32'), tf.tensor2d(z)).dataSync()));
  z.forEach((row, i) => {
    const p = Math.exp(row[labels[i]!]!) / row.reduce((s, v) => s + Math.exp(v), 0);
    close(got[i]!, -Math.log(p), 1e-5, `naive, example ${i}`);
  });
  const ref = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), tf.tensor2d(z), undefined, 0, tf.Reduction.NONE).dataSync());
  got.forEach((g, i) => close(g, ref[i]!, 1e-5, `tfjs, example ${i}`));
  const ext = tf.tidy(() => Array.from(categoricalNLL(tf.tensor1d([0, 1], 'int32'), tf.tensor2d([[1e4, 0, -1e4], [1e4, 0, -1e4]])).dataSync()));
  close(ext[0]!, 0, 1e-6, 'right class with a huge margin');
  close(ext[1]!, 1e4, 1e-2, 'wrong class with a huge margin');
  assert.throws(() => categoricalNLL(tf.tensor1d([0]), tf.tensor2d([[1, 2], [3, 4]])), /labels \[N\]/);
});

test('LikelihoodNet: each likelihood trains with its NLL; the prior term is -log N(Ω; 0, σ_p²) up to a constant; no leaks', () => {
  const rng = seed('lik');
  const x = tf.tensor2d([[0.1], [0.5], [-0.3], [0.9]]);
  const cases = [
    { likelihood: 'gaussian' as const, out: 1, y: tf.tensor2d([[0.2], [1], [-0.5], [0.3]]) },
    { likelihood: 'heteroscedastic' as const, out: 2, y: tf.tensor2d([[0.2], [1], [-0.5], [0.3]]) },
    { likelihood: 'bernoulli' as const, out: 1, y: tf.tensor2d([[0], [1], [1], [0]]) },
    { likelihood: 'categorical' as const, out: 3, y: tf.tensor1d([0, 2, 1, 2], 'int32') },
  ];
  for (const c of cases) {
    const m = new LikelihoodNet({ sizes: [1, 8, c.out], rng: rng.fork(c.likelihood), likelihood: c.likelihood, priorStd: 0.5 });
    const before = tf.memory().numTensors;
    const terms = tf.tidy(() => {
      const t = m.loss({ x, y: c.y }, stepContext('lik', { datasetSize: 4 }));
      return [t['nll']!.dataSync()[0]!, t['prior']!.dataSync()[0]!];
    });
    assert.equal(tf.memory().numTensors, before, `${c.likelihood}: leaked tensors`);
    assert.ok(Number.isFinite(terms[0]!), `${c.likelihood}: NLL finite`);
    // -log N(Ω; 0, σ_p² I) = ||Ω||²/(2σ_p²) + (#Ω/2) log(2πσ_p²): the prior term is the first part over N.
    const sq = m.net.weights.reduce((s, w) => s + Array.from(w.dataSync()).reduce((a, v) => a + v * v, 0), 0);
    close(terms[1]!, sq / (2 * 0.25) / 4, 1e-5, `${c.likelihood}: prior term`);
    m.dispose();
  }
  assert.throws(() => new LikelihoodNet({ sizes: [1, 4, 1], rng, likelihood: 'heteroscedastic' }), /needs 2 outputs/);
  assert.throws(() => new LikelihoodNet({ sizes: [1, 4, 1], rng, likelihood: 'poisson' as never }), /unknown likelihood/);
  tf.dispose([x, ...cases.map((c) => c.y)]);
});
