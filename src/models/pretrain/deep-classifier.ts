/**
 * A deep classifier with a shared trunk and one softmax head per task: the network that greedy
 * pre-training initialises, that transfer learning reuses, and that multi-task learning shares.
 *
 *   a_0 = x,   a_l = act(drop(a_{l-1}) W_l + b_l)  (trunk, l = 1..L),   p(y_t | x) = softmax(drop(a_L) V_t + d_t)
 *
 * - `heads`: one entry per task, `{ name: nClasses }`; the batch holds each task's labels under its name
 *   (class indices [B] or one-hot). The loss is the sum of the heads' mean cross-entropies (equal weights),
 *   so one trunk learns features useful to every task (Caruana 1997).
 * - `dropout`: inverted dropout on every trunk output (and `inputDropout` on x) in training only
 *   (Srivastava et al. 2014); evaluation uses the full network.
 * - Initialisation: random ('auto': He under ReLU-like units, Glorot otherwise; zero biases), or copied
 *   exactly from pre-trained layers (`loadTrunk`, `fromStackedAutoencoder`, `fromDBN`, `copyTrunkFrom`).
 *   A DBN's up-pass sigma(v W + c) is this trunk's forward pass with W_l = W, b_l = c and sigmoid units.
 * - `freezeTrunk`: train the heads only (features fixed), the "linear probe" of transfer learning.
 */
import * as tf from '@tensorflow/tfjs';
import { type Activation, ACTIVATIONS, activate, dropout, INIT_SCHEMES, type InitScheme, initialWeights, ownedVariable, validateDropoutRate } from '../../nn';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { DBN } from '../rbm/dbn';
import type { DenseLayer } from './dense-layer';
import type { StackedAutoencoder } from './stacked-autoencoder';

export interface DeepClassifierConfig {
  /** Input width followed by the trunk's hidden widths, e.g. [784, 256, 256, 256]; [784] is a linear classifier. */
  sizes: number[];
  /** One softmax head per task: batch key -> number of classes, e.g. `{ y: 10 }` or `{ digit: 10, parity: 2 }`. */
  heads: Record<string, number>;
  /** Seeds the random initial weights (trunk, then heads in key order). */
  rng: Rng;
  /** Nonlinearity of the trunk. @default 'sigmoid' */
  activation?: Activation;
  /** Dropout rate on every trunk layer's output, training only. @default 0 */
  dropout?: number;
  /** Dropout rate on the input, training only. @default 0 */
  inputDropout?: number;
  /** Initialisation of the random weights. @default 'auto' */
  init?: InitScheme;
  /** Train the heads only. @default false */
  freezeTrunk?: boolean;
  /** Name of the batch entry with inputs. @default 'x' */
  inputKey?: string;
}

interface Layer {
  W: tf.Variable<tf.Rank.R2>;
  b: tf.Variable<tf.Rank.R1>;
}

export class DeepClassifier implements Trainable {
  readonly sizes: readonly number[];
  readonly headSizes: Readonly<Record<string, number>>;
  readonly activation: Activation;
  readonly dropout: number;
  readonly inputDropout: number;
  readonly inputKey: string;
  /** Train the heads only; may be changed between `fit` calls (make a new Trainer after changing it). */
  freezeTrunk: boolean;
  private readonly trunk: Layer[] = [];
  private readonly heads: Record<string, Layer> = {};
  private disposed = false;

