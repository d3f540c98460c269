/** Objectives, sampling and training: temperature → 0 is argmax, masking proportions, gradients, no leaks, a tiny task learned. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import { makeSequenceTask } from '../../src/data/text';
import { CausalLanguageModel, generate, tokenNll, maskTokens, MaskedLanguageModel, sampleLogits, SequenceClassifier, TokenTagger, TransformerModel } from '../../src/models/transformer';

test('sampling: temperature 0 and temperature → 0 give the argmax; top-k never leaves the k best; T = 1 follows softmax', () => {
  const logits = [0.1, 2.0, -1, 1.9, 0.5];
  const rng = seed('samp');
  assert.equal(sampleLogits(logits, rng, { temperature: 0 }), 1);
  for (let i = 0; i < 200; i++) assert.equal(sampleLogits(logits, rng, { temperature: 1e-3 }), 1);
  for (let i = 0; i < 200; i++) assert.ok([1, 3].includes(sampleLogits(logits, rng, { temperature: 5, topK: 2 })));
  const counts = [0, 0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleLogits(logits, rng)]!++;
  const z = logits.reduce((s, l) => s + Math.exp(l), 0);
  logits.forEach((l, i) => assert.ok(Math.abs(counts[i]! / n - Math.exp(l) / z) < 0.015, `token ${i}`));
  assert.throws(() => sampleLogits(logits, rng, { temperature: -1 }), /temperature must be >= 0/);
});

test('generate with temperature 0 is the greedy argmax continuation, seeded draws repeat, and it leaks nothing', () => {
  const m = new TransformerModel({ vocabSize: 7, contextLength: 4, dModel: 8, heads: 2, layers: 1, causal: true, rng: seed('g') });
  // The first call caches one causal mask per sequence length (kept for the model's life); later calls add nothing.
  generate(m, [1], 6, seed(0));
  const before = tf.memory().numTensors;
  const greedy = generate(m, [1, 2], 6, seed(0), { temperature: 0 });
  const ids = [1, 2];
  for (let s = 0; s < 6; s++) {
    const ctx = ids.slice(-4);
    const last = tf.tidy(() => Array.from(tf.argMax(tf.slice(m.logits([ctx]), [0, ctx.length - 1, 0], [1, 1, -1]), -1).dataSync()));
    ids.push(last[0]!);
  }
  assert.deepEqual(greedy, ids.slice(2));
  assert.deepEqual(generate(m, [3], 5, seed(9)), generate(m, [3], 5, seed(9)));
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.throws(() => generate(m, [], 3, seed(0)), /prompt is empty/);
  m.dispose();
});

test('masking: about 15% picked, of which 80% [MASK], 10% random, 10% unchanged; unpicked positions untouched', () => {
  const tokens = tf.fill([200, 50], 3, 'int32') as tf.Tensor2D;
  const { input, picked } = maskTokens(tokens, { maskId: 9, randomVocab: 9 }, seed('mask'));
  const x = input.dataSync(), p = picked.dataSync();
  let nPicked = 0, nMask = 0, nSame = 0;
  for (let i = 0; i < x.length; i++) {
    if (p[i] === 1) {
      nPicked++;
      if (x[i] === 9) nMask++;
      else if (x[i] === 3) nSame++;
    } else assert.equal(x[i], 3);
  }
  assert.ok(Math.abs(nPicked / x.length - 0.15) < 0.01, `picked ${nPicked / x.length}`);
  assert.ok(Math.abs(nMask / nPicked - 0.8) < 0.03, `masked ${nMask / nPicked}`);
  // Unchanged: the 10% kept plus random draws that hit the same id (1 in 9 of the other 10%).
  assert.ok(Math.abs(nSame / nPicked - (0.1 + 0.1 / 9)) < 0.03, `unchanged ${nSame / nPicked}`);
  tf.dispose([tokens, input, picked]);
});

test('tokenNll (fused cross-entropy) equals −logSoftmax at the target, its gradient softmax − one-hot, and finite differences', () => {
  const rng = seed('ce');
  // Large logits too: the max shift must keep exp finite.
  const logits = tf.tidy(() => tf.mul(rng.randn([2, 3, 7]), tf.tensor1d([1, 3, 40]).reshape([1, 3, 1])) as tf.Tensor3D);
  const targets = tf.tensor2d([[0, 6, 3], [2, 2, 5]], undefined, 'int32');
  const weights = tf.tensor2d([[1, 2, 0.5], [-1, 3, 0.25]]);
  const before = tf.memory().numTensors;
  const reference = (l: tf.Tensor): tf.Tensor => tf.neg(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 7)), -1));
  const fused = tf.tidy(() => Array.from(tokenNll(logits, targets).dataSync()));
  const ref = tf.tidy(() => Array.from(reference(logits).dataSync()));
  fused.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-5 * (1 + Math.abs(ref[i]!)), `nll ${i}: ${v} vs ${ref[i]}`));
  // A weighted sum makes dy differ per position, so the gradient's per-row scaling is exercised.
  const g = tf.tidy(() => Array.from(tf.grad((l: tf.Tensor) => tf.sum(tf.mul(tokenNll(l, targets), weights)))(logits).dataSync()));
  const gr = tf.tidy(() => Array.from(tf.grad((l: tf.Tensor) => tf.sum(tf.mul(reference(l), weights)))(logits).dataSync()));
  g.forEach((v, i) => assert.ok(Math.abs(v - gr[i]!) < 1e-5, `grad ${i}: ${v} vs ${gr[i]}`));
  // Central differences in float64 on the first row (unit-scale logits).
  const row = Array.from(logits.dataSync().slice(0, 7));
  const nll64 = (l: number[], t: number): number => Math.log(l.reduce((s, x) => s + Math.exp(x), 0)) - l[t]!;
  for (let v = 0; v < 7; v++) {
    const up = row.slice(); up[v]! += 1e-4;
    const dn = row.slice(); dn[v]! -= 1e-4;
    assert.ok(Math.abs((nll64(up, 0) - nll64(dn, 0)) / 2e-4 - g[v]!) < 1e-4, `fd ${v}`);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.throws(() => tokenNll(logits, tf.zeros([2, 4])), /targets have shape \[2, 4\] but the logits \[2, 3, 7\] need \[2, 3\]/);
  tf.dispose([logits, targets, weights]);
});

test('the decoder loss gradient equals central finite differences (float32 tolerance)', () => {
  const m = new TransformerModel({ vocabSize: 6, contextLength: 4, dModel: 8, heads: 2, layers: 1, causal: true, relativeDistance: 2, rng: seed('fd') });
  tf.tidy(() => m.blocks[0]!.attention.relative!.assign(tf.mul(seed('rel').randn([2, 5]), 0.5) as tf.Tensor2D));
  const lm = new CausalLanguageModel(m);
  const w = tf.tensor2d([[1, 4, 2, 5, 0], [3, 3, 1, 0, 2]], undefined, 'int32');
  const f = (): tf.Scalar => lm.loss({ tokens: w })['nll']!;
  const vars = [m.blocks[0]!.attention.query.W, m.blocks[0]!.attention.relative!, m.embedding];
  const { grads } = tf.variableGrads(f, vars);
  for (const v of vars) {
    const g = grads[v.name]!.dataSync();
    const vals = v.dataSync().slice();
    for (const i of [0, 3, 7]) {
      const h = 1e-3; // small: the embeddings are O(0.02), and layer norm is far from linear on that scale
      const at = (delta: number): number => {
        const c = vals.slice();
        c[i]! += delta;
        v.assign(tf.tensor(c, v.shape));
        return tf.tidy(() => f().dataSync()[0]!);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(vals, v.shape));
      assert.ok(Math.abs(fd - g[i]!) < 1e-3 + 0.02 * Math.abs(fd), `${v.name}[${i}]: autodiff ${g[i]} vs fd ${fd}`);
    }
  }
  tf.dispose(grads);
  w.dispose();
  m.dispose();
});

test('tied output layer: logits = h Ω_eᵀ + β, V·D fewer parameters, and its gradient sums the input and output uses of Ω_e', () => {
  const cfg = { vocabSize: 6, contextLength: 4, dModel: 8, heads: 2, layers: 1, causal: true };
  const tied = new TransformerModel({ ...cfg, tieEmbeddings: true, rng: seed('tie') });
  const untied = new TransformerModel({ ...cfg, rng: seed('tie') });
  assert.equal(untied.parameterCount - tied.parameterCount, 6 * 8, 'the head W [D, V] goes; its bias stays');
  assert.equal(tied.head, null);
  const w = tf.tensor2d([[1, 4, 2, 5, 0], [3, 3, 1, 0, 2]], undefined, 'int32');
  const input = w.slice([0, 0], [2, 4]) as tf.Tensor2D;
  // The same network untied, with its head set to W = Ω_eᵀ and the same bias: the two must agree exactly.
  tf.tidy(() => {
    tied.headBias!.assign(tf.tensor1d([0.1, -0.2, 0.3, 0, 0.5, -0.4]));
    untied.head!.W.assign(tf.transpose(tied.embedding));
    untied.head!.b!.assign(tied.headBias!);
  });
  const gap = tf.tidy(() => {
    const h = tied.forward(input).hidden;
    const byHand = tf.add(tf.einsum('bnd,vd->bnv', h, tied.embedding), tied.headBias!);
    return Math.max(tf.max(tf.abs(tf.sub(tied.logits(input), byHand))).dataSync()[0]!, tf.max(tf.abs(tf.sub(tied.logits(input), untied.logits(input)))).dataSync()[0]!);
  });
  assert.ok(gap < 1e-6, `tied logits vs h Ω_eᵀ + β and vs the untied copy: ${gap}`);
  // d loss / dΩ_e (tied) = d/d(input table) + (d/dW)ᵀ of the untied copy (chain rule through both uses).
  const lossOf = (m: TransformerModel) => (): tf.Scalar => new CausalLanguageModel(m).loss({ tokens: w })['nll']!;
  const gt = tf.variableGrads(lossOf(tied), [tied.embedding]).grads;
  const gu = tf.variableGrads(lossOf(untied), [untied.embedding, untied.head!.W]).grads;
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(gt[tied.embedding.name]!, tf.add(gu[untied.embedding.name]!, tf.transpose(gu[untied.head!.W.name]!))))).dataSync()[0]!);
  const scale = tf.tidy(() => tf.max(tf.abs(gt[tied.embedding.name]!)).dataSync()[0]!);
  assert.ok(scale > 1e-3 && diff < 1e-5 * (1 + scale), `tied gradient vs the sum of both uses: ${diff} (scale ${scale})`);
  tf.dispose([...Object.values(gt), ...Object.values(gu), w, input]);
  tied.dispose();
  untied.dispose();
});

test('trainer steps on the decoder, the masked LM and the classifier keep the tensor count flat', async () => {
  const enc = new TransformerModel({ vocabSize: 8, contextLength: 6, dModel: 8, heads: 2, layers: 1, rng: seed('e') });
  const dec = new TransformerModel({ vocabSize: 8, contextLength: 6, dModel: 8, heads: 2, layers: 1, causal: true, embedding: 'oneHot', rng: seed('d') });
  const data = tf.tidy(() => tf.cast(tf.floor(seed('data').uniform([32, 7], 0, 7)), 'int32'));
  const x6 = tf.slice(data, [0, 0], [32, 6]);
  const labels = tf.tidy(() => tf.cast(tf.greater(tf.slice(data, [0, 0], [32, 1]).reshape([32]), 3), 'int32'));
  const runs: Array<[object, Record<string, tf.Tensor>]> = [
    [new CausalLanguageModel(dec), { tokens: data }],
    [new MaskedLanguageModel(enc, { maskId: 7, randomVocab: 7 }), { tokens: x6 }],
  ];
  for (const [model, batch] of runs) {
    const trainer = new Trainer(model as CausalLanguageModel, { rng: seed('t'), batchSize: 8 });
    await trainer.fit(batch, { epochs: 1, progress: false });
    const before = tf.memory().numTensors;
    await trainer.fit(batch, { epochs: 2, progress: false });
    assert.equal(tf.memory().numTensors, before, 'flat tensor count');
  }
  const clf = new SequenceClassifier(enc, 2, seed('c'));
  const t = new Trainer(clf, { rng: seed('t2'), batchSize: 8 });
  await t.fit({ tokens: x6, labels }, { epochs: 1, progress: false });
  const before = tf.memory().numTensors;
  await t.fit({ tokens: x6, labels }, { epochs: 1, progress: false });
  assert.ok(clf.accuracy(x6 as tf.Tensor2D, labels as tf.Tensor1D) >= 0);
  assert.equal(tf.memory().numTensors, before, 'flat tensor count');
  assert.throws(() => new CausalLanguageModel(enc), /must be causal/);
  clf.dispose();
  dec.dispose();
  tf.dispose([data, x6, labels]);
});

test('a one-layer model learns to reverse short sequences exactly', async () => {
  const train = makeSequenceTask({ task: 'reverse', n: 2000, length: 5, symbols: 5, seed: 1 });
  const test_ = makeSequenceTask({ task: 'reverse', n: 300, length: 5, symbols: 5, seed: 2 });
  const tagger = new TokenTagger(new TransformerModel({ vocabSize: 5, contextLength: 5, dModel: 32, heads: 1, layers: 1, rng: seed('rev') }));
  const trainer = new Trainer(tagger, { rng: seed('tr'), batchSize: 64, learningRate: 1e-2 });
  await trainer.fit({ x: train.x, y: train.y }, { epochs: 12, progress: false });
  const acc = tagger.exactAccuracy(test_.x, test_.y);
  assert.ok(acc > 0.95, `exact-sequence accuracy ${acc}`);
  tagger.dispose();
  tf.dispose([train.x, train.y, test_.x, test_.y]);
});

test('residual dropout: off without a random source, seeded when on, keeps causality, only in training steps, no leaks', async () => {
  const cfg = { vocabSize: 9, contextLength: 6, dModel: 8, heads: 2, layers: 2, causal: true, embedding: 'oneHot' as const };
  // The rate draws nothing at construction: the same seed gives the same weights with and without dropout.
  const plain = new TransformerModel({ ...cfg, rng: seed('w') });
  const drop = new TransformerModel({ ...cfg, dropout: 0.3, rng: seed('w') });
  const x = [[1, 4, 2, 8, 0, 3]];
  const logits = (m: TransformerModel, rng?: ReturnType<typeof seed>, input = x) => tf.tidy(() => m.logits(input, { dropout: rng }).arraySync()[0]!);
  const base = logits(plain);
  assert.deepEqual(logits(drop), base, 'no random source: no dropout (evaluation, sampling)');
  assert.deepEqual(logits(plain, seed('a')), base, 'rate 0: no dropout even with a random source');
  const a = logits(drop, seed('a'));
  assert.deepEqual(logits(drop, seed('a')), a, 'the same seed drops the same units');
  const gap = (p: number[][], q: number[][]) => Math.max(...p.flatMap((row, n) => row.map((v, k) => Math.abs(v - q[n]![k]!))));
  assert.ok(gap(a, base) > 1e-3, 'dropout changes the outputs');
  assert.ok(gap(a, logits(drop, seed('b'))) > 1e-3, 'another seed drops other units');
  // Masks do not depend on the tokens, so with one seed the first outputs ignore later tokens.
  const later = [[1, 4, 2, 5, 7, 7]];
  const changed = logits(drop, seed('a'), later);
  assert.equal(gap(a.slice(0, 3), changed.slice(0, 3)), 0, 'causal with dropout');
  // In the objective: validation passes (training false) and evaluate() see no dropout; training steps do.
  const lm = new CausalLanguageModel(drop);
  const w = tf.tensor2d([[1, 4, 2, 8, 0, 3, 5], [2, 2, 7, 1, 6, 0, 4]], undefined, 'int32');
  const ctx = (training: boolean) => ({ epoch: 0, step: 0, globalStep: 0, datasetSize: 2, rng: seed('step'), training });
  const nll = (training: boolean) => tf.tidy(() => lm.loss({ tokens: w }, ctx(training))['nll']!.dataSync()[0]!);
  const evalNll = lm.evaluate(w);
  assert.ok(Math.abs(nll(false) - evalNll) < 1e-6, `validation ${nll(false)} = evaluate ${evalNll}`);
  assert.ok(Math.abs(nll(true) - evalNll) > 1e-4, 'a training step drops units');
  assert.equal(nll(true), nll(true), 'reproducible per step seed');
  const trainer = new Trainer(lm, { rng: seed('t'), batchSize: 2 });
  await trainer.fit({ tokens: w }, { epochs: 1, progress: false });
  const before = tf.memory().numTensors;
  await trainer.fit({ tokens: w }, { epochs: 2, progress: false });
  assert.equal(tf.memory().numTensors, before, 'flat tensor count');
  assert.throws(() => new TransformerModel({ ...cfg, dropout: 1, rng: seed('w') }), /TransformerModel \(dropout\): the dropout rate must be in \[0, 1\)/);
  lm.dispose();
  plain.dispose();
  w.dispose();
});
