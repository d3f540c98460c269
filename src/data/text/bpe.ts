/**
 * Byte-pair encoding (Sennrich, Haddow & Birch, 2016; byte-level as in GPT-2, Radford et al., 2019),
 * trained by the lecture's four steps:
 *
 *   1. start from the single symbols: here the 256 byte values (for ASCII text, such as the kit's
 *      corpus, a byte is a character);
 *   2. count the adjacent symbol pairs in the corpus;
 *   3. merge the most frequent pair into a new symbol (ties: the pair seen first in the corpus);
 *   4. repeat until the vocabulary has the size asked for.
 *
 * The rule for characters never seen in training: every text is UTF-8 bytes, and all 256 bytes are in
 * the base vocabulary, so an unseen character (é, 漢, an emoji) is encoded as its bytes and decodes back
 * exactly. There is no unknown token; `decode(encode(s)) === s` for every string.
 *
 * Before merging, text is split into chunks (a run of letters with an optional leading space, a run of
 * digits, a run of other symbols, whitespace), as GPT-2 does, and merges never cross a chunk boundary:
 * so " the" is one token, but no token spans the end of one word and the start of the next. Training
 * counts each distinct chunk once with its frequency, so its cost is set by the distinct words, not the
 * corpus length.
 */

/** Chunks that merges stay inside. The alternatives cover every character, so chunks partition the text. */
const CHUNK = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Number of base tokens: one per byte value. */
export const BYTE_TOKENS = 256;

/** A trained vocabulary: the ordered list of merges (token ids 256, 257, ... in merge order). */
export interface BpeVocabulary {
  /** Format tag, so a file from elsewhere is recognised. */
  format: 'genlab-bpe-1';
  /** merges[i] = [left, right]: token 256 + i is the concatenation of tokens left and right. */
  merges: Array<[number, number]>;
}

export interface BpeTrainOptions {
  /** Final vocabulary size V (256 byte tokens + V − 256 merges). */
  vocabSize: number;
  /** Called after each merge with the vocabulary size so far (for plots of the vocabulary growing). */
  onMerge?: (vocabSize: number, merged: string) => void;
}

/** Split text into the chunks merges stay inside. */
export function chunkText(text: string): string[] {
  return text.match(CHUNK) ?? [];
}

