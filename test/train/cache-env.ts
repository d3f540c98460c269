/**
 * Tests of the trainer run on the cpu backend with the weight cache's environment variable cleared
 * (a developer's GENLAB_WEIGHT_CACHE must not leak in), and restore both when the file is done.
 */
import { after, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resetWeightCacheChoice, WEIGHT_CACHE_ENV } from '../../src/train/weight-cache';

/** Register the before/after hooks of the calling test file. */
export function isolateWeightCache(): void {
  const saved = process.env[WEIGHT_CACHE_ENV];
  before(async () => {
    await tf.setBackend('cpu');
    delete process.env[WEIGHT_CACHE_ENV];
  });
  after(() => {
    resetWeightCacheChoice();
    if (saved === undefined) delete process.env[WEIGHT_CACHE_ENV];
    else process.env[WEIGHT_CACHE_ENV] = saved;
  });
}
