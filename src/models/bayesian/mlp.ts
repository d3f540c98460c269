/**
 * A multilayer perceptron whose layers are each Bayesian (`'bayes'`: a `VariationalDense`) or
 * deterministic (`'dense'`), with a regression or classification head. One class covers the lecture's
 * variants: all layers `'bayes'` is a full BNN; only the last one `'bayes'` is a last-layer BNN; all
 * `'dense'` is the deterministic baseline (maximum likelihood, or MAP with L2 when `densePriorSigma`
 * gives a Gaussian prior std).
 *
 * Training maximises the ELBO of variational Bayes (Blundell et al., 2015, Eq. 1-2), written per
 * example so its scale does not depend on the data size N:
 *
 *   -ELBO / N = (1/N) sum_i E_q[-log p(y_i | x_i, w)] + (beta / N) KL(q(w | lambda) || p(w))
 *               \_____________ `nll` ______________/   \______________ `kl` ______________/
 *
 * The first term is estimated on a minibatch with `trainSamples` weight draws (batched as a tensor
 * dimension); N comes from the trainer (`ctx.datasetSize`). Dense layers with a prior add
 * `prior` = -log p(w) / N (L2).
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type Activation, activate } from '../../nn/activation';
import { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { Dense } from './dense';
import { Head, type HeadKind } from './heads';
import { GaussianPrior, type LayerPrior } from './priors';
import { type PredictOptions, SampledNetworks } from './sampled';
import { type KlMode, VariationalDense, type VariationalMode } from './variational-dense';

/** A layer's kind: Bayesian (a weight distribution) or deterministic (a point estimate). */
export type LayerKind = 'bayes' | 'dense';

export interface BayesianMLPConfig {
  /** Number of input features. */
  inputDim: number;
  /** Seeds the initial weights. */
  rng: Rng;
  /** Widths of the hidden layers ([] = no hidden layer: a (Bayesian) linear model). @default [32, 32] */
  hidden?: number[];
  /** Kind of every layer (hidden ones, then the output layer), or one kind for all. @default 'bayes' */
  layers?: LayerKind | LayerKind[];
  /** Non-linearity after each hidden layer. @default 'relu' */
  activation?: Activation;
  /** Likelihood: 'gaussian' (heteroscedastic unless noiseStd is set), 'mse', or 'categorical'. @default 'gaussian' */
  head?: HeadKind;
  /** Classes of a categorical head. */
  numClasses?: number;
  /** Fixed noise std of a gaussian head, in the target's units (the network then predicts the mean only). @default undefined (learned) */
  noiseStd?: number;
  /** Floor on the learned noise std (in standardised units). @default 1e-3 */
  minScale?: number;
  /** Location and scale of regression targets (see HeadConfig.targetScale). @default { mean: 0, std: 1 } */
  targetScale?: { mean: number; std: number };
  /** Prior of every Bayesian layer (number-valued; give per-weight priors with `setPriors`). @default N(0, 1) */
  prior?: LayerPrior;
  /** Std of a Gaussian prior on the deterministic layers' weights: MAP = L2 with coefficient 1/(2 s^2). @default undefined (none) */
  densePriorSigma?: number;
  /** Initial posterior std of every Bayesian weight. @default 1e-3 */
  initSigma?: number;
  /** KL computation of the Bayesian layers. @default 'auto' (closed form when the prior has one) */
  klMode?: KlMode;
  /** Weight samples per training step (the Monte Carlo estimate of the expected log-likelihood). @default 1 */
  trainSamples?: number;
  /**
   * Train with the local reparameterisation trick: sample each Bayesian layer's pre-activations per
   * example instead of one weight draw per minibatch (lower-variance gradients; needs priors with a
   * closed-form KL). Prediction always samples whole networks. @default false
   */
  localReparameterization?: boolean;
  /** beta, the weight of the KL term (1 = the ELBO; < 1 tempers the prior). @default 1 */
  klWeight?: number;
}

type AnyLayer = { kind: 'bayes'; layer: VariationalDense } | { kind: 'dense'; layer: Dense };

export class BayesianMLP extends SampledNetworks implements Trainable {
  readonly config: Readonly<BayesianMLPConfig>;
  readonly head: Head;
  readonly kinds: LayerKind[];
  private readonly stack: AnyLayer[];
  private readonly activation: Activation;
  private readonly trainSamples: number;
  private readonly klWeight: number;

