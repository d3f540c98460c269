/**
 * Ancestral sampling from a diffusion model (DDPM, Ho et al. 2020, Algorithm 2).
 *
 * Generation starts from z_T ~ N(0, I) and steps backwards with the decoder's Gaussians,
 *
 *   z_{t-1} = (z_t - beta_t / sqrt(1 - alpha_t) g_t(z_t)) / sqrt(1 - beta_t) + sigma_t eps,   eps ~ N(0, I),
 *
 * adding noise at every step but the last (t = 1 returns the mean). DDPM sec. 3.2 gives two choices of
 * sigma_t that behave alike in practice:
 *   - 'beta':      sigma_t^2 = beta_t, optimal when x ~ N(0, I);
 *   - 'posterior': sigma_t^2 = beta~_t = (1 - alpha_{t-1}) beta_t / (1 - alpha_t), optimal when x is one
 *     fixed point; the variance of q(z_{t-1} | z_t, x).
 *
 * Each reverse step is one `tf.tidy`, and nothing is read back inside the loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { NoisePredictor } from './network';
import type { NoiseSchedule } from './schedule';

/** How the reverse step's noise sigma_t is chosen (see above), or explicit values sigma_1..sigma_T. */
export type SigmaChoice = 'beta' | 'posterior' | number[];

/** sigma_t of the reverse step for t in 1..T (sigma_1 is used by the ELBO's decoder, not by sampling). */
export function reverseSigma(schedule: NoiseSchedule, t: number, choice: SigmaChoice = 'beta'): number {
  if (!Number.isInteger(t) || t < 1 || t > schedule.T) throw new Error(`reverseSigma: t must be an integer in 1..${schedule.T}, got ${t}`);
  if (Array.isArray(choice)) {
    if (choice.length !== schedule.T) throw new Error(`reverseSigma: ${choice.length} sigma values for T = ${schedule.T} steps; pass one per step`);
    return choice[t - 1]!;
  }
  if (choice === 'beta') return Math.sqrt(schedule.beta[t]!);
  if (choice === 'posterior') {
    // beta~_1 = 0: the decoder at t = 1 keeps beta_1, as the ELBO needs a proper density there.
    return Math.sqrt(t === 1 ? schedule.beta[1]! : schedule.posteriorVariance(t));
  }
  throw new Error(`reverseSigma: unknown choice "${String(choice)}"; use 'beta', 'posterior' or an array of T values`);
}

/** The decoder mean mu_t(z_t) = (z_t - beta_t / sqrt(1 - alpha_t) eps-hat) / sqrt(1 - beta_t). */
export function reverseMean(schedule: NoiseSchedule, zt: tf.Tensor, epsHat: tf.Tensor, t: number): tf.Tensor {
  const b = schedule.beta[t]!;
  const a = schedule.alpha[t]!;
  return tf.tidy(() => tf.div(tf.sub(zt, tf.mul(epsHat, b / Math.sqrt(1 - a))), Math.sqrt(1 - b)));
}

export interface SampleOptions {
  /** Number of samples. */
  n: number;
  /** Data dimension D (samples have shape [n, D]). */
  dim: number;
  /** Seeds z_T and every step's noise. */
  rng: Rng;
  /** Choice of sigma_t. @default 'beta' */
  sigma?: SigmaChoice;
  /** Steps t whose whole batch z_t to return as frames (T = the starting noise, 0 = the samples). @default [] */
  keep?: number[];
  /** Keep the full path z_T, ..., z_0 of the first `paths` samples. @default 0 */
  paths?: number;
  /** Let the event loop run (outputs flush) every this many steps. @default 100 */
  yieldEvery?: number;
}

export interface SampleResult {
  /** z_0: the samples, [n, D]. */
  x: tf.Tensor2D;
  /** z_t for each requested step t. */
  frames: Map<number, tf.Tensor2D>;
  /** [T + 1, paths, D]: row k is z_{T-k} (so index 0 is the noise, index T the sample); null if paths = 0. */
  paths: tf.Tensor3D | null;
  /** Free every tensor of the result. */
  dispose(): void;
}

/** Algorithm 2 of DDPM: z_T ~ N(0, I), then T reverse steps. */
export async function sample(model: NoisePredictor, schedule: NoiseSchedule, options: SampleOptions): Promise<SampleResult> {
  const { n, dim, rng } = options;
  const sigma = options.sigma ?? 'beta';
  const keepSteps = new Set(options.keep ?? []);
  const nPaths = Math.min(options.paths ?? 0, n);
  const yieldEvery = options.yieldEvery ?? 100;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new Error(`sample: n and dim must be positive integers, got n = ${n}, dim = ${dim}`);
  }
  for (const t of keepSteps) {
    if (!Number.isInteger(t) || t < 0 || t > schedule.T) throw new Error(`sample: keep steps must be integers in 0..${schedule.T}, got ${t}`);
  }
  const sigmas = Array.from({ length: schedule.T + 1 }, (_, t) => (t === 0 ? 0 : reverseSigma(schedule, t, sigma)));
  const frames = new Map<number, tf.Tensor2D>();
  const path: tf.Tensor[] = [];
  let z = rng.randn([n, dim]) as tf.Tensor2D;
  const record = (t: number): void => {
    if (keepSteps.has(t)) frames.set(t, tf.clone(z));
    if (nPaths > 0) path.push(tf.slice(z, [0, 0], [nPaths, dim]));
  };
  try {
    record(schedule.T);
    for (let t = schedule.T; t >= 1; t--) {
      const next = tf.tidy(() => {
        const mean = reverseMean(schedule, z, model.predict(z, t), t);
        return (t > 1 ? tf.add(mean, tf.mul(rng.randn([n, dim]), sigmas[t]!)) : mean) as tf.Tensor2D;
      });
      z.dispose();
      z = next;
      record(t - 1);
      if (yieldEvery > 0 && t % yieldEvery === 0) await tf.nextFrame();
    }
  } catch (e) {
    z.dispose();
    frames.forEach((f) => f.dispose());
    path.forEach((p) => p.dispose());
    throw e;
  }
  const paths = nPaths > 0 ? (tf.stack(path) as tf.Tensor3D) : null;
  path.forEach((p) => p.dispose());
  const x = z;
  return {
    x,
    frames,
    paths,
    dispose: () => {
      x.dispose();
      frames.forEach((f) => f.dispose());
      paths?.dispose();
    },
  };
}
