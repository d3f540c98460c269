/**
 * Measures of a representation h(x) (rows: inputs, columns: units), for the representation-learning
 * lecture's table of codes: sparse but not distributed (one-hot, local), distributed but not sparse
 * (dense), sparse and distributed.
 *
 * A unit i is *active* on input x when |h_i(x)| > tau · s_i, where s_i = max over the inputs of |h_i|
 * (so the threshold follows each unit's own scale; a unit that is zero everywhere is never active).
 * From the 0/1 activity matrix A [n, units]:
 *
 * - `activeFraction`: per input, the fraction of units active, mean over inputs. Small = sparse
 *   (population sparsity; Willmore, Mazer & Gallant 2011). One-hot: 1/units; dense: near 1.
 * - `unitUsage`: per unit, the fraction of inputs on which it is active, mean over units (lifetime
 *   sparsity). One-hot with balanced clusters: 1/units.
 * - `activeUnits`: mean number of active units per input: 1 for a local code, more than one for a
 *   distributed code (each input described by a combination of units).
 * - `distinctPatterns`: how many different binary activity patterns the inputs produce, the regions the
 *   code separates on these data: at most `units` for a one-hot code, up to 2^units for a binary
 *   distributed one (the lecture's "n features with k values describe k^n concepts").
 *
 * Disentanglement (`disentanglement`): for codes z [n, d] of inputs with known generating factors
 * v [n, K], R_ik = |corr(z_i, v_k)| (Spearman's rank correlation by default, so a monotone but
 * nonlinear encoding still counts). For each factor, the gap between its best and second-best unit,
 * gap_k = R_(1)k - R_(2)k, averaged over factors: 1 when each factor is read off one unit and no other,
 * 0 when two units track it equally (e.g. a code rotated by 45°). It is the correlation analogue of the
 * mutual information gap (MIG; Chen, Li, Grosse & Duvenaud 2018), which normalises mutual information
 * instead and needs a discretisation.
 */
import * as tf from '@tensorflow/tfjs';

export interface ActivityOptions {
  /** Relative threshold tau: active when |h_i| > tau · max_x |h_i(x)|. @default 0.1 */
  tau?: number;
}

export interface CodeStatistics {
  /** Inputs n and units of the code. */
  n: number;
  units: number;
  /** Mean over inputs of the fraction of units active (population sparsity; small = sparse). */
  activeFraction: number;
  /** Mean over units of the fraction of inputs activating the unit (lifetime sparsity). */
  unitUsage: number;
  /** Mean number of active units per input (1 for a local code). */
  activeUnits: number;
  /** Units active on no input at all (dead units). */
  deadUnits: number;
  /** Number of distinct binary activity patterns over the inputs. */
  distinctPatterns: number;
  /** Fraction of inputs activating each unit, [units]. */
  usagePerUnit: number[];
}

function matrixOf(h: tf.Tensor2D | number[][], what: string): { data: ArrayLike<number>; n: number; d: number } {
  if (Array.isArray(h)) {
    const n = h.length;
    const d = n > 0 ? h[0]!.length : 0;
    if (h.some((r) => r.length !== d)) throw new Error(`${what}: every row must have the same length`);
    return { data: h.flat(), n, d };
  }
  if (h.rank !== 2) throw new Error(`${what}: expected a matrix [inputs, units], got shape [${h.shape}]`);
  return { data: h.dataSync(), n: h.shape[0], d: h.shape[1] };
}

/** 0/1 activity of each (input, unit) under the relative threshold tau (row-major [n, units]). */
export function activity(h: tf.Tensor2D | number[][], options: ActivityOptions = {}): { active: Uint8Array; n: number; units: number } {
  const tau = options.tau ?? 0.1;
  if (!(tau >= 0 && tau < 1)) throw new Error(`activity: tau must be in [0, 1), got ${tau}`);
  const { data, n, d } = matrixOf(h, 'activity');
  if (n < 1 || d < 1) throw new Error('activity: the code needs at least one input and one unit');
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j] = Math.max(scale[j]!, Math.abs(data[i * d + j]!));
  const active = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) active[i * d + j] = scale[j]! > 0 && Math.abs(data[i * d + j]!) > tau * scale[j]! ? 1 : 0;
  }
  return { active, n, units: d };
}