  constructor(config: BayesianMLPConfig) {
    super();
    this.config = { ...config };
    const hidden = config.hidden ?? [32, 32];
    if (!Number.isInteger(config.inputDim) || config.inputDim <= 0) {
      throw new Error(`BayesianMLP: inputDim must be a positive integer, got ${config.inputDim}`);
    }
    this.head = new Head({
      kind: config.head ?? 'gaussian',
      ...(config.numClasses !== undefined ? { numClasses: config.numClasses } : {}),
      ...(config.noiseStd !== undefined ? { noiseStd: config.noiseStd } : {}),
      ...(config.minScale !== undefined ? { minScale: config.minScale } : {}),
      ...(config.targetScale !== undefined ? { targetScale: config.targetScale } : {}),
    });
    const nLayers = hidden.length + 1;
    const kinds = config.layers ?? 'bayes';
    this.kinds = typeof kinds === 'string' ? new Array<LayerKind>(nLayers).fill(kinds) : [...kinds];
    if (this.kinds.length !== nLayers || this.kinds.some((k) => k !== 'bayes' && k !== 'dense')) {
      throw new Error(`BayesianMLP: layers must be 'bayes' | 'dense' or an array of ${nLayers} of them ` +
        `(${hidden.length} hidden + 1 output), got ${JSON.stringify(config.layers)}`);
    }
    this.activation = config.activation ?? 'relu';
    if (!ACTIVATIONS.includes(this.activation)) {
      throw new Error(`BayesianMLP: unknown activation "${String(config.activation)}"; use one of ${ACTIVATIONS.join(', ')}`);
    }
    this.trainSamples = config.trainSamples ?? 1;
    if (!Number.isInteger(this.trainSamples) || this.trainSamples < 1) {
      throw new Error(`BayesianMLP: trainSamples must be a positive integer, got ${config.trainSamples}`);
    }
    this.klWeight = config.klWeight ?? 1;
    const widths = [config.inputDim, ...hidden, this.head.outputs];
    const initRng = config.rng.fork('init');
    this.stack = this.kinds.map((kind, i): AnyLayer => {
      const inputDim = widths[i]!;
      const units = widths[i + 1]!;
      const rng = initRng.fork(`layer${i}`);
      // The output layer starts small so initial predictions sit near the target mean (He scale for hidden layers).
      const scale = i === nLayers - 1 ? 0.1 : Math.SQRT2;
      if (kind === 'bayes') {
        return {
          kind,
          layer: new VariationalDense({
            inputDim,
            units,
            rng,
            prior: config.prior ?? new GaussianPrior(),
            initSigma: config.initSigma ?? 1e-3,
            muInitScale: scale,
            klMode: config.klMode ?? 'auto',
          }),
        };
      }
      return {
        kind,
        layer: new Dense({ inputDim, units, rng, initScale: scale, ...(config.densePriorSigma !== undefined ? { priorSigma: config.densePriorSigma } : {}) }),
      };
    });
  }

  /** Whether any layer is Bayesian (otherwise every weight sample is the same network). */
  get isBayesian(): boolean {
    return this.kinds.includes('bayes');
  }

  /** The Bayesian layers, in order (null where a layer is deterministic). */
  get bayesLayers(): (VariationalDense | null)[] {
    return this.stack.map((l) => (l.kind === 'bayes' ? l.layer : null));
  }

  /** The deterministic layers, in order (null where a layer is Bayesian). */
  get denseLayers(): (Dense | null)[] {
    return this.stack.map((l) => (l.kind === 'dense' ? l.layer : null));
  }

