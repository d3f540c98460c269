/**
 * Standardisation z = (x - mean) / std, per feature, fitted on one data set and reused on others.
 *
 * Fit it on the training part only, then transform validation, test and any new inputs with the same
 * statistics (a model trained on white wines can then be fed red wines). It works on tensors and on
 * plain arrays alike, and on a single column such as a regression target.
 *
 * Conventions follow sklearn's StandardScaler: population std (divide by n), and a feature with zero
 * variance gets std 1 so it maps to 0 instead of NaN.
 */
import * as tf from '@tensorflow/tfjs';

/** Data a scaler reads: `[n, d]` rows (tensor or arrays), or one feature as `[n]`. */
export type ScalerInput = tf.Tensor | number[][] | number[];

/** The fitted statistics, plain JSON (e.g. to save beside a model). */
export interface ScalerState {
  mean: number[];
  std: number[];
}

function columnsOf(data: ScalerInput, who: string): { rows: number; cols: number; get: (i: number, j: number) => number } {
  if (data instanceof tf.Tensor) {
    if (data.rank !== 1 && data.rank !== 2) {
      throw new Error(`${who}: expected a tensor of rank 1 ([n]) or 2 ([n, d]), got shape [${data.shape}]`);
    }
    const values = data.dataSync();
    const rows = data.shape[0]!;
    const cols = data.rank === 2 ? data.shape[1]! : 1;
    return { rows, cols, get: (i, j) => values[i * cols + j]! };
  }
  if (data.length === 0) return { rows: 0, cols: 0, get: () => NaN };
  if (Array.isArray(data[0])) {
    const m = data as number[][];
    const cols = m[0]!.length;
    m.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols) {
        throw new Error(`${who}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, row 0 has ${cols}`);
      }
    });
    return { rows: m.length, cols, get: (i, j) => m[i]![j]! };
  }
  const v = data as number[];
  return { rows: v.length, cols: 1, get: (i) => v[i]! };
}

export class StandardScaler {
  private meanValues: Float64Array | null = null;
  private stdValues: Float64Array | null = null;

  /** A scaler with known statistics (e.g. from {@link StandardScaler.toJSON}). */
  static fromJSON(state: ScalerState): StandardScaler {
    if (state.mean.length !== state.std.length || state.mean.length === 0) {
      throw new Error(`StandardScaler.fromJSON: mean and std must be non-empty and of equal length (got ${state.mean.length} and ${state.std.length})`);
    }
    if (state.std.some((s) => !(s > 0))) throw new Error('StandardScaler.fromJSON: every std must be > 0');
    const s = new StandardScaler();
    s.meanValues = Float64Array.from(state.mean);
    s.stdValues = Float64Array.from(state.std);
    return s;
  }

  /** Whether {@link fit} has run. */
  get fitted(): boolean {
    return this.meanValues !== null;
  }

  /** Number of features the scaler was fitted on. */
  get numFeatures(): number {
    return this.state('numFeatures').mean.length;
  }

  /** Per-feature mean of the fitted data. */
  get mean(): number[] {
    return Array.from(this.state('mean').mean);
  }

  /** Per-feature population std of the fitted data (1 where it was 0). */
  get std(): number[] {
    return Array.from(this.state('std').std);
  }

  /** Learn per-feature mean and std from `data` (`[n, d]`, or `[n]` for a single feature). */
  fit(data: ScalerInput): this {
    const { rows, cols, get } = columnsOf(data, 'StandardScaler.fit');
    if (rows === 0 || cols === 0) throw new Error('StandardScaler.fit: data is empty');
    const mean = new Float64Array(cols);
    const std = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      // Two passes in float64: stable even for features with a large offset (e.g. density ~ 0.99).
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += get(i, j);
      const m = sum / rows;
      let ss = 0;
      for (let i = 0; i < rows; i++) {
        const d = get(i, j) - m;
        ss += d * d;
      }
      const s = Math.sqrt(ss / rows);
      if (!Number.isFinite(m) || !Number.isFinite(s)) {
        throw new Error(`StandardScaler.fit: feature ${j} has non-finite values (NaN or Infinity)`);
      }
      mean[j] = m;
      std[j] = s > 0 ? s : 1;
    }
    this.meanValues = mean;
    this.stdValues = std;
    return this;
  }

  /** {@link fit} then {@link transform} on the same data. */
  fitTransform<T extends tf.Tensor>(data: T): T;
  fitTransform(data: number[][]): number[][];
  fitTransform(data: number[]): number[];
  fitTransform(data: ScalerInput): ScalerInput {
    return this.fit(data).apply(data, 'transform');
  }

  /** z = (x - mean) / std. Tensors come back as new float32 tensors of the same shape (the input is kept). */
  transform<T extends tf.Tensor>(data: T): T;
  transform(data: number[][]): number[][];
  transform(data: number[]): number[];
  transform(data: ScalerInput): ScalerInput {
    return this.apply(data, 'transform');
  }

  /** x = z * std + mean: undoes {@link transform}. */
  inverseTransform<T extends tf.Tensor>(data: T): T;
  inverseTransform(data: number[][]): number[][];
  inverseTransform(data: number[]): number[];
  inverseTransform(data: ScalerInput): ScalerInput {
    return this.apply(data, 'inverseTransform');
  }

  /** The fitted statistics as plain JSON. */
  toJSON(): ScalerState {
    const { mean, std } = this.state('toJSON');
    return { mean: Array.from(mean), std: Array.from(std) };
  }

  private state(op: string): { mean: Float64Array; std: Float64Array } {
    if (this.meanValues === null || this.stdValues === null) {
      throw new Error(`StandardScaler.${op}: the scaler is not fitted yet; call fit(trainingData) first`);
    }
    return { mean: this.meanValues, std: this.stdValues };
  }

  private apply(data: ScalerInput, op: 'transform' | 'inverseTransform'): ScalerInput {
    const { mean, std } = this.state(op);
    const d = mean.length;
    const forward = op === 'transform';
    const who = `StandardScaler.${op}`;
    if (data instanceof tf.Tensor) {
      const last = data.rank === 0 ? 1 : data.shape[data.rank - 1]!;
      const featureAxisOk = data.rank === 1 ? d === 1 : data.rank >= 2 && last === d;
      if (!featureAxisOk) {
        throw new Error(`${who}: the scaler has ${d} feature(s) but got a tensor of shape [${data.shape}]` +
          (data.rank === 1 ? ' (a 1-D input is read as one feature; reshape a single row to [1, d])' : ''));
      }
      return tf.tidy(() => {
        const x = data.dtype === 'float32' ? data : tf.cast(data, 'float32');
        const m = tf.tensor1d(Array.from(mean), 'float32');
        const s = tf.tensor1d(Array.from(std), 'float32');
        return forward ? tf.div(tf.sub(x, m), s) : tf.add(tf.mul(x, s), m);
      });
    }
    const { rows, cols, get } = columnsOf(data, who);
    if (rows === 0) return [];
    if (cols !== d) {
      throw new Error(`${who}: the scaler has ${d} feature(s) but the data has ${cols}` +
        (!Array.isArray(data[0]) ? ' (a flat number[] is read as one feature; wrap a single row as [[...]])' : ''));
    }
    const f = (i: number, j: number): number =>
      forward ? (get(i, j) - mean[j]!) / std[j]! : get(i, j) * std[j]! + mean[j]!;
    if (!Array.isArray(data[0])) return Array.from({ length: rows }, (_, i) => f(i, 0));
    return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
  }
}
