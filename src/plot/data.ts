/**
 * What the builders accept as data, and how it becomes plain number arrays for the figure JSON.
 *
 * Tensors, plain arrays, typed arrays and danfo Series/DataFrames are all welcome. Tensors and danfo
 * objects are recognised by their shape (duck typing), so the plot module never imports danfo (a 2 s
 * load) and reads tensors with `dataSync()` only: no tensor is created, so none can leak, and the
 * caller's tensors are never disposed.
 */
import type { Tensor } from '@tensorflow/tfjs';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

/** A danfo Series, as far as plotting needs it. */
export interface SeriesLike {
  readonly values: readonly unknown[];
  readonly index: readonly (string | number)[];
}

/**
 * A danfo DataFrame, as far as plotting needs it. (danfo types `values` as 1-D or 2-D for both
 * DataFrame and Series; which one it is shows at run time, see `isDataFrameLike`.)
 */
export interface DataFrameLike {
  readonly values: readonly unknown[];
  readonly columns: readonly string[];
  readonly index: readonly (string | number)[];
}

/** The rows of a DataFrame (its `values`, known to be 2-D once `isDataFrameLike` said so). */
export function frameRows(df: DataFrameLike): readonly (readonly unknown[])[] {
  return df.values as readonly (readonly unknown[])[];
}

/** A vector of numbers: a rank-1 tensor (or [n,1]/[1,n]), an array, a typed array or a Series. */
export type VectorInput = Tensor | readonly number[] | TypedArray | SeriesLike;

/** A matrix: a rank-2 tensor, rows of numbers, or a DataFrame. */
export type MatrixInput = Tensor | readonly (readonly number[])[] | DataFrameLike;

/** A plain matrix: `values[i * cols + j]`, row-major. */
export interface PlainMatrix {
  rows: number;
  cols: number;
  values: number[];
  /** Column names, when the input had them (a DataFrame). */
  columns?: string[];
}

export function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null &&
    typeof (x as { dataSync?: unknown }).dataSync === 'function' &&
    Array.isArray((x as { shape?: unknown }).shape) &&
    typeof (x as { dtype?: unknown }).dtype === 'string';
}

export function isDataFrameLike(x: unknown): x is DataFrameLike {
  if (typeof x !== 'object' || x === null || isTensor(x)) return false;
  const o = x as { values?: unknown; columns?: unknown; index?: unknown; ndim?: unknown };
  if (!Array.isArray(o.values) || !Array.isArray(o.columns) || !Array.isArray(o.index)) return false;
  // A danfo Series also has `columns` (its name); it is 1-D.
  if (o.ndim === 1) return false;
  return o.values.length === 0 || Array.isArray(o.values[0]);
}

export function isSeriesLike(x: unknown): x is SeriesLike {
  if (typeof x !== 'object' || x === null || isTensor(x) || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const o = x as { values?: unknown; index?: unknown };
  return Array.isArray(o.values) && Array.isArray(o.index) && !isDataFrameLike(x);
}

/**
 * float32 values carry ~7 significant digits; printing all 17 of their double expansion
 * (0.30000001192092896) only bloats the figure JSON.
 */
function roundF32(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(7));
}

function tensorValues(t: Tensor, what: string): number[] {
  if (t.isDisposed) throw new Error(`${what}: the tensor was already disposed`);
  if (t.dtype === 'string' || t.dtype === 'complex64') throw new Error(`${what}: cannot plot a ${t.dtype} tensor`);
  const data = t.dataSync() as TypedArray;
  return t.dtype === 'float32' ? Array.from(data, roundF32) : Array.from(data);
}

function toNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN; // a gap, drawn as such
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`${what}: expected numbers, found ${JSON.stringify(v)}`);
}

