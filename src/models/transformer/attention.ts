/**
 * Scaled dot-product attention, the lecture's
 *
 *   Sa[X] = V[X] · Softmax[ K[X]ᵀ Q[X] / √D_q ]
 *
 * with tokens as columns (X is D × N, Softmax over each column: the keys m of one query n). Here tokens
 * are rows, as tensors are stored (X is N × D), so the same computation reads
 *
 *   Sa[X] = A V,   A = Softmax_rows[ Q Kᵀ / √D_q + B ],   A[n, m] = α[x_m, x_n],
 *
 * where row n of A holds the weights that output n gives to each input m: non-negative, summing to one
 * over m. B is an optional additive term on the logits: −∞ (here −1e9) above the diagonal for causal
 * masking (Radford et al., 2018), or learned relative-position terms (Shaw et al., 2018; Raffel et al.,
 * 2020). Everything is one batched matMul over [batch, heads]: no loop over heads or positions.
 */
import * as tf from '@tensorflow/tfjs';

export interface AttentionOptions {
  /** Additive logits term, broadcast to [B, H, N, N] (a mask of −1e9 entries, relative-position terms). */
  bias?: tf.Tensor;
  /** Scale of the logits. @default 1 / √D_q */
  scale?: number;
}

export interface AttentionResult {
  /** A V: [B, H, N, D_v]. */
  output: tf.Tensor4D;
  /** The weights A: [B, H, N_queries, N_keys], rows summing to one. */
  weights: tf.Tensor4D;
}

/** Attention of queries q [B, H, N, D_q] on keys k [B, H, M, D_q] and values v [B, H, M, D_v]. */
export function scaledDotProductAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options: AttentionOptions = {}): AttentionResult {
  const dq = q.shape[3];
  if (k.shape[3] !== dq) throw new Error(`attention: queries have D_q = ${dq} but keys have ${k.shape[3]}; they must match`);
  if (k.shape[2] !== v.shape[2]) throw new Error(`attention: ${k.shape[2]} keys but ${v.shape[2]} values; one value per key`);
  const scale = options.scale ?? 1 / Math.sqrt(dq);
  return tf.tidy(() => {
    let logits = tf.mul(tf.matMul(q, k, false, true), scale) as tf.Tensor4D;
    if (options.bias !== undefined) logits = tf.add(logits, options.bias);
    const weights = tf.softmax(logits) as tf.Tensor4D;
    return { output: tf.matMul(weights, v) as tf.Tensor4D, weights };
  });
}

/** [N, N] additive causal mask: 0 where key m ≤ query n, −1e9 above the diagonal (future keys). */
export function causalMask(n: number): tf.Tensor2D {
  return tf.tidy(() => {
    const lower = tf.linalg.bandPart(tf.ones([n, n]), -1, 0);
    return tf.mul(tf.sub(1, lower), -1e9) as tf.Tensor2D;
  });
}

/** The lecture's literal form for one head and one sequence, tokens as columns: for tests and the notebook. */
export function attentionColumns(X: number[][], omegaQ: number[][], omegaK: number[][], omegaV: number[][]): { out: number[][]; alpha: number[][] } {
  // X: D × N (columns are tokens); Ω: D_out × D. Q = Ω_q X, K = Ω_k X, V = Ω_v X (biases zero).
  const mul = (A: number[][], B: number[][]): number[][] => A.map((row) => B[0]!.map((_, j) => row.reduce((s, a, k) => s + a * B[k]![j]!, 0)));
  const Q = mul(omegaQ, X);
  const K = mul(omegaK, X);
  const V = mul(omegaV, X);
  const N = X[0]!.length;
  const Dq = Q.length;
  // alpha[m][n] = Softmax_m[K_mᵀ Q_n / √D_q]: one loop per output n, one per input m.
  const alpha: number[][] = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (let n = 0; n < N; n++) {
    const s: number[] = [];
    for (let m = 0; m < N; m++) {
      let dot = 0;
      for (let d = 0; d < Dq; d++) dot += K[d]![m]! * Q[d]![n]!;
      s.push(dot / Math.sqrt(Dq));
    }
    const mx = Math.max(...s);
    const e = s.map((x) => Math.exp(x - mx));
    const z = e.reduce((a, b) => a + b, 0);
    for (let m = 0; m < N; m++) alpha[m]![n] = e[m]! / z;
  }
  return { out: mul(V, alpha), alpha };
}