/** Sparsity and distributedness of a code h [inputs, units] (see the file comment). */
export function codeStatistics(h: tf.Tensor2D | number[][], options: ActivityOptions = {}): CodeStatistics {
  const { active, n, units } = activity(h, options);
  const usage = new Array<number>(units).fill(0);
  let activeTotal = 0;
  const patterns = new Set<string>();
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let j = 0; j < units; j++) {
      const a = active[i * units + j]!;
      usage[j]! += a;
      activeTotal += a;
      key += a ? '1' : '0';
    }
    patterns.add(key);
  }
  const usagePerUnit = usage.map((u) => u / n);
  return {
    n,
    units,
    activeFraction: activeTotal / (n * units),
    unitUsage: usagePerUnit.reduce((a, b) => a + b, 0) / units,
    activeUnits: activeTotal / n,
    deadUnits: usage.filter((u) => u === 0).length,
    distinctPatterns: patterns.size,
    usagePerUnit,
  };
}

/** Ranks 0..n-1 of `v` (ties share their mean rank), for Spearman's correlation. */
function ranks(v: Float64Array): Float64Array {
  const order = Array.from(v.keys()).sort((a, b) => v[a]! - v[b]!);
  const r = new Float64Array(v.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && v[order[e + 1]!] === v[order[s]!]) e++;
    for (let t = s; t <= e; t++) r[order[t]!] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  // A constant unit or factor carries no information about the other: correlation 0.
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export interface DisentanglementOptions {
  /** 'spearman' (rank; monotone encodings count) or 'pearson' (linear). @default 'spearman' */
  method?: 'spearman' | 'pearson';
}

export interface Disentanglement {
  /** Mean over factors of the gap between the best and second-best unit's |corr|: in [0, 1]. */
  score: number;
  /** The gap per factor. */
  gaps: number[];
  /** The unit that tracks each factor best. */
  bestUnit: number[];
  /** |corr(z_i, v_k)|, [units][factors]. */
  correlations: number[][];
}

/**
 * How much each factor of variation is carried by one code unit alone (see the file comment).
 * `codes` [n, units] (at least two units), `factors` [n, K].
 */
export function disentanglement(codes: tf.Tensor2D | number[][], factors: tf.Tensor2D | number[][], options: DisentanglementOptions = {}): Disentanglement {
  const z = matrixOf(codes, 'disentanglement (codes)');
  const v = matrixOf(factors, 'disentanglement (factors)');
  if (z.n !== v.n) throw new Error(`disentanglement: codes have ${z.n} rows and factors ${v.n}; give one row per input in both`);
  if (z.d < 2) throw new Error('disentanglement: need at least two code units (the score compares the best unit with the next)');
  if (z.n < 3) throw new Error('disentanglement: need at least 3 inputs to estimate correlations');
  const method = options.method ?? 'spearman';
  if (method !== 'spearman' && method !== 'pearson') throw new Error(`disentanglement: method must be 'spearman' or 'pearson', got "${String(method)}"`);
  const column = (m: { data: ArrayLike<number>; n: number; d: number }, j: number) => {
    const c = new Float64Array(m.n);
    for (let i = 0; i < m.n; i++) c[i] = m.data[i * m.d + j]!;
    return method === 'spearman' ? ranks(c) : c;
  };
  const zc = Array.from({ length: z.d }, (_, j) => column(z, j));
  const vc = Array.from({ length: v.d }, (_, k) => column(v, k));
  const correlations = zc.map((zi) => vc.map((vk) => Math.abs(pearson(zi, vk))));
  const gaps: number[] = [];
  const bestUnit: number[] = [];
  for (let k = 0; k < v.d; k++) {
    const col = correlations.map((row) => row[k]!);
    const order = Array.from(col.keys()).sort((a, b) => col[b]! - col[a]!);
    bestUnit.push(order[0]!);
    gaps.push(col[order[0]!]! - col[order[1]!]!);
  }
  return { score: gaps.reduce((a, b) => a + b, 0) / gaps.length, gaps, bestUnit, correlations };
}
