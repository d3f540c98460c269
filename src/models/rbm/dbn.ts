/**
 * A deep belief net built by greedy layer-wise training of RBMs (Hinton, Osindero & Teh 2006).
 *
 * Layer 1 is an RBM on the data; layer l + 1 is an RBM trained on layer l's hidden representation of the
 * data, passed up either deterministically (the probabilities p(h | v), a real-valued input the binary RBM
 * treats as p(v_i = 1)) or as samples. The result is a generative model whose top two layers form an RBM
 * (an undirected associative memory) and whose lower layers are directed, top-down sigmoid belief nets:
 * to sample, run a Gibbs chain in the top RBM, then pass down once through p(h_{l-1} | h_l) of each layer.
 * (A deep Boltzmann machine, by contrast, keeps every layer undirected and infers with both neighbours.)
 * Its deterministic up-pass initialises a classifier (`MLPClassifier.fromDBN`) fine-tuned by backprop.
 *
 * Each RBM trains through the shared Trainer (its `trainStep` applies CD/PCD); the DBN only decides
 * what data each layer sees.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { Trainer } from '../../train/trainer';
import type { History } from '../../train/types';
import { BernoulliRBM } from './bernoulli';
import type { RBMConfig } from './rbm';

/** Training settings for the RBMs of a DBN (sizes come from `DBNConfig.sizes`). */
export type DBNLayerConfig = Omit<RBMConfig, 'nVisible' | 'nHidden' | 'rng'>;

export interface DBNConfig {
  /** Visible width followed by each hidden layer's width, e.g. [784, 256, 256]. */
  sizes: number[];
  /** RBM settings for every layer, or one entry per layer. @default {} (the RBM defaults) */
  rbm?: DBNLayerConfig | DBNLayerConfig[];
  /** Seeds every layer's initial weights (layer l from `rng.fork('layer' + l)`). */
  rng: Rng;
}

export interface GreedyOptions {
  /** Seeds each layer's Trainer and, for sampled up-passes, the samples. */
  rng: Rng;
  /** Epochs per layer: one number for all or one per layer. */
  epochs: number | number[];
  /** Minibatch size. @default 100 */
  batchSize?: number;
  /** How data reaches the next layer: probabilities p(h | v) or binary samples. @default 'mean' */
  upPass?: 'mean' | 'sample';
  /** Set each layer's visible biases from its input's marginals before training. @default true */
  initVisibleBiases?: boolean;
  /** Trainer progress display. @default true */
  progress?: boolean;
  /** Stop each epoch after this many steps (quick runs). @default all */
  maxStepsPerEpoch?: number;
}

export class DBN {
  readonly sizes: number[];
  /** The stacked RBMs, bottom first: layers[l] has sizes[l] visibles and sizes[l + 1] hiddens. */
  readonly layers: BernoulliRBM[];
  /** One Trainer per layer, kept so that training a layer again resumes (epochs, momentum schedule). */
  private trainers: (Trainer | null)[];

