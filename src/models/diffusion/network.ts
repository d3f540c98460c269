/**
 * The noise predictor g_t(z) of a diffusion model: a multilayer perceptron that reads z_t and the step t
 * and answers an estimate of the noise eps that produced z_t = sqrt(alpha_t) x + sqrt(1 - alpha_t) eps
 * (DDPM's eps-parameterisation, Ho et al. 2020 eq. 11).
 *
 * The step enters through a sinusoidal embedding (embedding.ts) that is projected and added to every
 * hidden layer's pre-activation (a FiLM-style bias, as DDPM's U-Net adds its time embedding in each
 * residual block): h_l = act(h_{l-1} W_l + b_l + emb(t) E_l). When every row shares one step (sampling),
 * emb(t) E_l is one row broadcast over the batch, so the time path costs next to nothing.
 *
 * Raw `tf.variable`s (unnamed) rather than tf.layers, so re-running a notebook cell does not clash.
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type Activation, activate, initialWeights, ownedVariable } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { timeEmbedding } from './embedding';
import type { Step } from './steps';

/** Anything that predicts the noise in z_t: a trained network or a closed-form oracle. */
export interface NoisePredictor {
  /** eps-hat = g_t(z_t), same shape as z. Pure: no variables change. */
  predict(z: tf.Tensor, t: Step): tf.Tensor;
}

export interface NoiseMLPConfig {
  /** Data dimension D (input and output width). */
  dim: number;
  /** Widths of the hidden layers. @default [128, 128, 128] */
  hidden?: number[];
  /** Width of the sinusoidal time embedding (even). @default 32 */
  embedDim?: number;
  /** Hidden nonlinearity; SiLU (x sigmoid(x)) is smooth, as in DDPM. @default 'silu' */
  activation?: Activation;
  /**
   * Add a time-dependent linear skip, eps-hat += z * (emb(t) U + c) per coordinate (U, c start at 0).
   * At large t the best predictor is close to eps-hat = z, an identity that an MLP narrower than D
   * cannot pass through its hidden layers; for images (D = 784) this skip is what makes training move.
   * @default false
   */
  linearSkip?: boolean;
  /** Seeds the initial weights. */
  rng: Rng;
}

interface Layer {
  W: tf.Variable;
  b: tf.Variable;
  /** Projection of the time embedding into this layer (hidden layers only). */
  E: tf.Variable | null;
}

export class NoiseMLP implements NoisePredictor {
  readonly dim: number;
  readonly hidden: number[];
  readonly embedDim: number;
  readonly activation: Activation;
  readonly linearSkip: boolean;
  private readonly layers: Layer[] = [];
  /** The skip's time-to-gain map U [embedDim, dim] and offset c [dim], or null. */
  private readonly skip: { U: tf.Variable; c: tf.Variable } | null;

  constructor(config: NoiseMLPConfig) {
    this.dim = config.dim;
    this.hidden = config.hidden ?? [128, 128, 128];
    this.embedDim = config.embedDim ?? 32;
    this.activation = config.activation ?? 'silu';
    this.linearSkip = config.linearSkip ?? false;
    if (!Number.isInteger(this.dim) || this.dim < 1) throw new Error(`NoiseMLP: dim must be a positive integer, got ${config.dim}`);
    if (this.hidden.length === 0 || this.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new Error(`NoiseMLP: hidden must be a non-empty list of positive widths, got [${this.hidden.join(', ')}]`);
    }
    if (this.embedDim < 2 || this.embedDim % 2 !== 0) throw new Error(`NoiseMLP: embedDim must be even and >= 2, got ${this.embedDim}`);
    if (!ACTIVATIONS.includes(this.activation)) {
      throw new Error(`NoiseMLP: unknown activation "${String(this.activation)}"; use one of ${ACTIVATIONS.join(', ')} (SiLU, the default, as in DDPM)`);
    }
    const rng = config.rng;
    const widths = [this.dim, ...this.hidden, this.dim];
    for (let l = 0; l + 1 < widths.length; l++) {
      const fanIn = widths[l]!;
      const fanOut = widths[l + 1]!;
      const isHidden = l + 1 < widths.length - 1;
      // LeCun-normal scale (variance 1/fan_in) keeps SiLU/tanh activations O(1) at initialisation. The
      // output layer starts at zero, so the untrained model predicts eps-hat = 0 and scores exactly D
      // (random outputs would add their own variance, ~D more, which costs many steps in high dimension).
      const W = isHidden
        ? ownedVariable(initialWeights('lecunNormal', fanIn, fanOut, rng, this.activation))
        : ownedVariable(tf.zeros([fanIn, fanOut]));
      const b = ownedVariable(tf.zeros([fanOut]));
      const E = isHidden ? ownedVariable(initialWeights('lecunNormal', this.embedDim, fanOut, rng, 'linear')) : null;
      this.layers.push({ W, b, E });
    }
    this.skip = this.linearSkip ? { U: ownedVariable(tf.zeros([this.embedDim, this.dim])), c: ownedVariable(tf.zeros([this.dim])) } : null;
  }

  /** eps-hat for a batch z of shape [n, dim] at step t (one number or an int32 tensor [n]). */
  predict(z: tf.Tensor, t: Step): tf.Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.dim) {
      throw new Error(`NoiseMLP.predict: expected z of shape [n, ${this.dim}], got [${z.shape.join(', ')}] (flatten images first)`);
    }
    if (typeof t !== 'number' && t.shape[0] !== z.shape[0]) {
      throw new Error(`NoiseMLP.predict: ${t.shape[0]} steps for ${z.shape[0]} rows; pass one step per row or a single number`);
    }
    return tf.tidy(() => {
      const emb = timeEmbedding(t, this.embedDim);
      let h: tf.Tensor = z;
      this.layers.forEach((layer, l) => {
        let pre = tf.add(tf.matMul(h as tf.Tensor2D, layer.W as tf.Tensor2D), layer.b);
        if (layer.E !== null) pre = tf.add(pre, tf.matMul(emb, layer.E as tf.Tensor2D));
        h = l + 1 < this.layers.length ? activate(pre, this.activation) : pre;
      });
      if (this.skip !== null) h = tf.add(h, tf.mul(z, tf.add(tf.matMul(emb, this.skip.U as tf.Tensor2D), this.skip.c)));
      return h;
    });
  }

  variables(): tf.Variable[] {
    const vars = this.layers.flatMap((l) => (l.E === null ? [l.W, l.b] : [l.W, l.b, l.E]));
    return this.skip === null ? vars : [...vars, this.skip.U, this.skip.c];
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
