/** Small measurements the notebook plots: softmax saturation against D_q, and embedding neighbours. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';

export interface Saturation {
  /** Mean over queries of the largest attention weight (1 = one-hot, saturated). */
  maxWeight: number;
  /** Mean norm of ∂(Σ_m α_m c_m)/∂q for random unit-variance keys and values c: the gradient that reaches the query. */
  gradNorm: number;
}

/**
 * For random unit-variance queries and keys of width D_q (the lecture's setting), the logit qᵀk has
 * variance D_q: unscaled, the softmax saturates as D_q grows and its gradient vanishes; divided by √D_q
 * the logits keep unit variance whatever D_q.
 */
export function attentionSaturation(dq: number, scaled: boolean, rng: Rng, keys = 16, queries = 256): Saturation {
  return tf.tidy(() => {
    const q = rng.randn([queries, dq]);
    const k = rng.randn([keys, dq]);
    const c = rng.randn([keys, 1]);
    const scale = scaled ? 1 / Math.sqrt(dq) : 1;
    const f = (qq: tf.Tensor): tf.Tensor => tf.matMul(tf.softmax(tf.mul(tf.matMul(qq, k, false, true), scale)), c);
    const w = tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale));
    const g = tf.grad((qq: tf.Tensor) => tf.sum(f(qq)))(q);
    return {
      maxWeight: tf.mean(tf.max(w, 1)).dataSync()[0]!,
      gradNorm: tf.mean(tf.norm(g, 'euclidean', 1)).dataSync()[0]!,
    };
  });
}

/** The k rows of `embedding` [V, D] most cosine-similar to row `id` (excluding itself), with similarities. */
export function nearestEmbeddings(embedding: tf.Tensor2D, id: number, k: number): Array<{ id: number; similarity: number }> {
  const V = embedding.shape[0];
  if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`nearestEmbeddings: token id ${id} outside [0, ${V - 1}]`);
  const sims = tf.tidy(() => {
    const unit = tf.div(embedding, tf.add(tf.norm(embedding, 'euclidean', 1, true), 1e-8));
    return tf.matMul(unit, tf.slice(unit, [id, 0], [1, -1]), false, true).dataSync();
  });
  return Array.from(sims, (s, i) => ({ id: i, similarity: s }))
    .filter((r) => r.id !== id)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
}
