import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { stepContext } from '../step-context';
import { VAE } from '../../src/models/vae/vae';
import { ConditionalVAE } from '../../src/models/vae/cvae';


test('reparameterised gradients of the ELBO match central finite differences (tiny model, fixed ε)', () => {
  const model = new VAE({ inputDim: 5, latentDim: 2, hiddenDims: [4], activation: 'tanh', rng: seed('fd') });
  const x = tf.tensor2d([
    [1, 0, 1, 1, 0],
    [0, 0, 1, 0, 1],
    [1, 1, 0, 0, 0],
  ]);
  // The same step seed gives the same ε, so the loss is a deterministic function of the weights.
  const lossValue = (): number => tf.tidy(() => tf.addN(Object.values(model.loss({ x }, stepContext('eps')))).dataSync()[0]!);
  const vars = model.variables();
  const { grads } = tf.variableGrads(() => tf.addN(Object.values(model.loss({ x }, stepContext('eps')))) as tf.Scalar, vars);
  const h = 1e-2;
  let checked = 0;
  // Every encoder entry matters here: its gradient exists only through z = z_μ + z_σ·ε and the KL.
  for (const v of vars) {
    const g = grads[v.name]!.dataSync();
    const vals = v.dataSync().slice();
    for (let i = 0; i < vals.length; i += Math.max(1, Math.floor(vals.length / 6))) {
      const bump = (delta: number): number => {
        const copy = vals.slice();
        copy[i] = vals[i]! + delta;
        v.assign(tf.tensor(copy, v.shape));
        return lossValue();
      };
      const fd = (bump(h) - bump(-h)) / (2 * h);
      v.assign(tf.tensor(vals, v.shape));
      assert.ok(Math.abs(fd - g[i]!) <= 3e-3 + 2e-2 * Math.abs(fd), `${v.name}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`);
      checked++;
    }
  }
  assert.ok(checked > 20);
  // And the encoder really does receive gradient from the reconstruction path: with β = 0 (no KL) it is non-zero.
  model.beta = 0;
  const { grads: g0 } = tf.variableGrads(() => tf.addN(Object.values(model.loss({ x }, stepContext('eps')))) as tf.Scalar, model.encoder.variables());
  const norm = tf.tidy(() => tf.addN(Object.values(g0).map((t) => tf.sum(tf.square(t)))).dataSync()[0]!);
  assert.ok(norm > 1e-8, 'encoder gradient through the sample');
  tf.dispose([x, ...Object.values(grads), ...Object.values(g0)]);
  model.dispose();
});

test('loss returns recon and β·KL; evalTerms returns the plain KL; per-example shapes', () => {
  const model = new VAE({ inputDim: 6, latentDim: 3, hiddenDims: [5], rng: seed('terms'), beta: 4 });
  const x = tf.tidy(() => tf.cast(tf.greater(seed('x').uniform([7, 6]), 0.5), 'float32'));
  const [recon, kl, erecon, ekl, perEx] = tf.tidy(() => {
    const t = model.loss({ x }, stepContext('s'));
    const e = model.evalTerms({ x }, stepContext('s', { training: false }));
    const p = model.elboTerms(x, new Rng('s'));
    assert.deepEqual(p.elbo.shape, [7]);
    return [t['recon']!.dataSync()[0]!, t['kl']!.dataSync()[0]!, e['recon']!.dataSync()[0]!, e['kl']!.dataSync()[0]!, p.kl.mean().dataSync()[0]!];
  });
  assert.ok(Math.abs(recon! - erecon!) < 1e-5, 'same seed, same sample');
  assert.ok(Math.abs(kl! - 4 * ekl!) < 1e-4, `β-weighted KL ${kl} vs 4 x ${ekl}`);
  assert.ok(Math.abs(ekl! - perEx!) < 1e-5);
  x.dispose();
  model.dispose();
});

test('VAE training through the shared Trainer lowers the negative ELBO and keeps the tensor count flat', async () => {
  const before = tf.memory().numTensors;
  const r = seed('train-data');
  // Two prototypes with flipped bits: a VAE should learn them quickly.
  const protos = [
    [1, 1, 1, 0, 0, 0, 1, 0],
    [0, 0, 1, 1, 1, 1, 0, 1],
  ];
  const rows: number[][] = [];
  for (let i = 0; i < 256; i++) rows.push(protos[i % 2]!.map((b) => (r.random() < 0.05 ? 1 - b : b)));
  const x = tf.tensor2d(rows);
  const model = new VAE({ inputDim: 8, latentDim: 2, hiddenDims: [16], rng: seed('vae') });
  const trainer = new Trainer(model, { rng: seed('trainer'), batchSize: 32, learningRate: 1e-2 });
  const first = trainer.evaluate({ x });
  await trainer.fit({ x }, { epochs: 2, progress: false });
  const mid = tf.memory().numTensors;
  await trainer.fit({ x }, { epochs: 20, progress: false, validation: { x } });
  assert.equal(tf.memory().numTensors, mid, 'no tensors leak across epochs');
  const last = trainer.evaluate({ x });
  assert.ok(last['loss']! < first['loss']! - 2, `negative ELBO ${first['loss']} -> ${last['loss']}`);
  // 8 bits with 5% flips: the negative ELBO cannot be below the entropy of the noise, ~8 H(0.05) = 1.6 nats.
  assert.ok(last['loss']! > 1.0);
  assert.ok(trainer.history['val_kl'] !== undefined && trainer.history['val_recon'] !== undefined);
  const s = model.sample(5, seed('s'));
  assert.deepEqual(s.shape, [5, 8]);
  s.dispose();
  trainer.dispose();
  model.dispose();
  x.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose frees every variable');
});

