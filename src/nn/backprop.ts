/**
 * Backpropagation by hand, in plain float64 arrays: the reference the notebook checks TensorFlow.js's
 * automatic differentiation against (lecture: "Backpropagation algorithm"; Prince, Understanding Deep
 * Learning, 2023, §7.4).
 *
 * Forward pass: store every pre-activation and activation,
 *   j_0 = β_0 + Ω_0 x,   h_k = a[j_{k-1}],   j_k = β_k + Ω_k h_k   (k = 1..K),   f = j_K.
 * Backward pass: start from ∂l/∂j_K = ∂l/∂f and walk down,
 *   ∂l/∂β_k = ∂l/∂j_k,   ∂l/∂Ω_k = ∂l/∂j_k h_kᵀ,   ∂l/∂j_{k-1} = a'[j_{k-1}] ⊙ Ω_kᵀ ∂l/∂j_k,
 * with a = ReLU, a'[j] = 𝟙[j > 0], and h_0 = x for the first layer.
 * Here weights are stored `[in][out]` (dense-arrays.ts), so `weights[k][i][o]` is (Ω_k)_{oi}.
 */
import * as tf from '@tensorflow/tfjs';
import { type DenseArrays, denseWidths, flattenDense, unflattenDense } from './dense-arrays';
import type { MLP } from './mlp';

/** What the forward pass keeps for the backward pass. */
export interface ForwardCache {
  /** h_k for k = 0..K: the input, then each hidden layer's activations. */
  activations: number[][];
  /** j_k for k = 0..K: each layer's pre-activations; the last is the output f. */
  preactivations: number[][];
}

/** Gradients shaped like the network: `weights[k][i][o]` = ∂l/∂weights[k][i][o]. */
export type DenseGradients = DenseArrays;

/** The forward pass for one input, keeping pre-activations j_k and activations h_k. */
export function forwardPass(net: DenseArrays, x: readonly number[]): ForwardCache {
  const widths = denseWidths(net, 'forwardPass');
  if (x.length !== widths[0]) throw new Error(`forwardPass: the network takes ${widths[0]} inputs, x has ${x.length}`);
  const activations: number[][] = [[...x]];
  const preactivations: number[][] = [];
  const K = net.weights.length - 1;
  for (let k = 0; k <= K; k++) {
    const h = activations[k]!;
    const w = net.weights[k]!;
    const j = [...net.biases[k]!];
    for (let i = 0; i < h.length; i++) for (let o = 0; o < j.length; o++) j[o]! += h[i]! * w[i]![o]!;
    preactivations.push(j);
    if (k < K) activations.push(j.map((v) => (v > 0 ? v : 0)));
  }
  return { activations, preactivations };
}

/** The backward pass for one input: all parameter gradients from ∂l/∂f. */
export function backwardPass(net: DenseArrays, cache: ForwardCache, dLdf: readonly number[]): DenseGradients {
  const K = net.weights.length - 1;
  if (dLdf.length !== cache.preactivations[K]!.length) throw new Error(`backwardPass: ∂l/∂f has ${dLdf.length} entries, the network has ${cache.preactivations[K]!.length} outputs`);
  const weights: number[][][] = new Array(K + 1);
  const biases: number[][] = new Array(K + 1);
  let g = [...dLdf]; // ∂l/∂j_k
  for (let k = K; k >= 0; k--) {
    const h = cache.activations[k]!;
    biases[k] = [...g];
    weights[k] = h.map((hi) => g.map((go) => go * hi)); // (∂l/∂j_k) h_kᵀ, stored [in][out]
    if (k > 0) {
      const w = net.weights[k]!;
      const jPrev = cache.preactivations[k - 1]!;
      g = jPrev.map((jv, i) => {
        if (!(jv > 0)) return 0; // ReLU'(j) = 𝟙[j > 0]
        let s = 0;
        const row = w[i]!;
        for (let o = 0; o < g.length; o++) s += row[o]! * g[o]!;
        return s;
      });
    }
  }
  return { weights, biases };
}

/**
 * The least-squares loss L = (1/N) Σ_i ||f(x_i) - y_i||² over a batch and its gradient, summed over
 * examples by backpropagation one example at a time (∂l_i/∂f = 2 (f(x_i) - y_i) / N).
 */
