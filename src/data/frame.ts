/**
 * danfo DataFrames for exploration, tensors for training: the bridge between the two.
 *
 * danfojs-node is required lazily: its first import takes about 2 s, which code that only wants tensors
 * (and every module importing the library) should not pay.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataFrame, Series } from 'danfojs-node';

type Danfo = typeof import('danfojs-node');
let danfoModule: Danfo | undefined;

/** The danfojs-node module, loaded on first use. */
export function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  danfoModule ??= require('danfojs-node') as Danfo;
  return danfoModule;
}

/** Options for {@link frameToTensor}. */
export interface FrameToTensorOptions {
  /** Columns to take, in this order (DataFrame only). @default every column */
  columns?: string[];
  /** Tensor dtype. @default 'float32' */
  dtype?: 'float32' | 'int32';
}

function isSeries(data: DataFrame | Series): data is Series {
  return data.constructor.name === 'Series' || data.ndim === 1;
}

function numeric(v: unknown, where: string): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`frameToTensor: ${where} holds ${JSON.stringify(v)}, not a number; ` +
    `select numeric columns with { columns: [...] } or encode it first`);
}

/**
 * A DataFrame as a `[rows, columns]` tensor, or a Series as a `[rows]` tensor. Non-numeric or missing
 * values are an error naming the column, not a NaN in the tensor.
 */
export function frameToTensor(data: DataFrame, options?: FrameToTensorOptions): tf.Tensor2D;
export function frameToTensor(data: Series, options?: FrameToTensorOptions): tf.Tensor1D;
export function frameToTensor(data: DataFrame | Series, options: FrameToTensorOptions = {}): tf.Tensor {
  const dtype = options.dtype ?? 'float32';
  if (isSeries(data)) {
    if (options.columns !== undefined) throw new Error('frameToTensor: { columns } applies to a DataFrame, not a Series');
    const values = data.values as unknown[];
    const name = String(data.columns[0] ?? 'series');
    const out = dtype === 'int32' ? new Int32Array(values.length) : new Float32Array(values.length);
    values.forEach((v, i) => (out[i] = numeric(v, `series "${name}", row ${i}`)));
    return tf.tensor1d(out, dtype);
  }
  const all = data.columns;
  const columns = options.columns ?? all;
  const idx = columns.map((c) => {
    const j = all.indexOf(c);
    if (j < 0) throw new Error(`frameToTensor: no column "${c}"; the frame has: ${all.join(', ')}`);
    return j;
  });
  const rows = data.values as unknown[][];
  const out = dtype === 'int32' ? new Int32Array(rows.length * idx.length) : new Float32Array(rows.length * idx.length);
  rows.forEach((row, i) => {
    idx.forEach((j, k) => (out[i * idx.length + k] = numeric(row[j], `column "${columns[k]}", row ${i}`)));
  });
  return tf.tensor2d(out, [rows.length, idx.length], dtype);
}
