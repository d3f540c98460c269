/**
 * How the training loop reports progress. The default is the plot module's progress display: one
 * output that updates in place inside a notebook, a few plain log lines elsewhere.
 */
import { ProgressDisplay } from '../plot/progress';

/** A snapshot of training progress. */
export interface ProgressState {
  /** 1-based epoch being trained (counted across resumed calls). */
  epoch: number;
  /** The epoch this call will stop at. */
  epochs: number;
  /** Steps done in the current epoch. */
  step: number;
  /** Steps per epoch. */
  steps: number;
  /** Running means of the loss terms in the current epoch. */
  terms: Record<string, number>;
  /** Seconds since this `fit` call started. */
  elapsedSec: number;
  /** Estimated seconds left in this call. */
  etaSec: number;
  /** Set when the run stopped early, e.g. `interrupted at epoch 5, step 17/63`. */
  status?: string;
}

/** Receives progress; the loop calls `update` a few times per epoch and `done` once at the end. */
export interface ProgressSink {
  update(state: ProgressState): void;
  done(state: ProgressState): void;
}

export function defaultProgress(): ProgressSink {
  const display = new ProgressDisplay();
  return {
    update: (s) => display.update(s),
    done: (s) => display.done(s),
  };
}
