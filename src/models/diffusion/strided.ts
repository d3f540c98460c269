/**
 * Sampling on a subsequence of the steps: DDIM (Song, Meng & Ermon 2021, "Denoising Diffusion Implicit
 * Models", eq. 12), which with η = 1 is DDPM's ancestral sampler run on the subsequence.
 *
 * A model trained with the simple loss only ever learns g_t(z_t) ≈ E[ε | z_t] for each single t, and the
 * marginals q(z_t | x) = N(√α_t x, (1 − α_t) I) do not care which steps lie in between; so any increasing
 * subsequence τ_1 < … < τ_S = T of 1..T can be walked with the same network. From z_t to z_s (s the step
 * before t in the subsequence, s = 0 after the last):
 *
 *   x̂ = (z_t − √(1 − α_t) ε̂) / √α_t                       the network's guess of x (optionally clipped)
 *   σ² = η² (1 − α_s)/(1 − α_t) · (1 − α_t/α_s)            the noise of this step
 *   z_s = √α_s x̂ + √(1 − α_s − σ²) ε̂ + σ ε,   ε ~ N(0, I)
 *
 * Every step keeps q(z_s | x) = N(√α_s x, (1 − α_s) I) exact when ε̂ is the true noise. η = 0 is the
 * deterministic DDIM sampler (an ODE-like path; best for few steps); η = 1 gives σ² = the posterior
 * variance β̃ of the coarse chain whose steps are 1 − α_t/α_s, so with the full sequence (S = T) it is
 * exactly `sample(..., { sigma: 'posterior' })`'s step. The cost is S network evaluations instead of T.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { NoisePredictor } from './network';
import type { NoiseSchedule } from './schedule';

/** S steps spread evenly over 1..T, always including T: round(1 + (T − 1) i / (S − 1)), i = 0..S − 1. */
export function stridedSteps(T: number, S: number): number[] {
  if (!Number.isInteger(T) || T < 1) throw new Error(`stridedSteps: T must be a positive integer, got ${T}`);
  if (!Number.isInteger(S) || S < 1 || S > T) throw new Error(`stridedSteps: the number of steps S must be an integer in 1..${T}, got ${S}`);
  if (S === 1) return [T];
  return Array.from({ length: S }, (_, i) => Math.round(1 + ((T - 1) * i) / (S - 1)));
}

/** The coefficients of one step z_t -> z_s: z_s = cx x̂ + ce ε̂ + sigma ε. */
export function stridedCoefficients(schedule: NoiseSchedule, t: number, s: number, eta: number): { cx: number; ce: number; sigma: number } {
  if (!Number.isInteger(t) || !Number.isInteger(s) || s < 0 || s >= t || t > schedule.T) {
    throw new Error(`stridedCoefficients: need integers 0 <= s < t <= ${schedule.T}, got s = ${s}, t = ${t}`);
  }
  const at = schedule.alpha[t]!;
  const as = schedule.alpha[s]!;
  const sigma2 = eta * eta * ((1 - as) / (1 - at)) * (1 - at / as);
  return { cx: Math.sqrt(as), ce: Math.sqrt(Math.max(1 - as - sigma2, 0)), sigma: Math.sqrt(sigma2) };
}

export interface StridedSampleOptions {
  /** Number of samples. */
  n: number;
  /** Data dimension D. */
  dim: number;
  /** Seeds z_T and the steps' noise. */
  rng: Rng;
  /** The number of steps S (spread by `stridedSteps`), or the increasing list of steps itself (ending at most at T). */
  steps: number | number[];
  /** η: 0 deterministic DDIM, 1 ancestral (DDPM) on the subsequence. @default 0 */
  eta?: number;
  /**
   * Clip x̂ to [lo, hi] at every step (DDPM's and DDIM's image samplers clip to the data range [−1, 1]), and
   * recompute ε̂ from the clipped x̂ so both stay consistent with z_t. @default null (no clipping)
   */
  clip?: [number, number] | null;
  /** Let the event loop run every this many steps. @default 10 */
  yieldEvery?: number;
  /** Split the n samples into batches of at most this many rows (memory). @default n */
  batchSize?: number;
}

/** DDIM / strided DDPM samples [n, D] from z_T ~ N(0, I) (module comment). The caller disposes the result. */
export async function sampleStrided(model: NoisePredictor, schedule: NoiseSchedule, options: StridedSampleOptions): Promise<tf.Tensor2D> {
  const { n, dim, rng } = options;
  const eta = options.eta ?? 0;
  const clip = options.clip ?? null;
  const yieldEvery = options.yieldEvery ?? 10;
  const batchSize = options.batchSize ?? n;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) throw new Error(`sampleStrided: n and dim must be positive integers, got n = ${n}, dim = ${dim}`);
  if (!(eta >= 0)) throw new Error(`sampleStrided: eta must be >= 0 (0: DDIM, 1: DDPM), got ${eta}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`sampleStrided: batchSize must be a positive integer, got ${batchSize}`);
  if (clip !== null && !(clip[0] < clip[1])) throw new Error(`sampleStrided: clip must be [lo, hi] with lo < hi, got [${clip.join(', ')}]`);
  const steps = typeof options.steps === 'number' ? stridedSteps(schedule.T, options.steps) : options.steps;
  steps.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 1 || t > schedule.T || (i > 0 && t <= steps[i - 1]!)) {
      throw new Error(`sampleStrided: steps must be increasing integers in 1..${schedule.T}, got [${steps.join(', ')}]`);
    }
  });
  const down = [...steps].reverse();
  const parts: tf.Tensor2D[] = [];
  let z: tf.Tensor2D | null = null;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      z = rng.randn([m, dim]) as tf.Tensor2D;
      for (let k = 0; k < down.length; k++) {
        const t = down[k]!;
        const s = k + 1 < down.length ? down[k + 1]! : 0;
        const { cx, ce, sigma } = stridedCoefficients(schedule, t, s, eta);
        const at = schedule.alpha[t]!;
        const zt: tf.Tensor2D = z;
        const next = tf.tidy(() => {
          let epsHat = model.predict(zt, t);
          let xHat = tf.div(tf.sub(zt, tf.mul(epsHat, Math.sqrt(1 - at))), Math.sqrt(at));
          if (clip !== null) {
            xHat = tf.clipByValue(xHat, clip[0], clip[1]);
            epsHat = tf.div(tf.sub(zt, tf.mul(xHat, Math.sqrt(at))), Math.sqrt(1 - at));
          }
          const mean = tf.add(tf.mul(xHat, cx), tf.mul(epsHat, ce));
          return (sigma > 0 ? tf.add(mean, tf.mul(rng.randn([m, dim]), sigma)) : mean) as tf.Tensor2D;
        });
        zt.dispose();
        z = next;
        if (yieldEvery > 0 && (k + 1) % yieldEvery === 0) await tf.nextFrame();
      }
      parts.push(z);
      z = null;
    }
  } catch (e) {
    z?.dispose();
    parts.forEach((p) => p.dispose());
    throw e;
  }
  if (parts.length === 1) return parts[0]!;
  const x = tf.concat(parts) as tf.Tensor2D;
  parts.forEach((p) => p.dispose());
  return x;
}
