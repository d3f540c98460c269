/**
 * Batch normalisation (Ioffe & Szegedy, 2015, Alg. 1 and 2; lecture, "Batch Normalisation"). Each
 * channel is standardised with the mean and variance of the batch, then shifted and rescaled by learned
 * γ and δ (the lecture's symbols; `gamma`, `beta` here, as in the paper):
 *
 *   training:   m = mean_B(h),  s² = var_B(h),            ĥ = γ (h - m) / sqrt(s² + ε) + δ
 *   inference:  m_run, s²_run (running averages),           ĥ = γ (h - m_run) / sqrt(s²_run + ε) + δ
 *   update:     m_run <- (1 - α) m_run + α m,   s²_run <- (1 - α) s²_run + α s² n / (n - 1)
 *
 * Statistics are per channel, the last axis: over the batch for [b, d] inputs, over the batch and every
 * spatial position for NHWC maps (the lecture's "CNN batch norm"). The lecture writes the denominator
 * as S_n + ε with S_n the standard deviation; the paper (and every library) puts ε under the square
 * root, sqrt(s² + ε), as here. The running variance uses the unbiased batch variance (n / (n - 1)),
 * as the paper's inference step does, since it estimates the population's variance.
 *
 * The running statistics are non-trainable variables: the optimiser leaves them alone, but they are in
 * `variables()`, so `Trainer.snapshot/restore` and the weight cache save them with the weights, and a
 * re-run notebook cell that keeps the model keeps them. They change only in `apply(x, true)`: a
 * training pass reads the batch's statistics and moves the running averages; an inference pass
 * (`training` false) reads the running averages only and makes each example's output independent of
 * the rest of its batch. A third mode, 'batch', normalises with the batch's statistics without moving
 * the averages: what inference would do if it used batch statistics (the notebook shows why it must not).
 */
import * as tf from '@tensorflow/tfjs';
import { requirePositiveInt } from './validate';
import { ownedVariable } from './variable';

/**
 * How a batch norm normalises: `true` training (batch statistics, running averages updated), `false`
 * inference (running averages), `'batch'` batch statistics without updating anything.
 */
export type NormMode = boolean | 'batch';

export interface BatchNormConfig {
  /** Channels (features) normalised: the size of the input's last axis. */
  channels: number;
  /** α, the weight of each new batch in the running averages. @default 0.1 */
  momentum?: number;
  /** ε under the square root. @default 1e-5 */
  epsilon?: number;
}

export class BatchNorm {
  readonly channels: number;
  readonly momentum: number;
  readonly epsilon: number;
  /** Scale γ, starts at 1. */
  readonly gamma: tf.Variable;
  /** Shift δ, starts at 0. */
  readonly beta: tf.Variable;
  /** Running mean, starts at 0 (not trained). */
  readonly runningMean: tf.Variable;
  /** Running variance, starts at 1 (not trained). */
  readonly runningVar: tf.Variable;

