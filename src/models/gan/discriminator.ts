/**
 * The discriminator d(x) = sigma(D(x)) of a GAN (or the critic f(x) = D(x) of a WGAN): a dense network
 * from the shared `nn.MLP` with one output, the logit D(x).
 *
 * One departure from `MLP.apply`: a leaky ReLU is computed as alpha x + (1 - alpha) relu(x). That is the
 * same function, but tfjs's own LeakyRelu gradient is built from `Greater`, which has no gradient, so a
 * penalty on the input gradient ||grad_x D(x)|| (R1, WGAN-GP), which needs the gradient of a gradient,
 * would fail with "gradient function not found for Greater". The composed form is differentiable twice.
 */
import * as tf from '@tensorflow/tfjs';
import { type Activation, activate, MLP, requireMatrix } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { type BiasInit, initBiases } from './init';

export interface DiscriminatorConfig {
  /** Layer widths from the data to the single logit, e.g. `[2, 128, 128, 1]`; the last must be 1. */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden nonlinearity. @default 'leakyRelu' (slope 0.2: DCGAN's choice, Radford et al. 2016) */
  activation?: Activation;
  /** Negative slope of 'leakyRelu'. @default 0.2 */
  leakyReluAlpha?: number;
  /** Initial biases (see init.ts). @default 'uniform' */
  biasInit?: BiasInit;
}

export class Discriminator {
  readonly net: MLP;
  readonly activation: Activation;
  readonly leakyReluAlpha: number;

  constructor(config: DiscriminatorConfig) {
    const sizes = config.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`Discriminator: sizes must list the data width, any hidden widths and the output width 1, e.g. [2, 128, 128, 1]; got ${JSON.stringify(sizes)}`);
    }
    const out = sizes[sizes.length - 1];
    if (out !== 1) {
      throw new Error(
        `Discriminator: sizes[${sizes.length - 1}] (the output width) must be 1, got ${String(out)}: ` +
          'a discriminator returns one logit per example (the probability that x is real is sigma of it)',
      );
    }
    this.activation = config.activation ?? 'leakyRelu';
    this.leakyReluAlpha = config.leakyReluAlpha ?? 0.2;
    if (!(this.leakyReluAlpha >= 0 && this.leakyReluAlpha < 1)) {
      throw new Error(`Discriminator: leakyReluAlpha must be in [0, 1), got ${config.leakyReluAlpha}`);
    }
    this.net = new MLP({ sizes, rng: config.rng, activation: this.activation, leakyReluAlpha: this.leakyReluAlpha, init: 'auto' });
    initBiases(this.net, config.biasInit ?? 'uniform', config.rng, 'Discriminator');
  }

  get inputDim(): number {
    return this.net.inputDim;
  }

  /** The logits D(x), [n] (d(x) = sigma(D(x))). */
  logits(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      let h = requireMatrix(x, this.inputDim, 'Discriminator(x)') as tf.Tensor;
      const L = this.net.weights.length;
      for (let l = 0; l < L; l++) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, this.net.weights[l] as tf.Tensor2D), this.net.biases[l]!);
        if (l + 1 < L) h = this.hidden(h);
      }
      return tf.reshape(h, [-1]) as tf.Tensor1D;
    });
  }

  /** d(x) = sigma(D(x)), the probability that x came from the data, [n]. */
  prob(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(x)) as tf.Tensor1D);
  }

  private hidden(h: tf.Tensor): tf.Tensor {
    if (this.activation !== 'leakyRelu') return activate(h, this.activation);
    const a = this.leakyReluAlpha;
    return tf.add(tf.mul(h, a), tf.mul(tf.relu(h), 1 - a));
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}
