/**
 * Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, 2014): in training, each
 * unit is kept with probability 1 - rate and the kept ones are scaled by 1 / (1 - rate), so that the
 * expected activation equals the test-time activation and nothing changes at test time. A random
 * sub-network is trained at every step, which discourages units from co-adapting (a regulariser).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';

/** Throws unless 0 <= rate < 1. */
export function validateDropoutRate(rate: number, owner = 'dropout'): number {
  if (!(rate >= 0 && rate < 1)) throw new Error(`${owner}: the dropout rate must be in [0, 1) (the probability of dropping a unit), got ${rate}`);
  return rate;
}

/**
 * `x` with each entry zeroed with probability `rate` and the rest scaled by 1 / (1 - rate), drawn from
 * `rng`. With `training` false or rate 0, `x` itself is returned.
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng, training = true): tf.Tensor {
  validateDropoutRate(rate);
  if (!training || rate === 0) return x;
  return tf.tidy(() => {
    const keepMask = tf.cast(tf.greaterEqual(rng.uniform(x.shape), rate), x.dtype);
    return tf.mul(x, tf.div(keepMask, 1 - rate));
  });
}
