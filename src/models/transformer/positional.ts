/**
 * Positional information. Self-attention alone is permutation equivariant: permuting the input tokens
 * permutes the outputs the same way, so word order is lost. Three remedies (the lecture's list):
 *
 * - absolute, sinusoidal (Vaswani et al., 2017, §3.5): X' = X + P with
 *     P[n, 2i] = sin(n / 10000^{2i/D}),  P[n, 2i+1] = cos(n / 10000^{2i/D}),
 *   wavelengths from 2π to 10000·2π, so low dimensions resolve neighbours and high ones the gist of
 *   where in the sequence a token is;
 * - absolute, learned: P is a parameter [N_max, D] (GPT, BERT);
 * - relative: a learned scalar per head and per offset m − n added to the attention logits
 *   (Shaw et al., 2018; the per-head scalar form of Raffel et al., 2020), offsets clipped at ±R.
 */
import * as tf from '@tensorflow/tfjs';

/** The sinusoidal table P [n, d] of Vaswani et al. (2017). */
export function sinusoidalEncoding(n: number, d: number, base = 10000): tf.Tensor2D {
  if (!Number.isInteger(n) || n <= 0 || !Number.isInteger(d) || d <= 0) {
    throw new Error(`sinusoidalEncoding: n and d must be positive integers, got n = ${n}, d = ${d}`);
  }
  const P = new Float32Array(n * d);
  for (let pos = 0; pos < n; pos++) {
    for (let j = 0; j < d; j++) {
      const i = Math.floor(j / 2);
      const angle = pos / Math.pow(base, (2 * i) / d);
      P[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(P, [n, d]);
}

/**
 * One-hot of the clipped offset m − n for every (query n, key m): [N·N, 2R + 1]. Multiplying a learned
 * table [H, 2R+1] by its transpose gives the [H, N, N] relative terms as one matMul (no gather, whose
 * gradient the wasm backend lacks).
 */
export function relativeOffsetOneHot(n: number, maxDistance: number): tf.Tensor2D {
  const R = maxDistance;
  const width = 2 * R + 1;
  const oh = new Float32Array(n * n * width);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const off = Math.max(-R, Math.min(R, k - q));
      oh[(q * n + k) * width + off + R] = 1;
    }
  }
  return tf.tensor2d(oh, [n * n, width]);
}
