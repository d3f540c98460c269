/**
 * Stacked (denoising) autoencoders trained greedily, layer by layer (Bengio, Lamblin, Popovici &
 * Larochelle 2007; Vincent, Larochelle, Lajoie, Bengio & Manzagol 2010): the autoencoder counterpart of
 * the deep belief net (`rbm.DBN`).
 *
 * Layer l is a one-hidden-layer denoising autoencoder h_l = act(h_{l-1} W_l + b_l) trained to rebuild
 * its clean input h_{l-1} from a corrupted copy; once trained, its encoder is frozen and the data,
 * passed up through it (clean, deterministic), become the next layer's input. The encoders' W_l, b_l then
 * initialise a deep classifier (`DeepClassifier.fromStackedAutoencoder`), which is fine-tuned with labels.
 *
 * Each layer trains through the shared Trainer; this class only decides what data each layer sees.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../nn';
import type { Rng } from '../../runtime/rng';
import { Trainer } from '../../train/trainer';
import type { History } from '../../train/types';
import { DenoisingAutoencoder } from '../vae/denoising';
import type { Corruption } from '../vae/corruption';
import type { ReconstructionLoss } from '../vae/autoencoder';
import type { DenseLayer } from './dense-layer';

export interface StackedAutoencoderConfig {
  /** Input width followed by each code width, e.g. [784, 256, 256, 256]. */
  sizes: number[];
  /** Seeds every layer's initial weights (layer l from `rng.fork('layer' + l)`). */
  rng: Rng;
  /** Nonlinearity of every code (the classifier it initialises must use the same). @default 'sigmoid' */
  activation?: Activation;
  /** Corruption of each layer's input; `{ kind: 'mask', p: 0 }` gives plain autoencoders. @default { kind: 'mask', p: 0.25 } */
  corruption?: Corruption;
  /**
   * How each layer scores its reconstruction: one for all, or one per layer. @default 'bernoulli' for the
   * first layer (pixels in [0, 1]) and, above it, 'bernoulli' for codes in [0, 1] (sigmoid) else 'mse'
   */
  reconstruction?: ReconstructionLoss | ReconstructionLoss[];
}

export interface StackedFitOptions {
  /** Seeds each layer's Trainer (shuffles and corruptions). */
  rng: Rng;
  /** Epochs per layer: one number for all, or one per layer. */
  epochs: number | number[];
  /** Minibatch size. @default 100 */
  batchSize?: number;
  /** Adam's step size. @default 1e-3 */
  learningRate?: number;
  /** Trainer progress display. @default true */
  progress?: boolean;
  /** Stop each epoch after this many steps (quick runs). @default all */
  maxStepsPerEpoch?: number;
}

export class StackedAutoencoder {
  readonly sizes: number[];
  readonly activation: Activation;
  /** One denoising autoencoder per layer, bottom first: layers[l] maps sizes[l] -> sizes[l + 1]. */
  readonly layers: DenoisingAutoencoder[];
  private trainers: (Trainer | null)[];

  constructor(config: StackedAutoencoderConfig) {
    const { sizes, rng } = config;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`StackedAutoencoder: sizes must be at least two positive integers [input, code1, ...], got [${sizes}]`);
    }
    const L = sizes.length - 1;
    const recon = config.reconstruction;
    if (Array.isArray(recon) && recon.length !== L) {
      throw new Error(`StackedAutoencoder: reconstruction has ${recon.length} entries for ${L} layers; give one per layer or a single value`);
    }
    this.sizes = [...sizes];
    this.activation = config.activation ?? 'sigmoid';
    const corruption = config.corruption ?? { kind: 'mask', p: 0.25 };
    this.layers = [];
    for (let l = 0; l < L; l++) {
      const fallback: ReconstructionLoss = l === 0 || this.activation === 'sigmoid' ? 'bernoulli' : 'mse';
      const reconstruction = (Array.isArray(recon) ? recon[l] : recon) ?? fallback;
      this.layers.push(new DenoisingAutoencoder({
        inputDim: sizes[l]!, codeDim: sizes[l + 1]!, hiddenDims: [], activation: this.activation, codeActivation: this.activation,
        reconstruction, corruption, rng: rng.fork(`layer${l}`),
      }));
    }
    this.trainers = this.layers.map(() => null);
  }

  /** The clean code after layers 0..upTo-1 (0 = the input itself), [n, sizes[upTo]]. */
  features(x: tf.Tensor2D, upTo = this.layers.length): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) throw new Error(`StackedAutoencoder.features: expected [batch, ${this.sizes[0]}], got [${x.shape}]`);
    if (!Number.isInteger(upTo) || upTo < 0 || upTo > this.layers.length) throw new Error(`StackedAutoencoder.features: upTo must be in 0..${this.layers.length}, got ${upTo}`);
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      for (let l = 0; l < upTo; l++) h = this.layers[l]!.encode(h);
      return tf.clone(h);
    });
  }

  /** Train layer `l` on the clean codes of the layers below (resumes if called again). */
  async fitLayer(l: number, x: tf.Tensor2D, options: Omit<StackedFitOptions, 'epochs'> & { epochs: number }): Promise<History> {
    const ae = this.layers[l];
    if (ae === undefined) throw new Error(`StackedAutoencoder.fitLayer: no layer ${l} (have 0..${this.layers.length - 1})`);
    const input = this.features(x, l);
    try {
      let trainer = this.trainers[l];
      if (!trainer) {
        trainer = new Trainer(ae, { rng: options.rng.fork(`layer${l}`), batchSize: options.batchSize ?? 100, learningRate: options.learningRate ?? 1e-3 });
        this.trainers[l] = trainer;
      }
      return await trainer.fit({ x: input }, { epochs: options.epochs, progress: options.progress, maxStepsPerEpoch: options.maxStepsPerEpoch });
    } finally {
      input.dispose();
    }
  }

  /** Greedy layer-wise training, bottom up; returns each layer's history. */
  async fitGreedy(x: tf.Tensor2D, options: StackedFitOptions): Promise<History[]> {
    const epochs = Array.isArray(options.epochs) ? options.epochs : this.layers.map(() => options.epochs as number);
    if (epochs.length !== this.layers.length) throw new Error(`StackedAutoencoder.fitGreedy: ${epochs.length} epoch counts for ${this.layers.length} layers`);
    const out: History[] = [];
    for (let l = 0; l < this.layers.length; l++) out.push(await this.fitLayer(l, x, { ...options, epochs: epochs[l]! }));
    return out;
  }

  /** Each layer's training history so far (empty for a layer not trained yet). */
  get histories(): History[] {
    return this.trainers.map((t) => t?.history ?? { epoch: [] });
  }

  /** The encoders' weights and biases, bottom first (the live variables: read, do not dispose). */
  encoderLayers(): DenseLayer[] {
    return this.layers.map((ae) => ({ W: ae.encoder.weights[0]! as tf.Tensor2D, b: ae.encoder.biases[0]! as tf.Tensor1D }));
  }

  /** Free every layer and trainer. */
  dispose(): void {
    this.trainers.forEach((t) => t?.dispose());
    this.trainers = this.layers.map(() => null);
    this.layers.forEach((ae) => ae.dispose());
  }
}
