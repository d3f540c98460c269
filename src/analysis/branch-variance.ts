/**
 * Variance growth in residual networks at initialisation (lecture, "Initialisation in Residual
 * Networks"; De & Smith, 2020, "Batch normalization biases residual blocks towards the identity
 * function", Sec. 2). A block computes h_{l+1} = h_l + f(h_l); with He initialisation f keeps the
 * variance of its input, Var f(h) ≈ Var h, and branch and skip are uncorrelated, so
 *
 *   without batch norm:  Var h_{l+1} ≈ Var h_l + Var h_l = 2 Var h_l    -> 2^l, exponential
 *   with batch norm:     Var h_{l+1} ≈ Var h_l + 1                       -> Var h_0 + l, linear
 *
 * (the batch norm at the start of the branch rescales its input to unit variance, so each branch adds
 * about 1 whatever the stream holds; late blocks then change the stream less and less, which biases
 * the network towards the identity at the start of training). Measured on a stack of `ResidualBlock`s
 * at one resolution, batch norm in training mode (batch statistics: the running ones mean nothing yet).
 */
import * as tf from '@tensorflow/tfjs';
import { ResidualBlock } from '../nn/residual-block';
import type { Rng } from '../runtime/rng';

export interface BranchVarianceConfig {
  /** Input batch [n, h, w, channels]; its variance is Var h_0. */
  x: tf.Tensor4D;
  /** Residual blocks in the stack. */
  blocks: number;
  /** Batch norm in the branches. */
  batchNorm: boolean;
  /** Convolutions per branch. @default 2 */
  layersPerBlock?: number;
  /** Seeds the blocks' weights. */
  rng: Rng;
}

/** Var h_l for l = 0..blocks, and Var f(h_l) of each branch, at initialisation. */
export function residualVarianceGrowth(config: BranchVarianceConfig): { stream: number[]; branch: number[] } {
  const { x, blocks, batchNorm } = config;
  if (x.rank !== 4) throw new Error(`residualVarianceGrowth: x must be NHWC [n, h, w, channels], got shape [${x.shape.join(', ')}]`);
  if (!Number.isInteger(blocks) || blocks < 1) throw new Error(`residualVarianceGrowth: blocks must be a positive integer, got ${blocks}`);
  const variance = (t: tf.Tensor): number => tf.tidy(() => tf.moments(t).variance.dataSync()[0]!);
  const stream = [variance(x)];
  const branch: number[] = [];
  let h: tf.Tensor4D = tf.clone(x);
  for (let l = 0; l < blocks; l++) {
    const block = new ResidualBlock({ channels: x.shape[3], layers: config.layersPerBlock ?? 2, batchNorm, rng: config.rng.fork(`block${l}`) });
    const f = block.branch(h, true);
    const next = tf.add(h, f) as tf.Tensor4D;
    branch.push(variance(f));
    stream.push(variance(next));
    tf.dispose([h, f]);
    block.dispose();
    h = next;
  }
  h.dispose();
  return { stream, branch };
}
