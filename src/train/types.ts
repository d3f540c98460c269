/**
 * The small interface through which every model plugs into the one training loop.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';

/** Named tensors that share their first dimension (examples): e.g. `{ x, y }`. */
export type Dataset = Record<string, tf.Tensor>;

/** One minibatch: the same names as the dataset, `batchSize` rows each. */
export type Batch = Record<string, tf.Tensor>;

/**
 * A random transformation of training batches (data augmentation, e.g. `randomShifts` in src/data):
 * the Trainer applies it to training steps only, never to validation data, with a seed of its own per
 * step, so the same trainer seed gives the same transformed batches.
 */
export interface Augmentation {
  /** The transformation and its settings, e.g. 'randomShifts(maxShift=2, key=x)': what the weight cache hashes. */
  readonly name: string;
  /** The batch transformed; called inside the step's `tf.tidy` (tensors it makes are freed there). */
  apply(batch: Batch, rng: Rng): Batch;
}

/** Named scalar loss terms, e.g. `{ nll, kl }`. The loop minimises their sum and logs each. */
export type LossTerms = Record<string, tf.Scalar>;

/** What a model learns about the step it is in. */
export interface StepContext {
  /** Zero-based epoch index, counted across resumed `fit` calls. */
  epoch: number;
  /** Zero-based step within the epoch. */
  step: number;
  /** Zero-based step counted across all epochs and `fit` calls. */
  globalStep: number;
  /** Number of examples in the whole training set (for per-example weighting such as KL / N). */
  datasetSize: number;
  /**
   * Examples in this step's batch, set by the trainer: an objective fitted without data
   * (`fit(null, ...)`) draws this many samples. @default undefined (outside the trainer)
   */
  batchSize?: number;
  /** Seeds for this step's random ops: reproducible per (seed, epoch, step). */
  rng: Rng;
  /** False during validation passes (turns off train-only noise such as dropout or corruption). */
  training: boolean;
}

/**
 * A model the loop can train. Implement `loss` (the loop differentiates it and applies the optimiser)
 * or `trainStep` (the model updates itself, e.g. contrastive divergence, which follows no loss gradient).
 */
export interface Trainable {
  /** Every variable that defines the model: saved for best-weights restore, freed by `dispose`. */
  variables(): tf.Variable[];
  /** Variables the optimiser updates. @default variables() filtered by `trainable` */
  trainableVariables?(): tf.Variable[];
  /** Loss terms on a batch; called inside `tf.tidy` and under the gradient tape. */
  loss?(batch: Batch, ctx: StepContext): LossTerms;
  /** A self-contained update; returns the terms to log. Called inside `tf.tidy`. */
  trainStep?(batch: Batch, ctx: StepContext): LossTerms;
  /**
   * Variables that training changes besides `variables()` and that later steps read (momentum buffers,
   * persistent chains); the weight cache saves and restores them with the weights. @default none
   */
  trainingState?(): tf.Variable[];
  /** Terms to report on validation data. @default loss() with `training: false` */
  evalTerms?(batch: Batch, ctx: StepContext): LossTerms;
  /** Free every tensor the model holds. */
  dispose(): void;
}

/** Per-epoch records: `epoch`, `loss`, one series per term, `val_*` series, metrics, `lr`, `seconds`. */
export interface History {
  epoch: number[];
  [series: string]: number[];
}
