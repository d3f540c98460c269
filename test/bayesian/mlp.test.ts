/**
 * BayesianMLP: the loss terms and their scale, MAP = L2, memory across training steps and after
 * dispose, the mixed deterministic/Bayesian stack, priors handed over for continual learning, and
 * config errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import type { StepContext } from '../../src/train/types';
import { stepContext } from '../step-context';
import { BayesianMLP } from '../../src/models/bayesian/mlp';
import { GaussianPrior } from '../../src/models/bayesian/priors';

const ctx = (n: number, s: string): StepContext => stepContext(s, { datasetSize: n });

test('loss terms: nll + kl / N; KL matches the sum of the layers; dense layers add MAP = L2 / N', async () => {
  await tf.setBackend('cpu');
  const x = tf.tidy(() => seed('x').randn([6, 4])) as tf.Tensor2D;
  const y = tf.tidy(() => seed('y').randn([6, 1]));
  const model = new BayesianMLP({ inputDim: 4, hidden: [5], layers: ['dense', 'bayes'], rng: seed(0), densePriorSigma: 0.5, prior: new GaussianPrior({ sigma: 0.3 }) });
  const terms = tf.tidy(() => {
    const t = model.loss({ x, y }, ctx(100, 'a'));
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.dataSync()[0]!]));
  });
  assert.deepEqual(Object.keys(terms).sort(), ['kl', 'nll', 'prior']);
  const dense = model.denseLayers[0]!;
  const l2 = tf.tidy(() => tf.add(tf.sum(tf.square(dense.kernel)), tf.sum(tf.square(dense.bias))).dataSync()[0]!);
  assert.ok(Math.abs(terms['prior']! - l2 / (2 * 0.25) / 100) < 1e-5, `prior term ${terms['prior']} vs L2 / (2 s^2) / N = ${l2 / 0.5 / 100}`);
  const bayes = model.bayesLayers[1]!;
  const klLayer = tf.tidy(() => bayes.forward(tf.zeros([1, 5]), 1, seed(1)).kl.dataSync()[0]!);
  assert.ok(Math.abs(terms['kl']! - klLayer / 100) < 1e-5, `kl term ${terms['kl']} vs layer KL / N ${klLayer / 100}`);
  assert.equal(model.bayesLayers[0], null);
  tf.dispose([x, y]);
  model.dispose();
});

test('fully deterministic config has one network: no kl term, K samples collapse to 1, mse head', async () => {
  await tf.setBackend('cpu');
  const model = new BayesianMLP({ inputDim: 3, hidden: [4], layers: 'dense', head: 'mse', rng: seed(1), targetScale: { mean: 5, std: 2 } });
  const x = tf.ones([2, 3]) as tf.Tensor2D;
  const y = tf.tensor2d([[5], [6]]);
  const terms = tf.tidy(() => Object.keys(model.loss({ x, y }, ctx(10, 'b'))));
  assert.deepEqual(terms, ['mse']);
  const p = model.predictRegression(x, { rng: seed(2), samples: 50 });
  assert.equal(p.epistemicStd[0], 0);
  assert.ok(Math.abs(p.mean[0]! - 5) < 2, 'targetScale puts initial predictions near the target mean');
  tf.dispose([x, y]);
  model.dispose();
});

test('training steps and predictions keep the tensor count flat; dispose frees everything', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const model = new BayesianMLP({ inputDim: 3, hidden: [8, 8], layers: ['dense', 'bayes', 'bayes'], trainSamples: 3, rng: seed(3) });
  const x = tf.tidy(() => seed('x3').randn([16, 3])) as tf.Tensor2D;
  const y = tf.tidy(() => seed('y3').randn([16, 1]));
  const opt = tf.train.adam(1e-2);
  const vars = model.variables();
  const counts: number[] = [];
  for (let s = 0; s < 4; s++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const t = model.loss({ x, y }, ctx(16, `s${s}`));
        return tf.addN(Object.values(t)) as tf.Scalar;
      }, vars);
      opt.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    });
    const ev = model.evaluateRegression(x, y, { rng: seed(s), samples: 20, chunk: 5 });
    assert.equal(ev.predictive.mean.length, 16);
    assert.ok(ev.coverage95 >= 0 && ev.coverage95 <= 1 && Number.isFinite(ev.nll));
    counts.push(tf.memory().numTensors);
  }
  assert.ok(counts.every((c) => c === counts[1]), `tensor count per step: ${counts.join(', ')}`);
  opt.dispose();
  tf.dispose([x, y]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('chunked prediction draws the same K networks for every chunk', async () => {
  await tf.setBackend('cpu');
  const model = new BayesianMLP({ inputDim: 2, hidden: [4], rng: seed(4), initSigma: 0.3 });
  const x = tf.tensor2d([[1, 2], [1, 2], [1, 2]]);
  const a = model.predictRegression(x, { rng: seed(5), samples: 10, chunk: 1 });
  assert.ok(Math.abs(a.mean[0]! - a.mean[2]!) < 1e-6 && a.epistemicStd[0]! > 0);
  tf.dispose(x);
  model.dispose();
});

test('classifier: categorical head loss, predictive probabilities sum to one; posterior -> prior', async () => {
  await tf.setBackend('cpu');
  const model = new BayesianMLP({ inputDim: 2, hidden: [6], head: 'categorical', numClasses: 3, rng: seed(6), initSigma: 0.2 });
  const x = tf.tensor2d([[0, 1], [1, 0]]);
  const y = tf.tensor1d([2, 0]);
  const nll = tf.tidy(() => model.loss({ x, y }, ctx(2, 'c'))['nll']!.dataSync()[0]!);
  assert.ok(nll > 0 && Number.isFinite(nll));
  const p = model.predictClasses(x, { rng: seed(7), samples: 30 });
  p.probs.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5));
  model.setPriors(model.posteriorAsPriors());
  const kl = tf.tidy(() => model.loss({ x, y }, ctx(2, 'd'))['kl']!.dataSync()[0]!);
  assert.ok(Math.abs(kl) < 1e-4, `KL to the posterior-as-prior should be 0, got ${kl}`);
  tf.dispose([x, y]);
  model.dispose();
});

test('clear config errors', () => {
  assert.throws(() => new BayesianMLP({ inputDim: 3, hidden: [4], layers: ['bayes'], rng: seed(0) }), /array of 2 of them/);
  assert.throws(() => new BayesianMLP({ inputDim: 3, head: 'categorical', rng: seed(0) }), /numClasses >= 2/);
  const m = new BayesianMLP({ inputDim: 3, hidden: [], rng: seed(0) });
  assert.throws(() => m.forward(tf.ones([2, 4]), 1, seed(1)), /expected inputs \[B, 3\]/);
  m.dispose();
});
