import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed, Rng } from '../../src/runtime/rng';
import { Trainer, NonFiniteLossError } from '../../src/train/trainer';
import { constantLr, cosineDecay, stepDecay, warmup } from '../../src/train/schedules';
import type { Batch, LossTerms, StepContext, Trainable } from '../../src/train/types';

before(async () => {
  await tf.setBackend('cpu');
});

/** y = x·w + b with a mean-squared-error loss: the smallest model that exercises the loop. */
class Linear implements Trainable {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  constructor(d: number, rng: Rng) {
    this.w = tf.tidy(() => tf.variable(tf.mul(rng.randn([d, 1]), 0.1)));
    this.b = tf.tidy(() => tf.variable(tf.zeros([1])));
  }
  variables(): tf.Variable[] {
    return [this.w, this.b];
  }
  loss(batch: Batch, _ctx?: StepContext): LossTerms {
    const pred = tf.add(tf.matMul(batch['x']!, this.w), this.b);
    return { mse: tf.mean(tf.square(tf.sub(pred, batch['y']!))) as tf.Scalar };
  }
  dispose(): void {
    tf.dispose([this.w, this.b]);
  }
}

/** Noisy linear data with known coefficients; also returns the least-squares fit as the oracle. */
function regressionData(n: number, rng: Rng) {
  const wTrue = [1.5, -2.0, 0.5];
  const bTrue = 0.7;
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = wTrue.map(() => rng.normal());
    xs.push(row);
    ys.push(row.reduce((s, v, j) => s + v * wTrue[j]!, bTrue) + 0.1 * rng.normal());
  }
  // Normal equations with an intercept column, solved by Gaussian elimination (4x4).
  const A = xs.map((r) => [...r, 1]);
  const AtA = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const Aty = [0, 1, 2, 3].map((i) => A.reduce((s, r, k) => s + r[i]! * ys[k]!, 0));
  const M = AtA.map((r, i) => [...r, Aty[i]!]);
  for (let c = 0; c < 4; c++) {
    for (let r = c + 1; r < 4; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k < 5; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const sol = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    let s = M[r]![4]!;
    for (let k = r + 1; k < 4; k++) s -= M[r]![k]! * sol[k]!;
    sol[r] = s / M[r]![r]!;
  }
  return { x: tf.tensor2d(xs), y: tf.tensor2d(ys, [n, 1]), wTrue, bTrue, ols: sol };
}

test('recovers the coefficients of a noisy linear regression (against least squares)', async () => {
  const rng = seed(0);
  const data = regressionData(512, rng.fork('data'));
  const model = new Linear(3, rng.fork('init'));
  const trainer = new Trainer(model, { rng: rng.fork('train'), optimizer: 'adam', learningRate: 0.05, batchSize: 64 });
  const h = await trainer.fit({ x: data.x, y: data.y }, { epochs: 60, progress: false });
  const w = model.w.dataSync();
  const b = model.b.dataSync()[0]!;
  for (let j = 0; j < 3; j++) {
    assert.ok(Math.abs(w[j]! - data.ols[j]!) < 0.02, `w[${j}] = ${w[j]} vs least squares ${data.ols[j]}`);
    assert.ok(Math.abs(w[j]! - data.wTrue[j]!) < 0.05, `w[${j}] = ${w[j]} vs true ${data.wTrue[j]}`);
  }
  assert.ok(Math.abs(b - data.ols[3]!) < 0.02, `b = ${b} vs ${data.ols[3]}`);
  // The final training MSE approaches the noise variance 0.01.
  assert.ok(h['mse']!.at(-1)! < 0.015, `final mse ${h['mse']!.at(-1)}`);
  assert.deepEqual(h.epoch, Array.from({ length: 60 }, (_, i) => i + 1));
  assert.deepEqual(h['loss'], h['mse']);
  trainer.dispose();
  model.dispose();
  tf.dispose([data.x, data.y]);
});

