import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng, seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { stepContext } from '../step-context';
import { Autoencoder } from '../../src/models/vae/autoencoder';
import { DenoisingAutoencoder } from '../../src/models/vae/denoising';
import { corrupt } from '../../src/models/vae/corruption';
import { PCA } from '../../src/models/vae/pca';
import { principalAngles } from '../../src/models/vae/subspaces';


test('a linear autoencoder spans the PCA subspace (Baldi & Hornik) and training does not leak tensors', async () => {
  const n = 600;
  const D = 10;
  const d = 3;
  // Data with three strong directions (std 4, 3, 2) and weak noise (std 0.3) in a rotated basis.
  const x = tf.tidy(() => {
    const r = seed('lin-data');
    const scales = tf.tensor1d(Array.from({ length: D }, (_, i) => [4, 3, 2][i] ?? 0.3));
    const q = tf.linalg.qr(r.randn([D, D]))[0];
    return tf.add(tf.matMul(tf.mul(r.randn([n, D]), scales), q), 1);
  });
  const pca = PCA.fit(x, { components: d, rng: seed('pca') });
  const ae = new Autoencoder({ inputDim: D, codeDim: d, activation: 'linear', rng: seed('ae') });
  const trainer = new Trainer(ae, { rng: seed('t'), batchSize: 50, learningRate: 1e-2 });
  await trainer.fit({ x }, { epochs: 1, progress: false });
  const count = tf.memory().numTensors;
  await trainer.fit({ x }, { epochs: 40, progress: false });
  assert.equal(tf.memory().numTensors, count, 'tensor count flat across epochs');
  const w = ae.decoderWeights(); // [d, D]: the rows span the decoder's image
  const angles = principalAngles(w, pca.components, { basis: 'rows' });
  assert.ok(Math.max(...angles) < 3, `principal angles to PCA: ${angles.map((a) => a.toFixed(2))}`);
  // Reconstruction error near PCA's optimum (the discarded variance, 7 x 0.09 per example).
  const pcaErr = tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(pca.reconstruct(x), x)), -1)).dataSync()[0]!);
  const aeErr = ae.reconstructionError(x);
  assert.ok(aeErr < 1.1 * pcaErr && aeErr >= 0.99 * pcaErr, `AE error ${aeErr} vs PCA ${pcaErr}`);
  tf.dispose([w, x]);
  pca.dispose();
  trainer.dispose();
  ae.dispose();
});

test('sparsity term is λ Σ|h_i| (mean over examples); bernoulli recon is the cross-entropy', () => {
  const ae = new Autoencoder({ inputDim: 4, codeDim: 6, hiddenDims: [5], codeActivation: 'relu', reconstruction: 'bernoulli', sparsity: 0.3, rng: seed('sp') });
  const x = tf.tensor2d([
    [1, 0, 0.5, 1],
    [0, 0, 1, 1],
  ]);
  const [sp, want, recon, wantRecon] = tf.tidy(() => {
    const t = ae.loss({ x }, stepContext('a'));
    const h = ae.encode(x).arraySync();
    const l1 = h.map((row) => row.reduce((s, v) => s + Math.abs(v), 0));
    const p = ae.reconstruct(x).arraySync();
    const xa = x.arraySync();
    let ce = 0;
    p.forEach((row, i) => row.forEach((pj, j) => (ce -= xa[i]![j]! * Math.log(pj) + (1 - xa[i]![j]!) * Math.log(1 - pj))));
    return [t['sparsity']!.dataSync()[0]!, (0.3 * (l1[0]! + l1[1]!)) / 2, t['recon']!.dataSync()[0]!, ce / 2];
  });
  assert.ok(Math.abs(sp! - want!) < 1e-5, `${sp} vs ${want}`);
  assert.ok(Math.abs(recon! - wantRecon!) < 1e-4, `${recon} vs ${wantRecon}`);
  ae.sparsity = 0;
  assert.equal(tf.tidy(() => Object.keys(ae.loss({ x }, stepContext('a')))).join(','), 'recon');
  x.dispose();
  ae.dispose();
});