  constructor(config: DeepClassifierConfig) {
    const { sizes, heads, rng } = config;
    if (!Array.isArray(sizes) || sizes.length < 1 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`DeepClassifier: sizes must be positive integers [input, ...hidden], got [${sizes}]`);
    }
    const names = Object.keys(heads ?? {});
    if (names.length === 0) throw new Error('DeepClassifier: give at least one head, e.g. heads: { y: 10 }');
    for (const name of names) {
      const c = heads[name]!;
      if (!Number.isInteger(c) || c < 2) throw new Error(`DeepClassifier: head "${name}" needs an integer number of classes >= 2, got ${c}`);
    }
    this.activation = config.activation ?? 'sigmoid';
    if (!ACTIVATIONS.includes(this.activation)) throw new Error(`DeepClassifier: unknown activation "${String(this.activation)}"; use one of ${ACTIVATIONS.join(', ')}`);
    const init = config.init ?? 'auto';
    if (!INIT_SCHEMES.includes(init)) throw new Error(`DeepClassifier: unknown init "${String(init)}"; use one of ${INIT_SCHEMES.join(', ')}`);
    this.dropout = validateDropoutRate(config.dropout ?? 0, 'DeepClassifier (dropout)');
    this.inputDropout = validateDropoutRate(config.inputDropout ?? 0, 'DeepClassifier (inputDropout)');
    this.inputKey = config.inputKey ?? 'x';
    if (names.includes(this.inputKey)) throw new Error(`DeepClassifier: a head may not be named like the input key "${this.inputKey}"`);
    this.freezeTrunk = config.freezeTrunk ?? false;
    this.sizes = [...sizes];
    this.headSizes = { ...heads };
    for (let l = 1; l < sizes.length; l++) {
      this.trunk.push({
        W: ownedVariable(initialWeights(init, sizes[l - 1]!, sizes[l]!, rng, this.activation)),
        b: ownedVariable(tf.zeros([sizes[l]!]) as tf.Tensor1D),
      });
    }
    const width = sizes[sizes.length - 1]!;
    for (const name of names) {
      this.heads[name] = {
        W: ownedVariable(initialWeights(init, width, heads[name]!, rng, 'linear')),
        b: ownedVariable(tf.zeros([heads[name]!]) as tf.Tensor1D),
      };
    }
  }

  /** A classifier whose trunk starts at a stacked autoencoder's encoders (same sizes and activation). */
  static fromStackedAutoencoder(sae: StackedAutoencoder, config: Omit<DeepClassifierConfig, 'sizes' | 'activation'>): DeepClassifier {
    const net = new DeepClassifier({ ...config, sizes: sae.sizes, activation: sae.activation });
    net.loadTrunk(sae.encoderLayers());
    return net;
  }

  /**
   * A classifier whose trunk starts at a DBN's weights W and hidden biases c, sigmoid units by default
   * (its up-pass); another `activation` reuses the weights under different units.
   */
  static fromDBN(dbn: DBN, config: Omit<DeepClassifierConfig, 'sizes'>): DeepClassifier {
    const net = new DeepClassifier({ ...config, sizes: dbn.sizes });
    net.loadTrunk(dbn.layers.map((rbm) => ({ W: rbm.W as tf.Tensor2D, b: rbm.c as tf.Tensor1D })));
    return net;
  }

  /** Number of trunk layers L. */
  get depth(): number {
    return this.trunk.length;
  }

  /**
   * Copy pre-trained layers into the bottom of the trunk, exactly (values, not references): layer l gets
   * layers[l].W and .b. Fewer layers than the trunk leave the upper ones as they are.
   */
  loadTrunk(layers: readonly DenseLayer[]): void {
    if (layers.length > this.trunk.length) throw new Error(`DeepClassifier.loadTrunk: ${layers.length} layers for a trunk of ${this.trunk.length}`);
    layers.forEach(({ W, b }, l) => {
      const own = this.trunk[l]!;
      if (W.shape.join() !== own.W.shape.join() || b.shape.join() !== own.b.shape.join()) {
        throw new Error(`DeepClassifier.loadTrunk: layer ${l} is W [${W.shape}], b [${b.shape}]; this trunk needs W [${own.W.shape}], b [${own.b.shape}]`);
      }
    });
    layers.forEach(({ W, b }, l) => {
      this.trunk[l]!.W.assign(W);
      this.trunk[l]!.b.assign(b);
    });
  }

  /** Copy the first `layers` trunk layers of another classifier (transfer learning). @default all */
  copyTrunkFrom(other: DeepClassifier, layers = other.depth): void {
    if (!Number.isInteger(layers) || layers < 0 || layers > other.depth) throw new Error(`DeepClassifier.copyTrunkFrom: layers must be in 0..${other.depth}, got ${layers}`);
    this.loadTrunk(other.trunkLayers().slice(0, layers));
  }

  /** The trunk's weights and biases, bottom first (the live variables: read, do not dispose). */
  trunkLayers(): DenseLayer[] {
    return this.trunk.map(({ W, b }) => ({ W: W as tf.Tensor2D, b: b as tf.Tensor1D }));
  }

  /** Trunk output a_L, [B, sizes.at(-1)]; dropout only when `rng` is given (training). */
  features(x: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) {
      throw new Error(`DeepClassifier: expected inputs [batch, ${this.sizes[0]}], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      let a: tf.Tensor = rng ? dropout(x, this.inputDropout, rng.fork('input')) : x;
      this.trunk.forEach(({ W, b }, l) => {
        a = activate(tf.add(tf.matMul(a as tf.Tensor2D, W), b), this.activation);
        if (rng) a = dropout(a, this.dropout, rng.fork(`layer${l}`));
      });
      return a as tf.Tensor2D;
    });
  }

  /** Class scores before the softmax for one head, [B, classes] (evaluation: no dropout). */
  logits(x: tf.Tensor2D, head = this.onlyHead()): tf.Tensor2D {
    const h = this.head(head);
    return tf.tidy(() => tf.add(tf.matMul(this.features(x), h.W), h.b));
  }

  /** Most probable class per row, int32 [B]. */
  predict(x: tf.Tensor2D, head = this.onlyHead()): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.logits(x, head), 1) as tf.Tensor1D);
  }

  /** Fraction of rows classified correctly by one head (labels as indices or one-hot), in chunks. */
  accuracy(x: tf.Tensor2D, y: tf.Tensor, head = this.onlyHead(), batchSize = 2000): number {
    const n = x.shape[0];
    if (y.shape[0] !== n) throw new Error(`DeepClassifier.accuracy: ${n} inputs but ${y.shape[0]} labels`);
    let correct = 0;
    for (let lo = 0; lo < n; lo += batchSize) {
      const size = Math.min(batchSize, n - lo);
      correct += tf.tidy(() => {
        const xb = tf.slice(x, lo, size) as tf.Tensor2D;
        const yb = tf.slice(y, lo, size);
        return tf.sum(tf.cast(tf.equal(this.predict(xb, head), labelIndices(yb)), 'float32')).dataSync()[0]!;
      });
    }
    return correct / n;
  }

  /** Sum over heads of the mean cross-entropy -log p(y_t | x); one term per head (`xent` for a single head). */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = this.input(batch);
    const a = this.features(x, ctx.training ? ctx.rng.fork('dropout') : undefined);
    const out: LossTerms = {};
    const names = Object.keys(this.heads);
    for (const name of names) {
      const { W, b } = this.heads[name]!;
      const logits = tf.add(tf.matMul(a, W), b);
      out[names.length === 1 ? 'xent' : `xent_${name}`] = crossEntropy(logits, this.labels(batch, name), this.headSizes[name]!);
    }
    return out;
  }

  /** Validation: each head's cross-entropy and error rate (`error` for a single head, else `error_<head>`). */
  evalTerms(batch: Batch, _ctx: StepContext): LossTerms {
    const x = this.input(batch);
    const a = this.features(x);
    const out: LossTerms = {};
    const names = Object.keys(this.heads);
    let total: tf.Scalar = tf.scalar(0);
    for (const name of names) {
      const { W, b } = this.heads[name]!;
      const logits = tf.add(tf.matMul(a, W), b);
      const y = this.labels(batch, name);
      const xent = crossEntropy(logits, y, this.headSizes[name]!);
      const err = tf.sub(1, tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labelIndices(y)), 'float32'))) as tf.Scalar;
      const suffix = names.length === 1 ? '' : `_${name}`;
      out[`xent${suffix}`] = xent;
      out[`error${suffix}`] = err;
      total = tf.add(total, xent);
    }
    out['loss'] = total;
    return out;
  }

  variables(): tf.Variable[] {
    return [...this.trunk.flatMap((l) => [l.W, l.b]), ...Object.values(this.heads).flatMap((l) => [l.W, l.b])];
  }

  trainableVariables(): tf.Variable[] {
    return this.freezeTrunk ? Object.values(this.heads).flatMap((l) => [l.W, l.b]) : this.variables();
  }

  /** Number of weights and biases (trunk and heads). */
  get parameterCount(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }

  private onlyHead(): string {
    const names = Object.keys(this.heads);
    if (names.length !== 1) throw new Error(`DeepClassifier: this network has heads ${names.join(', ')}; name the one you mean`);
    return names[0]!;
  }

  private head(name: string): Layer {
    const h = this.heads[name];
    if (h === undefined) throw new Error(`DeepClassifier: no head "${name}" (has: ${Object.keys(this.heads).join(', ')})`);
    return h;
  }

  private input(batch: Batch): tf.Tensor2D {
    const x = batch[this.inputKey];
    if (x === undefined) throw new Error(`DeepClassifier: the batch needs "${this.inputKey}" (has: ${Object.keys(batch).join(', ')})`);
    return x as tf.Tensor2D;
  }

  private labels(batch: Batch, head: string): tf.Tensor {
    const y = batch[head];
    if (y === undefined) {
      throw new Error(`DeepClassifier: the batch needs labels for head "${head}" under the same name (has: ${Object.keys(batch).join(', ')})`);
    }
    return y;
  }
}

function labelIndices(y: tf.Tensor): tf.Tensor1D {
  return (y.rank === 2 ? tf.argMax(y, 1) : tf.cast(y, 'int32')) as tf.Tensor1D;
}

/** Mean -log softmax(logits)[y] over the batch (stable: through logSoftmax). */
function crossEntropy(logits: tf.Tensor, y: tf.Tensor, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const onehot = y.rank === 2 ? y : tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}
