/**
 * The U-Net and its residual block: output shapes for even and odd sizes and a clear error for sizes it
 * cannot take; the block is the identity at zero weights; the parameter count against a count by hand;
 * the time input (per-row steps agree with one shared step); gradients against finite differences on a
 * tiny net; no tensor leaks; clear config errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import { initBackend } from '../../src/runtime/backend';
import { UNet, ResBlock, type Downsample } from '../../src/models/unet';

before(async () => {
  await initBackend({ backend: 'wasm', announce: false });
});

/** Overwrite every variable with N(0, scale²) draws, so no branch is zero (the head and conv₂ start at 0). */
function randomise(vars: tf.Variable[], label: string, scale = 0.3): void {
  const rng = seed(label);
  tf.tidy(() => vars.forEach((v) => v.assign(tf.mul(rng.randn(v.shape), scale))));
}

test('UNet output has the input size for even and odd sizes, with and without skips, for each downsampling', () => {
  const before = tf.memory().numTensors;
  const sizes: [number, number][] = [[28, 28], [7, 9], [27, 28], [4, 5], [13, 6]];
  for (const downsample of ['conv', 'maxPool', 'avgPool'] as Downsample[]) {
    for (const skips of [true, false]) {
      const net = new UNet({ inChannels: 2, outChannels: 3, channels: [4, 8, 8], skips, downsample, timeEmbedDim: 8, rng: seed(`shape-${downsample}-${skips}`) });
      randomise(net.variables(), 'shape');
      for (const [h, w] of sizes) {
        const y = tf.tidy(() => net.apply(tf.randomNormal([2, h, w, 2]) as tf.Tensor4D, 17));
        assert.deepEqual(y.shape, [2, h, w, 3], `${downsample}, skips ${skips}, ${h}x${w}`);
        assert.ok(Number.isFinite(tf.tidy(() => y.sum().dataSync()[0]!)));
        y.dispose();
      }
      assert.deepEqual(net.levelSizes(7, 9), [[7, 9], [4, 5], [2, 3]]);
      net.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, before, 'no leaks');
});

test('UNet: a size it cannot halve L-1 times is a clear error naming the minimum', () => {
  const net = new UNet({ inChannels: 1, channels: [4, 4, 4], rng: seed('small') });
  assert.equal(net.minSize, 4);
  tf.tidy(() => {
    assert.throws(() => net.apply(tf.zeros([1, 3, 8, 1]) as tf.Tensor4D), /input 3x8 is too small for 3 levels: each side must be at least 2\^2 = 4 pixels/);
    assert.deepEqual(net.apply(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D).shape, [1, 4, 4, 1]);
  });
  net.dispose();
});

test('ResBlock is the identity at zero weights (and a fresh block is, since conv₂ starts at 0); the 1×1 shortcut otherwise', () => {
  const block = new ResBlock({ inChannels: 4, outChannels: 4, timeDim: 6, rng: seed('id') });
  const [x, temb] = tf.tidy(() => [tf.randomNormal([3, 5, 6, 4], 0, 2, 'float32', 1) as tf.Tensor4D, tf.randomNormal([3, 6], 0, 1, 'float32', 2) as tf.Tensor2D]);
  const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  const fresh = block.apply(x!, temb!);
  assert.equal(maxDiff(fresh, x!), 0, 'fresh block = identity');
  randomise(block.variables(), 'id-rand');
  const random = block.apply(x!, temb!);
  assert.ok(maxDiff(random, x!) > 0.1, 'random weights change the input');
  tf.tidy(() => block.variables().forEach((v) => v.assign(tf.zerosLike(v))));
  const zero = block.apply(x!, temb!);
  assert.equal(maxDiff(zero, x!), 0, 'zero weights = identity');
  // C_in ≠ C_out: with the residual branch at zero, y = the 1×1 shortcut of x.
  const wide = new ResBlock({ inChannels: 4, outChannels: 6, rng: seed('wide') });
  const y = wide.apply(x!);
  const viaShortcut = wide.shortcut!.apply(x!);
  assert.equal(maxDiff(y, viaShortcut), 0);
  tf.dispose([x!, temb!, fresh, random, zero, y, viaShortcut]);
  block.dispose();
  wide.dispose();
});

test('UNet parameter count equals a count by hand (and a fresh net answers 0: its head starts at zero)', () => {
  // channels [4, 8], 1 block per level, inChannels 1, outChannels 1, timeEmbedDim 8 (time code 4·4 = 16).
  const conv = (k: number, ci: number, co: number): number => k * k * ci * co + co;
  const gn = (c: number): number => 2 * c;
  const block = (ci: number, co: number, td: number): number =>
    gn(ci) + conv(3, ci, co) + gn(co) + conv(3, co, co) + (ci === co ? 0 : conv(1, ci, co)) + (td > 0 ? td * co + co : 0);
  const time = 8 * 16 + 16 + 16 * 16 + 16;
  const withSkips = time + conv(3, 1, 4) + block(4, 4, 16) + conv(3, 4, 4) + block(4, 8, 16) + conv(3, 8, 4) + block(8, 4, 16) + gn(4) + conv(3, 4, 1);
  const noSkips = withSkips - block(8, 4, 16) + block(4, 4, 16);
  const a = new UNet({ inChannels: 1, channels: [4, 8], timeEmbedDim: 8, rng: seed('count') });
  const b = new UNet({ inChannels: 1, channels: [4, 8], timeEmbedDim: 8, skips: false, rng: seed('count') });
  assert.equal(a.parameterCount, withSkips);
  assert.equal(b.parameterCount, noSkips);
  const y = tf.tidy(() => a.apply(tf.randomNormal([2, 6, 6, 1]) as tf.Tensor4D, 5));
  assert.equal(tf.tidy(() => tf.max(tf.abs(y)).dataSync()[0]), 0);
  y.dispose();
  a.dispose();
  b.dispose();
});

test('UNet time input: per-row steps that are all equal give the answer of one shared step; other steps give another', () => {
  const net = new UNet({ inChannels: 1, channels: [4, 8], timeEmbedDim: 8, rng: seed('time') });
  randomise(net.variables(), 'time-rand');
  const [shared, perRow, other] = tf.tidy(() => {
    const x = tf.randomNormal([3, 6, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    return [net.apply(x, 40), net.apply(x, tf.tensor1d([40, 40, 40], 'int32')), net.apply(x, tf.tensor1d([40, 41, 900], 'int32'))];
  });
  const diff = (a: tf.Tensor, b: tf.Tensor): number[] => tf.tidy(() => Array.from(tf.max(tf.abs(tf.sub(a, b)), [1, 2, 3]).dataSync()));
  assert.ok(diff(shared!, perRow!).every((d) => d < 1e-5));
  const d = diff(shared!, other!);
  assert.ok(d[0]! < 1e-5 && d[1]! > 1e-4 && d[2]! > 1e-3, `row differences ${d}`);
  tf.dispose([shared!, perRow!, other!]);
  net.dispose();
});

test('UNet gradients (all parameters and the input) equal central finite differences on a tiny net', () => {
  // Directional derivatives: for a random direction v per tensor, <∇L, v> against (L(θ + εv) − L(θ − εv)) / 2ε,
  // in float32 with ε = 1e-2 (L is smooth: SiLU, group norm; the truncation error is O(ε²)).
  for (const downsample of ['conv', 'avgPool'] as Downsample[]) {
    const net = new UNet({ inChannels: 1, channels: [4, 8], timeEmbedDim: 4, groups: 2, downsample, rng: seed(`grad-${downsample}`) });
    randomise(net.variables(), `grad-rand-${downsample}`, 0.4);
    const x = tf.randomNormal([2, 5, 6, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    const t = tf.tensor1d([3, 250], 'int32');
    const r = tf.randomNormal([2, 5, 6, 1], 0, 1, 'float32', 12);
    const lossAt = (xin: tf.Tensor4D): tf.Scalar => tf.sum(tf.mul(r, net.apply(xin, t))) as tf.Scalar;
    const vars = net.variables();
    const { grads, value } = tf.variableGrads(() => lossAt(x), vars);
    const rng = seed(`dir-${downsample}`);
    const eps = 1e-2;
    const check = (analytic: number, shift: (sign: number) => number, what: string): void => {
      const fd = (shift(1) - shift(-1)) / (2 * eps);
      assert.ok(Math.abs(analytic - fd) < 2e-2 * (1 + Math.abs(fd)), `${downsample} ${what}: ${analytic} vs ${fd}`);
    };
    vars.forEach((v, k) => {
      const dir = rng.randn(v.shape);
      const analytic = tf.tidy(() => tf.sum(tf.mul(grads[v.name]!, dir)).dataSync()[0]!);
      const orig = v.clone();
      const shift = (sign: number): number => {
        tf.tidy(() => v.assign(tf.add(orig, tf.mul(dir, sign * eps))));
        const l = tf.tidy(() => lossAt(x).dataSync()[0]!);
        tf.tidy(() => v.assign(orig));
        return l;
      };
      check(analytic, shift, `variable ${k} [${v.shape}]`);
      tf.dispose([dir, orig]);
    });
    const gx = tf.grad((xin: tf.Tensor) => lossAt(xin as tf.Tensor4D))(x);
    const dir = rng.randn(x.shape);
    const analytic = tf.tidy(() => tf.sum(tf.mul(gx, dir)).dataSync()[0]!);
    check(analytic, (sign) => tf.tidy(() => lossAt(tf.add(x, tf.mul(dir, sign * eps)) as tf.Tensor4D).dataSync()[0]!), 'input');
    tf.dispose([x, t, r, value, gx, dir, ...Object.values(grads)]);
    net.dispose();
  }
});

test('UNet: repeated forward and gradient calls leak no tensors; the same seed gives the same weights', () => {
  const net = new UNet({ inChannels: 1, channels: [4, 8, 8], timeEmbedDim: 8, rng: seed('leak') });
  const twin = new UNet({ inChannels: 1, channels: [4, 8, 8], timeEmbedDim: 8, rng: seed('leak') });
  net.variables().forEach((v, k) => assert.deepEqual(Array.from(v.dataSync()), Array.from(twin.variables()[k]!.dataSync())));
  const x = tf.randomNormal([2, 9, 9, 1]) as tf.Tensor4D;
  const once = (): void => tf.tidy(() => {
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(net.apply(x, 10))) as tf.Scalar, net.variables());
    value.dataSync();
    tf.dispose(Object.values(grads));
  });
  once();
  const count = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) once();
  assert.equal(tf.memory().numTensors, count);
  x.dispose();
  net.dispose();
  twin.dispose();
});

test('UNet and ResBlock: clear errors naming the field', () => {
  const rng = seed('err');
  assert.throws(() => new UNet({ inChannels: 1, channels: [], rng }), /channels must be a non-empty list/);
  assert.throws(() => new UNet({ inChannels: 1, channels: [8, 0], rng }), /channels\[1\] must be a positive integer/);
  assert.throws(() => new UNet({ inChannels: 1, channels: [8, 12], groups: 8, rng }), /groups \(8\) must divide every level's channels; 12 is not a multiple/);
  assert.throws(() => new UNet({ inChannels: 1, timeEmbedDim: 7, rng }), /timeEmbedDim must be an even non-negative integer/);
  assert.throws(() => new UNet({ inChannels: 1, downsample: 'stride' as Downsample, rng }), /unknown downsample "stride"/);
  assert.throws(() => new UNet({ inChannels: 1, blocksPerLevel: 0, rng }), /blocksPerLevel must be a positive integer/);
  const net = new UNet({ inChannels: 1, channels: [4, 8], timeEmbedDim: 8, rng });
  const plain = new UNet({ inChannels: 1, channels: [4, 8], rng });
  tf.tidy(() => {
    assert.throws(() => net.apply(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, 1), /expected an NHWC batch \[batch, height, width, 1\], got shape \[1, 8, 8, 3\]/);
    assert.throws(() => net.apply(tf.zeros([1, 784]) as unknown as tf.Tensor4D, 1), /reshape flat images first/);
    assert.throws(() => net.apply(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D), /reads a step t/);
    assert.throws(() => net.apply(tf.zeros([2, 8, 8, 1]) as tf.Tensor4D, tf.tensor1d([1, 2, 3], 'int32')), /3 steps for a batch of 2/);
    assert.throws(() => plain.apply(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, 5), /no time input/);
  });
  net.dispose();
  plain.dispose();
  assert.throws(() => new ResBlock({ inChannels: 4, outChannels: 6, groups: 4, rng }), /groups \(4\) must divide channels \(6\)/);
});