export function squaredLossGradient(net: DenseArrays, xs: readonly (readonly number[])[], ys: readonly (readonly number[])[]): { loss: number; gradients: DenseGradients } {
  if (xs.length === 0 || xs.length !== ys.length) throw new Error(`squaredLossGradient: need as many targets as inputs (at least one), got ${xs.length} and ${ys.length}`);
  const n = xs.length;
  const acc = flattenDense(net).fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const cache = forwardPass(net, xs[i]!);
    const f = cache.preactivations[cache.preactivations.length - 1]!;
    const y = ys[i]!;
    if (y.length !== f.length) throw new Error(`squaredLossGradient: target ${i} has ${y.length} values, the network has ${f.length} outputs`);
    const dLdf = f.map((v, d) => (2 * (v - y[d]!)) / n);
    loss += f.reduce((s, v, d) => s + (v - y[d]!) ** 2, 0) / n;
    const g = flattenDense(backwardPass(net, cache, dLdf));
    for (let p = 0; p < acc.length; p++) acc[p]! += g[p]!;
  }
  return { loss, gradients: unflattenDense(net, acc) };
}

/** The least-squares loss alone (no gradient): for finite differences and line plots. */
export function squaredLoss(net: DenseArrays, xs: readonly (readonly number[])[], ys: readonly (readonly number[])[]): number {
  let loss = 0;
  for (let i = 0; i < xs.length; i++) {
    const f = forwardPass(net, xs[i]!).preactivations.at(-1)!;
    loss += f.reduce((s, v, d) => s + (v - ys[i]![d]!) ** 2, 0);
  }
  return loss / xs.length;
}

/**
 * Central finite differences (L(θ + h e_p) - L(θ - h e_p)) / 2h of the least-squares loss for every
 * parameter p: the independent check of the backward pass (error O(h²) plus rounding O(ε/h)).
 */
export function finiteDifferenceGradient(net: DenseArrays, xs: readonly (readonly number[])[], ys: readonly (readonly number[])[], h = 1e-5): DenseGradients {
  const theta = flattenDense(net);
  const out = new Float64Array(theta.length);
  for (let p = 0; p < theta.length; p++) {
    const t0 = theta[p]!;
    theta[p] = t0 + h;
    const up = squaredLoss(unflattenDense(net, theta), xs, ys);
    theta[p] = t0 - h;
    const down = squaredLoss(unflattenDense(net, theta), xs, ys);
    theta[p] = t0;
    out[p] = (up - down) / (2 * h);
  }
  return unflattenDense(net, out);
}

/**
 * The same gradient by TensorFlow.js's reverse-mode autodiff (`tf.variableGrads`) on the `MLP` itself,
 * in float32: what the hand-written pass is compared with. Frees every tensor it makes.
 */
export function autodiffSquaredLossGradient(mlp: MLP, xs: readonly (readonly number[])[], ys: readonly (readonly number[])[]): { loss: number; gradients: DenseGradients } {
  const vars = mlp.variables();
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor2d(xs.map((r) => [...r]));
    const y = tf.tensor2d(ys.map((r) => [...r]));
    return tf.variableGrads(() => tf.mean(tf.sum(tf.square(tf.sub(mlp.apply(x), y)), 1)) as tf.Scalar, vars);
  });
  const loss = value.dataSync()[0]!;
  const weights: number[][][] = [];
  const biases: number[][] = [];
  mlp.weights.forEach((w, k) => {
    const gw = grads[w.name]!;
    const [rows, cols] = gw.shape as [number, number];
    const v = gw.dataSync();
    weights.push(Array.from({ length: rows }, (_r, i) => Array.from({ length: cols }, (_c, j) => v[i * cols + j]!)));
    biases.push(Array.from(grads[mlp.biases[k]!.name]!.dataSync()));
  });
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, gradients: { weights, biases } };
}

/** The least-squares loss of a network shaped like `like`, as functions of its flat parameter vector θ. */
export interface SquaredLossObjective {
  /** L(θ) over all examples, or over the examples `indices`. */
  loss(theta: ArrayLike<number>, indices?: ArrayLike<number>): number;
  /** ∂L/∂θ by backpropagation, over all examples or the examples `indices` (a minibatch). */
  gradient(theta: ArrayLike<number>, indices?: ArrayLike<number>): Float64Array;
}

/**
 * θ ↦ L(θ) and θ ↦ ∂L/∂θ for the optimisers (optim/): the network's parameters flattened in the order
 * of `flattenDense`. A network with no hidden layer is plain linear regression.
 */
export function squaredLossObjective(like: DenseArrays, xs: readonly (readonly number[])[], ys: readonly (readonly number[])[]): SquaredLossObjective {
  const pick = <T>(rows: readonly T[], indices?: ArrayLike<number>): T[] => (indices === undefined ? [...rows] : Array.from(indices, (i) => rows[i]!));
  return {
    loss: (theta, indices) => squaredLoss(unflattenDense(like, theta), pick(xs, indices), pick(ys, indices)),
    gradient: (theta, indices) => flattenDense(squaredLossGradient(unflattenDense(like, theta), pick(xs, indices), pick(ys, indices)).gradients),
  };
}
