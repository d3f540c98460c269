import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { signalPropagation } from '../../src/analysis';
import { seed } from '../../src/runtime/rng';

test('signal propagation: variance changes by D σ²/2 per layer, forward and backward; He stays put; no leaks', () => {
  const width = 200;
  const before = tf.memory().numTensors;
  const runs = [0.5, 1, 2].map((k) => ({ k, r: signalPropagation({ width, depth: 20, sigma2: (k * 2) / width, batch: 256, rng: seed('sp' + k) }) }));
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
  for (const { k, r } of runs) {
    // Over 19 layers the log-variance moves by 19 log k on average; finite width adds noise of a few
    // tenths in the log, so compare the per-layer factor within 10 %.
    const fwd = Math.pow(r.forward[19]! / r.forward[0]!, 1 / 19);
    const bwd = Math.pow(r.backward[0]! / r.backward[19]!, 1 / 19);
    assert.ok(Math.abs(fwd / k - 1) < 0.1, `σ² = ${k}·2/D: forward factor ${fwd}`);
    assert.ok(Math.abs(bwd / k - 1) < 0.1, `σ² = ${k}·2/D: backward factor ${bwd}`);
  }
  assert.throws(() => signalPropagation({ width: 0, depth: 2, sigma2: 1, rng: seed(1) }), /width/);
});
