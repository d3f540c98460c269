/**
 * A ReLU network as plain float64 arrays: what the hand-written backpropagation (backprop.ts) and the
 * exact linear-region counting (analysis/regions.ts) read. The lecture's network with K hidden layers,
 *
 *   j_0 = β_0 + Ω_0 x,   h_k = ReLU[j_{k-1}],   j_k = β_k + Ω_k h_k   (k = 1..K),   output = j_K,
 *
 * stored the way `MLP` stores it (weights `[in][out]`, so row vectors times matrices): `weights[k]`
 * is Ω_kᵀ, `biases[k]` is β_k. Hidden units are ReLU, the output is linear.
 */
import type { MLP } from './mlp';
import type { Rng } from '../runtime/rng';

export interface DenseArrays {
  /** Weight matrices, `weights[k][i][o]` from unit i of layer k to unit o of layer k + 1. */
  weights: number[][][];
  /** Bias vectors, `biases[k][o]`. */
  biases: number[][];
}

/** Check shapes: consecutive layers must agree; returns the widths [D_0, D_1, ..., D_out]. */
export function denseWidths(net: DenseArrays, who = 'DenseArrays'): number[] {
  const { weights, biases } = net;
  if (!Array.isArray(weights) || weights.length === 0 || weights.length !== biases?.length) {
    throw new Error(`${who}: need one weight matrix and one bias vector per layer (got ${weights?.length} and ${biases?.length})`);
  }
  const widths = [weights[0]!.length];
  weights.forEach((w, k) => {
    const out = biases[k]!.length;
    if (w.length !== widths[k] || w.some((row) => row.length !== out)) {
      throw new Error(`${who}: weights[${k}] must be [${widths[k]}][${out}] to match the layer before and biases[${k}]`);
    }
    widths.push(out);
  });
  return widths;
}

/** The weights of an `MLP` with ReLU hidden units and a linear output, copied into float64 arrays. */
export function denseArraysOf(mlp: MLP): DenseArrays {
  if (mlp.activation !== 'relu' || mlp.outputActivation !== 'linear') {
    throw new Error(`denseArraysOf: needs ReLU hidden units and a linear output, got ${mlp.activation} / ${mlp.outputActivation}`);
  }
  const weights = mlp.weights.map((w) => {
    const [rows, cols] = w.shape as [number, number];
    const v = w.dataSync();
    return Array.from({ length: rows }, (_r, i) => Array.from({ length: cols }, (_c, j) => v[i * cols + j]!));
  });
  return { weights, biases: mlp.biases.map((b) => Array.from(b.dataSync())) };
}

/** Number of weights and biases. */
export function parameterCount(net: DenseArrays): number {
  return net.weights.reduce((s, w, k) => s + w.length * (w[0]?.length ?? 0) + net.biases[k]!.length, 0);
}

/** The network's output for one input (float64). */
export function evaluateDense(net: DenseArrays, x: readonly number[]): number[] {
  let h: readonly number[] = x;
  const L = net.weights.length;
  for (let k = 0; k < L; k++) {
    const w = net.weights[k]!;
    const j = [...net.biases[k]!];
    for (let i = 0; i < h.length; i++) {
      const hi = h[i]!;
      if (hi === 0) continue;
      const row = w[i]!;
      for (let o = 0; o < j.length; o++) j[o]! += hi * row[o]!;
    }
    h = k + 1 < L ? j.map((v) => (v > 0 ? v : 0)) : j;
  }
  return [...h];
}

/** All parameters in one vector, layer by layer (W_0 row-major, b_0, W_1, b_1, ...): what optimisers move. */
export function flattenDense(net: DenseArrays): Float64Array {
  const out = new Float64Array(parameterCount(net));
  let p = 0;
  net.weights.forEach((w, k) => {
    for (const row of w) for (const v of row) out[p++] = v;
    for (const v of net.biases[k]!) out[p++] = v;
  });
  return out;
}

/** A network shaped like `like` holding the parameters `theta` (the inverse of `flattenDense`). */
export function unflattenDense(like: DenseArrays, theta: ArrayLike<number>): DenseArrays {
  const n = parameterCount(like);
  if (theta.length !== n) throw new Error(`unflattenDense: the network has ${n} parameters, theta has ${theta.length}`);
  let p = 0;
  const weights: number[][][] = [];
  const biases: number[][] = [];
  like.weights.forEach((w, k) => {
    weights.push(w.map((row) => row.map(() => theta[p++]!)));
    biases.push(like.biases[k]!.map(() => theta[p++]!));
  });
  return { weights, biases };
}

/**
 * The network x ↦ second(first(x)) as one deeper network: first's linear output layer and second's
 * first layer multiply into one layer (lecture: "two connected shallow networks" are a deep network
 * with W = Θ' φ and β = Θ'_0 + Θ' φ_0).
 */
export function composeDense(first: DenseArrays, second: DenseArrays): DenseArrays {
  const w1 = denseWidths(first, 'composeDense (first)');
  const w2 = denseWidths(second, 'composeDense (second)');
  if (w1[w1.length - 1] !== w2[0]) throw new Error(`composeDense: the first network has ${w1[w1.length - 1]} outputs, the second takes ${w2[0]} inputs`);
  const L = first.weights.length - 1;
  const A = first.weights[L]!; // [hidden][mid]
  const a = first.biases[L]!; // [mid]
  const B = second.weights[0]!; // [mid][out]
  const b = second.biases[0]!;
  const merged = A.map((row) => B[0]!.map((_v, o) => row.reduce((s, r, m) => s + r * B[m]![o]!, 0)));
  const bias = b.map((bo, o) => a.reduce((s, am, m) => s + am * B[m]![o]!, bo));
  return {
    weights: [...first.weights.slice(0, L).map((w) => w.map((r) => [...r])), merged, ...second.weights.slice(1).map((w) => w.map((r) => [...r]))],
    biases: [...first.biases.slice(0, L).map((v) => [...v]), bias, ...second.biases.slice(1).map((v) => [...v])],
  };
}

/**
 * A random ReLU network as arrays: He-normal weights N(0, 2/D_in) and biases N(0, biasStd²). Random
 * biases matter for region counts: with zero biases every first-layer joint of a 1-D network sits at
 * x = 0 (Hanin & Rolnick, 2019, draw biases the same way).
 */
export function randomDense(sizes: readonly number[], rng: Rng, biasStd = 0.5): DenseArrays {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`randomDense: sizes must list at least two positive integer widths, got ${JSON.stringify(sizes)}`);
  const weights: number[][][] = [];
  const biases: number[][] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const sd = Math.sqrt(2 / sizes[k]!);
    weights.push(Array.from({ length: sizes[k]! }, () => Array.from({ length: sizes[k + 1]! }, () => sd * rng.normal())));
    biases.push(Array.from({ length: sizes[k + 1]! }, () => biasStd * rng.normal()));
  }
  return { weights, biases };
}