test('resuming continues the history, and 2 + 2 epochs equal 4 epochs at once', async () => {
  const make = () => {
    const rng = seed(11);
    const data = regressionData(200, rng.fork('data'));
    const model = new Linear(3, rng.fork('init'));
    const trainer = new Trainer(model, { rng: rng.fork('train'), learningRate: 0.01, batchSize: 32 });
    return { data, model, trainer };
  };
  const a = make();
  await a.trainer.fit({ x: a.data.x, y: a.data.y }, { epochs: 4, progress: false });
  const b = make();
  await b.trainer.fit({ x: b.data.x, y: b.data.y }, { epochs: 2, progress: false });
  const h = await b.trainer.fit({ x: b.data.x, y: b.data.y }, { epochs: 2, progress: false });
  assert.deepEqual(h.epoch, [1, 2, 3, 4]);
  assert.equal(b.trainer.epochs, 4);
  assert.equal(b.trainer.steps, 4 * Math.ceil(200 / 32));
  assert.deepEqual(Array.from(b.model.w.dataSync()), Array.from(a.model.w.dataSync()));
  assert.deepEqual(h['mse'], a.trainer.history['mse']);
  for (const r of [a, b]) {
    r.trainer.dispose();
    r.model.dispose();
    tf.dispose([r.data.x, r.data.y]);
  }
});

test('no tensor leak across epochs, and dispose frees everything', async () => {
  const baseline = tf.memory().numTensors;
  const rng = seed(3);
  const data = regressionData(300, rng.fork('data'));
  const model = new Linear(3, rng.fork('init'));
  const trainer = new Trainer(model, { rng: rng.fork('train'), batchSize: 50 });
  const validation = { x: data.x, y: data.y };
  await trainer.fit({ x: data.x, y: data.y }, { epochs: 1, validation, progress: false });
  const afterOne = tf.memory().numTensors; // includes Adam's moment slots, made on the first step
  await trainer.fit({ x: data.x, y: data.y }, { epochs: 5, validation, progress: false, syncEvery: 2 });
  assert.equal(tf.memory().numTensors, afterOne, 'tensor count grew during training');
  trainer.dispose();
  model.dispose();
  tf.dispose([data.x, data.y]);
  assert.equal(tf.memory().numTensors, baseline);
});

test('the NaN guard stops at the first non-finite term and names epoch, step and term', async () => {
  class Diverging extends Linear {
    override loss(batch: Batch, ctx?: StepContext): LossTerms {
      const base = super.loss(batch);
      const kl = ctx?.globalStep === 9 ? tf.scalar(Number.NaN) : tf.scalar(0.5);
      return { nll: base['mse']!, kl };
    }
  }
  const rng = seed(4);
  const data = regressionData(64, rng.fork('data'));
  const model = new Diverging(3, rng.fork('init'));
  const trainer = new Trainer(model, { rng: rng.fork('train'), batchSize: 16 }); // 4 steps per epoch
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainer.fit({ x: data.x, y: data.y }, { epochs: 5, progress: false, syncEvery: 100 }),
    (e: unknown) => {
      assert.ok(e instanceof NonFiniteLossError);
      assert.equal(e.term, 'kl');
      // global step 9 (0-based) = epoch 3, step 2 (0-based) -> "epoch 3, step 2" 1-based... checked literally:
      assert.match(e.message, /loss term "kl" is NaN at epoch 3, step 2 \(global step 10\)/);
      return true;
    },
  );
  // The failing epoch's pending term tensors were freed; only Adam's slots remain.
  assert.ok(tf.memory().numTensors <= before + 4, `leaked ${tf.memory().numTensors - before} tensors`);
  trainer.dispose();
  model.dispose();
  tf.dispose([data.x, data.y]);
});

test('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const rng = seed(5);
  const data = regressionData(64, rng.fork('data'));
  const model = new Linear(3, rng.fork('init'));
  const trainer = new Trainer(model, { rng: rng.fork('train'), batchSize: 16, learningRate: 0.05 });
  const scores = [5, 4, 3, 3.5, 4, 6, 7, 8];
  const snapshots: number[][] = [];
  const h = await trainer.fit(
    { x: data.x, y: data.y },
    {
      epochs: 8,
      progress: false,
      metrics: () => {
        snapshots.push(Array.from(model.w.dataSync()));
        return { score: scores[snapshots.length - 1]! };
      },
      earlyStopping: { monitor: 'score', patience: 2 },
    },
  );
  assert.deepEqual(h.epoch, [1, 2, 3, 4, 5], 'stops two epochs after the best (epoch 3)');
  assert.deepEqual(Array.from(model.w.dataSync()), snapshots[2], 'weights of epoch 3 restored');
  assert.equal(h['best_epoch']!.at(-1), 3);
  await assert.rejects(
    trainer.fit({ x: data.x, y: data.y }, { epochs: 1, progress: false, earlyStopping: { patience: 1 } }),
    /monitors "val_loss", which is not in the history/,
  );
  trainer.dispose();
  model.dispose();
  tf.dispose([data.x, data.y]);
});

