/**
 * The next notebooks' main training steps for the benchmark (issue 22 §1): a residual CNN, a diffusion
 * U-Net, the MNIST GAN step and a transformer decoder step. They are written here from the issues'
 * descriptions with the kit's shared layers (Conv2d, LayerNorm, the GAN model) and tfjs ops, because the
 * notebooks' own model classes (src/models/unet, src/models/transformer, the conv pieces of src/nn) are
 * still on their helpers' branches; once those land, each `build` should construct the library's class
 * instead, with the same sizes. test/bench/torch_workloads.py has the same four models in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/runtime/rng';
import { Trainer } from '../../src/train/trainer';
import type { Batch, LossTerms, StepContext, Trainable } from '../../src/train/types';
import { Conv2d, LayerNorm } from '../../src/nn';
import { GAN } from '../../src/models/gan';
import type { Workload } from './workloads';

function he(rng: Rng, shape: number[], fanIn: number): tf.Variable {
  return tf.variable(tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', rng.seed()), Math.sqrt(2 / fanIn))));
}

function binaryImages(rng: Rng, n: number, d: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform([n, d], 0, 1, 'float32', rng.seed()), 0.13), 'float32')) as tf.Tensor2D;
}

function oneHot(rng: Rng, n: number, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(tf.floor(tf.randomUniform([n], 0, k, 'float32', rng.seed())), 'int32') as tf.Tensor1D, k), 'float32')) as tf.Tensor2D;
}

/** Nearest-neighbour 2x upsampling of NHWC by stacking (its gradient is a sum, on every backend). */
function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const wide = tf.reshape(tf.stack([x, x], 3), [b, h, 2 * w, c]);
  return tf.reshape(tf.stack([wide, wide], 2), [b, 2 * h, 2 * w, c]) as tf.Tensor4D;
}

/**
 * Residual CNN on 28x28x1: conv3x3 16 /2 -> residual block (two conv3x3 16) -> conv3x3 32 /2 ->
 * residual block (two conv3x3 32) -> global average pool -> dense 10. ReLU, He init, no normalisation.
 */
export class ResidualCNN implements Trainable {
  private readonly convs: Conv2d[];
  private readonly dense: tf.Variable;
  private readonly denseBias: tf.Variable;
  constructor(rng: Rng) {
    const c = (i: number, o: number, stride: number, name: string): Conv2d =>
      new Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, stride, rng: rng.fork(name) });
    this.convs = [c(1, 16, 2, 'stem'), c(16, 16, 1, 'r1a'), c(16, 16, 1, 'r1b'), c(16, 32, 2, 'down'), c(32, 32, 1, 'r2a'), c(32, 32, 1, 'r2b')];
    this.dense = he(rng.fork('dense'), [32, 10], 32);
    this.denseBias = tf.variable(tf.zeros([10]));
  }
  variables(): tf.Variable[] {
    return [...this.convs.flatMap((c) => c.variables()), this.dense, this.denseBias];
  }
  loss(batch: Batch): LossTerms {
    const [stem, r1a, r1b, down, r2a, r2b] = this.convs as [Conv2d, Conv2d, Conv2d, Conv2d, Conv2d, Conv2d];
    const block = (x: tf.Tensor4D, a: Conv2d, b: Conv2d): tf.Tensor4D => tf.relu(tf.add(x, b.apply(tf.relu(a.apply(x))))) as tf.Tensor4D;
    let h = tf.relu(stem.apply(tf.reshape(batch['x']!, [-1, 28, 28, 1]) as tf.Tensor4D)) as tf.Tensor4D;
    h = block(h, r1a, r1b);
    h = tf.relu(down.apply(h)) as tf.Tensor4D;
    h = block(h, r2a, r2b);
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, this.dense), this.denseBias);
    return { xent: tf.losses.softmaxCrossEntropy(batch['y']!, logits) as tf.Scalar };
  }
  dispose(): void {
    for (const c of this.convs) c.dispose();
    tf.dispose([this.dense, this.denseBias]);
  }
}

/**
 * A small DDPM noise-prediction U-Net on 28x28x1 (Ho et al. 2020's objective, T = 1000, linear betas):
 * conv 16 @28 -> conv 32 /2 @14 (+ time embedding) -> conv 32 @14 -> upsample x2, concat the 16-channel
 * skip -> conv 16 @28 -> conv 1. SiLU; sinusoidal time embedding 32 -> dense 32.
 */
