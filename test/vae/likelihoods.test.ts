import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { bernoulliLogLikelihood, gaussianLogLikelihood } from '../../src/models/vae/likelihoods';
import { LOG_2PI } from '../../src/math';

test('Bernoulli log-likelihood on logits matches the naive x log p + (1-x) log(1-p)', () => {
  const logits = [-3, -0.5, 0, 0.7, 2.5, 4];
  const x = [0, 1, 1, 0, 1, 0.3]; // a grey level too: the formula holds for x in [0, 1]
  let naive = 0;
  for (let i = 0; i < logits.length; i++) {
    const p = 1 / (1 + Math.exp(-logits[i]!));
    naive += x[i]! * Math.log(p) + (1 - x[i]!) * Math.log(1 - p);
  }
  const got = tf.tidy(() => bernoulliLogLikelihood(tf.tensor2d([x]), tf.tensor2d([logits])).dataSync()[0]!);
  assert.ok(Math.abs(got - naive) < 1e-5, `${got} vs naive ${naive}`);
});

test('Bernoulli log-likelihood is finite and exact for extreme logits (where the naive formula gives -Inf)', () => {
  // log σ(l) for x = 1 and log(1 - σ(l)) for x = 0 in closed form: -softplus(-l) and -softplus(l).
  const l = [-200, -60, -30, 30, 60, 200];
  const got1 = tf.tidy(() => tf.stack(l.map((v) => bernoulliLogLikelihood(tf.tensor2d([[1]]), tf.tensor2d([[v]])))).dataSync());
  const got0 = tf.tidy(() => tf.stack(l.map((v) => bernoulliLogLikelihood(tf.tensor2d([[0]]), tf.tensor2d([[v]])))).dataSync());
  const softplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  l.forEach((v, i) => {
    assert.ok(Number.isFinite(got1[i]!) && Number.isFinite(got0[i]!), `logit ${v}: ${got1[i]}, ${got0[i]}`);
    assert.ok(Math.abs(got1[i]! + softplus(-v)) <= 1e-5 * Math.max(1, Math.abs(v)), `x=1, logit ${v}: ${got1[i]}`);
    assert.ok(Math.abs(got0[i]! + softplus(v)) <= 1e-5 * Math.max(1, Math.abs(v)), `x=0, logit ${v}: ${got0[i]}`);
  });
  // The naive formula really does break there (so the test above is not vacuous).
  const p = 1 / (1 + Math.exp(-60));
  assert.equal(Math.log(1 - Math.fround(p)), -Infinity);
  // Gradients stay finite too.
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(bernoulliLogLikelihood(tf.tensor2d([[1, 0, 1, 0]]), t)))(tf.tensor2d([[-200, 200, 90, -90]])).dataSync());
  assert.ok(Array.from(g).every(Number.isFinite), `gradient ${Array.from(g)}`);
});

test('Gaussian log-likelihood matches the density formula, with per-feature and scalar log σ', () => {
  const x = [0.5, -1, 2];
  const mu = [0, -0.5, 1];
  const ls = [-0.5, 0, 0.3];
  let want = 0;
  for (let i = 0; i < 3; i++) want += -0.5 * (((x[i]! - mu[i]!) / Math.exp(ls[i]!)) ** 2 + 2 * ls[i]! + LOG_2PI);
  const got = tf.tidy(() => gaussianLogLikelihood(tf.tensor2d([x]), tf.tensor2d([mu]), tf.tensor1d(ls)).dataSync()[0]!);
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  let want0 = 0;
  for (let i = 0; i < 3; i++) want0 += -0.5 * ((x[i]! - mu[i]!) ** 2 + LOG_2PI);
  const got0 = tf.tidy(() => gaussianLogLikelihood(tf.tensor2d([x]), tf.tensor2d([mu]), 0).dataSync()[0]!);
  assert.ok(Math.abs(got0 - want0) < 1e-5);
});