  /** Number of learned scalars (a Bayesian weight counts twice: mu and rho). */
  get numParameters(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  variables(): tf.Variable[] {
    return this.stack.flatMap((l) => l.layer.variables());
  }

  /**
   * S networks at once: raw head outputs [S, B, k], the summed KL of the Bayesian layers and the
   * summed -log prior of the deterministic ones.
   */
  forward(x: tf.Tensor, samples: number, rng: Rng, mode: VariationalMode = 'sample'): { out: tf.Tensor3D; kl: tf.Scalar; penalty: tf.Scalar } {
    return tf.tidy(() => {
      if (x.rank !== 2 || x.shape[1] !== this.config.inputDim) {
        throw new Error(`BayesianMLP: expected inputs [B, ${this.config.inputDim}], got [${x.shape}]`);
      }
      let h: tf.Tensor = x;
      let kl: tf.Scalar = tf.scalar(0);
      let penalty: tf.Scalar = tf.scalar(0);
      this.stack.forEach((l, i) => {
        if (l.kind === 'bayes') {
          const f = l.layer.forward(h, samples, rng, mode);
          h = f.y;
          kl = tf.add(kl, f.kl);
        } else {
          h = l.layer.forward(h, samples);
          penalty = tf.add(penalty, l.layer.penalty());
        }
        if (i < this.stack.length - 1) h = this.activate(h);
      });
      return { out: h as tf.Tensor3D, kl, penalty };
    });
  }

  private activate(h: tf.Tensor): tf.Tensor {
    return activate(h, this.activation);
  }

  /** -ELBO per example as `{ nll, kl }` (`mse` for an mse head; `prior` when dense layers have one). */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = batch['x'];
    const y = batch['y'];
    if (x === undefined || y === undefined) {
      throw new Error(`BayesianMLP.loss: the dataset needs tensors named "x" and "y", got ${Object.keys(batch).join(', ')}`);
    }
    const S = this.isBayesian ? this.trainSamples : 1;
    const { out, kl, penalty } = this.forward(x, S, ctx.rng, this.config.localReparameterization === true ? 'local' : 'sample');
    const data = this.head.dataTerm(out, y);
    const terms: LossTerms = { [data.name]: data.value };
    const N = ctx.datasetSize;
    if (this.isBayesian) terms['kl'] = tf.mul(kl, this.klWeight / N) as tf.Scalar;
    if (this.config.densePriorSigma !== undefined && this.kinds.includes('dense')) terms['prior'] = tf.div(penalty, N) as tf.Scalar;
    return terms;
  }

  /** Raw head outputs for K weight samples, [K, B, k] (chunked over inputs). */
  sampleOutputs(x: tf.Tensor2D, options: PredictOptions): tf.Tensor3D {
    const K = this.isBayesian ? options.samples ?? 100 : 1;
    const mode = options.mode ?? 'sample';
    const chunk = options.chunk ?? 4096;
    const B = x.shape[0];
    // One weight draw for all chunks: reuse the same seeds so chunk c sees the same K networks.
    const seedBase = options.rng.nextUint32();
    const parts: tf.Tensor3D[] = [];
    for (let lo = 0; lo < B; lo += chunk) {
      const size = Math.min(chunk, B - lo);
      const rng = new Rng(`${seedBase}/predict`);
      parts.push(tf.tidy(() => this.forward(tf.slice(x, lo, size), K, rng, mode).out));
    }
    if (parts.length === 1) return parts[0]!;
    const out = tf.concat(parts, 1) as tf.Tensor3D;
    tf.dispose(parts);
    return out;
  }

  /**
   * The current posterior of each Bayesian layer as a Gaussian prior with one mean and std per weight
   * (null for deterministic layers): train on a new task with these as the prior (continual learning).
   * The caller owns the result until it hands it to `setPriors`.
   */
  posteriorAsPriors(): ({ kernel: GaussianPrior; bias: GaussianPrior } | null)[] {
    return this.stack.map((l) => (l.kind === 'bayes' ? l.layer.posteriorAsPrior() : null));
  }

  /** Set the prior of each Bayesian layer (one entry per layer; null or undefined keeps the current one). The layers take ownership. */
  setPriors(priors: (LayerPrior | null | undefined)[]): void {
    if (priors.length !== this.stack.length) {
      throw new Error(`BayesianMLP.setPriors: give one entry per layer (${this.stack.length}), got ${priors.length}`);
    }
    priors.forEach((p, i) => {
      const l = this.stack[i]!;
      if (p === null || p === undefined) return;
      if (l.kind !== 'bayes') throw new Error(`BayesianMLP.setPriors: layer ${i} is deterministic and has no prior to set; pass null there`);
      l.layer.setPrior(p);
    });
  }

  dispose(): void {
    this.stack.forEach((l) => l.layer.dispose());
  }
}
