/**
 * A shallow ReLU network whose hidden layer is fixed and whose output layer is fitted in closed form:
 *
 *   f(x) = φ_0 + Σ_{d=1}^{D} φ_d ReLU[s_d (x - t_d)],
 *
 * with joints t_d and directions s_d = ±1. The model is linear in φ, so least squares has a closed form,
 * which makes it fast enough to refit hundreds of times (the bias-variance decomposition) and to sweep
 * the width D through the interpolation threshold D + 1 = N (double descent; Belkin et al., 2019,
 * used random Fourier features in the same way). With evenly spaced joints it is the constructive
 * half of the universal approximation theorem: continuous piecewise-linear functions on D pieces.
 *
 * When there are more parameters than data points the fit is the *minimum-norm* interpolant,
 * φ = Φ⁺ y, which is also where gradient descent from φ = 0 converges (it never leaves the row space
 * of Φ): the implicit regularisation the lecture attributes to gradient descent.
 */
import type { DenseArrays } from '../nn/dense-arrays';
import { mat } from '../math/matrix';
import { symmetricEigen } from '../math/eigen';
import type { Rng } from '../runtime/rng';

export interface FitOptions {
  /** Ridge penalty λ ||φ||² added to the sum of squares (0: least squares / minimum norm). @default 0 */
  ridge?: number;
}

/** One input: a number (1-D) or a vector. */
export type FeatureInput = number | readonly number[];

export class ReluFeatureRegression {
  /** First-layer weights, one row [w_d1, ..., w_dDin] per hidden unit (fixed). */
  readonly unitWeights: readonly (readonly number[])[];
  /** First-layer biases b_d (fixed). */
  readonly unitBiases: readonly number[];
  /** Output weights φ_0 (offset), φ_1..φ_D; zero until `fit`. */
  phi: number[];

  /** Hidden units h_d = ReLU[w_d · x + b_d]; in 1-D a joint t with direction s is w = s, b = -s t. */
  constructor(unitWeights: readonly (readonly number[])[], unitBiases: readonly number[]) {
    if (unitWeights.length === 0 || unitWeights.length !== unitBiases.length) throw new Error(`ReluFeatureRegression: need one weight row and one bias per hidden unit (at least one), got ${unitWeights.length} and ${unitBiases.length}`);
    const dIn = unitWeights[0]!.length;
    if (dIn === 0 || unitWeights.some((w) => w.length !== dIn)) throw new Error('ReluFeatureRegression: every weight row needs the same, non-zero length (the input dimension)');
    this.unitWeights = unitWeights.map((w) => [...w]);
    this.unitBiases = [...unitBiases];
    this.phi = new Array<number>(unitWeights.length + 1).fill(0);
  }

  /**
   * 1-D: D units facing right with joints t_d = lo + d h, h = (hi - lo)/D, d = 0..D-1. The first joint
   * sits on the left end, so that unit supplies the slope of the first piece and [lo, hi] splits into D
   * pieces of width h: the space of continuous piecewise-linear functions on that grid, whose best fit
   * to a smooth target has error O(h²). (Joints strictly inside would give D + 1 regions, but then the
   * leftmost region is flat: no unit is on there, and the fit loses an order there.)
   */
  static evenlySpaced(D: number, range: readonly [number, number]): ReluFeatureRegression {
    const [lo, hi] = range;
    const t = Array.from({ length: D }, (_v, d) => lo + (d / D) * (hi - lo));
    return new ReluFeatureRegression(t.map(() => [1]), t.map((v) => -v));
  }

  /** 1-D: D joints drawn uniformly in [lo, hi], each facing left or right at random. */
  static randomJoints(D: number, range: readonly [number, number], rng: Rng): ReluFeatureRegression {
    const [lo, hi] = range;
    const t = Array.from({ length: D }, () => lo + rng.random() * (hi - lo));
    const s = t.map(() => (rng.random() < 0.5 ? -1 : 1));
    return new ReluFeatureRegression(s.map((v) => [v]), t.map((v, d) => -s[d]! * v));
  }

