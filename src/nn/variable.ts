/**
 * Model weights are raw, unnamed `tf.variable`s (named ones, or tf.layers, clash when a notebook cell
 * is re-run, since names must be unique in the engine).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * A `tf.Variable` holding `init`, which is then freed: `tf.variable(t)` leaves `t` alive as a tensor of
 * its own, so `tf.variable(tf.zeros(...))` would leak one tensor per variable.
 */
export function ownedVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}
