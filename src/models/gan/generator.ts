/**
 * The generator x = G(z), z ~ N(0, I): a dense network from the shared `nn.MLP`. It defines p_g only
 * implicitly: it can draw samples, but has no density p_g(x) to evaluate and no encoder from x back to z.
 */
import * as tf from '@tensorflow/tfjs';
import { type Activation, MLP, requireMatrix, requirePositiveInt } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { type BiasInit, initBiases } from './init';

export interface GeneratorConfig {
  /** Layer widths from the latent z to the data, e.g. `[2, 128, 128, 2]`; sizes[0] is the latent size. */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Output nonlinearity: 'linear' for unbounded data, 'tanh' for images scaled to [-1, 1]. @default 'linear' */
  outputActivation?: Activation;
  /** Negative slope of 'leakyRelu'. @default 0.2 */
  leakyReluAlpha?: number;
  /** Initial biases (see init.ts). @default 'uniform' */
  biasInit?: BiasInit;
}

export class Generator {
  readonly net: MLP;

  constructor(config: GeneratorConfig) {
    const sizes = config.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`Generator: sizes must list the latent size, any hidden widths and the data width, e.g. [2, 128, 128, 2]; got ${JSON.stringify(sizes)}`);
    }
    requirePositiveInt(sizes[0], 'sizes[0] (the latent size)', 'Generator');
    this.net = new MLP({
      sizes,
      rng: config.rng,
      activation: config.activation ?? 'relu',
      outputActivation: config.outputActivation ?? 'linear',
      leakyReluAlpha: config.leakyReluAlpha ?? 0.2,
      init: 'auto',
    });
    initBiases(this.net, config.biasInit ?? 'uniform', config.rng, 'Generator');
  }

  get latentDim(): number {
    return this.net.inputDim;
  }

  get outputDim(): number {
    return this.net.outputDim;
  }

  /** G(z) for z [n, latentDim]. */
  generate(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.net.apply(requireMatrix(z, this.latentDim, 'Generator.generate(z)')) as tf.Tensor2D);
  }

  /** z ~ N(0, I), [n, latentDim]. */
  latent(n: number, rng: Rng): tf.Tensor2D {
    requirePositiveInt(n, 'n', 'Generator.latent');
    return rng.randn([n, this.latentDim]) as tf.Tensor2D;
  }

  /** n samples G(z), z ~ N(0, I). */
  sample(n: number, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => this.generate(this.latent(n, rng)));
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}
