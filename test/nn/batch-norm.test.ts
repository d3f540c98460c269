/**
 * BatchNorm against its equations (Ioffe & Szegedy, 2015, Alg. 1-2) computed by hand in float64: the
 * training pass with the batch's statistics, the running-average update, the inference pass with the
 * running averages; its gradients (through the batch statistics) against finite differences; the
 * running statistics saved and restored by Trainer.snapshot/restore and by the weight cache; errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { BatchNorm } from '../../src/nn';
import { SmallCNN } from '../../src/models/cnn';
import { Trainer } from '../../src/train/trainer';
import { useWeightCache } from '../../src/train/weight-cache';
import { isolateWeightCache } from '../train/cache-env';
import { assertClose, finiteDifferences, randomArray } from './oracle';

isolateWeightCache(); // also selects the cpu backend

/** Per-channel mean and biased variance of a [..., C] array, in float64. */
function stats(x: number[], C: number): { mean: number[]; variance: number[]; count: number } {
  const count = x.length / C;
  const mean = Array.from({ length: C }, (_v, c) => x.filter((_u, i) => i % C === c).reduce((a, v) => a + v, 0) / count);
  const variance = Array.from({ length: C }, (_v, c) => x.filter((_u, i) => i % C === c).reduce((a, v) => a + (v - mean[c]!) ** 2, 0) / count);
  return { mean, variance, count };
}

const normalise = (x: number[], C: number, m: number[], v: number[], gamma: number[], beta: number[], eps: number): number[] =>
  x.map((u, i) => (gamma[i % C]! * (u - m[i % C]!)) / Math.sqrt(v[i % C]! + eps) + beta[i % C]!);

test("training mode uses the batch statistics and moves the running averages by α; inference uses the averages; 'batch' mode the batch's, without updating", () => {
  const C = 3;
  const bn = new BatchNorm({ channels: C, momentum: 0.25 });
  const gamma = [1.5, 0.5, -1];
  const beta = [0.1, -0.2, 0.3];
  bn.gamma.assign(tf.tensor1d(gamma));
  bn.beta.assign(tf.tensor1d(beta));
  const start = tf.memory().numTensors;
  let runMean = [0, 0, 0];
  let runVar = [1, 1, 1];
  for (const [label, shape] of [['a', [4, 2, 3, C]], ['b', [6, C]]] as const) {
    const x = randomArray((shape as readonly number[]).reduce((p, q) => p * q, 1), label).map((v, i) => 2 * v + (i % C)); // channel c has mean ≈ c
    const xt = tf.tensor(x, [...shape]);
    const y = bn.apply(xt, true);
    const s = stats(x, C);
    assertClose(y.dataSync(), normalise(x, C, s.mean, s.variance, gamma, beta, 1e-5), 1e-4, `training ${label}`);
    runMean = runMean.map((r, c) => 0.75 * r + 0.25 * s.mean[c]!);
    runVar = runVar.map((r, c) => 0.75 * r + 0.25 * s.variance[c]! * (s.count / (s.count - 1)));
    assertClose(bn.runningMean.dataSync(), runMean, 1e-5, `running mean after ${label}`);
    assertClose(bn.runningVar.dataSync(), runVar, 1e-5, `running variance after ${label}`);
    const held = Array.from(bn.runningMean.dataSync());
    const z = bn.apply(xt, false);
    assertClose(z.dataSync(), normalise(x, C, runMean, runVar, gamma, beta, 1e-5), 1e-4, `inference ${label}`);
    assert.deepEqual(Array.from(bn.runningMean.dataSync()), held, 'inference leaves the running mean alone');
    const zb = bn.apply(xt, 'batch');
    assertClose(zb.dataSync(), normalise(x, C, s.mean, s.variance, gamma, beta, 1e-5), 1e-4, `'batch' mode ${label}`);
    assert.deepEqual(Array.from(bn.runningMean.dataSync()), held, "'batch' mode leaves the running mean alone");
    zb.dispose();
    tf.dispose([xt, y, z]);
  }
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks (the running statistics are replaced, not added)');
  assert.deepEqual(bn.variables().map((v) => v.trainable), [true, true, false, false]);
  assert.equal(bn.parameterCount, 2 * C);
  bn.dispose();
});