  constructor(config: BatchNormConfig) {
    this.channels = requirePositiveInt(config.channels, 'channels', 'BatchNorm');
    this.momentum = config.momentum ?? 0.1;
    if (!(this.momentum > 0 && this.momentum <= 1)) throw new Error(`BatchNorm: momentum must be in (0, 1], got ${config.momentum}`);
    this.epsilon = config.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`BatchNorm: epsilon must be positive, got ${config.epsilon}`);
    this.gamma = ownedVariable(tf.ones([this.channels]));
    this.beta = ownedVariable(tf.zeros([this.channels]));
    this.runningMean = ownedVariable(tf.zeros([this.channels]), false);
    this.runningVar = ownedVariable(tf.ones([this.channels]), false);
  }

  get parameterCount(): number {
    return 2 * this.channels;
  }

  /**
   * Normalise `x` ([..., channels]). `training` true: with the batch's statistics, and move the running
   * averages (no gradient flows through them); false: with the running averages; 'batch': with the
   * batch's statistics, averages untouched. Batch statistics need more than one value per channel.
   */
  apply<T extends tf.Tensor>(x: T, training: NormMode): T {
    if (typeof training !== 'boolean' && training !== 'batch') {
      throw new Error(`BatchNorm.apply: training must be true (batch statistics, update the averages), false (running averages) or 'batch' (batch statistics only), got ${JSON.stringify(training)}`);
    }
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.channels) {
      throw new Error(`BatchNorm: expected an input [..., ${this.channels}] (channels last), got shape [${x.shape.join(', ')}]`);
    }
    const axes = Array.from({ length: x.rank - 1 }, (_v, i) => i);
    const count = x.size / this.channels;
    if (training !== false && count < 2) {
      throw new Error(`BatchNorm: batch statistics need at least two values per channel to estimate a variance, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      if (training === false) {
        const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.runningVar, this.epsilon)));
        return tf.add(tf.mul(tf.sub(x, this.runningMean), scale), this.beta) as T;
      }
      const { value, mean, variance } = this.normaliseWithBatch(x, axes);
      try {
        if (training === true) {
          const a = this.momentum;
          // The running averages are statistics, not part of the loss: `assign` is not recorded on the
          // gradient tape, so these updates never reach the loss's gradient.
          this.runningMean.assign(tf.add(tf.mul(1 - a, this.runningMean), tf.mul(a, mean)));
          this.runningVar.assign(tf.add(tf.mul(1 - a, this.runningVar), tf.mul(a * (count / (count - 1)), variance)));
        }
      } finally {
        tf.dispose([mean, variance]);
      }
      return value as T;
    });
  }

  /**
   * γ (x − m) / sqrt(s² + ε) + δ with the batch's m and s², its gradient written out. Autodiff of that
   * expression (through `tf.moments`) broadcasts back over the full-size map a dozen times; per channel,
   * with x̂ = (x − m) / sqrt(s² + ε) and means over the batch (and positions),
   *   dx = γ / sqrt(s² + ε) · (dy − mean(dy) − x̂ · mean(dy · x̂)),   dγ = Σ dy · x̂,   dδ = Σ dy,
   * which is four full-size operations and two reductions (Ioffe & Szegedy, 2015, section 3). The batch's
   * m and s² come back too, for the running averages: made inside the gradient's forward scope (a tidy of
   * its own), they are kept there, and the caller disposes them.
   */
  private normaliseWithBatch(x: tf.Tensor, axes: number[]): { value: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
    const eps = this.epsilon;
    const kept: tf.Tensor1D[] = [];
    // customGrad passes the inputs and then `save` in one rest list.
    const norm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [input, gamma, beta] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as tf.GradSaveFunc;
      const mean = tf.mean(input, axes) as tf.Tensor1D;
      const centred = tf.sub(input, mean);
      const variance = tf.mean(tf.square(centred), axes) as tf.Tensor1D;
      const rstd = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D;
      kept.push(tf.keep(mean), tf.keep(variance));
      save([centred, rstd, gamma]);
      return {
        value: tf.add(tf.mul(centred, tf.mul(gamma, rstd)), beta),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const d = dy as tf.Tensor;
          const [xc, r, gm] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
          const n = d.size / r.size;
          const dBeta = tf.sum(d, axes);
          const dGamma = tf.mul(tf.sum(tf.mul(d, xc), axes), r); // Σ dy · x̂
          const a = tf.mul(gm, r);
          // dx = a·dy − a·mean(dy) − x̂ · a·mean(dy x̂), with x̂ = xc·r
          const b = tf.mul(a, tf.div(tf.mul(dGamma, r), -n));
          const c = tf.mul(a, tf.div(dBeta, -n));
          const dx = tf.add(tf.add(tf.mul(d, a), tf.mul(xc, b)), c);
          return [dx, dGamma, dBeta];
        },
      };
    });
    const value = norm(x, this.gamma, this.beta);
    const [mean, variance] = kept as [tf.Tensor1D, tf.Tensor1D];
    return { value, mean, variance };
  }

  /** γ, δ, then the running mean and variance (non-trainable). */
  variables(): tf.Variable[] {
    return [this.gamma, this.beta, this.runningMean, this.runningVar];
  }

  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