test('validation terms are recorded as val_* and evaluate() matches them', async () => {
  const rng = seed(6);
  const data = regressionData(100, rng.fork('data'));
  const model = new Linear(3, rng.fork('init'));
  const trainer = new Trainer(model, { rng: rng.fork('train'), batchSize: 32 });
  const validation = { x: data.x, y: data.y };
  const h = await trainer.fit(validation, { epochs: 2, validation, progress: false });
  assert.equal(h['val_mse']!.length, 2);
  const direct = trainer.evaluate(validation);
  assert.ok(Math.abs(direct['mse']! - h['val_mse']!.at(-1)!) < 1e-5);
  // Direct computation of the full-data MSE (the batched mean must weight the short last batch right).
  const mse = tf.tidy(() => (model.loss({ x: data.x, y: data.y })['mse'] as tf.Scalar).dataSync()[0]!);
  assert.ok(Math.abs(direct['mse']! - mse) < 1e-5, `${direct['mse']} vs ${mse}`);
  trainer.dispose();
  model.dispose();
  tf.dispose([data.x, data.y]);
});

test('models that update themselves plug in through trainStep', async () => {
  let calls = 0;
  const v = tf.variable(tf.scalar(0));
  const model: Trainable = {
    variables: () => [v],
    trainStep: (batch) => {
      calls++;
      v.assign(tf.add(v, tf.mean(batch['x']!)));
      return { value: tf.clone(v) as tf.Scalar };
    },
    dispose: () => v.dispose(),
  };
  const x = tf.ones([10, 1]);
  const trainer = new Trainer(model, { rng: seed(7), batchSize: 4 });
  const h = await trainer.fit({ x }, { epochs: 2, progress: false });
  assert.equal(calls, 6);
  assert.equal(h['lr'], undefined, 'no optimiser rate is recorded for a self-updating model');
  assert.equal(v.dataSync()[0], 6);
  // Epoch means weighted by batch size: epoch 1 sees 1,2,3 with sizes 4,4,2 -> (4+8+6)/10.
  assert.ok(Math.abs(h['value']![0]! - 1.8) < 1e-6);
  trainer.dispose();
  model.dispose();
  x.dispose();
});

test('bad inputs are clear errors', async () => {
  const model = new Linear(2, seed(8));
  assert.throws(() => new Trainer(model, { rng: seed(8), batchSize: 0 }), /batchSize must be a positive integer/);
  const trainer = new Trainer(model, { rng: seed(8) });
  const x = tf.ones([5, 2]);
  const y = tf.ones([4, 1]);
  await assert.rejects(trainer.fit({ x, y }, { epochs: 1, progress: false }), /"y" has 4 rows but "x" has 5/);
  assert.throws(() => new Trainer({ variables: () => [], dispose: () => undefined }, { rng: seed(1) }), /loss\(\) or trainStep\(\)/);
  trainer.dispose();
  model.dispose();
  tf.dispose([x, y]);
});

test('learning-rate schedules', async () => {
  assert.equal(constantLr(0.1)(1000), 0.1);
  const s = stepDecay({ lr: 1, every: 10, gamma: 0.5 });
  assert.deepEqual([s(0), s(9), s(10), s(25)], [1, 1, 0.5, 0.25]);
  const c = cosineDecay({ lr: 1, totalSteps: 100, minLr: 0.1 });
  assert.ok(Math.abs(c(0) - 1) < 1e-12 && Math.abs(c(50) - 0.55) < 1e-12 && Math.abs(c(100) - 0.1) < 1e-12 && c(500) === c(100));
  const w = warmup(4, constantLr(2));
  assert.deepEqual([w(0), w(1), w(3), w(4), w(100)], [0.5, 1, 2, 2, 2]);
  // The trainer applies the schedule: the recorded lr is the rate of the epoch's last step.
  const model = new Linear(2, seed(9));
  const trainer = new Trainer(model, { rng: seed(9), batchSize: 5, learningRate: stepDecay({ lr: 0.1, every: 2, gamma: 0.1 }) });
  const x = tf.ones([10, 2]);
  const y = tf.ones([10, 1]);
  const h = await trainer.fit({ x, y }, { epochs: 2, progress: false });
  assert.ok(Math.abs(h['lr']![0]! - 0.1) < 1e-12 && Math.abs(h['lr']![1]! - 0.01) < 1e-12, `${h['lr']}`);
  trainer.dispose();
  model.dispose();
  tf.dispose([x, y]);
});