export class TinyUNet implements Trainable {
  static readonly T = 1000;
  private readonly convs: Conv2d[];
  private readonly tW: tf.Variable;
  private readonly tB: tf.Variable;
  private readonly sqrtAbar: tf.Tensor1D;
  private readonly sqrtOneMinusAbar: tf.Tensor1D;
  private readonly freqs: tf.Tensor1D;
  constructor(rng: Rng) {
    const c = (i: number, o: number, stride: number, name: string, init: 'he' | 'zero' = 'he'): Conv2d =>
      new Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, stride, init, rng: rng.fork(name) });
    this.convs = [c(1, 16, 1, 'in'), c(16, 32, 2, 'down'), c(32, 32, 1, 'mid'), c(48, 16, 1, 'up'), c(16, 1, 1, 'out')];
    this.tW = he(rng.fork('time'), [32, 32], 32);
    this.tB = tf.variable(tf.zeros([32]));
    const T = TinyUNet.T;
    const betas = Array.from({ length: T }, (_, i) => 1e-4 + ((0.02 - 1e-4) * i) / (T - 1));
    const abar: number[] = [];
    betas.reduce((p, b, i) => (abar[i] = p * (1 - b)), 1);
    this.sqrtAbar = tf.tensor1d(abar.map(Math.sqrt));
    this.sqrtOneMinusAbar = tf.tensor1d(abar.map((a) => Math.sqrt(1 - a)));
    this.freqs = tf.tensor1d(Array.from({ length: 16 }, (_, i) => Math.exp((-Math.log(10000) * i) / 16)));
  }
  variables(): tf.Variable[] {
    return [...this.convs.flatMap((c) => c.variables()), this.tW, this.tB];
  }
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const [cin, down, mid, up, out] = this.convs as [Conv2d, Conv2d, Conv2d, Conv2d, Conv2d];
    const x0 = tf.sub(tf.mul(tf.reshape(batch['x']!, [-1, 28, 28, 1]), 2), 1) as tf.Tensor4D;
    const n = x0.shape[0];
    const t = tf.cast(tf.floor(tf.randomUniform([n], 0, TinyUNet.T, 'float32', ctx.rng.seed())), 'int32') as tf.Tensor1D;
    const eps = tf.randomNormal(x0.shape, 0, 1, 'float32', ctx.rng.seed());
    const a = tf.reshape(tf.gather(this.sqrtAbar, t), [n, 1, 1, 1]);
    const s = tf.reshape(tf.gather(this.sqrtOneMinusAbar, t), [n, 1, 1, 1]);
    const xt = tf.add(tf.mul(a, x0), tf.mul(s, eps)) as tf.Tensor4D;
    const ang = tf.mul(tf.reshape(tf.cast(t, 'float32'), [n, 1]), this.freqs);
    const emb = tf.sigmoid(tf.add(tf.matMul(tf.concat([tf.sin(ang), tf.cos(ang)], 1), this.tW), this.tB)); // [n, 32]
    const silu = (z: tf.Tensor): tf.Tensor4D => tf.mul(z, tf.sigmoid(z)) as tf.Tensor4D;
    const h1 = silu(cin.apply(xt));
    const h2 = silu(tf.add(down.apply(h1), tf.reshape(emb, [n, 1, 1, 32])));
    const h3 = silu(mid.apply(h2));
    const h4 = silu(up.apply(tf.concat([upsample2(h3), h1], 3) as tf.Tensor4D));
    const loss = tf.mean(tf.sum(tf.square(tf.sub(out.apply(h4), eps)), [1, 2, 3])) as tf.Scalar;
    return { loss };
  }
  dispose(): void {
    for (const c of this.convs) c.dispose();
    tf.dispose([this.tW, this.tB, this.sqrtAbar, this.sqrtOneMinusAbar, this.freqs]);
  }
}

/**
 * A character-level transformer decoder (pre-LayerNorm, GPT-style): vocabulary 64, context 64,
 * d_model 64, 4 heads, 2 blocks, MLP 256 (GELU approximated by tanh), learned positions, next-token
 * cross-entropy with the causal mask.
 */
