/**
 * A dense (fully connected) network: the encoder and decoder builder for every model in this folder.
 *
 * h_0 = x,  h_l = act(h_{l-1} W_l + b_l) for hidden layers,  output = outAct(h_{L-1} W_L + b_L).
 *
 * Weights are raw, unnamed `tf.variable`s (so a re-run notebook cell never clashes with names in the
 * engine), initialised from the `Rng` passed in: He-normal (He et al., 2015) under ReLU-like
 * activations, Glorot-normal (Glorot & Bengio, 2010) otherwise; biases start at zero.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';

/** Element-wise nonlinearities the builders know by name. */
export type Activation = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'tanh' | 'sigmoid' | 'softplus';

export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'softplus'];

/** Apply a named activation. */
export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'elu':
      return tf.elu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softplus':
      return tf.softplus(x);
    default:
      throw new Error(`Unknown activation "${String(act)}"; use one of ${ACTIVATIONS.join(', ')}`);
  }
}

export interface DenseNetConfig {
  /** Layer widths from input to output, e.g. `[784, 512, 16]` (at least two entries). */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Nonlinearity after every hidden layer. @default 'relu' */
  activation?: Activation;
  /** Nonlinearity after the last layer. @default 'linear' */
  outputActivation?: Activation;
}

/** Check that a config value is a positive integer, with a message naming the field and the model. */
export function requirePositiveInt(value: unknown, field: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Check that `x` is [batch, dim]; the message says what was passed and what is expected. */
export function requireMatrix(x: tf.Tensor, dim: number, what: string): tf.Tensor2D {
  if (x.rank !== 2 || x.shape[1] !== dim) {
    throw new Error(
      `${what}: expected a [batch, ${dim}] tensor, got shape [${x.shape.join(', ')}]` +
        (x.rank > 2 ? ' (flatten images first, e.g. x.reshape([-1, ' + dim + ']))' : ''),
    );
  }
  return x as tf.Tensor2D;
}

export class DenseNet {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  /** Weight matrices W_l, shape [in, out]. */
  readonly weights: tf.Variable[] = [];
  /** Bias vectors b_l, shape [out]. */
  readonly biases: tf.Variable[] = [];

  constructor(config: DenseNetConfig) {
    const { sizes } = config;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`DenseNet: sizes must list at least the input and output widths, e.g. [784, 512, 16]; got ${JSON.stringify(sizes)}`);
    }
    sizes.forEach((s, i) => requirePositiveInt(s, `sizes[${i}]`, 'DenseNet'));
    this.sizes = [...sizes];
    this.activation = config.activation ?? 'relu';
    this.outputActivation = config.outputActivation ?? 'linear';
    for (const a of [this.activation, this.outputActivation]) {
      if (!ACTIVATIONS.includes(a)) throw new Error(`DenseNet: unknown activation "${String(a)}"; use one of ${ACTIVATIONS.join(', ')}`);
    }
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const nextAct = l + 2 < sizes.length ? this.activation : this.outputActivation;
      const reluLike = nextAct === 'relu' || nextAct === 'leakyRelu' || nextAct === 'elu';
      const std = reluLike ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
      this.weights.push(tf.tidy(() => tf.variable(tf.mul(config.rng.randn([fanIn, fanOut]), std))));
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]))));
    }
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
        h = tf.add(tf.matMul(h as tf.Tensor2D, this.weights[l]!), this.biases[l]!);
        h = activate(h, l + 1 < L ? this.activation : this.outputActivation);
      }
      return x.rank === 2 ? h : h.reshape([...lead, this.outputDim]);
    });
  }

  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (let l = 0; l < this.weights.length; l++) out.push(this.weights[l]!, this.biases[l]!);
    return out;
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}

/** Encoder builder: `inputDim -> hidden... -> outputDim` with a linear output. */
export function denseEncoder(inputDim: number, hiddenDims: number[], outputDim: number, rng: Rng, activation: Activation = 'relu'): DenseNet {
  return new DenseNet({ sizes: [inputDim, ...hiddenDims, outputDim], rng, activation, outputActivation: 'linear' });
}

/**
 * Decoder builder: `latentDim -> hidden... -> outputDim`, linear output (logits or means): the
 * likelihood, not the network, decides how outputs are read.
 */
export function denseDecoder(latentDim: number, hiddenDims: number[], outputDim: number, rng: Rng, activation: Activation = 'relu'): DenseNet {
  return new DenseNet({ sizes: [latentDim, ...hiddenDims, outputDim], rng, activation, outputActivation: 'linear' });
}