  constructor(config: DBNConfig) {
    const { sizes, rng } = config;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`DBN: sizes must be at least two positive integers [visible, hidden1, ...], got [${sizes}]`);
    }
    const per = config.rbm;
    if (Array.isArray(per) && per.length !== sizes.length - 1) {
      throw new Error(`DBN: config.rbm has ${per.length} entries for ${sizes.length - 1} layers; give one per layer or a single object`);
    }
    this.sizes = [...sizes];
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const layerConfig = (Array.isArray(per) ? per[l] : per) ?? {};
      this.layers.push(new BernoulliRBM({ ...layerConfig, nVisible: sizes[l]!, nHidden: sizes[l + 1]!, rng: rng.fork(`layer${l}`) }));
    }
    this.trainers = this.layers.map(() => null);
  }

  /**
   * The data as seen by layer `upTo` (0 = the data itself): pass up through layers 0..upTo-1 with
   * probabilities, or with binary samples when `rng` is given.
   */
  upPass(x: tf.Tensor2D, upTo = this.layers.length, rng?: Rng): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) throw new Error(`DBN.upPass: expected [batch, ${this.sizes[0]}], got [${x.shape}]`);
    if (!Number.isInteger(upTo) || upTo < 0 || upTo > this.layers.length) throw new Error(`DBN.upPass: upTo must be in 0..${this.layers.length}, got ${upTo}`);
    return tf.tidy(() => {
      let a: tf.Tensor2D = x;
      for (let l = 0; l < upTo; l++) a = rng ? this.layers[l]!.sampleHidden(a, rng) : this.layers[l]!.hiddenProbs(a);
      return tf.clone(a);
    });
  }

  /** Deterministic top-layer features p(h_L | ... p(h_1 | x)), [B, sizes.at(-1)]. */
  features(x: tf.Tensor2D): tf.Tensor2D {
    return this.upPass(x);
  }

  /** Train layer `l` on the up-pass of `x` through the layers below (resumes if called again). */
  async fitLayer(l: number, x: tf.Tensor2D, options: Omit<GreedyOptions, 'epochs'> & { epochs: number }): Promise<History> {
    const rbm = this.layers[l];
    if (rbm === undefined) throw new Error(`DBN.fitLayer: no layer ${l} (have 0..${this.layers.length - 1})`);
    const rng = options.rng.fork(`layer${l}`);
    const input = this.upPass(x, l, options.upPass === 'sample' ? rng.fork('up') : undefined);
    try {
      let trainer = this.trainers[l];
      if (!trainer) {
        if (options.initVisibleBiases !== false) rbm.initVisibleBiases(input);
        trainer = new Trainer(rbm, { rng: rng.fork('trainer'), batchSize: options.batchSize ?? 100 });
        this.trainers[l] = trainer;
      }
      return await trainer.fit({ [rbm.config.inputKey]: input }, {
        epochs: options.epochs,
        progress: options.progress,
        maxStepsPerEpoch: options.maxStepsPerEpoch,
      });
    } finally {
      input.dispose();
    }
  }

  /**
   * Each layer's training history so far (empty for a layer not trained yet), so a notebook can read
   * them after a training cell, also one that was interrupted.
   */
  get histories(): History[] {
    return this.trainers.map((t) => t?.history ?? { epoch: [] });
  }

  /** Greedy layer-wise training, bottom up. Returns each layer's training history. */
  async fitGreedy(x: tf.Tensor2D, options: GreedyOptions): Promise<History[]> {
    const epochs = Array.isArray(options.epochs) ? options.epochs : this.layers.map(() => options.epochs as number);
    if (epochs.length !== this.layers.length) throw new Error(`DBN.fitGreedy: ${epochs.length} epoch counts for ${this.layers.length} layers`);
    const out: History[] = [];
    for (let l = 0; l < this.layers.length; l++) out.push(await this.fitLayer(l, x, { ...options, epochs: epochs[l]! }));
    return out;
  }

  /**
   * Samples from the DBN: `gibbsSteps` of block Gibbs in the top RBM (started from the up-pass of `init`,
   * or from p(v | h = 0) of the top RBM), then one top-down pass: binary samples between hidden layers and
   * the probabilities p(v | h_1) at the bottom (what one looks at). Returns [n, sizes[0]].
   */
  sample(opts: { n?: number; gibbsSteps: number; rng: Rng; init?: tf.Tensor2D }): tf.Tensor2D {
    const top = this.layers[this.layers.length - 1]!;
    const rng = opts.rng;
    let start: tf.Tensor2D;
    if (opts.init) start = this.upPass(opts.init, this.layers.length - 1, rng);
    else start = top.initialChains(opts.n ?? 100, rng);
    const vTop = top.gibbs(start, opts.gibbsSteps, rng);
    start.dispose();
    const out = this.downPass(vTop, rng, true);
    vTop.dispose();
    return out;
  }

  /**
   * Top-down pass from the top RBM's visible layer to the data: samples at each hidden layer and, at the
   * bottom, p(v | h_1) when `meanAtBottom` (else a binary sample). Disposes nothing it was given.
   */
  downPass(hTopVisible: tf.Tensor2D, rng: Rng, meanAtBottom = true): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = hTopVisible;
      for (let l = this.layers.length - 2; l >= 0; l--) {
        const layer = this.layers[l]!;
        h = l === 0 && meanAtBottom ? layer.visibleMean(h) : layer.sampleVisible(h, rng);
      }
      return tf.clone(h);
    });
  }

  /** Free every layer and trainer. */
  dispose(): void {
    this.trainers.forEach((t) => t?.dispose());
    this.trainers = this.layers.map(() => null);
    this.layers.forEach((r) => r.dispose());
  }
}
