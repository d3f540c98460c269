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
