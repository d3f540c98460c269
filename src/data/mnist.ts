/**
 * MNIST (LeCun, Cortes & Burges) and any data set in the same IDX layout, e.g. Fashion-MNIST
 * (Xiao, Rasul & Vollgraf, 2017; on Debian: package dataset-fashion-mnist, folder
 * /usr/share/datasets/fashion-mnist).
 *
 * The kit ships only the 10,000-image MNIST test set, so by default that file is split into 8,000 images
 * for training and 2,000 for testing. The split is a seeded shuffle (fixed `splitSeed`, so always the
 * same), not first/last: the first 5,000 test images come from NIST's cleaner writers and the last 5,000
 * from harder ones (LeCun's MNIST page), so a contiguous split would test on a harder distribution than
 * it trains on. With `useTrainFiles`, the 60,000-image training files (dropped into the same folder by a
 * user) are the training part and all 10,000 test images the test part.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { Rng, Seed } from '../runtime/rng';
import { IdxArray, readIdx } from './idx';
import { findFile, MissingDataError, datasetDir, DATA_DIR_ENV } from './paths';
import { RandomOptions, resolveRng } from './rng-option';

/** Base names of the four IDX files (a `.gz` suffix is optional; `train-images.idx3-ubyte` is accepted too). */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Number of classes; labels must lie in 0..9. */
export const MNIST_CLASSES = 10;

/** `'flat'`: `[n, rows*cols]` (784 for MNIST); `'image'`: `[n, rows, cols, 1]` (NHWC for conv layers). */
export type MnistShape = 'flat' | 'image';

/** Options for {@link loadMnist}. `rng`/`seed` are needed only for random `limit` subsets and stochastic binarisation. */
export interface MnistOptions<S extends MnistShape = MnistShape> extends RandomOptions {
  /** Folder with the IDX files (MNIST, Fashion-MNIST, ...). @default `<dataDir()>/mnist` */
  dir?: string;
  /**
   * Use the 60,000-image training files as the training part and the whole 10,000-image file as the test
   * part. `'auto'`: do so when both training files are in `dir`. @default false
   */
  useTrainFiles?: boolean | 'auto';
  /** Training images taken from the 10,000-image file when it is split (the rest is the test part). @default 8000 */
  trainSize?: number;
  /** How that file is split: a seeded shuffle, or the first `trainSize` images / the rest. @default 'shuffled' */
  split?: 'shuffled' | 'ordered';
  /** Seed of the shuffled split; fixed so that every run evaluates on the same images. @default 0 */
  splitSeed?: Seed;
  /** Keep at most this many training images: a random subset with `rng`/`seed`, else the first ones. @default all */
  limit?: number;
  /** Same for the test part. @default all */
  testLimit?: number;
  /** Scale pixels from 0..255 to [0, 1]. Ignored when binarising (always on [0, 1]). @default true */
  normalize?: boolean;
  /**
   * `'threshold'`: pixel = 1 if intensity/255 > `threshold` else 0. `'stochastic'`: pixel ~ Bernoulli(intensity/255),
   * drawn with `rng`/`seed` (the binarised MNIST used for RBMs and VAEs). @default 'none'
   */
  binarize?: 'none' | 'threshold' | 'stochastic';
  /** Threshold for `binarize: 'threshold'`. @default 0.5 */
  threshold?: number;
  /** Tensor layout of the images. @default 'flat' */
  shape?: S;
}

/** One part of the data: images as float32 and labels as int32. */
export interface MnistSplit<S extends MnistShape = 'flat'> {
  x: S extends 'image' ? tf.Tensor4D : tf.Tensor2D;
  /** Class labels 0..9, int32 `[n]`; {@link oneHot} makes `[n, 10]` targets. */
  y: tf.Tensor1D;
  n: number;
}

export interface MnistData<S extends MnistShape = 'flat'> {
  train: MnistSplit<S>;
  test: MnistSplit<S>;
  /** Where the parts came from. */
  source: 'test-file-split' | 'train-files';
  /** `[rows, cols]` of one image. */
  imageSize: [number, number];
  /** The IDX files read. */
  files: string[];
  /**
   * Item numbers within the source files: `train` indexes the training source (the 60,000-image file,
   * or the 10,000-image file when it is split), `test` the 10,000-image file.
   */
  indices: { train: Int32Array; test: Int32Array };
  /** Dispose the four tensors. */
  dispose(): void;
}

