/**
 * Model weights are raw, unnamed `tf.variable`s (named ones, or tf.layers, clash when a notebook cell
 * is re-run, since names must be unique in the engine).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * A `tf.Variable` holding `init`, which is then freed: `tf.variable(t)` leaves `t` alive as a tensor of
 * its own, so `tf.variable(tf.zeros(...))` would leak one tensor per variable.
 *
 * `init` may also be a function returning the initial value: it then runs inside `tf.tidy` together
 * with the variable's creation, so intermediates of the draw (e.g. `rng.randn(...)` before scaling) and
 * the initial value are freed too (variables themselves are never freed by `tidy`).
 */
export function ownedVariable<R extends tf.Rank>(init: tf.Tensor<R> | (() => tf.Tensor<R>), trainable = true): tf.Variable<R> {
  if (typeof init === 'function') return tf.tidy(() => tf.variable(init(), trainable));
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}
