/**
 * Deterministic train / validation / test split of n items, as index arrays.
 *
 * The test part is taken first, then the validation part is carved out of what remains (the training
 * part), as in the usual `train_test_split` twice: `val` is a fraction of the training part, not of n.
 */
import { RandomOptions, resolveRng } from './rng-option';

/** Options for {@link trainValTestSplit}. Pass `rng` or `seed`. */
export interface SplitOptions extends RandomOptions {
  /** Fraction of all n items held out for testing, in [0, 1). @default 0.2 */
  test?: number;
  /** Fraction of the training part (what is left after the test part) held out for validation, in [0, 1). @default 0.1 */
  val?: number;
}

/** Row indices of each part; disjoint, and together exactly 0..n-1. Each part is in shuffled order. */
export interface SplitIndices {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

function checkFraction(name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new Error(`trainValTestSplit: ${name} must be a fraction in [0, 1), got ${v}`);
}

/**
 * Split 0..n-1 at random into train / val / test. Sizes: test = round(n * test), val = round((n - test) *
 * val), train = the rest. The same seed gives the same split.
 */
export function trainValTestSplit(n: number, options: SplitOptions): SplitIndices {
  if (!Number.isInteger(n) || n < 1) throw new Error(`trainValTestSplit: n must be a positive integer, got ${n}`);
  const testFrac = options.test ?? 0.2;
  const valFrac = options.val ?? 0.1;
  checkFraction('test', testFrac);
  checkFraction('val', valFrac);
  const rng = resolveRng(options, 'trainValTestSplit');
  const nTest = Math.round(n * testFrac);
  const nVal = Math.round((n - nTest) * valFrac);
  if (n - nTest - nVal < 1) {
    throw new Error(`trainValTestSplit: no items left for training (n=${n}, test=${testFrac}, val=${valFrac})`);
  }
  const perm = rng.permutation(n);
  return {
    test: perm.slice(0, nTest),
    val: perm.slice(nTest, nTest + nVal),
    train: perm.slice(nTest + nVal),
  };
}

/** The rows of `rows` at `indices`, in that order. */
export function takeRows<T>(rows: readonly T[], indices: ArrayLike<number>): T[] {
  const out: T[] = new Array<T>(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = rows[indices[i]!];
    if (row === undefined) throw new Error(`takeRows: index ${indices[i]} out of range for ${rows.length} rows`);
    out[i] = row;
  }
  return out;
}

/** Options for {@link fewLabelSplit}. Pass `rng` or `seed`. */
export interface FewLabelOptions extends RandomOptions {
  /** Labelled examples to draw in all; spread over the classes as evenly as possible. */
  total: number;
  /** Number of classes (labels must lie in 0..nClasses-1). @default max label + 1 */
  nClasses?: number;
}

/**
 * Row indices of a stratified labelled subset: `total` items with every class as equally represented as
 * `total` allows (each class gets floor(total / C), and the remainder goes one each to classes chosen at
 * random), drawn at random within each class. For few-label experiments: 10 labels = one per digit.
 * The same seed gives the same subset; the indices come out in shuffled order (classes mixed).
 */
export function fewLabelSplit(labels: ArrayLike<number>, options: FewLabelOptions): Int32Array {
  const n = labels.length;
  const { total } = options;
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0) throw new Error(`fewLabelSplit: labels must be class indices 0, 1, ...; labels[${i}] = ${y}`);
    if (y > maxLabel) maxLabel = y;
  }
  const C = options.nClasses ?? maxLabel + 1;
  if (!Number.isInteger(C) || C < 1 || maxLabel >= C) {
    throw new Error(`fewLabelSplit: nClasses = ${C} but the labels go up to ${maxLabel}; pass nClasses > every label`);
  }
  if (!Number.isInteger(total) || total < 1 || total > n) {
    throw new Error(`fewLabelSplit: total must be an integer in 1..${n} (the number of labels), got ${total}`);
  }
  const rng = resolveRng(options, 'fewLabelSplit');
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]!]!.push(i);
  const quota = new Array<number>(C).fill(Math.floor(total / C));
  const extra = rng.permutation(C);
  for (let r = 0; r < total % C; r++) quota[extra[r]!]!++;
  const picked: number[] = [];
  for (let c = 0; c < C; c++) {
    const members = byClass[c]!;
    if (members.length < quota[c]!) {
      throw new Error(`fewLabelSplit: class ${c} has ${members.length} items, fewer than the ${quota[c]} asked for; lower total`);
    }
    const perm = rng.permutation(members.length);
    for (let t = 0; t < quota[c]!; t++) picked.push(members[perm[t]!]!);
  }
  const order = rng.permutation(picked.length);
  return Int32Array.from(order, (t) => picked[t]!);
}

/**
 * The rows whose label is one of `classes`, and their labels renumbered 0..classes.length-1 in the order
 * given (e.g. digits [5, 6, 7, 8, 9] become 0..4): a task made of some of the classes, for transfer.
 */
export function selectClasses(labels: ArrayLike<number>, classes: readonly number[]): { indices: Int32Array; labels: Int32Array } {
  if (classes.length === 0 || new Set(classes).size !== classes.length) {
    throw new Error(`selectClasses: classes must be a non-empty list without repeats, got [${classes}]`);
  }
  const code = new Map(classes.map((c, i) => [c, i]));
  const indices: number[] = [];
  const renamed: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = code.get(labels[i]!);
    if (c !== undefined) {
      indices.push(i);
      renamed.push(c);
    }
  }
  if (indices.length === 0) throw new Error(`selectClasses: no label is one of [${classes}]`);
  return { indices: Int32Array.from(indices), labels: Int32Array.from(renamed) };
}
