/**
 * Flows plug into the one training loop: maximum likelihood for RealNVP / MAF on data, reverse KL for
 * a flow fitted to an unnormalised target. Oracles: the fitted Gaussian baseline (a flow must beat it on
 * a bimodal set), and the closed-form optimum of reverse KL for a Gaussian target.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import * as flows from '../../src/models/flows';
import { useKitBackend } from './helpers';

before(useKitBackend);

/** Two well separated Gaussian blobs at (±2, 0), std 0.3: a single Gaussian fits them badly. */
function blobs(n: number, label: string): tf.Tensor2D {
  const rng = seed(`blobs/${label}`);
  return tf.tidy(() => {
    const side = tf.sub(tf.mul(rng.bernoulli(tf.fill([n, 1], 0.5)), 4), 2);
    const centre = tf.concat([side, tf.zeros([n, 1])], 1);
    return tf.add(centre, tf.mul(rng.randn([n, 2]), 0.3)) as tf.Tensor2D;
  });
}

for (const kind of ['RealNVP', 'MAF'] as const) {
  test(`${kind} trained by maximum likelihood beats the Gaussian baseline; memory stays flat`, async () => {
    const start = tf.memory().numTensors;
    const train = blobs(1024, 'train');
    const testX = blobs(1024, 'test');
    const rng = seed(`train/${kind}`);
    const flow =
      kind === 'RealNVP'
        ? new flows.RealNVP({ dim: 2, rng: rng.fork('model'), numCouplings: 4, hidden: [32, 32] })
        : new flows.MAF({ dim: 2, rng: rng.fork('model'), numLayers: 3, hidden: [32, 32] });
    const before0 = flow.nllOf(testX);
    const trainer = new Trainer(flow, { rng: rng.fork('trainer'), learningRate: 1e-2, batchSize: 128 });
    await trainer.fit({ x: train }, { epochs: 2, progress: false });
    const held = tf.memory().numTensors;
    await trainer.fit({ x: train }, { epochs: 28, progress: false, validation: { x: testX } });
    // Resuming adds no tensors: optimiser slots exist after the first fit, every step is tidied.
    assert.equal(tf.memory().numTensors, held, 'training leaked tensors');
    const nll = flow.nllOf(testX);
    const baseline = flows.gaussianBaselineNll(train, testX);
    // Baseline ≈ 2.33 nats (one Gaussian over both blobs); the true density's entropy is ≈ 1.12 nats.
    // A quarter nat under the baseline (after ~240 steps) means the flow has started to split the mass
    // into the two modes; an untrained flow sits at ≈ 3.96, a broken log-det or gradient stays above 2.33.
    assert.ok(nll < baseline - 0.25, `${kind}: test NLL ${nll.toFixed(3)} vs Gaussian ${baseline.toFixed(3)} (before training ${before0.toFixed(3)})`);
    const hist = trainer.history;
    assert.ok(hist['val_nll']!.at(-1)! < before0 - 1, 'validation NLL did not go down');
    trainer.dispose();
    flow.dispose();
    tf.dispose([train, testX]);
    assert.equal(tf.memory().numTensors, start, 'model + trainer leaked tensors after dispose');
  });
}

