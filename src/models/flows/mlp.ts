/**
 * The small fully connected network used inside coupling layers (s and t of RealNVP) and, with
 * connectivity masks, inside MADE (the autoregressive conditioner of MAF). Raw tfjs variables, no
 * tf.layers, so re-running a notebook cell never clashes on layer names.
 *
 * Initialisation: Glorot-uniform weights (Glorot & Bengio 2010), zero biases; with `zeroLast` the
 * output layer starts at exactly zero, so a coupling layer starts as the identity map (Kingma &
 * Dhariwal 2018, Sec. 3.3, use the same trick): training begins from the prior and bends it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { ownedVariable } from './bijector';

/** Hidden-layer nonlinearity. */
export type Activation = 'relu' | 'tanh' | 'elu' | 'leakyRelu';

export interface MLPConfig {
  /** Layer widths from input to output, e.g. `[2, 64, 64, 4]`. */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Start the output layer at zero (the network outputs 0 for every input). @default true */
  zeroLast?: boolean;
  /** Optional 0/1 connectivity mask per weight matrix (`[in, out]` each), for MADE. @default none */
  masks?: number[][][];
}

export function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.01);
    default:
      throw new Error(`Unknown activation "${String(a)}"; use relu, tanh, elu or leakyRelu`);
  }
}

export class MLP {
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];
  readonly activation: Activation;
  private readonly masks: tf.Tensor2D[] = [];

  constructor(config: MLPConfig) {
    const { sizes, rng } = config;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`MLP: sizes must list at least an input and an output width, all positive integers; got [${sizes}]`);
    }
    if (config.masks && config.masks.length !== sizes.length - 1) {
      throw new Error(`MLP: got ${config.masks.length} masks for ${sizes.length - 1} weight matrices`);
    }
    this.activation = config.activation ?? 'relu';
    const zeroLast = config.zeroLast ?? true;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const last = l + 2 === sizes.length;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = last && zeroLast ? tf.zeros([fanIn, fanOut]) : tf.tidy(() => rng.uniform([fanIn, fanOut], -limit, limit));
      this.weights.push(ownedVariable(w, true));
      this.biases.push(ownedVariable(tf.zeros([fanOut]), true));
      const m = config.masks?.[l];
      if (m) {
        if (m.length !== fanIn || m.some((row) => row.length !== fanOut)) {
          throw new Error(`MLP: mask ${l} must be [${fanIn}, ${fanOut}]`);
        }
        this.masks.push(tf.tensor2d(m));
      }
    }
  }

  /** The network's output for a `[n, in]` batch (raw ops: call inside a tidy). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor = x;
    const n = this.weights.length;
    for (let l = 0; l < n; l++) {
      const w = this.masks.length > 0 ? tf.mul(this.weights[l]!, this.masks[l]!) : this.weights[l]!;
      h = tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), this.biases[l]!);
      if (l + 1 < n) h = activate(h, this.activation);
    }
    return h as tf.Tensor2D;
  }

  variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
    for (const m of this.masks) if (!m.isDisposed) m.dispose();
  }
}
