/**
 * Annealed importance sampling against exact log Z on models small enough to enumerate.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { ais, aisBetas, averageLogLikelihood } from '../../src/models/rbm/ais';
import { exactLogZ, exactLogProb } from '../../src/models/rbm/enumerate';
import { tinyBernoulli } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

test('aisBetas: K + 1 increasing values from 0 to 1 with the Salakhutdinov-Murray proportions', () => {
  const b = aisBetas(1450);
  assert.equal(b.length, 1451);
  assert.equal(b[0], 0);
  assert.equal(b[1450], 1);
  for (let i = 1; i < b.length; i++) assert.ok(b[i]! > b[i - 1]!, `beta not increasing at ${i}`);
  assert.equal(b.filter((x) => x < 0.5).length, 100);
  assert.equal(b.filter((x) => x >= 0.5 && x < 0.9).length, 400);
  assert.equal(b.filter((x) => x >= 0.9).length, 951);
});

test('AIS brackets the exact log Z of a small model (base-rate start) and tightens with more temperatures', () => {
  // 24 visibles x 10 hiddens: exact log Z enumerates 2^10 hidden states.
  const rbm = tinyBernoulli(24, 10, 'ais', 0.6);
  const data = seed('ais-data').bernoulli(tf.fill([200, 24], 0.3)) as tf.Tensor2D;
  const exact = exactLogZ(rbm);
  const n0 = tf.memory().numTensors;
  const r = ais(rbm, { rng: seed('ais-run'), runs: 100, temperatures: 400, data });
  assert.equal(tf.memory().numTensors, n0, 'ais leaves no tensor behind');
  assert.ok(r.logZLow <= exact && exact <= r.logZHigh, `exact ${exact.toFixed(3)} outside [${r.logZLow.toFixed(3)}, ${r.logZHigh.toFixed(3)}]`);
  assert.ok(Math.abs(r.logZ - exact) < 0.2, `AIS ${r.logZ.toFixed(3)} vs exact ${exact.toFixed(3)}`);
  assert.ok(r.logZHigh - r.logZLow < 1, `bracket width ${r.logZHigh - r.logZLow}`);
  // Far too few temperatures: the estimate is worse (AIS is biased low in log space when it fails).
  const rough = ais(rbm, { rng: seed('ais-run'), runs: 100, temperatures: 10, data });
  assert.ok(rough.effectiveSampleSize < r.effectiveSampleSize, `ESS ${rough.effectiveSampleSize} vs ${r.effectiveSampleSize}`);
  // The base-rate model is exact when the RBM has no weights: log w = 0 for every run.
  const zeroW = tinyBernoulli(24, 10, 'ais0', 0);
  const r0 = ais(zeroW, { rng: seed('ais0'), runs: 10, temperatures: 20 });
  assert.ok(Math.abs(r0.logZ - exactLogZ(zeroW)) < 1e-4, `W = 0: ${r0.logZ} vs ${exactLogZ(zeroW)}`);
  // Average log-likelihood: the bracket contains the exact value.
  const ll = averageLogLikelihood(rbm, data, r);
  const llExact = tf.tidy(() => tf.mean(exactLogProb(rbm, data, exact)).dataSync()[0]!);
  assert.ok(ll.low <= llExact && llExact <= ll.high, `log-lik ${llExact} outside [${ll.low}, ${ll.high}]`);
  data.dispose();
  rbm.dispose();
  zeroW.dispose();
});

test('ais rejects bad betas', () => {
  const rbm = tinyBernoulli(4, 3, 'aisbad');
  assert.throws(() => ais(rbm, { rng: seed(1), betas: [0, 0.5, 0.9] }), /increase from exactly 0 to exactly 1/);
  rbm.dispose();
});
