/**
 * Corruptions for denoising autoencoders (Vincent et al., 2008; 2010): the model sees x̃ ~ C(x̃ | x) and
 * is trained to give back the clean x.
 *
 * - `mask`: masking noise, each input set to 0 with probability p (the lectures' "mask noise").
 * - `gaussian`: additive isotropic noise x̃ = x + σ·ε; with small σ the learned r(x̃) - x̃ points along
 *   σ²∇log p(x) (Alain & Bengio, 2014), the "vector field towards the data manifold".
 * - `saltPepper`: each input set to 0 or 1 (each with probability p/2).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';

export type Corruption =
  | { kind: 'mask'; /** Probability that an input is set to zero. */ p: number }
  | { kind: 'gaussian'; /** Standard deviation of the additive noise. */ sigma: number }
  | { kind: 'saltPepper'; /** Probability that an input is replaced by 0 or 1. */ p: number };

/** Throws a clear error for an impossible corruption. */
export function validateCorruption(c: Corruption): Corruption {
  if (c === null || typeof c !== 'object') throw new Error('corruption: expected an object such as { kind: "mask", p: 0.5 }');
  if (c.kind === 'mask' || c.kind === 'saltPepper') {
    if (!(c.p >= 0 && c.p <= 1)) throw new Error(`corruption "${c.kind}": p must be in [0, 1], got ${c.p}`);
  } else if (c.kind === 'gaussian') {
    if (!(c.sigma >= 0)) throw new Error(`corruption "gaussian": sigma must be >= 0, got ${c.sigma}`);
  } else {
    throw new Error(`corruption: unknown kind "${String((c as { kind: unknown }).kind)}"; use mask, gaussian or saltPepper`);
  }
  return c;
}

/** Draw x̃ ~ C(x̃ | x), seeded by `rng`. */
export function corrupt(x: tf.Tensor, c: Corruption, rng: Rng): tf.Tensor {
  validateCorruption(c);
  return tf.tidy(() => {
    switch (c.kind) {
      case 'mask': {
        const keepMask = tf.cast(tf.greaterEqual(rng.uniform(x.shape), c.p), 'float32');
        return tf.mul(x, keepMask);
      }
      case 'gaussian':
        return tf.add(x, tf.mul(rng.randn(x.shape), c.sigma));
      case 'saltPepper': {
        const u = rng.uniform(x.shape);
        const salt = tf.less(u, c.p / 2);
        const pepper = tf.logicalAnd(tf.greaterEqual(u, c.p / 2), tf.less(u, c.p));
        return tf.where(salt, tf.onesLike(x), tf.where(pepper, tf.zerosLike(x), x));
      }
    }
  });
}
