/**
 * Minibatches for SGD as the lecture describes them: each epoch visits every example once, in a fresh
 * random order, split into batches of B (without replacement); the gradient of step t is the mean of
 * the per-example gradients of its batch.
 */
import type { Rng } from '../runtime/rng';
import type { GradientFn } from './optimizer';

/**
 * A `GradientFn` for SGD from the gradient of a loss on a subset of examples (`batchGradient(θ, idx)`,
 * the mean over `idx`). Batches of step t are fixed by `rng`, so a run is reproducible.
 */
export function minibatchGradient(n: number, batchSize: number, rng: Rng, batchGradient: (theta: Float64Array, indices: Int32Array) => Float64Array): GradientFn {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`minibatchGradient: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0 || batchSize > n) throw new Error(`minibatchGradient: batchSize must be an integer in [1, ${n}], got ${batchSize}`);
  const perEpoch = Math.ceil(n / batchSize);
  const orders: Int32Array[] = [];
  return (theta, t) => {
    const epoch = Math.floor(t / perEpoch);
    while (orders.length <= epoch) orders.push(rng.permutation(n));
    const b = t % perEpoch;
    return batchGradient(theta, orders[epoch]!.subarray(b * batchSize, Math.min((b + 1) * batchSize, n)));
  };
}
