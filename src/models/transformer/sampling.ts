/**
 * Autoregressive generation (the lecture's "Autoregressive generation"): the decoder gives a distribution
 * over the next token; one is drawn, appended, and fed back. Temperature T divides the logits,
 * p ∝ exp(l / T): T → 0 tends to the argmax, T = 1 samples the model, T > 1 flattens; top-k keeps only
 * the k most likely tokens (Fan et al., 2018).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { TransformerModel } from './model';

export interface SamplingOptions {
  /** Temperature T ≥ 0; 0 means argmax. @default 1 */
  temperature?: number;
  /** Keep only the k most likely tokens (0: all). @default 0 */
  topK?: number;
}

/** Draw one index from logits by temperature and top-k. */
export function sampleLogits(logits: ArrayLike<number>, rng: Rng, options: SamplingOptions = {}): number {
  const T = options.temperature ?? 1;
  const k = options.topK ?? 0;
  if (!(T >= 0)) throw new Error(`sampleLogits: temperature must be >= 0, got ${T}`);
  if (!Number.isInteger(k) || k < 0) throw new Error(`sampleLogits: topK must be a non-negative integer, got ${k}`);
  const n = logits.length;
  if (n === 0) throw new Error('sampleLogits: no logits');
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
  if (T === 0) return best;
  let keep: number[] = Array.from({ length: n }, (_, i) => i);
  if (k > 0 && k < n) keep = keep.sort((a, b) => logits[b]! - logits[a]!).slice(0, k);
  const mx = logits[best]!;
  const w = keep.map((i) => Math.exp((logits[i]! - mx) / T));
  const z = w.reduce((a, b) => a + b, 0);
  let u = rng.random() * z;
  for (let j = 0; j < keep.length; j++) {
    u -= w[j]!;
    if (u < 0) return keep[j]!;
  }
  return keep[keep.length - 1]!;
}

/** Continue `prompt` by `steps` tokens; the context is cropped to the model's last N_max tokens. */
export function generate(model: TransformerModel, prompt: readonly number[], steps: number, rng: Rng, options: SamplingOptions = {}): number[] {
  if (!model.config.causal) throw new Error('generate: the model must be causal (a decoder)');
  if (prompt.length === 0) throw new Error('generate: the prompt is empty; give at least one token');
  const ids = [...prompt];
  const N = model.config.contextLength;
  for (let s = 0; s < steps; s++) {
    const ctx = ids.slice(-N);
    const last = tf.tidy(() => {
      const logits = model.logits([ctx]);
      return tf.slice(logits, [0, ctx.length - 1, 0], [1, 1, -1]).dataSync();
    });
    ids.push(sampleLogits(last, rng, options));
  }
  return ids.slice(prompt.length);
}
