/**
 * Early stopping for `Trainer.fit`: watch one history series, stop after `patience` epochs without
 * improvement, and optionally put back the weights of the best epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { History } from './types';

export interface EarlyStopping {
  /** History series to watch. @default 'val_loss' */
  monitor?: string;
  /** Whether smaller or larger is better. @default 'min' */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as an improvement. @default 0 */
  minDelta?: number;
  /** Put back the weights of the best epoch when training stops. @default true */
  restoreBest?: boolean;
}

/**
 * The state of early stopping over one `fit` call. Call `observe` after each epoch's history record;
 * when training ends normally call `finish` (restores the best weights), and always `dispose`.
 */
export class EarlyStopper {
  private readonly monitor: string;
  private readonly sign: number;
  private readonly restoreBest: boolean;
  private best = Infinity;
  private bestEpoch = -1;
  private sinceBest = 0;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(
    private readonly options: EarlyStopping,
    /** The variables whose best values are kept (the model's `variables()`). */
    private readonly variables: () => tf.Variable[],
  ) {
    this.monitor = options.monitor ?? 'val_loss';
    this.sign = options.mode === 'max' ? -1 : 1;
    this.restoreBest = options.restoreBest !== false;
  }

  /** Look at the last entry of the monitored series after 0-based `epoch`; true means stop now. */
  observe(history: History, epoch: number): boolean {
    const series = history[this.monitor];
    if (series === undefined) {
      throw new Error(
        `Early stopping monitors "${this.monitor}", which is not in the history (have: ${Object.keys(history).join(', ')}). ` +
          'Pass validation data for val_* series, or monitor another name.',
      );
    }
    const v = series[series.length - 1];
    if (v === undefined || !Number.isFinite(v)) return false; // not computed this epoch (evalEvery)
    if (this.sign * v < this.best - (this.options.minDelta ?? 0)) {
      this.best = this.sign * v;
      this.bestEpoch = epoch;
      this.sinceBest = 0;
      if (this.restoreBest) {
        this.bestWeights?.forEach((t) => t.dispose());
        this.bestWeights = this.variables().map((w) => tf.clone(w));
      }
      return false;
    }
    return ++this.sinceBest >= this.options.patience;
  }

  /** Training ended (not interrupted): put back the best weights and record `best_epoch` (1-based). */
  finish(history: History): void {
    if (!this.restoreBest || this.bestWeights === null) return;
    const vars = this.variables();
    this.bestWeights.forEach((t, i) => vars[i]!.assign(t));
    history['best_epoch'] = history.epoch.map(() => this.bestEpoch + 1);
  }

  /** Free the kept weights. */
  dispose(): void {
    this.bestWeights?.forEach((t) => t.dispose());
    this.bestWeights = null;
  }
}