  /**
   * Random features in any dimension: w_d ~ N(0, I/D_in), b_d ~ N(0, biasStd²). Generic directions, so
   * D + 1 features have full rank on N ≥ D + 1 points (the interpolation threshold is sharp at D + 1 = N).
   */
  static randomGaussian(D: number, inputDim: number, rng: Rng, biasStd = 0.5): ReluFeatureRegression {
    const w = Array.from({ length: D }, () => Array.from({ length: inputDim }, () => rng.normal() / Math.sqrt(inputDim)));
    return new ReluFeatureRegression(w, w.map(() => biasStd * rng.normal()));
  }

  /** Number of hidden units D. */
  get width(): number {
    return this.unitWeights.length;
  }

  /** The design matrix rows [1, h_1(x), ..., h_D(x)]. */
  features(xs: readonly FeatureInput[]): number[][] {
    const dIn = this.unitWeights[0]!.length;
    return xs.map((x) => {
      const v = typeof x === 'number' ? [x] : x;
      if (v.length !== dIn) throw new Error(`ReluFeatureRegression: inputs need ${dIn} values, got ${v.length}`);
      return [1, ...this.unitWeights.map((w, d) => Math.max(0, w.reduce((s, wi, i) => s + wi * v[i]!, this.unitBiases[d]!)))];
    });
  }

  /** Fit φ to (xs, ys) by (minimum-norm, optionally ridge) least squares. Returns this. */
  fit(xs: readonly FeatureInput[], ys: readonly number[], options: FitOptions = {}): this {
    if (xs.length !== ys.length || xs.length === 0) throw new Error(`ReluFeatureRegression.fit: need as many targets as inputs (at least one), got ${xs.length} and ${ys.length}`);
    const ridge = options.ridge ?? 0;
    if (!(ridge >= 0)) throw new Error(`ReluFeatureRegression.fit: ridge must be >= 0, got ${ridge}`);
    this.phi = leastSquares(this.features(xs), ys, ridge);
    return this;
  }

  predict(xs: readonly FeatureInput[]): number[] {
    return this.features(xs).map((row) => row.reduce((s, v, p) => s + v * this.phi[p]!, 0));
  }

  /** The same function as a dense ReLU network (for region counting and plotting). */
  toDense(): DenseArrays {
    const dIn = this.unitWeights[0]!.length;
    return {
      weights: [Array.from({ length: dIn }, (_v, i) => this.unitWeights.map((w) => w[i]!)), this.phi.slice(1).map((p) => [p])],
      biases: [[...this.unitBiases], [this.phi[0]!]],
    };
  }
}

/**
 * argmin ||Φ φ - y||² + λ||φ||², and for λ = 0 the minimum-norm solution Φ⁺ y, through the eigen-
 * decomposition of the smaller Gram matrix (ΦᵀΦ when P ≤ N, else ΦΦᵀ). Directions with eigenvalue
 * below 1e-12 of the largest are dropped (they are rounding noise, not data).
 */
export function leastSquares(phi: readonly (readonly number[])[], y: readonly number[], ridge = 0): number[] {
  const N = phi.length;
  const P = phi[0]!.length;
  const solveSym = (G: number[][], b: number[]): number[] => {
    const n = G.length;
    const eig = symmetricEigen(mat(n, n, G.flat()));
    const cut = 1e-12 * Math.max(eig.values[0]!, 1e-300);
    const out = new Array<number>(n).fill(0);
    eig.values.forEach((lam, i) => {
      if (ridge === 0 && lam <= cut) return;
      let proj = 0;
      for (let k = 0; k < n; k++) proj += eig.vectors.data[k * n + i]! * b[k]!;
      const coef = proj / (lam + ridge);
      for (let k = 0; k < n; k++) out[k]! += coef * eig.vectors.data[k * n + i]!;
    });
    return out;
  };
  if (P <= N) {
    const G = Array.from({ length: P }, (_r, a) => Array.from({ length: P }, (_c, b) => phi.reduce((s, row) => s + row[a]! * row[b]!, 0)));
    const b = Array.from({ length: P }, (_r, a) => phi.reduce((s, row, i) => s + row[a]! * y[i]!, 0));
    return solveSym(G, b);
  }
  // φ = Φᵀ (ΦΦᵀ + λI)⁻¹ y: the same solution, from the N x N Gram matrix.
  const K = phi.map((ri) => phi.map((rj) => ri.reduce((s, v, p) => s + v * rj[p]!, 0)));
  const alpha = solveSym(K, [...y]);
  return Array.from({ length: P }, (_v, p) => phi.reduce((s, row, i) => s + row[p]! * alpha[i]!, 0));
}
