/**
 * A labelled task from unlabelled texts: windows of tokens drawn at random from each source, labelled
 * by the source (0, 1, ...). "Which text is this snippet from?" is an honest small classification task
 * whose labels cost nothing, for the notebook's fine-tuning experiment.
 */
import * as tf from '@tensorflow/tfjs';
import { type RandomOptions, resolveRng } from '../rng-option';

export interface SnippetOptions extends RandomOptions {
  /** Tokens per snippet. */
  length: number;
  /** Snippets per source. */
  perSource: number;
}

/** Snippets [S · perSource, length] from each source's token ids, shuffled, with labels [S · perSource]. */
export function sourceSnippets(sources: ReadonlyArray<ArrayLike<number>>, options: SnippetOptions): { tokens: tf.Tensor2D; labels: tf.Tensor1D } {
  const { length: L, perSource } = options;
  if (sources.length < 2) throw new Error('sourceSnippets: give at least two sources');
  if (!Number.isInteger(L) || L <= 0 || !Number.isInteger(perSource) || perSource <= 0) {
    throw new Error(`sourceSnippets: length and perSource must be positive integers, got ${L}, ${perSource}`);
  }
  const rng = resolveRng(options, 'sourceSnippets');
  const rows: Array<{ ids: number[]; label: number }> = [];
  sources.forEach((ids, label) => {
    if (ids.length < L) throw new Error(`sourceSnippets: source ${label} has ${ids.length} tokens, fewer than one snippet of ${L}`);
    for (let i = 0; i < perSource; i++) {
      const start = rng.int(ids.length - L + 1);
      rows.push({ ids: Array.from({ length: L }, (_, j) => ids[start + j]!), label });
    }
  });
  const order = rng.permutation(rows.length);
  const tokens = new Int32Array(rows.length * L);
  const labels = new Int32Array(rows.length);
  order.forEach((r, i) => {
    tokens.set(rows[r]!.ids, i * L);
    labels[i] = rows[r]!.label;
  });
  return { tokens: tf.tensor2d(tokens, [rows.length, L], 'int32'), labels: tf.tensor1d(labels, 'int32') };
}
