/**
 * Affine coupling layer (RealNVP; Dinh, Sohl-Dickstein & Bengio 2017, "Density estimation using Real
 * NVP", Eqs. 7-9).
 *
 * A binary mask b ∈ {0,1}^D splits the features: those with b = 1 pass through unchanged and condition
 * an affine map of the others. With s(·) and t(·) one small network of the masked input,
 *
 *   forward f (data -> latent):  z = b⊙x + (1−b)⊙(x ⊙ exp(s(b⊙x)) + t(b⊙x))
 *   inverse f⁻¹ (latent -> data): x = b⊙z + (1−b)⊙((z − t(b⊙z)) ⊙ exp(−s(b⊙z)))
 *
 * The inverse needs no inversion of s or t because b⊙z = b⊙x. The Jacobian ∂z/∂x is triangular (after
 * ordering the features by mask) with diagonal 1 on b and exp(s) on 1−b, so
 *
 *   log |det ∂f/∂x| = Σ_d (1−b_d) s_d(b⊙x).
 *
 * Bounded scale: an unbounded s can blow up early in training (exp of a large number), so the network's
 * raw output ŝ is soft-clamped, s = bound · tanh(ŝ / bound): |s| < bound, and s ≈ ŝ near 0. RealNVP
 * itself uses a tanh with a learned scale; Glow (Kingma & Dhariwal 2018) uses a sigmoid. The output
 * layer starts at zero, so the layer starts as the identity.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { Bijector, type MappedWithLogDet } from './bijector';
import type { Activation, MLP } from '../../nn';
import { conditionerNet, conditionerVariables } from './conditioner';

export interface AffineCouplingConfig {
  /** 0/1 per feature: 1 = passed through and conditions the rest, 0 = transformed. Needs both values. */
  mask: number[];
  /** Seeds the network's initial weights. */
  rng: Rng;
  /** Hidden widths of the s/t network. @default [64, 64] */
  hidden?: number[];
  /** Hidden nonlinearity. @default 'relu' */
  activation?: Activation;
  /** Bound on |s| (the per-layer log-scale); s = bound·tanh(ŝ/bound). @default 2 */
  scaleBound?: number;
  /** Start as the identity map (zero output layer). Tests turn it off to get a non-trivial map. @default true */
  zeroInit?: boolean;
  /** Label for plots and step lists. @default 'coupling' */
  name?: string;
}

export class AffineCoupling extends Bijector {
  readonly name: string;
  readonly dim: number;
  readonly mask: number[];
  readonly scaleBound: number;
  /** The s/t network: input D (masked), output 2D (ŝ then t). */
  readonly net: MLP;
  private readonly b: tf.Tensor1D;
  private readonly oneMinusB: tf.Tensor1D;

  constructor(config: AffineCouplingConfig) {
    super();
    const mask = config.mask;
    const d = mask.length;
    if (d < 2 || mask.some((m) => m !== 0 && m !== 1) || !mask.includes(0) || !mask.includes(1)) {
      throw new Error(
        `AffineCoupling: mask must be 0/1 per feature with at least one of each (D >= 2), got [${mask}]. ` +
          'A 1 keeps a feature and conditions the others; a 0 transforms it.',
      );
    }
    this.scaleBound = config.scaleBound ?? 2;
    if (!(this.scaleBound > 0)) throw new Error(`AffineCoupling: scaleBound must be > 0, got ${config.scaleBound}`);
    this.dim = d;
    this.mask = [...mask];
    this.name = config.name ?? 'coupling';
    const hidden = config.hidden ?? [64, 64];
    this.net = conditionerNet({
      sizes: [d, ...hidden, 2 * d],
      rng: config.rng,
      activation: config.activation ?? 'relu',
      zeroInit: config.zeroInit ?? true,
    });
    this.b = tf.tensor1d(mask);
    this.oneMinusB = tf.tensor1d(mask.map((m) => 1 - m));
  }

  /** s and t of the conditioning half, both zero on the pass-through features. Raw ops. */
  scaleAndShift(conditioner: tf.Tensor2D): { s: tf.Tensor2D; t: tf.Tensor2D } {
    const out = this.net.apply(tf.mul(conditioner, this.b) as tf.Tensor2D);
    const d = this.dim;
    const sRaw = tf.slice(out, [0, 0], [-1, d]);
    const tRaw = tf.slice(out, [0, d], [-1, d]);
    const c = this.scaleBound;
    const s = tf.mul(tf.mul(c, tf.tanh(tf.div(sRaw, c))), this.oneMinusB) as tf.Tensor2D;
    const t = tf.mul(tRaw, this.oneMinusB) as tf.Tensor2D;
    return { s, t };
  }

  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    const { s, t } = this.scaleAndShift(x);
    // On b = 1 features s = t = 0, so the single expression also passes them through.
    const y = tf.add(tf.mul(x, tf.exp(s)), t) as tf.Tensor2D;
    return { y, logDet: tf.sum(s, 1) as tf.Tensor1D };
  }

  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    const { s, t } = this.scaleAndShift(z); // b⊙z = b⊙x: the same s and t as in the forward pass
    const y = tf.mul(tf.sub(z, t), tf.exp(tf.neg(s))) as tf.Tensor2D;
    return { y, logDet: tf.neg(tf.sum(s, 1)) as tf.Tensor1D };
  }

  override variables(): tf.Variable[] {
    return conditionerVariables(this.net);
  }

  override dispose(): void {
    this.net.dispose();
    if (!this.b.isDisposed) this.b.dispose();
    if (!this.oneMinusB.isDisposed) this.oneMinusB.dispose();
  }
}
