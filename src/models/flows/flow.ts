/**
 * A normalizing flow: a stack of bijectors over a standard normal prior (Rezende & Mohamed 2015;
 * Papamakarios et al. 2021, "Normalizing Flows for Probabilistic Modeling and Inference", Eqs. 2-8).
 *
 * With layers f_1, ..., f_K (data -> latent, applied in that order) and f = f_K ∘ ... ∘ f_1,
 *
 *   z = f(x),   log p_x(x) = log p_z(z) + Σ_k log |det ∂f_k/∂h_{k−1}|,   h_0 = x, h_k = f_k(h_{k−1}),
 *
 * the exact log-likelihood (no bound, unlike a VAE's ELBO), and sampling runs the other way:
 * z ~ N(0, I), x = f_1⁻¹(... f_K⁻¹(z)). Lecture picture: X -> f(X) = z -> f⁻¹(z) = X̂ = X.
 *
 * A `Flow` is itself a bijector (flows compose) and a `Trainable`: its loss is the mean negative
 * log-likelihood in nats per example, `{ nll }`, on batches `{ x }`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { Bijector, checkRows, type MappedWithLogDet } from './bijector';
import { standardNormalLogDensity } from '../../math/gaussian';
import { standardNormalSample } from './base';

/** One intermediate output of a flow, for plots of the layer-by-layer deformation. */
export interface FlowStep {
  /** 'x' or 'z' for the ends, else the layer's name. */
  name: string;
  /** The batch after this step, `[n, D]`. The caller owns it (dispose or `keep` it). */
  value: tf.Tensor2D;
}

export class Flow extends Bijector implements Trainable {
  readonly name: string;
  readonly dim: number;
  /** The layers in data -> latent order. */
  readonly layers: Bijector[];
  private disposed = false;

