export { Trainer, NonFiniteLossError, TrainingInterrupted, type TrainerConfig, type FitOptions, type TrainerSetup, type TrainerSnapshot, type OptimizerName } from './trainer';
export { EarlyStopper, type EarlyStopping } from './early-stopping';
export { constantLr, stepDecay, cosineDecay, warmup, type LrSchedule } from './schedules';
export type { Dataset, Batch, LossTerms, StepContext, Trainable, History, Augmentation } from './types';
export type { ProgressSink, ProgressState } from './progress';
export { useWeightCache, weightCacheDir, defaultWeightCacheDir, WEIGHT_CACHE_ENV } from './weight-cache';
export { summarizeHistory } from './history-summary';
