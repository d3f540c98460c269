/**
 * A denoising diffusion probabilistic model (Ho, Jain & Abbeel 2020, "DDPM") for vectors x in R^D.
 *
 * Encoder: the fixed forward chain of schedule.ts / forward.ts. Decoder: a series of Gaussians
 * p(z_{t-1} | z_t) = N(mu_t(z_t), sigma_t^2 I) with learned means, appropriate when beta_t is close to 0
 * (then the true reverse step q(z_{t-1} | z_t) is close to Gaussian). Training maximises an ELBO; writing
 * the mean through a noise predictor g_t,
 *
 *   mu_t(z_t) = (z_t - beta_t / sqrt(1 - alpha_t) g_t(z_t)) / sqrt(1 - beta_t)       (DDPM eq. 11),
 *
 * turns each KL term of the ELBO into a weighted ||g_t(z_t) - eps||^2; dropping the weights gives DDPM's
 * "simple" loss (eq. 14), which this model owns:
 *
 *   L = E_{x, t ~ U{1..T}, eps ~ N(0, I)} || g_t(sqrt(alpha_t) x + sqrt(1 - alpha_t) eps) - eps ||^2,
 *
 * summed over the D coordinates and averaged over the batch (so a predictor that always answers 0 scores
 * E||eps||^2 = D). Sampling is in sampler.ts, the ELBO in nats in elbo.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import { diffuse } from './forward';
import type { Activation } from '../../nn';
import { NoiseMLP, type NoisePredictor } from './network';
import { type SampleOptions, type SampleResult, sample } from './sampler';
import { type ElboOptions, type ElboResult, elbo } from './elbo';
import { NoiseSchedule } from './schedule';
import type { Step } from './steps';

export interface DDPMConfig {
  /** Data dimension D. */
  dim: number;
  /** The noise schedule (and with it T). @default NoiseSchedule.linear() (T = 1000, beta 1e-4 .. 0.02) */
  schedule?: NoiseSchedule;
  /** Hidden widths of the noise predictor. @default [128, 128, 128] */
  hidden?: number[];
  /** Width of the sinusoidal time embedding. @default 32 */
  embedDim?: number;
  /** Hidden nonlinearity. @default 'silu' */
  activation?: Activation;
  /** Time-dependent linear skip in the noise predictor (see NoiseMLPConfig.linearSkip). @default false */
  linearSkip?: boolean;
  /**
   * A noise network to use instead of the MLP (e.g. a `NoiseUNet` for images); its `dim` must equal `dim`.
   * When given, `hidden`, `embedDim`, `activation` and `linearSkip` are not used. @default an MLP (NoiseMLP)
   */
  net?: NoiseNetwork;
  /** Name of the data tensor in training batches. @default 'x' */
  dataKey?: string;
  /** Seeds the initial weights. */
  rng: Rng;
}

/** One training step's draws: t ~ U{1..T} per row (int32 [n]) and eps ~ N(0, I) like x. */
export function drawStepAndNoise(T: number, x: tf.Tensor, rng: Rng): { t: tf.Tensor1D; eps: tf.Tensor } {
  return tf.tidy(() => {
    const n = x.shape[0]!;
    // floor(U[1, T+1)) is uniform on {1..T}; clip guards against float rounding up to T + 1.
    const t = tf.cast(tf.clipByValue(tf.floor(tf.randomUniform([n], 1, T + 1, 'float32', rng.seed())), 1, T), 'int32') as tf.Tensor1D;
    return { t, eps: rng.randn(x.shape) };
  });
}

/** The simple eps-prediction loss of any predictor on a batch x ([n, D]), per-row sum over D, batch mean. */
export function noiseLoss(predictor: NoisePredictor, schedule: NoiseSchedule, x: tf.Tensor, rng: Rng): tf.Scalar {
  return tf.tidy(() => {
    const { t, eps } = drawStepAndNoise(schedule.T, x, rng);
    const zt = diffuse(schedule, x, t, eps);
    const err = tf.sub(predictor.predict(zt, t), eps);
    return tf.mean(tf.sum(tf.square(err), 1)) as tf.Scalar;
  });
}

/** A trainable noise predictor for rows of width `dim` (NoiseMLP, NoiseUNet). */
export interface NoiseNetwork extends NoisePredictor {
  readonly dim: number;
  readonly parameterCount: number;
  variables(): tf.Variable[];
  dispose(): void;
}

export class DDPM implements Trainable, NoisePredictor {
  readonly schedule: NoiseSchedule;
  readonly net: NoiseNetwork;
  readonly dim: number;
  private readonly dataKey: string;

  constructor(config: DDPMConfig) {
    this.dim = config.dim;
    this.schedule = config.schedule ?? NoiseSchedule.linear();
    this.dataKey = config.dataKey ?? 'x';
    if (config.net !== undefined && config.net.dim !== config.dim) {
      throw new Error(`DDPM: the noise network's dim (${config.net.dim}) differs from dim (${config.dim})`);
    }
    this.net = config.net ?? new NoiseMLP({
      dim: config.dim,
      hidden: config.hidden,
      embedDim: config.embedDim,
      activation: config.activation,
      linearSkip: config.linearSkip,
      rng: config.rng.fork('net'),
    });
  }

  /** Number of diffusion steps T. */
  get T(): number {
    return this.schedule.T;
  }

  /** eps-hat = g_t(z_t) for z of shape [n, D]. */
  predict(z: tf.Tensor, t: Step): tf.Tensor {
    return this.net.predict(z, t);
  }

  /** `{ mse }`: the simple loss above, with t and eps drawn from ctx.rng. */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = batch[this.dataKey];
    if (x === undefined) {
      throw new Error(`DDPM.loss: the batch has no "${this.dataKey}" (has: ${Object.keys(batch).join(', ')}); pass { ${this.dataKey}: data } to fit or set dataKey`);
    }
    if (x.rank !== 2 || x.shape[1] !== this.dim) {
      throw new Error(`DDPM.loss: expected data of shape [n, ${this.dim}], got [${x.shape.join(', ')}]`);
    }
    return { mse: noiseLoss(this, this.schedule, x, ctx.rng) };
  }

  /** Ancestral samples from this model (sampler.ts); dim and schedule are the model's. */
  sample(options: Omit<SampleOptions, 'dim'>): Promise<SampleResult> {
    return sample(this, this.schedule, { ...options, dim: this.dim });
  }

  /** -ELBO in nats per example of the rows of x (elbo.ts). */
  elbo(x: tf.Tensor2D, options: ElboOptions): Promise<ElboResult> {
    return elbo(this, this.schedule, x, options);
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}
