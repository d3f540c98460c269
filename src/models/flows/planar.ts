/**
 * Planar flow layer (Rezende & Mohamed 2015, "Variational Inference with Normalizing Flows", Eqs. 10-12
 * and Appendix A.1).
 *
 * The closed-form map of a planar layer is the *generative* one, latent -> data:
 *
 *   x = f⁻¹(z) = z + û h(wᵀz + b),   h = tanh,
 *   log |det ∂f⁻¹/∂z| = log |1 + ûᵀψ(z)|,   ψ(z) = h'(wᵀz + b) w       (Eq. 12)
 *
 * It bends the space along one direction w: points on one side of the hyperplane wᵀz + b = 0 are pushed
 * along û, points on the other side the opposite way. Stacking K of them "bends a Gaussian" into a
 * target; they are fitted by reverse KL (see `reverse-kl.ts`): sample z ~ p_z, push it through, and use
 * the exact log-density of the pushed sample. In this folder's convention (forward = data -> latent),
 * that closed form is this class's `inverse`.
 *
 * Invertibility constraint (Appendix A.1): the map is invertible iff wᵀû ≥ −1. We reparametrise the free
 * vector u as
 *
 *   û = u + [m(wᵀu) − wᵀu] w / ‖w‖²,   m(a) = −1 + softplus(a),
 *
 * so wᵀû = m(wᵀu) > −1 for every u, w.
 *
 * The data -> latent direction has no closed form; `forward` solves it exactly (to float precision) as in
 * Appendix A.1: with α = wᵀz, the x = z + û h(α + b) projected on w gives the scalar equation
 *
 *   α + (wᵀû) h(α + b) = wᵀx,
 *
 * whose left side is strictly increasing in α (derivative 1 + wᵀû h' > 0) and within |wᵀû| of α, so
 * bisection on [wᵀx − |wᵀû|, wᵀx + |wᵀû|] then Newton steps find α; then z = x − û h(α + b). This makes
 * density evaluation (and the round-trip test) possible, but gradients through the root finder are not
 * the implicit-function gradients: train planar flows in the generative direction (reverse KL), not by
 * maximum likelihood on data.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import { ownedVariable } from '../../nn';
import { Bijector, type MappedWithLogDet } from './bijector';

export interface PlanarConfig {
  /** Number of features D. */
  dim: number;
  /** Seeds u and w when they are not given. Required unless `u` and `w` are both given. */
  rng?: Rng;
  /** Standard deviation of the random initial u and w. @default 0.5 */
  initStd?: number;
  /** Initial free vector u (before the invertibility correction). @default N(0, initStd²) draws */
  u?: number[];
  /** Initial direction w. @default N(0, initStd²) draws */
  w?: number[];
  /** Initial offset b. @default 0 */
  b?: number;
  /** Whether training updates u, w, b. @default true */
  trainable?: boolean;
  /** Bisection steps of the data -> latent root finder (each halves the bracket). @default 30 */
  bisectionSteps?: number;
  /** Label for plots and step lists. @default 'planar' */
  name?: string;
}

export class Planar extends Bijector {
  readonly name: string;
  readonly dim: number;
  readonly u: tf.Variable;
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  private readonly bisectionSteps: number;

  constructor(config: PlanarConfig) {
    super();
    const d = config.dim;
    if (!Number.isInteger(d) || d <= 0) throw new Error(`Planar: dim must be a positive integer, got ${d}`);
    const std = config.initStd ?? 0.5;
    const trainable = config.trainable ?? true;
    const vec = (given: number[] | undefined, what: string): tf.Tensor1D => {
      if (given !== undefined) {
        if (given.length !== d) throw new Error(`Planar: ${what} has ${given.length} values but dim is ${d}`);
        return tf.tensor1d(given);
      }
      if (!config.rng) throw new Error(`Planar: give config.rng (to draw a random ${what}) or ${what} itself`);
      const r = config.rng;
      return tf.tidy(() => tf.mul(r.randn([d]), std) as tf.Tensor1D);
    };
    const u0 = vec(config.u, 'u');
    const w0 = vec(config.w, 'w');
    this.u = ownedVariable(u0, trainable);
    this.w = ownedVariable(w0, trainable);
    this.b = ownedVariable(tf.scalar(config.b ?? 0), trainable);
    this.dim = d;
    this.name = config.name ?? 'planar';
    this.bisectionSteps = config.bisectionSteps ?? 30;
  }

  /** û, the constrained vector with wᵀû > −1 (Appendix A.1). Raw ops. */
  uHat(): tf.Tensor1D {
    const wu = tf.sum(tf.mul(this.w, this.u));
    const m = tf.sub(tf.softplus(wu), 1);
    const wNorm2 = tf.add(tf.sum(tf.square(this.w)), 1e-12);
    return tf.add(this.u, tf.mul(tf.div(tf.sub(m, wu), wNorm2), this.w)) as tf.Tensor1D;
  }

  /** Generative direction, closed form: x = z + û tanh(wᵀz + b), log |1 + ûᵀψ(z)|. */
  inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet {
    const uh = this.uHat();
    const a = tf.add(tf.squeeze(tf.matMul(z, tf.reshape(this.w, [this.dim, 1])), [1]), this.b); // wᵀz + b, [n]
    const h = tf.tanh(a);
    const y = tf.add(z, tf.mul(tf.expandDims(h, 1), uh)) as tf.Tensor2D;
    const wu = tf.sum(tf.mul(this.w, uh)); // wᵀû > −1
    const hPrime = tf.sub(1, tf.square(h));
    const logDet = tf.log(tf.abs(tf.add(1, tf.mul(wu, hPrime)))) as tf.Tensor1D;
    return { y, logDet };
  }

  /** Normalising direction by root finding along w (Appendix A.1): z = f(x), −log |1 + ûᵀψ(z)|. */
  forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet {
    const uh = this.uHat();
    const c = tf.sum(tf.mul(this.w, uh)); // wᵀû
    const target = tf.squeeze(tf.matMul(x, tf.reshape(this.w, [this.dim, 1])), [1]); // wᵀx, [n]
    const g = (alpha: tf.Tensor): tf.Tensor => tf.sub(tf.add(alpha, tf.mul(c, tf.tanh(tf.add(alpha, this.b)))), target);
    const radius = tf.add(tf.abs(c), 1e-6);
    let lo: tf.Tensor = tf.sub(target, radius);
    let hi: tf.Tensor = tf.add(target, radius);
    for (let i = 0; i < this.bisectionSteps; i++) {
      const mid = tf.mul(tf.add(lo, hi), 0.5);
      const below = tf.less(g(mid), 0);
      lo = tf.where(below, mid, lo);
      hi = tf.where(below, hi, mid);
    }
    let alpha: tf.Tensor = tf.mul(tf.add(lo, hi), 0.5);
    for (let i = 0; i < 2; i++) {
      const th = tf.tanh(tf.add(alpha, this.b));
      const slope = tf.add(1, tf.mul(c, tf.sub(1, tf.square(th))));
      alpha = tf.sub(alpha, tf.div(g(alpha), slope));
    }
    const h = tf.tanh(tf.add(alpha, this.b));
    const y = tf.sub(x, tf.mul(tf.expandDims(h, 1), uh)) as tf.Tensor2D;
    const logDet = tf.neg(tf.log(tf.abs(tf.add(1, tf.mul(c, tf.sub(1, tf.square(h))))))) as tf.Tensor1D;
    return { y, logDet };
  }

  override variables(): tf.Variable[] {
    return [this.u, this.w, this.b];
  }
}
