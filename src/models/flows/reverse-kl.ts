/**
 * Fitting a flow to an unnormalised target p̃(x) = Z p(x) by reverse KL, the variational direction
 * (Rezende & Mohamed 2015, Eq. 15 without annealing):
 *
 *   KL(q ‖ p) = E_{z_0 ~ N(0,I)} [ log q(x) − log p̃(x) ] + log Z,   x = f⁻¹(z_0),
 *   log q(x) = log N(z_0) − log |det ∂f⁻¹/∂z_0|.
 *
 * No data are needed: each step draws fresh z_0 from the step's seeded `ctx.rng`, pushes them through
 * the flow's generative direction, and minimises the Monte Carlo average. The reported term `kl` is
 * KL(q‖p) − log Z: it is ≥ −log Z, and equals it exactly when q = p.
 *
 * Fit it without data: `trainer.fit(null, { epochs, stepsPerEpoch })`; each step draws the trainer's
 * `batchSize` samples (`ctx.batchSize`). Given a batch instead, it draws as many samples as the batch
 * has rows and ignores the values.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { Flow } from './flow';
import type { LogDensity } from './targets';

export class ReverseKL implements Trainable {
  constructor(
    /** The flow q being fitted (owned by the caller: `dispose` here does not free it). */
    readonly flow: Flow,
    /** log p̃(x), `[n, D]` -> `[n]`, differentiable raw ops. */
    readonly logTarget: LogDensity,
  ) {}

  loss(batch: Batch, ctx: StepContext): LossTerms {
    const n = Object.values(batch)[0]?.shape[0] ?? ctx.batchSize;
    if (n === undefined || n <= 0) {
      throw new Error('ReverseKL.loss: no sample count: train it with trainer.fit(null, { epochs, stepsPerEpoch }), or call it with ctx.batchSize set');
    }
    const { x, logProb } = this.flow.sampleWithLogProbRaw(n, ctx.rng);
    return { kl: tf.mean(tf.sub(logProb, this.logTarget(x))) as tf.Scalar };
  }

  /**
   * Monte Carlo estimate of KL(q‖p) − log Z with `n` fresh samples (a number; add log Z for the KL).
   * Returns the estimate and its standard error.
   */
  estimate(n: number, rng: Rng): { value: number; stdError: number } {
    const d = tf.tidy(() => {
      const { x, logProb } = this.flow.sampleWithLogProbRaw(n, rng);
      return tf.sub(logProb, this.logTarget(x)).dataSync();
    });
    let mean = 0;
    for (const v of d) mean += v / n;
    let ss = 0;
    for (const v of d) ss += (v - mean) ** 2;
    return { value: mean, stdError: Math.sqrt(ss / Math.max(n - 1, 1) / n) };
  }

  variables(): tf.Variable[] {
    return this.flow.variables();
  }

  /** Nothing to free: the flow belongs to the caller. */
  dispose(): void {}
}
