/**
 * The convolution analysis helpers against known answers: the receptive-field formula on hand-counted
 * stacks and against the measured support of the input gradient; the gradient correlation along lines
 * for a linear map (1 at every lag), a quadratic (computed in float64 here) and a rapidly oscillating
 * function (near 0); residual variance growth (doubling per block without batch norm, +1 with it); the
 * matrix of a convolution, whose transpose is the transposed convolution's matrix.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { AvgPool2d, Conv2d, ConvTranspose2d } from '../../src/nn';
import { gradientCorrelationAlongLines, linearMapMatrix, measuredReceptiveField, receptiveFieldSize, residualVarianceGrowth, shiftImages } from '../../src/analysis';

before(async () => {
  await tf.setBackend('cpu');
});

test('receptive field: the formula on hand-counted stacks, and equal to the measured gradient support', () => {
  assert.equal(receptiveFieldSize([{ kernelSize: 3 }, { kernelSize: 3 }, { kernelSize: 3 }]).size, 7, 'three 3x3: 1 + 2 + 2 + 2');
  assert.equal(receptiveFieldSize([{ kernelSize: 3, stride: 2 }, { kernelSize: 3 }]).size, 7, '1 + 2 + 2 x 2');
  assert.equal(receptiveFieldSize([{ kernelSize: 3, dilation: 2 }]).size, 5);
  assert.deepEqual(receptiveFieldSize([{ kernelSize: 3 }, { kernelSize: 2, stride: 2 }, { kernelSize: 3 }]).perLayer, [3, 4, 8]);
  assert.throws(() => receptiveFieldSize([{ kernelSize: 0 }]), /layers\[0\]\.kernelSize must be a positive integer/);
  const stacks: { kernelSize: number; stride?: number; dilation?: number; pool?: boolean }[][] = [
    [{ kernelSize: 3 }, { kernelSize: 3 }, { kernelSize: 3 }],
    [{ kernelSize: 3, stride: 2 }, { kernelSize: 3 }, { kernelSize: 3, stride: 2 }, { kernelSize: 3 }],
    [{ kernelSize: 3 }, { kernelSize: 2, stride: 2, pool: true }, { kernelSize: 3, dilation: 2 }, { kernelSize: 5 }],
  ];
  const start = tf.memory().numTensors;
  stacks.forEach((stack, idx) => {
    const r = seed(`rf${idx}`);
    const layers = stack.map((l) => (l.pool ? new AvgPool2d({ poolSize: l.kernelSize }) : new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: l.kernelSize, stride: l.stride ?? 1, dilation: l.dilation ?? 1, rng: r.fork() })));
    const f = (x: tf.Tensor4D): tf.Tensor4D => layers.reduce((h, l) => l.apply(h), x);
    const m = measuredReceptiveField(f, [41, 41, 2], seed(`in${idx}`));
    const want = receptiveFieldSize(stack).size;
    assert.equal(m.height, want, `stack ${idx}: height`);
    assert.equal(m.width, want, `stack ${idx}: width`);
    layers.forEach((l) => l.dispose());
  });
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
});

test('gradient correlation along lines: 1 for a linear map, the exact value for a quadratic, near 0 for a fast oscillation', () => {
  const r = seed('lines');
  const a = r.randn([3, 4, 4, 2]) as tf.Tensor4D;
  const b = r.randn([3, 4, 4, 2]) as tf.Tensor4D;
  const W = r.randn([32, 5]) as tf.Tensor2D;
  const w = r.randn([1, 4, 4, 2]);
  const flat = (x: tf.Tensor4D): tf.Tensor2D => tf.reshape(x, [x.shape[0], 32]);
  const start = tf.memory().numTensors;
  const lin = gradientCorrelationAlongLines((x) => tf.matMul(flat(x), W), a, b, [0, 1, 4], { points: 8, maxLag: 3 });
  lin.correlation.forEach((c, k) => assert.ok(Math.abs(c - 1) < 1e-5, `linear, lag ${k}: ${c}`));
  // f = ½ |x|² (one output): g_t = x_t, so ρ(k) is the mean Pearson correlation of x_t and x_{t+k}.
  const quad = gradientCorrelationAlongLines((x) => tf.mul(0.5, tf.sum(tf.square(flat(x)), 1, true)) as tf.Tensor2D, a, b, [0, 0, 0], { points: 6, maxLag: 2 });
  const [av, bv] = [a.arraySync().map((v) => v.flat(2)), b.arraySync().map((v) => v.flat(2))];
  const point = (i: number, t: number): number[] => av[i]!.map((u, j) => u + (t / 5) * (bv[i]![j]! - u));
  const corr = (u: number[], v: number[]): number => {
    const mu = u.reduce((s, q) => s + q, 0) / u.length;
    const mv = v.reduce((s, q) => s + q, 0) / v.length;
    const num = u.reduce((s, q, j) => s + (q - mu) * (v[j]! - mv), 0);
    return num / Math.sqrt(u.reduce((s, q) => s + (q - mu) ** 2, 0) * v.reduce((s, q) => s + (q - mv) ** 2, 0));
  };
  for (const k of [1, 2]) {
    let s = 0;
    let n = 0;
    for (let i = 0; i < 3; i++) for (let t = 0; t + k < 6; t++) { s += corr(point(i, t), point(i, t + k)); n++; }
    assert.ok(Math.abs(quad.correlation[k]! - s / n) < 1e-4, `quadratic, lag ${k}: ${quad.correlation[k]} vs ${s / n}`);
  }
  // f = Σ sin(300 x ⊙ w): the gradient's phase turns by hundreds of radians per step.
  const wild = gradientCorrelationAlongLines((x) => tf.sum(tf.reshape(tf.sin(tf.mul(300, tf.mul(x, w))), [x.shape[0], -1]), 1, true) as tf.Tensor2D, a, b, [0, 0, 0], { points: 16, maxLag: 2 });
  assert.ok(Math.abs(wild.correlation[1]!) < 0.15, `oscillating, lag 1: ${wild.correlation[1]}`);
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  assert.throws(() => gradientCorrelationAlongLines((x) => flat(x), a, b, [0, 0, 0], { points: 4, maxLag: 4 }), /maxLag must be an integer in 1\.\.points-1/);
  assert.throws(() => gradientCorrelationAlongLines((x) => flat(x), a, b, [0]), /classes has 1 entries for 3 lines/);
  tf.dispose([a, b, W, w]);
});

test('residual variance at initialisation: about doubles per block without batch norm, grows by about 1 with it', () => {
  // One draw of weights is noisy (each branch's variance is a sum over 144 fan-in products), so the
  // checks average over three seeds: log2 growth per block ≈ 1 without BN, a step of ≈ 1 with it.
  const x = seed('vx').randn([16, 8, 8, 16]) as tf.Tensor4D;
  const start = tf.memory().numTensors;
  const blocks = 6;
  let log2PerBlock = 0;
  let bnFinal = 0;
  for (const s of ['v', 'w', 'u']) {
    const plain = residualVarianceGrowth({ x, blocks, batchNorm: false, rng: seed(s) });
    const bn = residualVarianceGrowth({ x, blocks, batchNorm: true, rng: seed(s) });
    log2PerBlock += Math.log2(plain.stream[blocks]! / plain.stream[0]!) / blocks / 3;
    bnFinal += bn.stream[blocks]! / 3;
    bn.stream.slice(1).forEach((v, l) => {
      const step = v - bn.stream[l]!;
      assert.ok(step > 0.3 && step < 1.6, `BN, seed ${s}, block ${l}: Var step ${step}`);
    });
  }
  assert.ok(log2PerBlock > 0.7 && log2PerBlock < 1.25, `no BN: log2 growth per block ${log2PerBlock} (doubling: 1)`);
  assert.ok(bnFinal > 1 + 0.7 * blocks && bnFinal < 1 + 1.3 * blocks, `BN: variance after ${blocks} blocks ${bnFinal} (linear: ${1 + blocks})`);
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  x.dispose();
});

test("a convolution's matrix applied to x is the convolution; its transpose is the transposed convolution's matrix", () => {
  const conv = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2, bias: false, rng: seed('m') });
  const up = new ConvTranspose2d({ inChannels: 2, outChannels: 1, kernelSize: 3, stride: 2, bias: false, rng: seed('m2') });
  up.weight.assign(conv.weight);
  const A = linearMapMatrix((x) => conv.apply(x as tf.Tensor4D), [5, 5, 1]);
  const At = linearMapMatrix((y) => up.apply(y as tf.Tensor4D, [5, 5]), [3, 3, 2]);
  assert.equal(A.length, 18);
  assert.equal(A[0]!.length, 25);
  A.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - At[j]![i]!) < 1e-6, `A[${i}][${j}] vs Aᵀ`)));
  const x = seed('mx').randn([1, 5, 5, 1]);
  const y = conv.apply(x as tf.Tensor4D);
  const xs = x.dataSync();
  const ys = y.dataSync();
  A.forEach((row, i) => assert.ok(Math.abs(row.reduce((s, v, j) => s + v * xs[j]!, 0) - ys[i]!) < 1e-5, `(A x)[${i}]`));
  tf.dispose([x, y]);
  conv.dispose();
  up.dispose();
});

test('shiftImages moves pixels by whole steps with zeros shifted in', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const down = shiftImages(x, 1, 0);
  assert.deepEqual(Array.from(down.dataSync()), [0, 0, 0, 1, 2, 3, 4, 5, 6]);
  const upLeft = shiftImages(x, -1, -2);
  assert.deepEqual(Array.from(upLeft.dataSync()), [6, 0, 0, 9, 0, 0, 0, 0, 0]);
  assert.throws(() => shiftImages(x, 3, 0), /smaller than the image \(3 x 3\)/);
  tf.dispose([x, down, upLeft]);
});