/** Raw contents of one images/labels pair. */
export interface MnistArrays {
  /** Pixel intensities 0..255, `n * rows * cols`, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
  files: [string, string];
}

const candidates = (base: string): string[] => {
  const dotted = base.replace(/-(idx\d)/, '.$1');
  return [`${base}.gz`, base, `${dotted}.gz`, dotted];
};

function locate(dir: string, base: string, part: 'train' | 'test'): string {
  const file = findFile(dir, candidates(base));
  if (file !== undefined) return file;
  const all = [...Object.values(MNIST_FILES.test), ...Object.values(MNIST_FILES.train)].map((b) => `${b}.gz`);
  const where = part === 'train'
    ? 'The 60,000-image training files are not shipped: drop them into this folder, or leave useTrainFiles off.'
    : `Pass { dir: '<folder>' } or set ${DATA_DIR_ENV} to the data root.`;
  throw new MissingDataError(
    path.join(dir, `${base}.gz`),
    `loadMnist: ${part === 'train' ? 'training' : 'test'} file not found: ${dir}/${base}.gz (or without .gz). ` +
      `Expected in that folder: ${all.join(', ')} (IDX format, gzip or raw). ${where}`,
  );
}

function asUint8(arr: IdxArray, file: string, rank: number, what: string): Uint8Array {
  if (arr.dtype !== 'uint8' || arr.dims.length !== rank) {
    throw new Error(`${file}: expected ${what} (uint8 with ${rank} dimension${rank > 1 ? 's' : ''}), ` +
      `got ${arr.dtype} [${arr.dims.join(' x ')}]; are images and labels files swapped?`);
  }
  return arr.data as Uint8Array;
}

/** Read and check one images/labels pair (`'train'` = 60,000-image files, `'test'` = t10k files) from `dir`. */
export function readMnistArrays(dir: string, part: 'train' | 'test'): MnistArrays {
  const imagesFile = locate(dir, MNIST_FILES[part].images, part);
  const labelsFile = locate(dir, MNIST_FILES[part].labels, part);
  const imgArr = readIdx(imagesFile);
  const images = asUint8(imgArr, imagesFile, 3, 'images');
  const labels = asUint8(readIdx(labelsFile), labelsFile, 1, 'labels');
  const [n, rows, cols] = imgArr.dims as [number, number, number];
  if (labels.length !== n) {
    throw new Error(`loadMnist: image/label count mismatch: ${imagesFile} has ${n} images but ${labelsFile} ` +
      `has ${labels.length} labels; the two files must come from the same set`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= MNIST_CLASSES) {
      throw new Error(`${labelsFile}: label ${labels[i]} at item ${i} is outside 0..${MNIST_CLASSES - 1}`);
    }
  }
  return { images, labels, n, rows, cols, files: [imagesFile, labelsFile] };
}

function checkCount(name: string, v: number | undefined, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= max)) {
    throw new Error(`loadMnist: ${name} must be an integer in 1..${max}, got ${v}`);
  }
}

function subset(indices: Int32Array, limit: number | undefined, rng: Rng | undefined): Int32Array {
  if (limit === undefined || limit >= indices.length) return indices;
  if (rng === undefined) return indices.slice(0, limit);
  const pick = rng.permutation(indices.length).slice(0, limit);
  return pick.map((k) => indices[k]!);
}

interface PixelOptions {
  normalize: boolean;
  binarize: 'none' | 'threshold' | 'stochastic';
  threshold: number;
  rng: Rng | undefined;
}

function buildSplit<S extends MnistShape>(src: MnistArrays, idx: Int32Array, shape: S, px: PixelOptions): MnistSplit<S> {
  const d = src.rows * src.cols;
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  const scale = px.normalize || px.binarize !== 'none' ? 1 / 255 : 1;
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    y[r] = src.labels[i]!;
    const from = i * d;
    const to = r * d;
    for (let j = 0; j < d; j++) {
      const p = src.images[from + j]! * scale;
      x[to + j] = px.binarize === 'threshold' ? (p > px.threshold ? 1 : 0)
        : px.binarize === 'stochastic' ? (px.rng!.random() < p ? 1 : 0)
        : p;
    }
  }
  const xt = shape === 'image'
    ? tf.tensor4d(x, [idx.length, src.rows, src.cols, 1], 'float32')
    : tf.tensor2d(x, [idx.length, d], 'float32');
  return {
    x: xt as MnistSplit<S>['x'],
    y: tf.tensor1d(y, 'int32'),
    n: idx.length,
  };
}

