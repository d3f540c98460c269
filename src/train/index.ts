export { Trainer, NonFiniteLossError, TrainingInterrupted, type TrainerConfig, type FitOptions, type EarlyStopping, type OptimizerName } from './trainer';
export { constantLr, stepDecay, cosineDecay, warmup, type LrSchedule } from './schedules';
export type { Dataset, Batch, LossTerms, StepContext, Trainable, History } from './types';
export type { ProgressSink, ProgressState } from './progress';
export { useWeightCache, weightCacheDir, defaultWeightCacheDir, WEIGHT_CACHE_ENV } from './weight-cache';
export { summarizeHistory } from './history-summary';
