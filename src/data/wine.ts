/**
 * The UCI Wine Quality data (Cortez et al., 2009, Decision Support Systems 47(4):547-553; CC BY 4.0):
 * 11 physico-chemical measurements and a sensory quality score (0-10) for 1,599 red and 4,898 white
 * Portuguese "Vinho Verde" wines.
 *
 * `loadWine` gives the table twice: a danfo DataFrame to explore, and plain arrays to train on.
 * `wineTensors` splits it (validation carved from the training part), fits a StandardScaler on the
 * training part only and returns standardised tensors plus that scaler, so new inputs (e.g. red wines
 * fed to a white-wine model) go through exactly the same transform.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataFrame } from 'danfojs-node';
import { danfo } from './frame';
import { readNumericCsv } from './csv';
import { datasetDir, requireFile } from './paths';
import { StandardScaler } from './scaler';
import { SplitIndices, SplitOptions, takeRows, trainValTestSplit } from './split';

/** The 11 input columns, as named in the UCI files. */
export const WINE_FEATURES = [
  'fixed acidity',
  'volatile acidity',
  'citric acid',
  'residual sugar',
  'chlorides',
  'free sulfur dioxide',
  'total sulfur dioxide',
  'density',
  'pH',
  'sulphates',
  'alcohol',
] as const;

/** The target column: median of at least three expert grades, 0 (very bad) to 10 (excellent). */
export const WINE_TARGET = 'quality';

/** File names inside the wine folder, as in the UCI download. */
export const WINE_FILES = { red: 'winequality-red.csv', white: 'winequality-white.csv' } as const;

export type WineColour = 'red' | 'white';

/** Options for {@link loadWine}. */
export interface WineOptions {
  /** Which wines; `'both'` stacks red rows first, then white. @default 'white' */
  colour?: WineColour | 'both';
  /** Folder holding the two CSV files. @default `<dataDir()>/wine-quality` */
  dir?: string;
  /** Append an `is_red` 0/1 input column to `X` and `featureNames` (useful with `'both'`). @default false */
  colourFeature?: boolean;
}

/** One loaded wine table. */
export interface WineData {
  /** All columns (11 features, `quality`, and `colour` as 'red'/'white') as a danfo DataFrame; built on first access. */
  readonly frame: DataFrame;
  /** Names of the columns of `X`, in order. */
  featureNames: string[];
  /** Inputs, one row per wine: `[n][featureNames.length]`. */
  X: number[][];
  /** Quality score per wine (integers 3-9 in these files). */
  y: number[];
  /** Colour per wine. */
  colour: WineColour[];
  /** The CSV files read. */
  files: string[];
}

const EXPECTED = {
  loader: 'loadWine',
  files: [WINE_FILES.red, WINE_FILES.white],
  hint: "UCI Wine Quality CSVs, ';'-separated with a quoted header",
};

function readColour(dir: string, colour: WineColour): { file: string; X: number[][]; y: number[] } {
  const file = requireFile(dir, WINE_FILES[colour], EXPECTED);
  const table = readNumericCsv(file);
  const wanted = [...WINE_FEATURES, WINE_TARGET];
  const idx = wanted.map((name) => table.columns.indexOf(name));
  const missing = wanted.filter((_, k) => idx[k]! < 0);
  if (missing.length > 0) {
    throw new Error(`loadWine: ${file} lacks column(s) ${missing.map((m) => `"${m}"`).join(', ')}; ` +
      `found: ${table.columns.map((c) => `"${c}"`).join(', ')}. Expected the UCI header (11 features + "quality").`);
  }
  if (table.rows.length === 0) throw new Error(`loadWine: ${file} has a header but no data rows`);
  const fi = idx.slice(0, WINE_FEATURES.length);
  const ti = idx[WINE_FEATURES.length]!;
  return {
    file,
    X: table.rows.map((r) => fi.map((j) => r[j]!)),
    y: table.rows.map((r) => r[ti]!),
  };
}

/** Load red, white or both wine tables (synchronous; the DataFrame is built lazily). */
export function loadWine(options: WineOptions = {}): WineData {
  const which = options.colour ?? 'white';
  if (which !== 'red' && which !== 'white' && which !== 'both') {
    throw new Error(`loadWine: colour must be 'red', 'white' or 'both', got ${JSON.stringify(which)}`);
  }
  const dir = datasetDir('wine-quality', options.dir);
  const colours: WineColour[] = which === 'both' ? ['red', 'white'] : [which];
  const parts = colours.map((c) => ({ c, ...readColour(dir, c) }));
  const X = parts.flatMap((p) => p.X);
  const y = parts.flatMap((p) => p.y);
  const colour = parts.flatMap((p) => p.X.map(() => p.c));
  const featureNames: string[] = [...WINE_FEATURES];
  if (options.colourFeature === true) {
    featureNames.push('is_red');
    X.forEach((row, i) => row.push(colour[i] === 'red' ? 1 : 0));
  }
  let frame: DataFrame | undefined;
  return {
    get frame(): DataFrame {
      frame ??= new (danfo().DataFrame)(
        X.map((row, i) => [...row.slice(0, WINE_FEATURES.length), y[i]!, colour[i]!]),
        { columns: [...WINE_FEATURES, WINE_TARGET, 'colour'] },
      );
      return frame;
    },
    featureNames,
    X,
    y,
    colour,
    files: parts.map((p) => p.file),
  };
}

/** Options for {@link wineTensors}: the split (pass `rng` or `seed`) plus target scaling. */
export interface WineTensorOptions extends SplitOptions {
  /** Also standardise `y` with a second scaler fitted on the training part. @default false */
  scaleTarget?: boolean;
}

/** Inputs `[n, d]` and targets `[n, 1]`, float32. */
export interface XY {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/** Standardised train / val / test tensors and the scalers fitted on the training part. */
export interface WineTensors {
  train: XY;
  val: XY;
  test: XY;
  /** Fitted on the training inputs only; apply it to any new inputs. */
  scaler: StandardScaler;
  /** Present when `scaleTarget` is set; `inverseTransform` maps predictions back to quality points. */
  targetScaler?: StandardScaler;
  /** Which rows of the `WineData` went where. */
  indices: SplitIndices;
  featureNames: string[];
  /** Dispose all six tensors. */
  dispose(): void;
}

/**
 * Split a wine table, fit the scaler(s) on the training part and return tensors. The same seed gives
 * the same split and the same tensors.
 */
export function wineTensors(data: WineData, options: WineTensorOptions): WineTensors {
  const indices = trainValTestSplit(data.X.length, options);
  const xTrain = takeRows(data.X, indices.train);
  const yTrain = takeRows(data.y, indices.train);
  const scaler = new StandardScaler().fit(xTrain);
  const targetScaler = options.scaleTarget === true ? new StandardScaler().fit(yTrain) : undefined;
  const part = (rows: Int32Array): XY => {
    const X = scaler.transform(takeRows(data.X, rows));
    const yRaw = takeRows(data.y, rows);
    const y = targetScaler ? targetScaler.transform(yRaw) : yRaw;
    return {
      x: tf.tensor2d(X, [rows.length, data.featureNames.length], 'float32'),
      y: tf.tensor2d(y, [rows.length, 1], 'float32'),
    };
  };
  const train = part(indices.train);
  const val = part(indices.val);
  const test = part(indices.test);
  const result: WineTensors = {
    train,
    val,
    test,
    scaler,
    indices,
    featureNames: [...data.featureNames],
    dispose: () => tf.dispose([train.x, train.y, val.x, val.y, test.x, test.y]),
  };
  if (targetScaler) result.targetScaler = targetScaler;
  return result;
}