test('corruptions have the stated statistics', () => {
  const x = tf.ones([200, 100]);
  const [masked, sd, salt, pepper, kept] = tf.tidy(() => {
    const m = corrupt(x, { kind: 'mask', p: 0.3 }, seed('m'));
    const g = corrupt(tf.zerosLike(x), { kind: 'gaussian', sigma: 0.7 }, seed('g'));
    const half = tf.mul(x, 0.5);
    const s = corrupt(half, { kind: 'saltPepper', p: 0.4 }, seed('s'));
    return [
      tf.mean(tf.equal(m, 0)).dataSync()[0]!,
      tf.sqrt(tf.moments(g).variance).dataSync()[0]!,
      tf.mean(tf.equal(s, 1)).dataSync()[0]!,
      tf.mean(tf.equal(s, 0)).dataSync()[0]!,
      tf.mean(tf.equal(s, 0.5)).dataSync()[0]!,
    ];
  });
  // 20,000 draws: the standard error of a proportion is below 0.0035.
  assert.ok(Math.abs(masked! - 0.3) < 0.015, `mask fraction ${masked}`);
  assert.ok(Math.abs(sd! - 0.7) < 0.015, `gaussian sd ${sd}`);
  assert.ok(Math.abs(salt! - 0.2) < 0.015 && Math.abs(pepper! - 0.2) < 0.015 && Math.abs(kept! - 0.6) < 0.015, `${salt} ${pepper} ${kept}`);
  assert.throws(() => corrupt(x, { kind: 'mask', p: 1.5 }, seed('x')), /p must be in \[0, 1\]/);
  x.dispose();
});

test('denoising autoencoder: the loss reconstructs the clean x from the corrupted input', () => {
  const dae = new DenoisingAutoencoder({ inputDim: 5, codeDim: 8, hiddenDims: [6], corruption: { kind: 'mask', p: 0.5 }, rng: seed('dae') });
  const x = tf.tensor2d([
    [1, 2, 3, 4, 5],
    [0.5, 0, 1, 0, 2],
  ]);
  const [got, want, wrong] = tf.tidy(() => {
    const t = dae.loss({ x }, stepContext('c'))['recon']!.dataSync()[0]!;
    const xt = corrupt(x, dae.corruption, new Rng('c').fork('corruption'));
    const r = dae.reconstruct(xt);
    return [
      t,
      tf.mean(tf.sum(tf.square(tf.sub(r, x)), -1)).dataSync()[0]!,
      tf.mean(tf.sum(tf.square(tf.sub(r, xt)), -1)).dataSync()[0]!,
    ];
  });
  assert.ok(Math.abs(got! - want!) < 1e-4, `loss ${got} vs error to the clean x ${want}`);
  assert.ok(Math.abs(got! - wrong!) > 1e-3, 'not the error to the corrupted input');
  const f = dae.field(x);
  assert.deepEqual(f.shape, [2, 5]);
  f.dispose();
  x.dispose();
  dae.dispose();
});

test('denoisingErrors compares the corrupted and the denoised error to the clean x; rowCosines of orthogonal rows is I', async () => {
  const { rowCosines } = await import('../../src/models/vae/subspaces');
  const dae = new DenoisingAutoencoder({ inputDim: 3, codeDim: 3, corruption: { kind: 'mask', p: 0.5 }, rng: seed('de') });
  // Make the autoencoder the identity: r(x̃) = x̃, so both errors are the same number.
  dae.encoder.weights[0]!.assign(tf.eye(3));
  dae.decoder.weights[0]!.assign(tf.eye(3));
  const x = tf.tidy(() => tf.add(seed('x').uniform([50, 3]), 0.5));
  const e = dae.denoisingErrors(x, seed('c'), 16);
  assert.ok(e.corrupted > 0.1 && Math.abs(e.ratio - 1) < 1e-5, JSON.stringify(e));
  x.dispose();
  dae.dispose();
  const c = tf.tidy(() => rowCosines(tf.tensor2d([[2, 0, 0], [0, 0, -3], [1, 1, 0]])).arraySync());
  const s = Math.SQRT1_2;
  const want = [[1, 0, s], [0, 1, 0], [s, 0, 1]];
  c.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i]![j]!) < 1e-6, `cos[${i}][${j}] = ${v}`)));
});
