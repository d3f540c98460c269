/**
 * The dense (fully connected) network every model builds on: encoders and decoders of the
 * autoencoders, the s/t networks of RealNVP couplings, MADE inside MAF.
 *
 *   h_0 = x,   h_l = act(h_{l-1} (W_l ⊙ M_l) + b_l) for hidden layers,   out = outAct(h_{L-1} (W_L ⊙ M_L) + b_L)
 *
 * - Weights are drawn by `init` (init.ts) from the `Rng` passed in, layer by layer; biases start at 0.
 * - `zeroLast`: the output layer starts at exactly zero, so the network outputs 0 for every input and
 *   a coupling layer starts as the identity map (Kingma & Dhariwal, 2018, Sec. 3.3).
 * - `masks`: optional 0/1 connectivity M_l per weight matrix, for MADE (Germain et al., 2015, eq. 9);
 *   without masks M_l = 1.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import { ACTIVATIONS, type Activation, activate } from './activation';
import { INIT_SCHEMES, type InitScheme, initialWeights } from './init';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

export interface MLPConfig {
  /** Layer widths from input to output, e.g. `[784, 512, 16]` (at least two entries). */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Nonlinearity after every hidden layer. @default 'relu' */
  activation?: Activation;
  /** Nonlinearity after the last layer. @default 'linear' */
  outputActivation?: Activation;
  /** Weight initialisation (see init.ts). @default 'auto' (He-normal before ReLU-like units, Glorot-normal otherwise) */
  init?: InitScheme;
  /** Start the output layer at zero (the network outputs 0 for every input). @default false */
  zeroLast?: boolean;
  /** Optional 0/1 connectivity mask per weight matrix (`[in, out]` each), for MADE. @default none */
  masks?: number[][][];
  /** Negative slope of 'leakyRelu'. @default 0.2 */
  leakyReluAlpha?: number;
}

export class MLP {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly leakyReluAlpha: number;
  /** Weight matrices W_l, shape [in, out]. */
  readonly weights: tf.Variable[] = [];
  /** Bias vectors b_l, shape [out]. */
  readonly biases: tf.Variable[] = [];
  private readonly masks: tf.Tensor2D[] = [];

  constructor(config: MLPConfig) {
    const { sizes, rng } = config;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`MLP: sizes must list at least the input and output widths, e.g. [784, 512, 16]; got ${JSON.stringify(sizes)}`);
    }
    sizes.forEach((s, i) => requirePositiveInt(s, `sizes[${i}]`, 'MLP'));
    this.sizes = [...sizes];
    this.activation = config.activation ?? 'relu';
    this.outputActivation = config.outputActivation ?? 'linear';
    this.leakyReluAlpha = config.leakyReluAlpha ?? 0.2;
    for (const a of [this.activation, this.outputActivation]) {
      if (!ACTIVATIONS.includes(a)) throw new Error(`MLP: unknown activation "${String(a)}"; use one of ${ACTIVATIONS.join(', ')}`);
    }
    const init = config.init ?? 'auto';
    if (!INIT_SCHEMES.includes(init)) throw new Error(`MLP: unknown init "${String(init)}"; use one of ${INIT_SCHEMES.join(', ')}`);
    const L = sizes.length - 1;
    if (config.masks) checkMasks(config.masks, sizes);
    const zeroLast = config.zeroLast ?? false;
    for (let l = 0; l < L; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const last = l + 1 === L;
      const act = last ? this.outputActivation : this.activation;
      const w = last && zeroLast ? tf.zeros([fanIn, fanOut]) : initialWeights(init, fanIn, fanOut, rng, act);
      this.weights.push(ownedVariable(w));
      this.biases.push(ownedVariable(tf.zeros([fanOut])));
    }
    for (const m of config.masks ?? []) this.masks.push(tf.tensor2d(m));
  }

  get inputDim(): number {
    return this.sizes[0]!;
  }

  get outputDim(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** The network applied to a batch `x` of shape [..., inputDim]; leading dimensions are kept. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let h: tf.Tensor = x.rank === 2 ? x : x.reshape([-1, x.shape[x.rank - 1]!]);
      const L = this.weights.length;
      for (let l = 0; l < L; l++) {
        const w = this.masks.length > 0 ? tf.mul(this.weights[l]!, this.masks[l]!) : this.weights[l]!;
        h = tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), this.biases[l]!);
        h = activate(h, l + 1 < L ? this.activation : this.outputActivation, this.leakyReluAlpha);
      }
      return x.rank === 2 ? h : h.reshape([...lead, this.outputDim]);
    });
  }

  /** Layer by layer: W_1, b_1, W_2, b_2, ... */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (let l = 0; l < this.weights.length; l++) out.push(this.weights[l]!, this.biases[l]!);
    return out;
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
    for (const m of this.masks) if (!m.isDisposed) m.dispose();
  }
}

/** One 0/1 mask of shape [sizes[l], sizes[l + 1]] per weight matrix. */
function checkMasks(masks: number[][][], sizes: number[]): void {
  if (masks.length !== sizes.length - 1) throw new Error(`MLP: got ${masks.length} masks for ${sizes.length - 1} weight matrices`);
  masks.forEach((m, l) => {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    if (m.length !== fanIn || m.some((row) => row.length !== fanOut)) throw new Error(`MLP: mask ${l} must be [${fanIn}, ${fanOut}]`);
  });
}
