/**
 * Masked autoregressive flow layer (MAF; Papamakarios, Pavlakou & Murray 2017, Eqs. 2-5) with a MADE
 * conditioner (Germain, Gregor, Murray & Larochelle 2015).
 *
 * Each feature, in an ordering o, is an affine function of the features before it:
 *
 *   inverse f⁻¹ (latent -> data, sequential):   x_i = z_i exp(alpha_i) + mu_i,  (mu_i, alpha_i) = g(x_{<i})
 *   forward f   (data -> latent, one pass):     z_i = (x_i − mu_i(x_{<i})) exp(−alpha_i(x_{<i}))
 *
 *   log |det ∂f/∂x| = −Σ_i alpha_i(x_{<i})   (the Jacobian is triangular in the ordering)
 *
 * Density evaluation (training by maximum likelihood) is one network pass; sampling takes D passes,
 * the reverse trade-off of an inverse autoregressive flow. g is one MADE network: an MLP whose weights
 * are masked so output i only sees inputs earlier in the ordering (Germain et al. 2015, Eqs. 12-13).
 * As in the coupling layer, alpha is soft-clamped: alpha = bound·tanh(â/bound).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { Bijector, type MappedWithLogDet } from './bijector';
import type { Activation, MLP } from '../../nn';
import { conditionerNet, conditionerVariables } from './conditioner';

export interface MAFLayerConfig {
  /** Number of features D (at least 2). */
  dim: number;
  /** Seeds the MADE weights. */
  rng: Rng;
  /** Hidden widths of the MADE network. @default [64, 64] */
  hidden?: number[];
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Autoregressive ordering: `order[d]` is feature d's position (0 = first). @default natural 0..D−1 */
  order?: number[];
  /** Bound on |alpha| (per-layer log-scale). @default 2 */
  scaleBound?: number;
  /** Start as the identity map (zero output layer). @default true */
  zeroInit?: boolean;
  /** Label for plots and step lists. @default 'maf' */
  name?: string;
}

/**
 * MADE connectivity masks for input degrees `order[d] + 1` ∈ 1..D, hidden degrees cycling through
 * 1..D−1, and outputs (mu then alpha, each D wide) that see only strictly smaller degrees.
 */
export function madeMasks(order: number[], hidden: number[]): number[][][] {
  const d = order.length;
  const inDeg = order.map((o) => o + 1);
  const hidDeg = hidden.map((h) => Array.from({ length: h }, (_, k) => (k % (d - 1)) + 1));
  const masks: number[][][] = [];
  let prev = inDeg;
  for (const deg of hidDeg) {
    masks.push(prev.map((pd) => deg.map((hd) => (hd >= pd ? 1 : 0))));
    prev = deg;
  }
  const outDeg = [...inDeg, ...inDeg];
  masks.push(prev.map((pd) => outDeg.map((od) => (od > pd ? 1 : 0))));
  return masks;
}

export class MAFLayer extends Bijector {
  readonly name: string;
  readonly dim: number;
  readonly order: number[];
  readonly scaleBound: number;
  readonly net: MLP;

  constructor(config: MAFLayerConfig) {
    super();
    const d = config.dim;
    if (!Number.isInteger(d) || d < 2) throw new Error(`MAFLayer: dim must be an integer >= 2, got ${d}`);
    const order = config.order ?? [...Array(d).keys()];
    if (order.length !== d || [...order].sort((a, b) => a - b).some((o, i) => o !== i)) {
      throw new Error(`MAFLayer: order must be a permutation of 0..${d - 1}, got [${order}]`);
    }
    const hidden = config.hidden ?? [64, 64];
    if (hidden.length === 0) throw new Error('MAFLayer: hidden must list at least one layer width');
    this.scaleBound = config.scaleBound ?? 2;
    this.dim = d;
    this.order = [...order];
    this.name = config.name ?? 'maf';
    this.net = conditionerNet({
      sizes: [d, ...hidden, 2 * d],
      rng: config.rng,
      activation: config.activation ?? 'relu',
      zeroInit: config.zeroInit ?? true,
      masks: madeMasks(order, hidden),
    });
  }

  /** mu and alpha for every feature from the features before it. Raw ops. */
  conditioner(x: tf.Tensor2D): { mu: tf.Tensor2D; alpha: tf.Tensor2D } {
    const out = this.net.apply(x);
    const d = this.dim;
    const mu = tf.slice(out, [0, 0], [-1, d]) as tf.Tensor2D;
    const c = this.scaleBound;
    const alpha = tf.mul(c, tf.tanh(tf.div(tf.slice(out, [0, d], [-1, d]), c))) as tf.Tensor2D;
    return { mu, alpha };
  }

  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    const { mu, alpha } = this.conditioner(x);
    const y = tf.mul(tf.sub(x, mu), tf.exp(tf.neg(alpha))) as tf.Tensor2D;
    return { y, logDet: tf.neg(tf.sum(alpha, 1)) as tf.Tensor1D };
  }

  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    // After pass k the first k features (in the ordering) are exact, so D passes recover x.
    let x: tf.Tensor2D = tf.zerosLike(z);
    for (let i = 0; i < this.dim; i++) {
      const { mu, alpha } = this.conditioner(x);
      x = tf.add(tf.mul(z, tf.exp(alpha)), mu) as tf.Tensor2D;
    }
    const { alpha } = this.conditioner(x);
    return { y: x, logDet: tf.sum(alpha, 1) as tf.Tensor1D };
  }

  override variables(): tf.Variable[] {
    return conditionerVariables(this.net);
  }

  override dispose(): void {
    this.net.dispose();
  }
}
