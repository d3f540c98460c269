/**
 * What every 2-D toy set shares: options for randomness, noise and standardisation, and the result type.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../runtime/rng';
import { RandomOptions, resolveRng } from '../rng-option';
import { StandardScaler } from '../scaler';

/** Options every toy set takes. Pass `rng` or `seed`. */
export interface ToyOptions extends RandomOptions {
  /** Standardise each coordinate to mean 0, std 1 over the sample; the fitted scaler is returned. @default false */
  standardize?: boolean;
}

/** A toy sample: points `[n, 2]` float32, and labels `[n]` int32 where the set has classes. */
export interface ToyData {
  x: tf.Tensor2D;
  labels?: tf.Tensor1D;
  /** The scaler applied when `standardize` was set (`inverseTransform` maps back to the raw coordinates). */
  scaler?: StandardScaler;
  /** Dispose the tensors. */
  dispose(): void;
}

/** Start of every generator: check n and noise, get the generator. */
export function toyStart(fn: string, n: number, noise: number, options: RandomOptions): Rng {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: n must be a positive integer, got ${n}`);
  if (!(noise >= 0)) throw new Error(`${fn}: noise must be a standard deviation >= 0, got ${noise}`);
  return resolveRng(options, fn);
}

/** Shuffle points (pairs in `xy`) and their labels together, in place (Fisher-Yates via `rng.permutation`). */
export function shufflePoints(xy: Float64Array, labels: Int32Array, rng: Rng): void {
  const n = labels.length;
  const perm = rng.permutation(n);
  const xy0 = xy.slice();
  const l0 = labels.slice();
  for (let i = 0; i < n; i++) {
    const k = perm[i]!;
    xy[2 * i] = xy0[2 * k]!;
    xy[2 * i + 1] = xy0[2 * k + 1]!;
    labels[i] = l0[k]!;
  }
}

/** Wrap computed points (and labels) as tensors, standardising first if asked. */
export function toyResult(xy: Float64Array, labels: Int32Array | undefined, options: ToyOptions): ToyData {
  const n = xy.length / 2;
  let values: Float64Array | number[][] = xy;
  let scaler: StandardScaler | undefined;
  if (options.standardize === true) {
    const rows = Array.from({ length: n }, (_, i) => [xy[2 * i]!, xy[2 * i + 1]!]);
    scaler = new StandardScaler().fit(rows);
    values = scaler.transform(rows);
  }
  const x = tf.tensor2d(values instanceof Float64Array ? Float32Array.from(values) : values, [n, 2], 'float32');
  const data: ToyData = { x, dispose: () => tf.dispose([x, ...(data.labels ? [data.labels] : [])]) };
  if (labels !== undefined) data.labels = tf.tensor1d(labels, 'int32');
  if (scaler !== undefined) data.scaler = scaler;
  return data;
}