test('Gaussian decoder: learned per-feature log σ trains; fixed σ has no extra variable', async () => {
  const r = seed('gauss');
  const x = tf.tidy(() => tf.mul(r.randn([200, 3]), tf.tensor1d([0.1, 1, 3])));
  const model = new VAE({ inputDim: 3, latentDim: 1, hiddenDims: [8], likelihood: 'gaussian', rng: seed('g') });
  assert.equal(model.variables().length, 9);
  const trainer = new Trainer(model, { rng: seed('gt'), batchSize: 50, learningRate: 1e-2 });
  await trainer.fit({ x }, { epochs: 40, progress: false });
  const sigma = tf.tidy(() => Array.from(tf.exp(model.decoderLogSigma()).dataSync()));
  // The feature with the smallest spread must get the smallest decoder σ.
  assert.ok(sigma[0]! < sigma[2]!, `decoder σ ${sigma}`);
  trainer.dispose();
  model.dispose();
  const fixed = new VAE({ inputDim: 3, latentDim: 1, hiddenDims: [8], likelihood: 'gaussian', decoderSigma: 0.5, rng: seed('g') });
  assert.equal(fixed.variables().length, 8);
  fixed.dispose();
  x.dispose();
});

test('conditional VAE: labels as indices or one-hot give the same terms; errors name the fix', () => {
  const model = new ConditionalVAE({ inputDim: 4, latentDim: 2, hiddenDims: [6], numClasses: 3, rng: seed('c') });
  const x = tf.tensor2d([
    [1, 0, 1, 0],
    [0, 1, 1, 1],
  ]);
  const yi = tf.tensor1d([2, 0], 'int32');
  const yh = tf.tensor2d([
    [0, 0, 1],
    [1, 0, 0],
  ]);
  const [a, b] = tf.tidy(() => [
    tf.addN(Object.values(model.loss({ x, y: yi }, stepContext('c')))).dataSync()[0]!,
    tf.addN(Object.values(model.loss({ x, y: yh }, stepContext('c')))).dataSync()[0]!,
  ]);
  assert.ok(Math.abs(a! - b!) < 1e-5);
  assert.throws(() => model.loss({ x }, stepContext('c')), /needs labels in the dataset as "y"/);
  const g = model.generate([0, 1, 2, 2], seed('gen'));
  assert.deepEqual(g.shape, [4, 4]);
  g.dispose();
  assert.throws(() => model.generate([3], seed('gen')), /integers in \[0, 3\)/);
  const plain = new VAE({ inputDim: 4, latentDim: 2, rng: seed('p') });
  assert.throws(() => plain.encode(tf.zeros([2, 5])), /expected a \[batch, 4\] tensor, got shape \[2, 5\]/);
  assert.throws(() => plain.encode(x, yi), /not conditional/);
  assert.throws(() => new VAE({ inputDim: 4, latentDim: 0, rng: seed('p') }), /latentDim must be a positive integer/);
  plain.dispose();
  model.dispose();
  tf.dispose([x, yi, yh]);
});

test('conditional VAE generateGrid: each column shares one z across the requested classes', () => {
  const model = new ConditionalVAE({ inputDim: 4, latentDim: 2, hiddenDims: [6], numClasses: 3, rng: seed('grid') });
  const grid = model.generateGrid([2, 0], 3, new Rng('z'));
  assert.deepEqual(grid.shape, [6, 4]);
  // The same z (first 3 draws of the rng, tiled) decoded with labels [2,2,2,0,0,0].
  const want = tf.tidy(() => {
    const z = tf.tile(new Rng('z').randn([3, 2]), [2, 1]);
    return model.decode(z, tf.tensor1d([2, 2, 2, 0, 0, 0], 'int32'));
  });
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(grid, want))).dataSync()[0]!);
  assert.ok(diff < 1e-6);
  const before = tf.memory().numTensors;
  const m = model.posteriorMean(tf.tidy(() => tf.ones([2, 4])) as tf.Tensor2D, tf.tensor1d([0, 1], 'int32'));
  assert.deepEqual(m.shape, [2, 2]);
  tf.dispose([grid, want, m]);
  assert.ok(tf.memory().numTensors <= before + 2, 'posteriorMean returns only z_μ (inputs aside)');
  model.dispose();
});
