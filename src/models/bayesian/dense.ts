/**
 * A deterministic dense layer (point-estimate weights) that runs on the same [S, B, in] sample layout
 * as `VariationalDense`, so one network can mix both kinds (lecture: not every layer needs to be
 * Bayesian).
 *
 * With a Gaussian prior N(0, s^2) on its weights the layer adds the penalty -log p(w) (up to a
 * constant) = sum w^2 / (2 s^2) to the loss: maximum a posteriori (MAP) estimation, which is L2
 * weight decay with coefficient 1 / (2 s^2) (per dataset; the model divides by N per example).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';

export interface DenseConfig {
  inputDim: number;
  units: number;
  /** Seeds the initial weights. */
  rng: Rng;
  /** Std s of a Gaussian prior N(0, s^2) on kernel and bias for MAP (L2); none = maximum likelihood. @default undefined */
  priorSigma?: number;
  /** Scale of the initial kernel: w ~ N(0, initScale^2 / inputDim). @default Math.SQRT2 (He) */
  initScale?: number;
}

export class Dense {
  readonly inputDim: number;
  readonly units: number;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly priorSigma: number | undefined;

  constructor(config: DenseConfig) {
    const { inputDim, units } = config;
    if (!Number.isInteger(inputDim) || inputDim <= 0 || !Number.isInteger(units) || units <= 0) {
      throw new Error(`Dense: inputDim and units must be positive integers, got ${inputDim} and ${units}`);
    }
    if (config.priorSigma !== undefined && !(config.priorSigma > 0)) {
      throw new Error(`Dense: priorSigma must be > 0 (or undefined for no prior), got ${config.priorSigma}`);
    }
    this.inputDim = inputDim;
    this.units = units;
    this.priorSigma = config.priorSigma;
    const scale = (config.initScale ?? Math.SQRT2) / Math.sqrt(inputDim);
    this.kernel = tf.tidy(() => tf.variable(tf.mul(config.rng.randn([inputDim, units]), scale)));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([units])));
  }

  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  /** x [B, in] or [S, B, in] -> [S, B, units] (the same weights for every sample). */
  forward(x: tf.Tensor, samples: number): tf.Tensor3D {
    return tf.tidy(() => {
      const d = x.shape[x.rank - 1];
      if (d !== this.inputDim || (x.rank !== 2 && x.rank !== 3)) {
        throw new Error(`Dense: expected input [B, ${this.inputDim}] or [S, B, ${this.inputDim}], got [${x.shape}]`);
      }
      if (x.rank === 2) {
        const y = tf.add(tf.matMul(x as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
        return tf.broadcastTo(y.expandDims(0), [samples, x.shape[0]!, this.units]) as tf.Tensor3D;
      }
      const [S, B] = [x.shape[0]!, x.shape[1]!];
      const flat = tf.reshape(x, [S * B, this.inputDim]) as tf.Tensor2D;
      return tf.reshape(tf.add(tf.matMul(flat, this.kernel as tf.Tensor2D), this.bias), [S, B, this.units]) as tf.Tensor3D;
    });
  }

  /** -log p(w) up to a constant: sum w^2 / (2 s^2); zero without a prior. */
  penalty(): tf.Scalar {
    return tf.tidy(() => {
      if (this.priorSigma === undefined) return tf.scalar(0);
      const c = 1 / (2 * this.priorSigma * this.priorSigma);
      return tf.mul(c, tf.add(tf.sum(tf.square(this.kernel)), tf.sum(tf.square(this.bias)))) as tf.Scalar;
    });
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}
