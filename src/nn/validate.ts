/**
 * Config and shape checks shared by the networks and models, so a wrong call fails early with a message
 * that names the field, the model and what was expected.
 */
import type * as tf from '@tensorflow/tfjs';

/** Check that a config value is a positive integer, with a message naming the field and the model. */
export function requirePositiveInt(value: unknown, field: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Check that `x` is [batch, dim]; the message says what was passed and what is expected. */
export function requireMatrix(x: tf.Tensor, dim: number, what: string): tf.Tensor2D {
  if (x.rank !== 2 || x.shape[1] !== dim) {
    throw new Error(
      `${what}: expected a [batch, ${dim}] tensor, got shape [${x.shape.join(', ')}]` +
        (x.rank > 2 ? ' (flatten images first, e.g. x.reshape([-1, ' + dim + ']))' : ''),
    );
  }
  return x as tf.Tensor2D;
}
