import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule, diffuse, forwardChain, forwardCheck, forwardMoments } from '../../src/models/diffusion';
import { seed } from '../../src/runtime/rng';
import { moments } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

test('closed-form kernel q(z_t | x) matches a Monte Carlo run of the forward chain', () => {
  // Large betas (T = 20 up to 0.3) so that the composition is far from trivial.
  const s = NoiseSchedule.linear({ T: 20, betaStart: 0.01, betaEnd: 0.3 });
  const n = 20000;
  const x0 = [1.5, -0.7];
  const x = tf.tile(tf.tensor2d([x0]), [n, 1]);
  const frames = forwardChain(s, x, seed('chain'), { keep: [1, 5, 20] });
  for (const [t, z] of frames) {
    const { mean, variance } = moments(z);
    const fm = forwardMoments(s, tf.tensor2d([x0]), t);
    const wantMean = Array.from(fm.mean.dataSync());
    fm.mean.dispose();
    for (let j = 0; j < 2; j++) {
      // Standard errors: sqrt(v / n) for the mean, v sqrt(2 / n) for the variance; allow 5 of them.
      const v = fm.variance;
      assert.ok(Math.abs(mean[j]! - wantMean[j]!) < 5 * Math.sqrt(v / n), `t=${t} mean ${mean[j]} vs ${wantMean[j]}`);
      assert.ok(Math.abs(variance[j]! - v) < 5 * v * Math.sqrt(2 / n), `t=${t} var ${variance[j]} vs ${v}`);
    }
    z.dispose();
  }
  x.dispose();
});

test('diffuse with per-row steps equals diffuse row by row; it does not leak', () => {
  const s = NoiseSchedule.linear({ T: 50 });
  const x = tf.tensor2d([[1, 2], [3, 4], [-1, 0.5]]);
  const eps = tf.tensor2d([[0.1, -0.2], [0.3, 0.0], [-1, 1]]);
  const steps = [1, 25, 50];
  const before = tf.memory().numTensors;
  const all = diffuse(s, x, tf.tensor1d(steps, 'int32'), eps);
  const got = all.arraySync() as number[][];
  steps.forEach((t, i) => {
    const want = [0, 1].map((j) => Math.sqrt(s.alpha[t]!) * (x.arraySync() as number[][])[i]![j]! + Math.sqrt(1 - s.alpha[t]!) * (eps.arraySync() as number[][])[i]![j]!);
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(got[i]![j]! - want[j]!) < 1e-5);
  });
  all.dispose();
  assert.equal(tf.memory().numTensors, before + 1); // only the int32 steps tensor we made inline
  assert.throws(() => diffuse(s, x, tf.tensor1d([1, 2], 'int32'), eps), /2 steps for 3 rows/);
  assert.throws(() => diffuse(s, x, 51, eps), /0\.\.50/);
});

test('forwardCheck: standardised gaps between chain and closed form stay within 5 standard errors', () => {
  const s = NoiseSchedule.linear({ T: 100, betaStart: 1e-3, betaEnd: 0.05 });
  const x0 = tf.tensor2d([[1, -1], [0.2, 0.4]]);
  const before = tf.memory().numTensors;
  const rows = forwardCheck(s, x0, 3000, [10, 100], seed('fc'));
  assert.equal(tf.memory().numTensors, before);
  assert.equal(rows.length, 4);
  for (const r of rows) {
    assert.ok(r.meanZ < 5 && r.varZ < 5, JSON.stringify(r));
    assert.ok(Math.abs(r.closedVar - (1 - s.alpha[r.t]!)) < 1e-12);
  }
  x0.dispose();
});