export class TinyDecoder implements Trainable {
  static readonly V = 64;
  static readonly L = 64;
  static readonly D = 64;
  static readonly H = 4;
  private readonly tok: tf.Variable;
  private readonly pos: tf.Variable;
  private readonly blocks: { ln1: LayerNorm; qkv: tf.Variable; proj: tf.Variable; ln2: LayerNorm; w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable }[] = [];
  private readonly lnF: LayerNorm;
  private readonly head: tf.Variable;
  private readonly mask: tf.Tensor2D;
  constructor(rng: Rng) {
    const { V, L, D } = TinyDecoder;
    const g = (name: string, shape: number[]): tf.Variable =>
      tf.variable(tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', rng.fork(name).seed()), 0.02)));
    this.tok = g('tok', [V, D]);
    this.pos = g('pos', [L, D]);
    for (let i = 0; i < 2; i++) {
      this.blocks.push({
        ln1: new LayerNorm({ dim: D }),
        qkv: g(`qkv${i}`, [D, 3 * D]),
        proj: g(`proj${i}`, [D, D]),
        ln2: new LayerNorm({ dim: D }),
        w1: g(`w1${i}`, [D, 4 * D]),
        b1: tf.variable(tf.zeros([4 * D])),
        w2: g(`w2${i}`, [4 * D, D]),
        b2: tf.variable(tf.zeros([D])),
      });
    }
    this.lnF = new LayerNorm({ dim: D });
    this.head = g('head', [D, V]);
    this.mask = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([L, L]), -1, 0)), -1e9)) as tf.Tensor2D;
  }
  variables(): tf.Variable[] {
    return [this.tok, this.pos, ...this.blocks.flatMap((b) => [...b.ln1.variables(), b.qkv, b.proj, ...b.ln2.variables(), b.w1, b.b1, b.w2, b.b2]), ...this.lnF.variables(), this.head];
  }
  loss(batch: Batch): LossTerms {
    const { V, L, D, H } = TinyDecoder;
    const ids = tf.cast(batch['x']!, 'int32') as tf.Tensor2D; // [B, L + 1]
    const B = ids.shape[0];
    const input = tf.slice(ids, [0, 0], [B, L]);
    const target = tf.reshape(tf.slice(ids, [0, 1], [B, L]), [-1]) as tf.Tensor1D;
    let h = tf.add(tf.reshape(tf.gather(this.tok, tf.reshape(input, [-1])), [B, L, D]), this.pos); // [B, L, D]
    const dh = D / H;
    for (const b of this.blocks) {
      const qkv = tf.reshape(tf.matMul(tf.reshape(b.ln1.apply(h), [B * L, D]), b.qkv), [B, L, 3, H, dh]);
      const heads = tf.transpose(qkv, [2, 0, 3, 1, 4]); // [3, B, H, L, dh]
      const [q, k, v] = tf.unstack(heads, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), this.mask));
      const ctx = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * L, D]);
      h = tf.add(h, tf.reshape(tf.matMul(ctx, b.proj), [B, L, D]));
      const m = tf.reshape(b.ln2.apply(h), [B * L, D]);
      const u = tf.add(tf.matMul(m, b.w1), b.b1);
      const gelu = tf.mul(tf.mul(u, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(u, tf.mul(tf.pow(u, 3), 0.044715)), Math.sqrt(2 / Math.PI)))));
      h = tf.add(h, tf.reshape(tf.add(tf.matMul(gelu, b.w2), b.b2), [B, L, D]));
    }
    const logits = tf.matMul(tf.reshape(this.lnF.apply(h), [B * L, D]), this.head);
    const xent = tf.losses.softmaxCrossEntropy(tf.oneHot(target, V), logits) as tf.Scalar;
    return { xent };
  }
  dispose(): void {
    for (const b of this.blocks) {
      b.ln1.dispose();
      b.ln2.dispose();
      tf.dispose([b.qkv, b.proj, b.w1, b.b1, b.w2, b.b2]);
    }
    this.lnF.dispose();
    tf.dispose([this.tok, this.pos, this.head, this.mask]);
  }
}

export const NEXT_WORKLOADS: Workload[] = [
  {
    name: 'rescnn',
    description: 'residual CNN conv16/2-res(16,16)-conv32/2-res(32,32)-GAP-dense10 on 28x28 (no norm)',
    notebook: 'convolutional_networks (issue 19)',
    batchSize: 64,
    datasetSize: 8000,
    build(rng) {
      const model = new ResidualCNN(rng.fork('model'));
      const data = { x: binaryImages(rng.fork('x'), 8000, 784), y: oneHot(rng.fork('y'), 8000, 10) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 64 }) };
    },
  },
  {
    name: 'unet',
    description: 'DDPM eps U-Net 28x28: conv16, conv32/2 (+time emb), conv32, up x2 + skip, conv16, conv1 (SiLU)',
    notebook: 'diffusion U-Net (issue 19)',
    batchSize: 32,
    datasetSize: 8000,
    build(rng) {
      const model = new TinyUNet(rng.fork('model'));
      const data = { x: binaryImages(rng.fork('x'), 8000, 784) };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 32 }) };
    },
  },
  {
    name: 'gan',
    description: 'GAN MNIST step: G 64-256-512-784, D 784-512-256-1 (leaky ReLU), R1 penalty, two Adams',
    notebook: 'gan (MNIST section)',
    batchSize: 64,
    datasetSize: 8000,
    build(rng) {
      const model = new GAN({
        generator: { sizes: [64, 256, 512, 784], activation: 'leakyRelu', outputActivation: 'tanh' },
        discriminator: { sizes: [784, 512, 256, 1], activation: 'leakyRelu' },
        rng: rng.fork('model'),
        loss: 'nonSaturating',
        penalty: { kind: 'r1', weight: 1 },
      });
      const data = { x: tf.tidy(() => tf.sub(tf.mul(binaryImages(rng.fork('x'), 8000, 784), 2), 1)) as tf.Tensor2D };
      return { model, data, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 64 }) };
    },
  },
  {
    name: 'transformer',
    description: 'decoder-only transformer, vocab 64, context 64, d 64, 4 heads, 2 blocks, MLP 256',
    notebook: 'transformers (issue 20)',
    batchSize: 32,
    datasetSize: 4096,
    build(rng) {
      const model = new TinyDecoder(rng.fork('model'));
      const x = tf.tidy(() => tf.floor(tf.randomUniform([4096, TinyDecoder.L + 1], 0, TinyDecoder.V, 'float32', rng.fork('x').seed())));
      return { model, data: { x }, trainer: new Trainer(model, { rng: rng.fork('train'), batchSize: 32 }) };
    },
  },
];