  constructor(layers: Bijector[], name = 'flow') {
    super();
    if (layers.length === 0) throw new Error('Flow: give at least one layer');
    const d = layers[0]!.dim;
    layers.forEach((l, i) => {
      if (l.dim !== d) throw new Error(`Flow: layer ${i} (${l.name}) has dim ${l.dim} but layer 0 (${layers[0]!.name}) has ${d}; all layers must map the same D`);
    });
    this.layers = [...layers];
    this.dim = d;
    this.name = name;
  }

  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    let h = x;
    let logDet: tf.Tensor1D = tf.zeros([x.shape[0]]);
    for (const layer of this.layers) {
      const r = layer.forwardAndLogDet(h);
      h = r.y;
      logDet = tf.add(logDet, r.logDet);
    }
    return { y: h, logDet };
  }

  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    let h = z;
    let logDet: tf.Tensor1D = tf.zeros([z.shape[0]]);
    for (let k = this.layers.length - 1; k >= 0; k--) {
      const r = this.layers[k]!.inverseAndLogDet(h);
      h = r.y;
      logDet = tf.add(logDet, r.logDet);
    }
    return { y: h, logDet };
  }

  /** log p_x(x) per row, raw ops (for use inside a tidy or a loss). */
  logProbRaw(x: tf.Tensor2D): tf.Tensor1D {
    const { y, logDet } = this.forwardAndLogDet(x);
    return tf.add(standardNormalLogDensity(y), logDet);
  }

  /** Exact log p_x(x) = log p_z(f(x)) + log |det ∂f/∂x|, per row (`[n]`, nats). */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    const xx = checkRows(x, this.dim, `${this.name}.logProb`);
    return tf.tidy(() => this.logProbRaw(xx));
  }

  /** Mean negative log-likelihood of a batch in nats per example (a scalar tensor). */
  nll(x: tf.Tensor2D): tf.Scalar {
    const xx = checkRows(x, this.dim, `${this.name}.nll`);
    return tf.tidy(() => tf.neg(tf.mean(this.logProbRaw(xx))) as tf.Scalar);
  }

  /** Mean NLL of a data set as a number, evaluated in chunks (no gradient). */
  nllOf(x: tf.Tensor2D, chunk = 4096): number {
    const xx = checkRows(x, this.dim, `${this.name}.nllOf`);
    const n = xx.shape[0];
    let sum = 0;
    for (let lo = 0; lo < n; lo += chunk) {
      const size = Math.min(chunk, n - lo);
      sum += tf.tidy(() => tf.sum(this.logProbRaw(tf.slice(xx, [lo, 0], [size, -1]))).dataSync()[0]!);
    }
    return -sum / n;
  }

  /** n samples x = f⁻¹(z), z ~ N(0, I), seeded from `rng`. */
  sample(n: number, rng: Rng): tf.Tensor2D {
    return tf.tidy(() => this.inverseAndLogDet(standardNormalSample(n, this.dim, rng)).y);
  }

  /**
   * n samples with their exact log-density, in one pass through the generative direction:
   * log q(x) = log p_z(z) − log |det ∂f⁻¹/∂z|. Raw ops (used under the gradient tape by reverse KL).
   */
  sampleWithLogProbRaw(n: number, rng: Rng): { x: tf.Tensor2D; logProb: tf.Tensor1D; z: tf.Tensor2D } {
    const z = standardNormalSample(n, this.dim, rng);
    const { y, logDet } = this.inverseAndLogDet(z);
    return { x: y, logProb: tf.sub(standardNormalLogDensity(z), logDet), z };
  }

  /** n samples and their exact log-density (both owned by the caller). */
  sampleWithLogProb(n: number, rng: Rng): { x: tf.Tensor2D; logProb: tf.Tensor1D } {
    return tf.tidy(() => {
      const { x, logProb } = this.sampleWithLogProbRaw(n, rng);
      return { x, logProb };
    });
  }

  /** X̂ = f⁻¹(f(X)): equals X up to float rounding for every invertible stack. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    const xx = checkRows(x, this.dim, `${this.name}.reconstruct`);
    return tf.tidy(() => this.inverseAndLogDet(this.forwardAndLogDet(xx).y).y);
  }

  /** max |X − f⁻¹(f(X))| over all entries, as a number. */
  maxReconstructionError(x: tf.Tensor2D): number {
    const xx = checkRows(x, this.dim, `${this.name}.maxReconstructionError`);
    return tf.tidy(() => tf.max(tf.abs(tf.sub(xx, this.inverseAndLogDet(this.forwardAndLogDet(xx).y).y))).dataSync()[0]!);
  }

  /** [x, f_1(x), f_2(f_1(x)), ..., z]: the data pushed layer by layer towards the latent space. */
  forwardSteps(x: tf.Tensor2D): FlowStep[] {
    const xx = checkRows(x, this.dim, `${this.name}.forwardSteps`);
    const steps: FlowStep[] = [{ name: 'x', value: xx.clone() }];
    let h = xx;
    this.layers.forEach((layer, k) => {
      h = tf.tidy(() => layer.forwardAndLogDet(h).y);
      steps.push({ name: k === this.layers.length - 1 ? `z (${layer.name})` : layer.name, value: h });
    });
    return steps;
  }

  /** [z, f_K⁻¹(z), ..., x]: latent points pulled back layer by layer to data space. */
  inverseSteps(z: tf.Tensor2D): FlowStep[] {
    const zz = checkRows(z, this.dim, `${this.name}.inverseSteps`);
    const steps: FlowStep[] = [{ name: 'z', value: zz.clone() }];
    let h = zz;
    for (let k = this.layers.length - 1; k >= 0; k--) {
      const layer = this.layers[k]!;
      h = tf.tidy(() => layer.inverseAndLogDet(h).y);
      steps.push({ name: k === 0 ? `x (${layer.name}⁻¹)` : `${layer.name}⁻¹`, value: h });
    }
    return steps;
  }

  /** Trainable: mean negative log-likelihood of the batch's `x`, in nats per example. */
  loss(batch: Batch, _ctx: StepContext): LossTerms {
    const x = batch['x'];
    if (x === undefined) {
      throw new Error(`${this.name}.loss: the dataset needs an "x" tensor of shape [n, ${this.dim}], got keys: ${Object.keys(batch).join(', ')}`);
    }
    return { nll: tf.neg(tf.mean(this.logProbRaw(checkRows(x, this.dim, `${this.name}.loss`)))) as tf.Scalar };
  }

  override variables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.variables());
  }

  /** Number of trainable scalars. */
  get numParameters(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.layers) l.dispose();
  }
}