export class Bpe {
  /** merges[i] makes token 256 + i. */
  readonly merges: ReadonlyArray<readonly [number, number]>;
  /** Bytes of each token. */
  private readonly bytes: Uint8Array[];
  /** Rank (merge index) of each mergeable pair, keyed by left * 2^20 + right. */
  private readonly rank = new Map<number, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(merges: ReadonlyArray<readonly [number, number]>) {
    this.bytes = [];
    for (let b = 0; b < BYTE_TOKENS; b++) this.bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], i) => {
      const id = BYTE_TOKENS + i;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= id || b >= id) {
        throw new Error(`Bpe: merge ${i} = [${a}, ${b}] refers to a token not yet defined (token ${id} can only merge tokens 0..${id - 1})`);
      }
      const left = this.bytes[a]!;
      const right = this.bytes[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.bytes.push(joined);
      this.rank.set(pairKey(a, b), i);
    });
    this.merges = merges.map(([a, b]) => [a, b] as const);
  }

  /** Vocabulary size: 256 byte tokens plus one per merge. */
  get vocabSize(): number {
    return this.bytes.length;
  }

  /** Learn merges from `text` by the four steps above. */
  static train(text: string, options: BpeTrainOptions): Bpe {
    const V = options.vocabSize;
    if (!Number.isInteger(V) || V < BYTE_TOKENS) {
      throw new Error(`Bpe.train: vocabSize must be an integer >= ${BYTE_TOKENS} (the byte tokens), got ${V}`);
    }
    if (text.length === 0) throw new Error('Bpe.train: the corpus is empty; pass the training text (a non-empty string)');
    // Distinct chunks with their counts, each as a sequence of token ids (bytes to start: step 1).
    const counts = new Map<string, number>();
    for (const c of chunkText(text)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const words: number[][] = [];
    const freq: number[] = [];
    for (const [c, n] of counts) {
      words.push(Array.from(encoder.encode(c)));
      freq.push(n);
    }
    // Pair counts (step 2), kept up to date as merges change the words; firstSeen breaks ties.
    const pairCount = new Map<number, number>();
    const firstSeen = new Map<number, number>();
    let order = 0;
    const add = (key: number, n: number): void => {
      pairCount.set(key, (pairCount.get(key) ?? 0) + n);
      if (!firstSeen.has(key)) firstSeen.set(key, order++);
    };
    words.forEach((w, i) => {
      for (let j = 0; j + 1 < w.length; j++) add(pairKey(w[j]!, w[j + 1]!), freq[i]!);
    });
    // Which words hold each pair, so a merge only revisits those.
    const where = new Map<number, Set<number>>();
    words.forEach((w, i) => {
      for (let j = 0; j + 1 < w.length; j++) {
        const k = pairKey(w[j]!, w[j + 1]!);
        let s = where.get(k);
        if (s === undefined) where.set(k, (s = new Set()));
        s.add(i);
      }
    });
    const merges: Array<[number, number]> = [];
    let next = BYTE_TOKENS;
    while (next < V) {
      // Step 3: the most frequent pair (ties: first seen).
      let best = -1;
      let bestN = 0;
      for (const [k, n] of pairCount) {
        if (n > bestN || (n === bestN && n > 0 && firstSeen.get(k)! < firstSeen.get(best)!)) {
          best = k;
          bestN = n;
        }
      }
      if (best < 0 || bestN <= 0) break; // every chunk is one token: nothing left to merge
      const a = Math.floor(best / PAIR_BASE);
      const b = best % PAIR_BASE;
      merges.push([a, b]);
      const id = next++;
      for (const i of where.get(best) ?? []) {
        const w = words[i]!;
        const f = freq[i]!;
        // Remove this word's old pairs, merge, add its new pairs.
        for (let j = 0; j + 1 < w.length; j++) add(pairKey(w[j]!, w[j + 1]!), -f);
        const merged: number[] = [];
        for (let j = 0; j < w.length; j++) {
          if (j + 1 < w.length && w[j] === a && w[j + 1] === b) {
            merged.push(id);
            j++;
          } else merged.push(w[j]!);
        }
        words[i] = merged;
        for (let j = 0; j + 1 < merged.length; j++) {
          const k = pairKey(merged[j]!, merged[j + 1]!);
          add(k, f);
          let s = where.get(k);
          if (s === undefined) where.set(k, (s = new Set()));
          s.add(i);
        }
      }
      pairCount.delete(best);
      where.delete(best);
      if (options.onMerge) options.onMerge(next, decoder.decode(new Uint8Array([...tokenBytes(merges, a), ...tokenBytes(merges, b)])));
    }
    return new Bpe(merges);
  }

  /** Token ids of `text`: its chunks' bytes, merged by rank (earliest learned merge first). */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of chunkText(text)) {
      let ids = this.cache.get(c);
      if (ids === undefined) {
        ids = this.encodeChunk(Array.from(encoder.encode(c)));
        if (this.cache.size < 100_000) this.cache.set(c, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  private encodeChunk(ids: number[]): number[] {
    // Repeatedly apply the lowest-ranked merge present: the order training learned them in.
    for (;;) {
      let bestRank = Infinity;
      for (let j = 0; j + 1 < ids.length; j++) {
        const r = this.rank.get(pairKey(ids[j]!, ids[j + 1]!));
        if (r !== undefined && r < bestRank) bestRank = r;
      }
      if (bestRank === Infinity) return ids;
      const [a, b] = this.merges[bestRank]!;
      const id = BYTE_TOKENS + bestRank;
      const merged: number[] = [];
      for (let j = 0; j < ids.length; j++) {
        if (j + 1 < ids.length && ids[j] === a && ids[j + 1] === b) {
          merged.push(id);
          j++;
        } else merged.push(ids[j]!);
      }
      ids = merged;
    }
  }

  /** The text of token ids (their bytes, decoded as UTF-8). An id outside the vocabulary is an error. */
  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const b = this.bytes[id];
      if (!Number.isInteger(id) || b === undefined) {
        throw new Error(`Bpe.decode: unknown token id ${id} at position ${i}; ids run from 0 to ${this.vocabSize - 1} in this vocabulary`);
      }
      parts.push(b);
      n += b.length;
    }
    const all = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return decoder.decode(all);
  }

  /** The text of one token, for tables and plots. */
  token(id: number): string {
    return this.decode([id]);
  }

  /** Tokens per character of `text` (the lecture's trade-off: fewer tokens, larger vocabulary). */
  tokensPerChar(text: string): number {
    if (text.length === 0) throw new Error('Bpe.tokensPerChar: the text is empty');
    return this.encode(text).length / text.length;
  }

  /** The vocabulary as plain JSON (save with JSON.stringify). */
  toJSON(): BpeVocabulary {
    return { format: 'genlab-bpe-1', merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** A tokenizer from a saved vocabulary. */
  static fromJSON(v: BpeVocabulary): Bpe {
    if (v === null || typeof v !== 'object' || v.format !== 'genlab-bpe-1' || !Array.isArray(v.merges)) {
      throw new Error("Bpe.fromJSON: not a genlab BPE vocabulary (expected { format: 'genlab-bpe-1', merges: [[a, b], ...] })");
    }
    return new Bpe(v.merges);
  }

  /** The first `vocabSize` tokens of this vocabulary: merges are learned in order, so a prefix is the smaller BPE. */
  truncate(vocabSize: number): Bpe {
    if (!Number.isInteger(vocabSize) || vocabSize < BYTE_TOKENS || vocabSize > this.vocabSize) {
      throw new Error(`Bpe.truncate: vocabSize must be an integer in [${BYTE_TOKENS}, ${this.vocabSize}], got ${vocabSize}`);
    }
    return new Bpe(this.merges.slice(0, vocabSize - BYTE_TOKENS));
  }
}

const PAIR_BASE = 1 << 20;

function pairKey(a: number, b: number): number {
  return a * PAIR_BASE + b;
}

function tokenBytes(merges: ReadonlyArray<readonly [number, number]>, id: number): number[] {
  if (id < BYTE_TOKENS) return [id];
  const [a, b] = merges[id - BYTE_TOKENS]!;
  return [...tokenBytes(merges, a), ...tokenBytes(merges, b)];
}