test('training-mode gradients (through the batch mean and variance, written out) equal finite differences, for [b, C] and NHWC inputs', () => {
  const C = 2;
  for (const [label, shape] of [['dense', [5, C]], ['maps', [2, 3, 2, C]]] as const) {
    const bn = new BatchNorm({ channels: C });
    const gamma = [1.2, -0.7];
    const beta = [0.3, 0.1];
    bn.gamma.assign(tf.tensor1d(gamma));
    bn.beta.assign(tf.tensor1d(beta));
    const size = (shape as readonly number[]).reduce((p, q) => p * q, 1);
    const x = randomArray(size, `g-${label}`).map((v, i) => 3 * v + (i % C)); // channels of different means and spreads
    const r = randomArray(size, `r-${label}`);
    const loss = (xx: number[], gg: number[], bb: number[]): number => {
      const s = stats(xx, C);
      return normalise(xx, C, s.mean, s.variance, gg, bb, 1e-5).reduce((a, v, i) => a + v * r[i]! + 0.5 * v * v, 0);
    };
    const start = tf.memory().numTensors;
    const xt = tf.tensor(x, [...shape]);
    const rt = tf.tensor(r, [...shape]);
    for (const mode of [true, 'batch'] as const) {
      const f = (xin: tf.Tensor): tf.Scalar => tf.tidy(() => {
        const y = bn.apply(xin, mode);
        return tf.add(tf.sum(tf.mul(y, rt)), tf.mul(0.5, tf.sum(tf.square(y)))) as tf.Scalar;
      });
      const gx = tf.grad(f)(xt);
      const { grads, value } = tf.variableGrads(() => f(xt), [bn.gamma, bn.beta]);
      assertClose(gx.dataSync(), finiteDifferences((a) => loss(a, gamma, beta), x), 2e-3, `dx (${label}, ${mode})`);
      assertClose(grads[bn.gamma.name]!.dataSync(), finiteDifferences((a) => loss(x, a, beta), gamma), 2e-3, `dγ (${label}, ${mode})`);
      assertClose(grads[bn.beta.name]!.dataSync(), finiteDifferences((a) => loss(x, gamma, a), beta), 2e-3, `dδ (${label}, ${mode})`);
      assert.equal(grads[bn.runningMean.name], undefined, 'the running statistics are not trained');
      tf.dispose([gx, value, ...Object.values(grads)]);
    }
    tf.dispose([xt, rt]);
    assert.equal(tf.memory().numTensors, start, `no tensor leaks (${label}): the batch statistics kept for the running averages are disposed`);
    bn.dispose();
  }
});

function digits(): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const r = seed('digits');
  return { x: r.uniform([48, 8, 8, 1]) as tf.Tensor4D, y: tf.tensor1d(Array.from({ length: 48 }, (_v, i) => i % 3), 'int32') };
}
const makeNet = (): SmallCNN => new SmallCNN({ inputShape: [8, 8, 1], channels: [4], nClasses: 3, batchNorm: true, rng: seed('bn-net') });
const runningStats = (net: SmallCNN): number[][] => net.norms.flatMap((n) => [Array.from(n.runningMean.dataSync()), Array.from(n.runningVar.dataSync())]);

test('Trainer.snapshot/restore carry the running statistics with the weights', async () => {
  const d = digits();
  const a = new Trainer(makeNet(), { rng: seed('t'), batchSize: 16 });
  await a.fit(d, { epochs: 2, progress: false });
  const net = a.model as SmallCNN;
  assert.notDeepEqual(runningStats(net)[0], [0, 0, 0, 0], 'training moved the running mean');
  const s = await a.snapshot();
  const copy = { ...s, variables: s.variables.map((v) => v.clone()), optimizer: s.optimizer.map((w) => ({ name: w.name, tensor: w.tensor.clone() })) };
  const b = new Trainer(makeNet(), { rng: seed('t'), batchSize: 16 });
  await b.restore(copy);
  tf.dispose([...copy.variables, ...copy.optimizer.map((w) => w.tensor)]);
  assert.deepEqual(runningStats(b.model as SmallCNN), runningStats(net));
  assert.equal((b.model as SmallCNN).accuracy(d.x, d.y), net.accuracy(d.x, d.y), 'inference mode reads the restored statistics');
  a.model.dispose();
  b.model.dispose();
  tf.dispose([d.x, d.y]);
});

test('the weight cache restores the running statistics: a hit gives the trained network, inference mode included', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'genlab-bn-cache-'));
  useWeightCache(dir);
  const d = digits();
  const log = console.log;
  console.log = () => undefined;
  try {
    const a = new Trainer(makeNet(), { rng: seed('t'), batchSize: 16 });
    await a.fit(d, { epochs: 2, progress: false, cache: 'bn' });
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 1, 'one entry saved');
    const b = new Trainer(makeNet(), { rng: seed('t'), batchSize: 16 });
    const messages: string[] = [];
    console.log = (m: string) => void messages.push(m);
    await b.fit(d, { epochs: 2, progress: false, cache: 'bn' });
    assert.ok(messages.some((m) => /weight cache: restored "bn"/.test(m)), 'restored, not retrained');
    const [na, nb] = [a.model as SmallCNN, b.model as SmallCNN];
    assert.deepEqual(runningStats(nb), runningStats(na));
    assert.notDeepEqual(runningStats(nb)[1], [1, 1, 1, 1], 'the restored variance is the trained one, not the initial 1');
    const [pa, pb] = [na.probs(d.x), nb.probs(d.x)];
    assert.deepEqual(Array.from(pb.dataSync()), Array.from(pa.dataSync()));
    tf.dispose([pa, pb]);
    na.dispose();
    nb.dispose();
  } finally {
    console.log = log;
    tf.dispose([d.x, d.y]);
  }
});

test('BatchNorm errors say what was wrong', () => {
  assert.throws(() => new BatchNorm({ channels: 0 }), /BatchNorm: channels must be a positive integer/);
  assert.throws(() => new BatchNorm({ channels: 2, momentum: 1.5 }), /momentum must be in \(0, 1\]/);
  const bn = new BatchNorm({ channels: 2 });
  const x = tf.zeros([4, 3]);
  assert.throws(() => bn.apply(x, true), /expected an input \[\.\.\., 2\] \(channels last\), got shape \[4, 3\]/);
  const one = tf.zeros([1, 2]);
  assert.throws(() => bn.apply(one, true), /batch statistics need at least two values per channel/);
  assert.throws(() => bn.apply(one, undefined as never), /training must be true .* false .* or 'batch'/);
  assert.throws(() => bn.apply(one, 'batch'), /batch statistics need at least two values/);
  tf.dispose([x, one]);
  bn.dispose();
});
