/**
 * The conditioner network of a flow layer: s and t of a RealNVP coupling, or MADE (with connectivity
 * masks) inside MAF. It is the shared dense network (src/nn/mlp.ts) with the flows' settings, kept in
 * one place so couplings and MAF layers start alike:
 *
 * - Glorot-uniform weights (Glorot & Bengio 2010), zero biases;
 * - a zero output layer (`zeroInit`), so the layer starts as the identity map (Kingma & Dhariwal 2018,
 *   Sec. 3.3, use the same trick): training begins from the prior and bends it;
 * - leaky ReLU with slope 0.01.
 */
import * as tf from '@tensorflow/tfjs';
import { type Activation, MLP } from '../../nn';
import type { Rng } from '../../runtime/rng';

export interface ConditionerConfig {
  /** Layer widths from input to output, e.g. `[2, 64, 64, 4]`. */
  sizes: number[];
  /** Seeds the weight initialisation. */
  rng: Rng;
  /** Hidden nonlinearity. */
  activation: Activation;
  /** Start the output layer at zero. */
  zeroInit: boolean;
  /** 0/1 connectivity mask per weight matrix, for MADE. */
  masks?: number[][][];
}

export function conditionerNet(config: ConditionerConfig): MLP {
  return new MLP({
    sizes: config.sizes,
    rng: config.rng,
    activation: config.activation,
    init: 'glorotUniform',
    zeroLast: config.zeroInit,
    leakyReluAlpha: 0.01,
    ...(config.masks ? { masks: config.masks } : {}),
  });
}

/**
 * The network's variables, all weights then all biases: the order the flows have always listed them
 * in, so a global-norm gradient clip sums in the same order and gives the same numbers.
 */
export function conditionerVariables(net: MLP): tf.Variable[] {
  return [...net.weights, ...net.biases];
}
