/**
 * The `{ rng, seed }` pair that every seeded data function accepts.
 *
 * Exactly one is required: a silent default seed would make, say, a training and a test set drawn by two
 * calls identical. `rng` continues the caller's stream; `seed` starts a fresh one.
 */
import { Rng, Seed } from '../runtime/rng';

/** Randomness for a seeded data function: pass exactly one of the two. */
export interface RandomOptions {
  /** Generator to draw from (it advances). */
  rng?: Rng;
  /** Seed for a fresh generator, when no `rng` is passed. */
  seed?: Seed;
}

/** The generator to use, or an error naming the function that needs one. */
export function resolveRng(options: RandomOptions, fn: string): Rng {
  if (options.rng !== undefined && options.seed !== undefined) {
    throw new Error(`${fn}: pass either { rng } or { seed }, not both`);
  }
  if (options.rng !== undefined) return options.rng;
  if (options.seed !== undefined) return new Rng(options.seed);
  throw new Error(`${fn}: needs randomness: pass { rng } (e.g. rng.fork('${fn}')) or { seed: 42 }`);
}
