/**
 * Activations and gradients through a deep ReLU network at initialisation (lecture: "Parameter
 * initialisation"; He et al., 2015; Prince, Understanding Deep Learning, 2023, §7.5).
 *
 * Biases 0, weights Ω_k ~ N(0, σ²). A pre-activation of the next layer, j' = Σ_i Ω_i h_i with D_h
 * inputs, has variance σ² Σ_i E[h_i²] = σ² D_h σ_j²/2 (ReLU keeps half of a symmetric j's second
 * moment), so the variance is multiplied by D_h σ²/2 per layer: it explodes for σ² > 2/D_h, vanishes
 * for σ² < 2/D_h, and stays put for σ² = 2/D_h (He). The backward pass multiplies by Ω_kᵀ and
 * 𝟙[j > 0] in the same way, so gradients obey the same factor with the output width.
 *
 * `signalPropagation` measures this on a network of `depth` square layers of `width` units: the
 * variance (mean square; the mean is 0) of the pre-activations j_k of each layer over a batch of
 * standard-normal inputs, and of the gradient ∂l/∂j_k going backwards from a standard-normal ∂l/∂j_K.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';

export interface SignalPropagationConfig {
  /** Units per layer (square layers, so D_h = width). */
  width: number;
  /** Number of weight layers. */
  depth: number;
  /** Weight variance σ². */
  sigma2: number;
  /** Inputs pushed through. @default 256 */
  batch?: number;
  rng: Rng;
}

export interface SignalPropagation {
  /** Var[j_k] for k = 0..depth-1 (forward, first layer first). */
  forward: number[];
  /** Var[∂l/∂j_k] for k = depth-1 down to 0, listed from the first layer: backward[k] belongs to layer k. */
  backward: number[];
}

export function signalPropagation(config: SignalPropagationConfig): SignalPropagation {
  const { width, depth, sigma2, rng } = config;
  const batch = config.batch ?? 256;
  for (const [name, v] of [['width', width], ['depth', depth], ['batch', batch]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`signalPropagation: ${name} must be a positive integer, got ${v}`);
  }
  if (!(sigma2 > 0)) throw new Error(`signalPropagation: sigma2 must be positive, got ${sigma2}`);
  return tf.tidy(() => {
    const sd = Math.sqrt(sigma2);
    const omegas = Array.from({ length: depth }, () => tf.mul(rng.randn([width, width]), sd) as tf.Tensor2D);
    const pre: tf.Tensor2D[] = [];
    let h = rng.randn([batch, width]) as tf.Tensor2D;
    for (const w of omegas) {
      const j = tf.matMul(h, w) as tf.Tensor2D;
      pre.push(j);
      h = tf.relu(j) as tf.Tensor2D;
    }
    // Backward: ∂l/∂j_{k-1} = 𝟙[j_{k-1} > 0] ⊙ (∂l/∂j_k Ω_kᵀ).
    let g = rng.randn([batch, width]) as tf.Tensor2D;
    const grads: tf.Tensor2D[] = new Array(depth);
    grads[depth - 1] = g;
    for (let k = depth - 1; k > 0; k--) {
      g = tf.mul(tf.matMul(g, omegas[k]!, false, true), tf.step(pre[k - 1]!)) as tf.Tensor2D;
      grads[k - 1] = g;
    }
    const fwd = tf.stack(pre.map((j) => tf.mean(tf.square(j)))).dataSync();
    const bwd = tf.stack(grads.map((q) => tf.mean(tf.square(q)))).dataSync();
    return { forward: Array.from(fwd), backward: Array.from(bwd) };
  });
}
