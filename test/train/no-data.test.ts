/**
 * Fitting objectives that need no data: `fit(null, { epochs, stepsPerEpoch })`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import type { Batch, LossTerms, StepContext, Trainable } from '../../src/train/types';
import { resetWeightCacheChoice, useWeightCache } from '../../src/train/weight-cache';
import { isolateWeightCache } from './cache-env';

isolateWeightCache();

/**
 * Minimise E_ε[(w − 2 − ε)²], ε ~ N(0, 1), by Monte Carlo with the step's own samples: the optimum is
 * w = 2. Like a flow's reverse KL, it needs no data; it records the sizes the trainer gave it.
 */
class MonteCarloMean implements Trainable {
  readonly w = tf.variable(tf.scalar(0));
  readonly seen: { batchSize: number | undefined; datasetSize: number; rows: number }[] = [];
  variables(): tf.Variable[] {
    return [this.w];
  }
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const rows = Object.values(batch)[0]?.shape[0];
    const n = rows ?? ctx.batchSize;
    if (n === undefined) throw new Error('MonteCarloMean: no sample count');
    if (ctx.training) this.seen.push({ batchSize: ctx.batchSize, datasetSize: ctx.datasetSize, rows: rows ?? 0 });
    const eps = ctx.rng.randn([n]);
    return { mse: tf.mean(tf.square(tf.sub(tf.sub(this.w, 2), eps))) as tf.Scalar };
  }
  dispose(): void {
    this.w.dispose();
  }
}

test('fit(null, { stepsPerEpoch }) trains a data-free objective, exactly as a dummy data set of the same size did', async () => {
  const make = (): Trainer => new Trainer(new MonteCarloMean(), { rng: seed('nodata'), learningRate: 0.1, batchSize: 64 });
  const a = make();
  await a.fit(null, { epochs: 3, stepsPerEpoch: 20, progress: false });
  const seen = (a.model as MonteCarloMean).seen;
  assert.equal(seen.length, 60);
  assert.deepEqual(seen[0], { batchSize: 64, datasetSize: 64 * 20, rows: 0 }, 'an empty batch, and the trainer says how many samples to draw');
  assert.deepEqual(a.history.epoch, [1, 2, 3]);
  assert.equal(a.steps, 60);
  const w = a.model.variables()[0]!.dataSync()[0]!;
  // 60 Adam steps of 0.1 from 0 towards 2, on 64-sample gradients: within Monte Carlo jitter of the optimum.
  assert.ok(Math.abs(w - 2) < 0.3, `w = ${w}`);

  // The old way: zeros with one row per sample, values ignored. Same seeds, so the same numbers.
  const b = make();
  const zeros = tf.zeros([64 * 20, 1]);
  await b.fit({ z: zeros }, { epochs: 3, progress: false });
  zeros.dispose();
  assert.deepEqual(b.history['mse'], a.history['mse']);
  assert.equal(b.model.variables()[0]!.dataSync()[0], w);

  // Resuming without data carries on like any fit, and leaves no tensor behind (the optimiser's state exists by now).
  const before = tf.memory().numTensors;
  await a.fit(null, { epochs: 1, stepsPerEpoch: 20, progress: false });
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.deepEqual(a.history.epoch, [1, 2, 3, 4]);
  for (const t of [a, b]) {
    t.model.dispose();
    t.dispose();
  }
});

test('bad calls are clear errors', async () => {
  const t = new Trainer(new MonteCarloMean(), { rng: seed('nodata-bad'), batchSize: 8 });
  await assert.rejects(t.fit(null, { epochs: 1 }), /without data \(train null\), give the steps per epoch as a positive integer: fit\(null, \{ epochs, stepsPerEpoch: 100 \}\); got stepsPerEpoch undefined/);
  await assert.rejects(t.fit(null, { epochs: 1, stepsPerEpoch: 2.5 }), /positive integer.*got stepsPerEpoch 2.5/);
  await assert.rejects(t.fit(null, { epochs: 1, stepsPerEpoch: 2, maxStepsPerEpoch: 1 }), /drop maxStepsPerEpoch/);
  const x = tf.zeros([8, 1]);
  await assert.rejects(t.fit({ x }, { epochs: 1, stepsPerEpoch: 2 }), /stepsPerEpoch is for fits without data/);
  x.dispose();
  t.model.dispose();
  t.dispose();
});

test('a data-free fit is cached and restored like any other (no zeros hashed)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-nodata-cache-'));
  useWeightCache(dir);
  try {
    const a = new Trainer(new MonteCarloMean(), { rng: seed('nodata-cache'), learningRate: 0.1, batchSize: 16 });
    await a.fit(null, { epochs: 2, stepsPerEpoch: 5, progress: false, cache: 'mc' });
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 1);
    const b = new Trainer(new MonteCarloMean(), { rng: seed('nodata-cache'), learningRate: 0.1, batchSize: 16 });
    await b.fit(null, { epochs: 2, stepsPerEpoch: 5, progress: false, cache: 'mc' });
    assert.equal((b.model as MonteCarloMean).seen.length, 0, 'restored, not trained');
    assert.deepEqual(b.history, a.history);
    assert.equal(b.model.variables()[0]!.dataSync()[0], a.model.variables()[0]!.dataSync()[0]);
    // Another step count is another run.
    const c = new Trainer(new MonteCarloMean(), { rng: seed('nodata-cache'), learningRate: 0.1, batchSize: 16 });
    await c.fit(null, { epochs: 2, stepsPerEpoch: 6, progress: false, cache: 'mc' });
    assert.equal((c.model as MonteCarloMean).seen.length, 12, 'trained');
    for (const t of [a, b, c]) {
      t.model.dispose();
      t.dispose();
    }
  } finally {
    resetWeightCacheChoice();
  }
});