test('reverse KL of an affine flow finds the Gaussian target exactly', async () => {
  // Target p̃(x) = exp(−½‖(x − m)/s‖²), m = (1, −1), s = 0.5: Z = 2π s², optimum mu = m, sigma = s,
  // where KL(q‖p) = 0 and the reported term equals −log Z.
  const m = [1, -1];
  const s = 0.5;
  const logTarget: flows.LogDensity = (x) =>
    tf.mul(-0.5, tf.sum(tf.square(tf.div(tf.sub(x, tf.tensor1d(m)), s)), 1)) as tf.Tensor1D;
  const flow = new flows.Flow([new flows.ElementwiseAffine({ dim: 2 })]);
  const objective = new flows.ReverseKL(flow, logTarget);
  const trainer = new Trainer(objective, { rng: seed('rkl'), learningRate: 0.05, batchSize: 256 });
  const noise = tf.zeros([256 * 10, 2]);
  await trainer.fit({ z: noise }, { epochs: 30, progress: false });
  const affine = flow.layers[0] as flows.ElementwiseAffine;
  const mu = affine.mu.dataSync();
  const sigma = Array.from(affine.logSigma.dataSync(), Math.exp);
  // Adam with lr 0.05 and 256-sample gradients jitters around the optimum by ~1e-2.
  for (let d = 0; d < 2; d++) {
    assert.ok(Math.abs(mu[d]! - m[d]!) < 0.05, `mu[${d}] = ${mu[d]}`);
    assert.ok(Math.abs(sigma[d]! - s) < 0.05, `sigma[${d}] = ${sigma[d]}`);
  }
  const logZ = Math.log(2 * Math.PI * s * s);
  const kl = trainer.history['kl']!.at(-1)!;
  assert.ok(Math.abs(kl + logZ) < 0.02, `final term ${kl} vs −log Z = ${-logZ}`);
  trainer.dispose();
  flow.dispose();
  noise.dispose();
});

test('a planar flow fitted by reverse KL to U1 gets much closer than the prior', async () => {
  const target = flows.targetLogDensity('U1');
  const flow = new flows.PlanarFlow({ dim: 2, rng: seed('pf/model'), numLayers: 8 });
  const objective = new flows.ReverseKL(flow, target);
  const klOf = (): number =>
    tf.tidy(() => {
      const { x, logProb } = flow.sampleWithLogProbRaw(4000, seed('pf/eval'));
      return tf.mean(tf.sub(logProb, target(x))).dataSync()[0]!;
    });
  const start = klOf();
  const trainer = new Trainer(objective, { rng: seed('pf/trainer'), learningRate: 0.01, batchSize: 128 });
  const noise = tf.zeros([128 * 50, 2]);
  await trainer.fit({ z: noise }, { epochs: 4, progress: false });
  const end = klOf();
  // U1's log Z ≈ 1.8 (quadrature), so the term is bounded below by ≈ −1.8; N(0, I) starts far above.
  assert.ok(end < start - 1 && end < 0.5, `KL − log Z went from ${start.toFixed(3)} to ${end.toFixed(3)}`);
  trainer.dispose();
  flow.dispose();
  noise.dispose();
});

test('reverse KL fitted without data equals the fit on ignored zeros (the notebook numbers stay)', async () => {
  const target = flows.targetLogDensity('U1');
  const run = async (data: 'none' | 'zeros'): Promise<{ kl: number[]; weights: number[][] }> => {
    const flow = new flows.PlanarFlow({ dim: 2, rng: seed('pf0/model'), numLayers: 2 });
    const trainer = new Trainer(new flows.ReverseKL(flow, target), { rng: seed('pf0/trainer'), learningRate: 0.01, batchSize: 32 });
    if (data === 'none') {
      await trainer.fit(null, { epochs: 2, stepsPerEpoch: 5, progress: false });
    } else {
      const zeros = tf.zeros([32 * 5, 2]);
      await trainer.fit({ z: zeros }, { epochs: 2, progress: false });
      zeros.dispose();
    }
    const out = { kl: trainer.history['kl']!, weights: flow.variables().map((v) => Array.from(v.dataSync())) };
    trainer.dispose();
    flow.dispose();
    return out;
  };
  const none = await run('none');
  assert.deepEqual(none, await run('zeros'));
  // Called outside the trainer with neither a batch nor ctx.batchSize, it says how to call it.
  const flow = new flows.PlanarFlow({ dim: 2, rng: seed('pf0/model'), numLayers: 1 });
  assert.throws(
    () => new flows.ReverseKL(flow, target).loss({}, { epoch: 0, step: 0, globalStep: 0, datasetSize: 1, rng: seed('x'), training: true }),
    /no sample count: train it with trainer.fit\(null, \{ epochs, stepsPerEpoch \}\)/,
  );
  flow.dispose();
});