/** A vector input as a plain array of numbers (NaN for missing values). */
export function toVector(x: VectorInput, what = 'data'): number[] {
  if (isTensor(x)) {
    const big = x.shape.filter((d) => d !== 1);
    if (big.length > 1) throw new Error(`${what}: expected a vector, got a tensor of shape [${x.shape.join(', ')}]`);
    return tensorValues(x, what);
  }
  if (x instanceof Float32Array) return Array.from(x, roundF32);
  if (ArrayBuffer.isView(x)) return Array.from(x as TypedArray);
  if (Array.isArray(x)) return (x as readonly unknown[]).map((v) => toNumber(v, what));
  if (isDataFrameLike(x)) {
    if (x.columns.length !== 1) throw new Error(`${what}: expected a vector, got a DataFrame with ${x.columns.length} columns`);
    return frameRows(x).map((row) => toNumber(row[0], what));
  }
  if (isSeriesLike(x)) return x.values.map((v) => toNumber(v, what));
  throw new Error(`${what}: expected a tensor, an array, a typed array or a danfo Series`);
}

/** Labels (class ids or names) as plain numbers or strings. */
export function toLabels(x: VectorInput | readonly string[] | readonly (string | number)[], what = 'labels'): (string | number)[] {
  if (Array.isArray(x)) {
    return (x as readonly unknown[]).map((v) => (typeof v === 'string' ? v : toNumber(v, what)));
  }
  if (isSeriesLike(x)) return x.values.map((v) => (typeof v === 'string' ? v : toNumber(v, what)));
  return toVector(x as VectorInput, what);
}

/** A matrix input as a plain row-major matrix. */
export function toMatrix(x: MatrixInput, what = 'data'): PlainMatrix {
  if (isTensor(x)) {
    if (x.shape.length !== 2) throw new Error(`${what}: expected a rank-2 tensor, got shape [${x.shape.join(', ')}]`);
    return { rows: x.shape[0] ?? 0, cols: x.shape[1] ?? 0, values: tensorValues(x, what) };
  }
  if (isDataFrameLike(x)) {
    const rows = x.values.length;
    const data = frameRows(x);
    const cols = x.columns.length;
    const values = new Array<number>(rows * cols);
    data.forEach((row, i) => {
      for (let j = 0; j < cols; j++) values[i * cols + j] = toNumber(row[j], `${what} (column ${x.columns[j]})`);
    });
    return { rows, cols, values, columns: [...x.columns] };
  }
  if (Array.isArray(x)) {
    const rowsIn = x as readonly (readonly number[])[];
    const cols = rowsIn[0]?.length ?? 0;
    const values: number[] = [];
    rowsIn.forEach((row, i) => {
      if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw new Error(`${what}: expected rows of numbers`);
      if (row.length !== cols) throw new Error(`${what}: row ${i} has ${row.length} values, row 0 has ${cols}`);
      for (const v of row as readonly unknown[]) values.push(toNumber(v, what));
    });
    return { rows: rowsIn.length, cols, values };
  }
  throw new Error(`${what}: expected a rank-2 tensor, an array of rows or a danfo DataFrame`);
}

/** Column j of a plain matrix. */
export function column(m: PlainMatrix, j: number): number[] {
  const out = new Array<number>(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.values[i * m.cols + j] as number;
  return out;
}

/** 0, 1, ..., n-1. */
export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/** n evenly spaced numbers from a to b (both included). */
export function linspace(a: number, b: number, n: number): number[] {
  if (n < 2) return [a];
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** Indices that sort `v` ascending (NaN last). */
export function argsort(v: readonly number[]): number[] {
  return range(v.length).sort((i, j) => {
    const a = v[i] as number;
    const b = v[j] as number;
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  });
}

/** Throws unless every named vector has length n. */
export function checkLengths(n: number, named: Record<string, readonly unknown[] | undefined>, where: string): void {
  for (const [name, v] of Object.entries(named)) {
    if (v !== undefined && v.length !== n) {
      throw new Error(`${where}: ${name} has ${v.length} values, expected ${n}`);
    }
  }
}

/** [min, max] over the finite values, or [NaN, NaN] when there are none. (A loop: spreading a long array into Math.min overflows the stack.) */
export function finiteExtent(v: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of v) {
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  return Number.isFinite(lo) ? [lo, hi] : [NaN, NaN];
}

/** True for a record of named vectors (`{ train: [...], test: [...] }`), false for a single vector. */
export function isNamedVectors<T>(o: VectorInput | Readonly<Record<string, T>>): o is Readonly<Record<string, T>> {
  if (typeof o !== 'object' || o === null || Array.isArray(o) || ArrayBuffer.isView(o)) return false;
  return !isTensor(o) && !isSeriesLike(o) && !isDataFrameLike(o);
}
