/**
 * Unnormalised 2-D target densities p̃(x) = exp(−U(x)) from Rezende & Mohamed 2015, Table 1 (Fig. 3):
 * the test bed for fitting a flow by reverse KL ("how K planar layers bend a Gaussian").
 *
 *   U1: a ring of radius 2 with two modes at x1 = ±2
 *   U2: a sine-shaped ridge         w1(x) = sin(2π x1 / 4)
 *   U3: two sine ridges that split  w2(x) = 3 exp(−½((x1 − 1)/0.6)²)
 *   U4: a ridge that steps          w3(x) = 3 σ((x1 − 1)/0.3)
 *
 * Each function maps `[n, 2]` points to log p̃ = −U per row (`[n]`); raw ops (call inside a tidy).
 */
import * as tf from '@tensorflow/tfjs';

/** Names of the four energy functions. */
export const TARGET_NAMES = ['U1', 'U2', 'U3', 'U4'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** An unnormalised log-density: `[n, D]` -> `[n]`. */
export type LogDensity = (x: tf.Tensor2D) => tf.Tensor1D;

function cols(x: tf.Tensor2D): [tf.Tensor1D, tf.Tensor1D] {
  if (x.rank !== 2 || x.shape[1] !== 2) throw new Error(`targets: expected points of shape [n, 2], got [${x.shape}]`);
  const [a, b] = tf.split(x, 2, 1);
  return [tf.squeeze(a!, [1]) as tf.Tensor1D, tf.squeeze(b!, [1]) as tf.Tensor1D];
}

/** −½ (v / s)² */
const halfSq = (v: tf.Tensor, s: number): tf.Tensor => tf.mul(-0.5, tf.square(tf.div(v, s)));

/** log(e^a + e^b), stable. */
const logAddExp = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.logSumExp(tf.stack([a, b], 1), 1);

const w1 = (x1: tf.Tensor): tf.Tensor => tf.sin(tf.mul((2 * Math.PI) / 4, x1));
const w2 = (x1: tf.Tensor): tf.Tensor => tf.mul(3, tf.exp(halfSq(tf.sub(x1, 1), 0.6)));
const w3 = (x1: tf.Tensor): tf.Tensor => tf.mul(3, tf.sigmoid(tf.div(tf.sub(x1, 1), 0.3)));

/** log p̃(x) = −U(x) for the named target. */
export function targetLogDensity(name: TargetName): LogDensity {
  switch (name) {
    case 'U1':
      return (x) => {
        const [x1] = cols(x);
        const r = tf.norm(x, 'euclidean', 1);
        return tf.add(halfSq(tf.sub(r, 2), 0.4), logAddExp(halfSq(tf.sub(x1, 2), 0.6), halfSq(tf.add(x1, 2), 0.6))) as tf.Tensor1D;
      };
    case 'U2':
      return (x) => {
        const [x1, x2] = cols(x);
        return halfSq(tf.sub(x2, w1(x1)), 0.4) as tf.Tensor1D;
      };
    case 'U3':
      return (x) => {
        const [x1, x2] = cols(x);
        const d = tf.sub(x2, w1(x1));
        return logAddExp(halfSq(d, 0.35), halfSq(tf.add(d, w2(x1)), 0.35)) as tf.Tensor1D;
      };
    case 'U4':
      return (x) => {
        const [x1, x2] = cols(x);
        const d = tf.sub(x2, w1(x1));
        return logAddExp(halfSq(d, 0.4), halfSq(tf.add(d, w3(x1)), 0.35)) as tf.Tensor1D;
      };
    default:
      throw new Error(`Unknown target "${String(name)}"; use one of ${TARGET_NAMES.join(', ')}`);
  }
}
