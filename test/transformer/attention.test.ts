/** Attention against the lecture's per-token loops; weights sum to one; causal independence; permutation equivariance; positions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { attentionColumns, causalMask, MultiHeadAttention, scaledDotProductAttention, sinusoidalEncoding, TransformerModel } from '../../src/models/transformer';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void => {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('batched attention equals the lecture loop Sa[X] = V Softmax[KᵀQ/√D_q] (tokens as columns)', () => {
  const rng = seed('att');
  const D = 6, N = 5, Dq = 4;
  const randM = (r: number, c: number): number[][] => Array.from({ length: r }, () => Array.from({ length: c }, () => rng.normal()));
  const X = randM(D, N);
  const Wq = randM(Dq, D), Wk = randM(Dq, D), Wv = randM(3, D);
  const ref = attentionColumns(X, Wq, Wk, Wv);
  const before = tf.memory().numTensors;
  const { out, w } = tf.tidy(() => {
    // Rows as tokens: Q = Xᵀ Ω_qᵀ, as [1, 1, N, Dq].
    const Xt = tf.transpose(tf.tensor2d(X));
    const proj = (W: number[][]) => tf.reshape(tf.matMul(Xt, tf.tensor2d(W), false, true), [1, 1, N, W.length]) as tf.Tensor4D;
    const r = scaledDotProductAttention(proj(Wq), proj(Wk), proj(Wv));
    return { out: r.output.dataSync(), w: r.weights.dataSync() };
  });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  // out[n, c] (rows) = Sa[X][c, n] (columns); weights[n, m] = α[x_m, x_n].
  for (let n = 0; n < N; n++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(out[n * 3 + c]! - ref.out[c]![n]!) < 1e-4);
  for (let n = 0; n < N; n++) for (let m = 0; m < N; m++) assert.ok(Math.abs(w[n * N + m]! - ref.alpha[m]![n]!) < 1e-5);
});

test('multi-head attention equals a loop over heads and positions, and its weights are non-negative and sum to one per output', () => {
  const mha = new MultiHeadAttention({ dModel: 8, heads: 2, rng: seed('mha') });
  const before = tf.memory().numTensors;
  const x = seed('x').randn([2, 5, 8]) as tf.Tensor3D;
  const r = mha.apply(x, false);
  const got = r.output.arraySync() as number[][][];
  const W = r.weights.arraySync() as number[][][][];
  const xa = x.arraySync() as number[][][];
  const lin = (l: { W: tf.Variable; b: tf.Variable | null }, v: number[]): number[] => {
    const Wm = l.W.arraySync() as number[][];
    const b = l.b!.arraySync() as number[];
    return b.map((bj, j) => bj + v.reduce((s, vi, i) => s + vi * Wm[i]![j]!, 0));
  };
  for (let bIdx = 0; bIdx < 2; bIdx++) {
    const Q = xa[bIdx]!.map((v) => lin(mha.query, v));
    const K = xa[bIdx]!.map((v) => lin(mha.key, v));
    const V = xa[bIdx]!.map((v) => lin(mha.value, v));
    for (let n = 0; n < 5; n++) {
      const concat: number[] = [];
      for (let h = 0; h < 2; h++) {
        const sl = (v: number[]) => v.slice(4 * h, 4 * h + 4);
        const s = K.map((k) => sl(k).reduce((acc, kd, d) => acc + kd * sl(Q[n]!)[d]!, 0) / 2);
        const mx = Math.max(...s);
        const e = s.map((z) => Math.exp(z - mx));
        const z = e.reduce((a, b) => a + b, 0);
        const alpha = e.map((v) => v / z);
        const row = W[bIdx]![h]![n]!;
        assert.ok(row.every((a) => a >= 0), 'non-negative');
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'sums to one');
        close(row, alpha, 1e-5, `weights b${bIdx} h${h} n${n}`);
        for (let d = 0; d < 4; d++) concat.push(alpha.reduce((acc, a, m) => acc + a * sl(V[m]!)[d]!, 0));
      }
      close(got[bIdx]![n]!, lin(mha.out, concat), 1e-4, `output b${bIdx} n${n}`);
    }
  }
  tf.dispose([x, r.output, r.weights]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  mha.dispose();
});

test('causal mask: the output at position n does not change when later tokens change', () => {
  const m = new TransformerModel({ vocabSize: 11, contextLength: 8, dModel: 16, heads: 2, layers: 2, causal: true, rng: seed('c') });
  const a = [[1, 2, 3, 4, 5, 6, 7, 8]];
  const b = [[1, 2, 3, 4, 10, 0, 9, 9]];
  const la = tf.tidy(() => m.logits(a).arraySync() as number[][][]);
  const lb = tf.tidy(() => m.logits(b).arraySync() as number[][][]);
  for (let n = 0; n < 4; n++) close(la[0]![n]!, lb[0]![n]!, 1e-5, `position ${n}`);
  assert.ok(Math.abs(la[0]![4]![0]! - lb[0]![4]![0]!) > 1e-6, 'position 4 sees its own (changed) token');
  const mask = causalMask(3);
  assert.deepEqual(Array.from(mask.dataSync()).map((v) => (v === 0 ? 0 : 1)), [0, 1, 1, 0, 0, 1, 0, 0, 0]);
  mask.dispose();
  m.dispose();
});

test('without positions an encoder is permutation equivariant; learned, sinusoidal or relative positions break it', () => {
  const perm = [3, 0, 4, 1, 2];
  const x = [[5, 1, 7, 2, 9]];
  const px = [perm.map((p) => x[0]![p]!)];
  const gap = (m: TransformerModel): number =>
    tf.tidy(() => {
      const h = m.forward(x).hidden.arraySync() as number[][][];
      const hp = m.forward(px).hidden.arraySync() as number[][][];
      let g = 0;
      perm.forEach((p, i) => h[0]![p]!.forEach((v, d) => (g = Math.max(g, Math.abs(v - hp[0]![i]![d]!)))));
      return g;
    });
  const before = tf.memory().numTensors;
  for (const [positional, rel, equivariant] of [['none', 0, true], ['learned', 0, false], ['sinusoidal', 0, false], ['none', 2, false]] as const) {
    const m = new TransformerModel({ vocabSize: 10, contextLength: 5, dModel: 16, heads: 2, layers: 1, positional, relativeDistance: rel, rng: seed('p') });
    if (rel > 0) tf.tidy(() => m.blocks[0]!.attention.relative!.assign(seed('r').randn([2, 5]) as tf.Tensor2D));
    const g = gap(m);
    if (equivariant) assert.ok(g < 1e-5, `${positional}/${rel}: permuting inputs permutes outputs (gap ${g})`);
    else assert.ok(g > 1e-3, `${positional}/${rel}: positions make the outputs order-dependent (gap ${g})`);
    m.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('sinusoidal encodings match their formula', () => {
  const P = sinusoidalEncoding(7, 6);
  const a = P.arraySync();
  for (let n = 0; n < 7; n++) {
    for (let i = 0; i < 3; i++) {
      const w = 1 / Math.pow(10000, (2 * i) / 6);
      assert.ok(Math.abs(a[n]![2 * i]! - Math.sin(n * w)) < 1e-6);
      assert.ok(Math.abs(a[n]![2 * i + 1]! - Math.cos(n * w)) < 1e-6);
    }
  }
  P.dispose();
});

test('clear errors: a sequence longer than the context, an unknown token id, heads not dividing D', () => {
  const m = new TransformerModel({ vocabSize: 5, contextLength: 4, dModel: 8, heads: 2, layers: 1, rng: seed('e') });
  const before = tf.memory().numTensors;
  assert.throws(() => m.logits([[1, 2, 3, 4, 0]]), /sequence length 5 exceeds the model's context of 4/);
  assert.throws(() => m.logits([[1, 2, 7]]), /unknown token id 7/);
  assert.throws(() => m.logits([[1, -1, 2]]), /unknown token id -1/);
  assert.equal(tf.memory().numTensors, before, 'errors leak no tensors');
  assert.throws(() => new MultiHeadAttention({ dModel: 10, heads: 3, rng: seed('h') }), /multiple of heads/);
  m.dispose();
});

test('gradients of the attention logits scale with √D_q when unscaled: scaling keeps softmax from saturating', () => {
  // With unit-variance q, k the logit qᵀk has variance D_q; scaled, variance 1. Max weight grows towards 1 unscaled.
  const rng = seed('s');
  const maxWeight = (Dq: number, scaled: boolean): number =>
    tf.tidy(() => {
      const q = rng.randn([1, 64, 16, Dq]) as tf.Tensor4D;
      const k = rng.randn([1, 64, 16, Dq]) as tf.Tensor4D;
      return tf.mean(tf.max(scaledDotProductAttention(q, k, k, { scale: scaled ? undefined : 1 }).weights, -1)).dataSync()[0]!;
    });
  assert.ok(maxWeight(256, false) > 0.9, 'unscaled, D_q = 256: nearly one-hot');
  assert.ok(maxWeight(256, true) < 0.5, 'scaled: spread out');
  assert.ok(Math.abs(maxWeight(256, true) - maxWeight(4, true)) < 0.1, 'scaled: the same saturation whatever D_q');
});
