/**
 * BNNMixture: components are the seeded BayesianMLPs, the loss is the mean of their -ELBO terms (and each
 * component gets its own gradient), the predictive combines the components by the law of total variance,
 * deterministic components make a deep ensemble, and config errors are clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import type { StepContext } from '../../src/train/types';
import { stepContext } from '../step-context';
import { BayesianMLP } from '../../src/models/bayesian/mlp';
import { BNNMixture } from '../../src/models/bayesian/mixture';
import { GaussianPrior } from '../../src/models/bayesian/priors';

const ctx = (n: number, s: string): StepContext => stepContext(s, { datasetSize: n });

const values = (vs: tf.Variable[]): number[][] => vs.map((v) => Array.from(v.dataSync()));

test('loss is the mean of the components\' nll and kl; component m gets its own gradient / M', async () => {
  await tf.setBackend('cpu');
  const config = { inputDim: 3, hidden: [4], prior: new GaussianPrior({ sigma: 0.7 }), initSigma: 0.1 };
  const mix = new BNNMixture({ ...config, components: 3, rng: seed(5) });
  const r = seed(5);
  const alone = [0, 1, 2].map((m) => new BayesianMLP({ ...config, rng: r.fork(`component${m}`) }));
  alone.forEach((c, m) => assert.deepEqual(values(c.variables()), values(mix.components[m]!.variables()), `component ${m} is the BayesianMLP its seed makes`));

  const x = tf.tidy(() => seed('x').randn([8, 3])) as tf.Tensor2D;
  const y = tf.tidy(() => seed('y').randn([8, 1]));
  const mixTerms = tf.tidy(() => Object.fromEntries(Object.entries(mix.loss({ x, y }, ctx(50, 's'))).map(([k, v]) => [k, v.dataSync()[0]!])));
  const cr = new Rng('s');
  const parts = alone.map((c, m) => tf.tidy(() => {
    const t = c.loss({ x, y }, { ...ctx(50, 'unused'), rng: cr.fork(`component${m}`) });
    return { nll: t['nll']!.dataSync()[0]!, kl: t['kl']!.dataSync()[0]! };
  }));
  assert.deepEqual(Object.keys(mixTerms).sort(), ['kl', 'nll']);
  for (const k of ['nll', 'kl'] as const) {
    const mean = parts.reduce((s, p) => s + p[k], 0) / 3;
    assert.ok(Math.abs(mixTerms[k]! - mean) < 1e-5, `${k}: mixture ${mixTerms[k]} vs mean of components ${mean}`);
  }
  assert.ok(Math.abs(parts[0]!.nll - parts[1]!.nll) > 1e-4, 'components differ, so the mean is not trivially one of them');

  // Gradient of the mixture loss w.r.t. component 1's parameters = (1/3) x component 1's own gradient.
  const total = (terms: Record<string, tf.Scalar>): tf.Scalar => tf.addN(Object.values(terms)) as tf.Scalar;
  const gMix = tf.variableGrads(() => total(mix.loss({ x, y }, ctx(50, 's'))), mix.components[1]!.variables());
  const cr2 = new Rng('s');
  cr2.fork('component0');
  const g1 = tf.variableGrads(() => total(alone[1]!.loss({ x, y }, { ...ctx(50, 'unused'), rng: cr2.fork('component1') })), alone[1]!.variables());
  const a = Object.values(gMix.grads).map((t) => Array.from(t.dataSync())).flat();
  const b = Object.values(g1.grads).map((t) => Array.from(t.dataSync())).flat();
  assert.equal(a.length, b.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]! / 3) / (1e-4 + Math.abs(b[i]! / 3))));
  assert.ok(worst < 1e-3, `gradient of the mixture loss vs own gradient / M: worst relative error ${worst}`);
  assert.ok(b.some((v) => Math.abs(v) > 1e-4), 'the gradient is not zero');
  tf.dispose([x, y, gMix.value, g1.value, ...Object.values(gMix.grads), ...Object.values(g1.grads)]);
  mix.dispose();
  alone.forEach((c) => c.dispose());
});

test('predictive: K/M networks per component; mean and variances combine by the law of total variance', async () => {
  await tf.setBackend('cpu');
  const mix = new BNNMixture({ inputDim: 2, hidden: [6], initSigma: 0.2, components: 2, rng: seed(6) });
  const x = tf.tidy(() => seed('x6').randn([5, 2])) as tf.Tensor2D;
  const out = mix.sampleOutputs(x, { samples: 40, rng: new Rng('p') });
  assert.deepEqual(out.shape, [40, 5, 2]);
  out.dispose();
  const p = mix.predictRegression(x, { samples: 40, rng: new Rng('p') });
  const r = new Rng('p');
  const per = mix.components.map((c, m) => c.predictRegression(x, { samples: 20, rng: r.fork(`component${m}`) }));
  for (let i = 0; i < 5; i++) {
    const means = per.map((q) => q.mean[i]!);
    const mean = (means[0]! + means[1]!) / 2;
    const ale2 = per.reduce((s, q) => s + q.aleatoricStd[i]! ** 2, 0) / 2;
    const epi2 = per.reduce((s, q) => s + q.epistemicStd[i]! ** 2, 0) / 2 + means.reduce((s, m) => s + (m - mean) ** 2, 0) / 2;
    assert.ok(Math.abs(p.mean[i]! - mean) < 1e-5, `mean ${p.mean[i]} vs ${mean}`);
    assert.ok(Math.abs(p.aleatoricStd[i]! ** 2 - ale2) < 1e-4 * (1 + ale2), `aleatoric var ${p.aleatoricStd[i]! ** 2} vs ${ale2}`);
    assert.ok(Math.abs(p.epistemicStd[i]! ** 2 - epi2) < 1e-4 * (1 + epi2), `epistemic var ${p.epistemicStd[i]! ** 2} vs ${epi2}`);
    assert.ok(Math.abs(means[0]! - means[1]!) > 1e-3, 'components disagree, so the between-component term matters');
  }
  x.dispose();
  mix.dispose();
});

test('deterministic components: a deep ensemble of M networks, no kl term', async () => {
  await tf.setBackend('cpu');
  const mix = new BNNMixture({ inputDim: 3, hidden: [4], layers: 'dense', components: 4, rng: seed(7) });
  const x = tf.ones([2, 3]) as tf.Tensor2D;
  const y = tf.tensor2d([[0], [1]]);
  const out = mix.sampleOutputs(x, { samples: 7, rng: seed(8) });
  assert.deepEqual(out.shape, [4, 2, 2], 'one network per component whatever K is');
  const keys = tf.tidy(() => Object.keys(mix.loss({ x, y }, ctx(10, 'd'))));
  assert.deepEqual(keys, ['nll']);
  assert.equal(mix.isBayesian, false);
  assert.equal(mix.numParameters, 4 * mix.components[0]!.numParameters);
  tf.dispose([x, y, out]);
  mix.dispose();
});

test('clear errors: component count, samples not shared equally; the default K is a multiple of M', async () => {
  await tf.setBackend('cpu');
  assert.throws(() => new BNNMixture({ inputDim: 2, components: 0, rng: seed(1) }), /components must be a positive integer, got 0/);
  assert.throws(() => new BNNMixture({ inputDim: 2, components: 2.5, rng: seed(1) }), /components must be a positive integer/);
  const mix = new BNNMixture({ inputDim: 2, hidden: [3], components: 3, rng: seed(2) });
  const x = tf.ones([1, 2]) as tf.Tensor2D;
  assert.throws(() => mix.sampleOutputs(x, { samples: 10, rng: seed(3) }), /samples must be a positive multiple of the 3 components.*got 10/);
  const out = mix.sampleOutputs(x, { rng: seed(3) });
  assert.equal(out.shape[0], 102);
  tf.dispose([x, out]);
  mix.dispose();
});
