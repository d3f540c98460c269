/** Cross-entropy pieces shared by the transformer objectives. */
import * as tf from '@tensorflow/tfjs';

/** −log p(target) per position: logits [..., V], targets [...] int32 → [...]. */
export function tokenNll(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1]!;
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targets, 'int32'), V)), -1));
  });
}