const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, k) => from + k);

/**
 * Load MNIST-format images as float32 tensors `[n, 784]` (or `[n, 28, 28, 1]`) with int32 labels.
 * Synchronous; the default 8,000 / 2,000 split of the shipped test file is the same on every call.
 */
export function loadMnist<S extends MnistShape = 'flat'>(options: MnistOptions<S> = {}): MnistData<S> {
  const dir = datasetDir('mnist', options.dir);
  const shape = (options.shape ?? 'flat') as S;
  if (shape !== 'flat' && shape !== 'image') throw new Error(`loadMnist: shape must be 'flat' or 'image', got ${JSON.stringify(shape)}`);
  const binarize = options.binarize ?? 'none';
  if (!['none', 'threshold', 'stochastic'].includes(binarize)) {
    throw new Error(`loadMnist: binarize must be 'none', 'threshold' or 'stochastic', got ${JSON.stringify(binarize)}`);
  }
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold < 1)) throw new Error(`loadMnist: threshold must be in [0, 1), got ${threshold}`);
  const hasRandomness = options.rng !== undefined || options.seed !== undefined;
  const rng = binarize === 'stochastic' || hasRandomness ? resolveRng(options, 'loadMnist') : undefined;

  let useTrain = options.useTrainFiles ?? false;
  if (useTrain === 'auto') {
    const present = Object.values(MNIST_FILES.train).map((b) => findFile(dir, candidates(b)) !== undefined);
    // Half a pair is more likely a failed copy than an intent: let readMnistArrays name the missing file.
    useTrain = present.some(Boolean);
  }
  const test = readMnistArrays(dir, 'test');
  let trainSrc: MnistArrays;
  let trainIdx: Int32Array;
  let testIdx: Int32Array;
  if (useTrain) {
    trainSrc = readMnistArrays(dir, 'train');
    if (trainSrc.rows !== test.rows || trainSrc.cols !== test.cols) {
      throw new Error(`loadMnist: training images are ${trainSrc.rows}x${trainSrc.cols} but test images are ` +
        `${test.rows}x${test.cols}; the files come from different data sets`);
    }
    trainIdx = range(0, trainSrc.n);
    testIdx = range(0, test.n);
  } else {
    trainSrc = test;
    const trainSize = options.trainSize ?? Math.min(8000, test.n - 1);
    if (!(Number.isInteger(trainSize) && trainSize >= 1 && trainSize < test.n)) {
      throw new Error(`loadMnist: trainSize must be an integer in 1..${test.n - 1} (the file has ${test.n} images), got ${trainSize}`);
    }
    const split = options.split ?? 'shuffled';
    if (split !== 'shuffled' && split !== 'ordered') throw new Error(`loadMnist: split must be 'shuffled' or 'ordered', got ${JSON.stringify(split)}`);
    const order = split === 'shuffled' ? new Rng(options.splitSeed ?? 0).permutation(test.n) : range(0, test.n);
    trainIdx = order.slice(0, trainSize);
    testIdx = order.slice(trainSize);
  }
  checkCount('limit', options.limit, trainIdx.length);
  checkCount('testLimit', options.testLimit, testIdx.length);
  trainIdx = subset(trainIdx, options.limit, rng);
  testIdx = subset(testIdx, options.testLimit, rng);

  const px: PixelOptions = { normalize: options.normalize ?? true, binarize, threshold, rng };
  const train = buildSplit(trainSrc, trainIdx, shape, px);
  const testPart = buildSplit(test, testIdx, shape, px);
  return {
    train,
    test: testPart,
    source: useTrain ? 'train-files' : 'test-file-split',
    imageSize: [test.rows, test.cols],
    files: useTrain ? [...trainSrc.files, ...test.files] : [...test.files],
    indices: { train: trainIdx, test: testIdx },
    dispose: () => tf.dispose([train.x, train.y, testPart.x, testPart.y]),
  };
}

/** One-hot float32 targets `[n, depth]` from integer labels. */
export function oneHot(labels: tf.Tensor1D | ArrayLike<number>, depth: number = MNIST_CLASSES): tf.Tensor2D {
  return tf.tidy(() => {
    const t = labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
    return tf.cast(tf.oneHot(t as tf.Tensor1D, depth), 'float32') as tf.Tensor2D;
  });
}
