/**
 * `tf.variable(init)` keeps `init` alive as a separate tensor that shares the variable's data, so
 * `tf.variable(tf.zeros(...))` leaves one orphan tensor per variable. Creating the variable inside `tidy`
 * disposes the initial value (variables themselves are never freed by `tidy`).
 */
import * as tf from '@tensorflow/tfjs';

/** A variable holding `init()`'s value, with no leftover initial tensor. */
export function makeVariable<R extends tf.Rank>(init: () => tf.Tensor<R>, trainable = true): tf.Variable<R> {
  return tf.tidy(() => tf.variable(init(), trainable));
}
