/**
 * Block Gibbs sampling and contrastive divergence on tiny models whose 2^n visible states can be listed.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { BernoulliRBM } from '../../src/models/rbm/bernoulli';
import { GaussianBernoulliRBM } from '../../src/models/rbm/gaussian';
import {
  binaryStates,
  empiricalDistribution,
  exactGradient,
  exactLogProb,
  exactLogZ,
  exactVisibleDistribution,
  totalVariation,
} from '../../src/models/rbm/enumerate';
import { maxAbsDiff, tinyBernoulli } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

test("Gibbs sampler's stationary distribution matches the exact p(v) (total variation)", () => {
  const rbm = tinyBernoulli(4, 3, 'gibbs', 1.5);
  const exact = exactVisibleDistribution(rbm);
  const sum = exact.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `exact p(v) sums to ${sum}`);
  // 10,000 independent chains, 100 steps each, from the uniform distribution. With 16 states the
  // sampling error of the histogram is E[TV] ~ 0.5 sum_s sqrt(2 p_s / (pi N)) <= 0.016; a sampler that
  // targets another distribution (a wrong sign, a missing bias) is off by > 0.1 for weights this large.
  const rng = seed('gibbs-chains');
  const v0 = rng.bernoulli(tf.fill([10000, 4], 0.5)) as tf.Tensor2D;
  const before0 = totalVariation(empiricalDistribution(v0), exact);
  const v = rbm.gibbs(v0, 100, rng);
  const tv = totalVariation(empiricalDistribution(v), exact);
  assert.ok(before0 > 0.15, `start should be far from p(v), TV = ${before0}`);
  assert.ok(tv < 0.035, `TV(chain histogram, exact) = ${tv}`);
  tf.dispose([v0, v]);
  rbm.dispose();
});

test('CD-k with large k approaches the exact log-likelihood gradient; CD-1 is biased', () => {
  const rbm = tinyBernoulli(6, 4, 'cdk', 1.2);
  // A small data set, replicated so that the chains' average estimates the model expectation well.
  const rngData = seed('cd-data');
  const data = rngData.bernoulli(tf.fill([8, 6], 0.3)) as tf.Tensor2D;
  const rep = tf.tile(data, [1000, 1]) as tf.Tensor2D;
  const exact = exactGradient(rbm, data);
  const errors: Record<number, number> = {};
  for (const k of [1, 30]) {
    const cfg = rbm.config as { k: number };
    cfg.k = k;
    const g = rbm.gradient(rep, seed(`cd${k}`));
    errors[k] = Math.max(maxAbsDiff(g.dW.dataSync(), exact.dW.dataSync()), maxAbsDiff(g.db.dataSync(), exact.db.dataSync()), maxAbsDiff(g.dc.dataSync(), exact.dc.dataSync()));
    tf.dispose([g.dW, g.db, g.dc, g.recon]);
  }
  // Monte Carlo error of a mean of 8,000 chain states with values in [0, 1]: sd <= 0.5 / sqrt(8000) = 0.0056.
  assert.ok(errors[30]! < 0.025, `CD-30 max error ${errors[30]}`);
  assert.ok(errors[1]! > 2 * errors[30]!, `CD-1 error ${errors[1]} should be clearly larger than CD-30's ${errors[30]}`);
  tf.dispose([data, rep, exact.dW, exact.db, exact.dc]);
  rbm.dispose();
});

for (const persistent of [false, true]) {
  test(`${persistent ? 'PCD' : 'CD-1'} training through the Trainer raises the exact log-likelihood; memory stays flat`, async () => {
    // Data: a mixture of two prototypes with 5% bit noise, which a 4-hidden-unit RBM models well.
    const rng = seed('train-data');
    const proto = tf.tensor2d([
      [1, 1, 1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1, 1],
    ]);
    const which = tf.tidy(() => tf.cast(rng.bernoulli(tf.fill([400], 0.5)), 'int32'));
    const clean = tf.gather(proto, which);
    const flip = rng.bernoulli(tf.fill([400, 8], 0.05));
    const x = tf.tidy(() => tf.abs(tf.sub(clean, flip))) as tf.Tensor2D;
    const rbm = new BernoulliRBM({ nVisible: 8, nHidden: 4, persistent, nChains: 100, learningRate: 0.05, momentum: 0.5, initStd: 0.1, rng: seed('init-train') });
    rbm.initVisibleBiases(x);
    const ll = (): number => tf.tidy(() => tf.mean(exactLogProb(rbm, x, exactLogZ(rbm))).dataSync()[0]!);
    const ll0 = ll();
    const trainer = new Trainer(rbm, { rng: seed('trainer'), batchSize: 20 });
    await trainer.fit({ x }, { epochs: 2, progress: false });
    const val = tf.slice(x, 0, 40);
    const count = tf.memory().numTensors;
    const h = await trainer.fit({ x }, { epochs: 22, progress: false, validation: { x: val } });
    assert.equal(tf.memory().numTensors, count, 'training and validation leave no tensor behind');
    const ll1 = ll();
    // The base-rate model (independent bits, p ~ 0.5) scores about 8 log 0.5 = -5.5 nats; the mixture's
    // entropy is about log 2 + 8 H(0.05) = 2.3 nats. A working learner must get well past the start.
    assert.ok(ll1 > ll0 + 2, `log-likelihood ${ll0.toFixed(3)} -> ${ll1.toFixed(3)}`);
    assert.ok(ll1 > -2.8, `final log-likelihood ${ll1.toFixed(3)}`);
    assert.ok(h['recon'] !== undefined && h['val_pnll'] !== undefined && Number.isFinite(h['val_pnll'].at(-1)), 'history has recon and val_pnll');
    const recon = h['recon']!.filter(Number.isFinite);
    assert.ok(recon.at(-1)! < recon[0]!, `reconstruction error falls: ${recon[0]} -> ${recon.at(-1)}`);
    trainer.dispose();
    const beforeDispose = tf.memory().numTensors;
    rbm.dispose();
    const freed = beforeDispose - tf.memory().numTensors;
    assert.equal(freed, persistent ? 7 : 6, 'dispose frees W, b, c, three velocities (and the chains)');
    tf.dispose([proto, which, clean, flip, x, val]);
  });
}

test('pseudo-log-likelihood equals sum_i log p(v_i | v_-i) by enumeration', () => {
  const rbm = tinyBernoulli(5, 3, 'pl');
  const V = binaryStates(5);
  const lp = exactLogProb(rbm, V).dataSync();
  const pl = rbm.pseudoLogLikelihood(V, 7).dataSync();
  for (let s = 0; s < 32; s++) {
    let oracle = 0;
    for (let i = 0; i < 5; i++) {
      const t = s ^ (1 << i);
      oracle += lp[s]! - Math.log(Math.exp(lp[s]!) + Math.exp(lp[t]!));
    }
    assert.ok(Math.abs(oracle - pl[s]!) < 1e-4, `state ${s}: PL ${pl[s]} vs ${oracle}`);
  }
  V.dispose();
  rbm.dispose();
});

test('reset re-creates parameters and persistent chains after dispose', () => {
  const rbm = new BernoulliRBM({ nVisible: 5, nHidden: 3, persistent: true, nChains: 10, rng: seed('r') });
  rbm.dispose();
  assert.throws(() => rbm.trainStep({ x: tf.zeros([2, 5]) }, {} as never), /disposed/);
  rbm.reset(seed('r2'));
  const n0 = tf.memory().numTensors;
  const x = tf.ones([4, 5]);
  const ctx = { epoch: 0, step: 0, globalStep: 0, datasetSize: 4, rng: seed('s'), training: true };
  tf.tidy(() => {
    rbm.trainStep({ x }, ctx);
  });
  assert.equal(tf.memory().numTensors, n0 + 1, 'only x is new');
  assert.throws(() => rbm.trainStep({ y: x }, ctx), /the batch has no "x"/);
  x.dispose();
  rbm.dispose();
});

test('Gaussian-Bernoulli RBM trained with CD-1 beats one Gaussian on a two-cluster data set (exact log-likelihood)', async () => {
  const rng = seed('gb-data');
  // Two clusters at (-1, -1) and (1, 1), std 0.3: standardised-ish data where N(0, I) scores -log(2 pi) - 1 = -2.84.
  const x = tf.tidy(() => {
    const sign = tf.sub(tf.mul(rng.bernoulli(tf.fill([600, 1], 0.5)), 2), 1);
    return tf.add(tf.mul(sign, tf.ones([600, 2])), tf.mul(rng.randn([600, 2]), 0.3)) as tf.Tensor2D;
  });
  const gb = new GaussianBernoulliRBM({ nVisible: 2, nHidden: 4, sigma: 0.4, learningRate: 0.01, initStd: 0.1, rng: seed('gb-init') });
  gb.initVisibleBiases(x);
  const trainer = new Trainer(gb, { rng: seed('gb-train'), batchSize: 30 });
  await trainer.fit({ x }, { epochs: 30, progress: false });
  const ll = tf.tidy(() => tf.mean(exactLogProb(gb, x, exactLogZ(gb))).dataSync()[0]!);
  // The true density scores about -2 log(0.3 sqrt(2 pi e)) - log 2 = -0.85; one Gaussian fitted to the data ~ -2.5.
  assert.ok(ll > -2.0, `GB-RBM exact log-likelihood ${ll.toFixed(3)}`);
  trainer.dispose();
  gb.dispose();
  x.dispose();
});
