/** A StepContext for calling a model's loss directly in a test: step 0 of epoch 0, seeded by `label`. */
import { Rng } from '../src/runtime/rng';
import type { StepContext } from '../src/train/types';

export function stepContext(label: string, options: { datasetSize?: number; training?: boolean } = {}): StepContext {
  return { epoch: 0, step: 0, globalStep: 0, datasetSize: options.datasetSize ?? 8, rng: new Rng(label), training: options.training ?? true };
}
