/**
 * Unigram and bigram baselines for a language model: p(t) and p(t_{n+1} | t_n) counted on the training
 * tokens with add-α smoothing, p = (count + α) / (total + α V). Their cross-entropy on held-out tokens
 * is what a transformer has to beat: the bigram knows exactly one token of context.
 */

export interface NgramResult {
  /** Mean −log p per held-out token (nats). */
  natsPerToken: number;
  /** The α used. */
  alpha: number;
}

/** Held-out cross-entropy of an add-α n-gram (order 1 or 2) fitted on `train`; the best α of `alphas` is used. */
export function ngramBaseline(train: ArrayLike<number>, heldOut: ArrayLike<number>, vocabSize: number, order: 1 | 2, alphas: readonly number[] = [0.01, 0.03, 0.1, 0.3, 1]): NgramResult {
  if (train.length < 2 || heldOut.length < 2) throw new Error('ngramBaseline: need at least two training and two held-out tokens');
  const V = vocabSize;
  const uni = new Float64Array(V);
  for (let i = 0; i < train.length; i++) uni[train[i]!]! += 1;
  const big = new Map<number, number>();
  const ctx = new Float64Array(V);
  if (order === 2) {
    for (let i = 0; i + 1 < train.length; i++) {
      const k = train[i]! * V + train[i + 1]!;
      big.set(k, (big.get(k) ?? 0) + 1);
      ctx[train[i]!]! += 1;
    }
  }
  let best: NgramResult = { natsPerToken: Infinity, alpha: NaN };
  for (const alpha of alphas) {
    let nll = 0;
    let count = 0;
    for (let i = order - 1; i < heldOut.length; i++) {
      const t = heldOut[i]!;
      if (t < 0 || t >= V) throw new Error(`ngramBaseline: token ${t} outside the vocabulary of ${V}`);
      let p: number;
      if (order === 1) p = (uni[t]! + alpha) / (train.length + alpha * V);
      else {
        const prev = heldOut[i - 1]!;
        p = ((big.get(prev * V + t) ?? 0) + alpha) / (ctx[prev]! + alpha * V);
      }
      nll -= Math.log(p);
      count++;
    }
    if (nll / count < best.natsPerToken) best = { natsPerToken: nll / count, alpha };
  }
  return best;
}

/** Nats per token to bits per character, given tokens per character of the same text. */
export function bitsPerChar(natsPerToken: number, tokensPerChar: number): number {
  return (natsPerToken * tokensPerChar) / Math.LN2;
}
