/**
 * Synthetic sequence tasks where attention is the whole story: each output position must fetch one
 * input position chosen by a rule, which self-attention with positional information can do in one layer.
 *
 * - 'reverse': y_n = x_{N−1−n} (the attention map is the anti-diagonal);
 * - 'sort': y = the sorted x (the map shows where each sorted symbol came from; harder: the query must
 *   find the symbol of the right rank).
 */
import * as tf from '@tensorflow/tfjs';
import { type RandomOptions, resolveRng } from '../rng-option';

export type SequenceTaskName = 'reverse' | 'sort';

export interface SequenceTaskOptions extends RandomOptions {
  task: SequenceTaskName;
  /** Number of sequences. */
  n: number;
  /** Length N of each sequence. */
  length: number;
  /** Symbols 0..symbols−1. */
  symbols: number;
}

/** Inputs x [n, N] and targets y [n, N], int32 (a type alias, so `keep()` accepts it as a record of tensors). */
export type SequenceTask = { x: tf.Tensor2D; y: tf.Tensor2D };

/** Seeded random sequences and their targets under the task's rule. */
export function makeSequenceTask(options: SequenceTaskOptions): SequenceTask {
  const { n, length: N, symbols: S, task } = options;
  for (const [k, v] of [['n', n], ['length', N], ['symbols', S]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`makeSequenceTask: ${k} must be a positive integer, got ${v}`);
  }
  if (task !== 'reverse' && task !== 'sort') throw new Error(`makeSequenceTask: task must be 'reverse' or 'sort', got "${String(task)}"`);
  const rng = resolveRng(options, 'makeSequenceTask');
  const x = new Int32Array(n * N);
  const y = new Int32Array(n * N);
  for (let i = 0; i < n; i++) {
    const seq = Array.from({ length: N }, () => rng.int(S));
    const out = task === 'reverse' ? [...seq].reverse() : [...seq].sort((a, b) => a - b);
    x.set(seq, i * N);
    y.set(out, i * N);
  }
  return { x: tf.tensor2d(x, [n, N], 'int32'), y: tf.tensor2d(y, [n, N], 'int32') };
}
