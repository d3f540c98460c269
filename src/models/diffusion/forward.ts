/**
 * The forward (noising) process of a diffusion model, the lecture's "encoder".
 *
 *   one step:     z_t = sqrt(1 - beta_t) z_{t-1} + sqrt(beta_t) eps_t,        eps_t ~ N(0, I), z_0 = x
 *   closed form:  q(z_t | x) = N(sqrt(alpha_t) x, (1 - alpha_t) I),            alpha_t = prod_{s<=t} (1 - beta_s)
 *
 * The closed form follows because a sum of independent Gaussians is Gaussian: by induction
 * z_t = sqrt(alpha_t) x + sqrt(1 - alpha_t) eps with one eps ~ N(0, I) (DDPM eq. 4). `diffuse` uses it;
 * `forwardChain` iterates the single steps, so the two can be compared (test/diffusion/forward.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { NoiseSchedule } from './schedule';
import { type Step, checkRows, coefAt } from './steps';

/** z_t = sqrt(alpha_t) x + sqrt(1 - alpha_t) eps: a draw from q(z_t | x) given the noise eps. */
export function diffuse(schedule: NoiseSchedule, x: tf.Tensor, t: Step, eps: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(x.shape, eps.shape)) {
    throw new Error(`diffuse: x has shape [${x.shape.join(', ')}] but eps has [${eps.shape.join(', ')}]; they must match`);
  }
  checkRows(x, t, 'diffuse');
  return tf.tidy(() => {
    const sa = tf.sqrt(coefAt(schedule.alpha, t, x.rank, schedule.T, 'diffuse'));
    const sn = tf.sqrt(tf.sub(1, coefAt(schedule.alpha, t, x.rank, schedule.T, 'diffuse')));
    return tf.add(tf.mul(sa, x), tf.mul(sn, eps));
  });
}

/** Mean and variance of the diffusion kernel q(z_t | x) = N(sqrt(alpha_t) x, (1 - alpha_t) I). */
export function forwardMoments(schedule: NoiseSchedule, x: tf.Tensor, t: number): { mean: tf.Tensor; variance: number } {
  const a = schedule.alpha[checkStep(schedule, t, 'forwardMoments')]!;
  return { mean: tf.mul(x, Math.sqrt(a)), variance: 1 - a };
}

export interface ForwardChainOptions {
  /** Steps t at which to keep a frame z_t (0 keeps x itself). @default [schedule.T] */
  keep?: number[];
}

/**
 * Run the chain z_t = sqrt(1 - beta_t) z_{t-1} + sqrt(beta_t) eps_t step by step from z_0 = x, and return
 * the frames z_t at the requested steps (the caller disposes them). One tidy per step; the noise of all
 * rows is drawn as one tensor.
 */
export function forwardChain(schedule: NoiseSchedule, x: tf.Tensor, rng: Rng, options: ForwardChainOptions = {}): Map<number, tf.Tensor> {
  const keepSteps = (options.keep ?? [schedule.T]).map((t) => checkStep(schedule, t, 'forwardChain'));
  const last = Math.max(0, ...keepSteps);
  const frames = new Map<number, tf.Tensor>();
  if (keepSteps.includes(0)) frames.set(0, tf.clone(x));
  let z = tf.clone(x);
  for (let t = 1; t <= last; t++) {
    const b = schedule.beta[t]!;
    const next = tf.tidy(() => tf.add(tf.mul(z, Math.sqrt(1 - b)), tf.mul(rng.randn(x.shape), Math.sqrt(b))));
    z.dispose();
    z = next;
    if (keepSteps.includes(t) && !frames.has(t)) frames.set(t, tf.clone(z));
  }
  z.dispose();
  return frames;
}

function checkStep(schedule: NoiseSchedule, t: number, what: string): number {
  if (!Number.isInteger(t) || t < 0 || t > schedule.T) throw new Error(`${what}: step t must be an integer in 0..${schedule.T}, got ${t}`);
  return t;
}

/** One row of {@link forwardCheck}: chain moments against the closed form, per coordinate. */
export interface ForwardCheckRow {
  /** Index of the start point. */
  point: number;
  t: number;
  chainMean: number[];
  closedMean: number[];
  chainVar: number[];
  closedVar: number;
  /** Largest |chain mean - closed mean| in standard errors sqrt(var / n). */
  meanZ: number;
  /** Largest |chain var - closed var| in standard errors var sqrt(2 / n) (Gaussian sampling variance). */
  varZ: number;
}

/**
 * Iterate the forward chain from each start point (rows of x0, each replicated n times, all in one
 * batch) and compare the moments of z_t with the closed form q(z_t | x) at the given steps.
 */
export function forwardCheck(schedule: NoiseSchedule, x0: tf.Tensor2D, n: number, steps: number[], rng: Rng): ForwardCheckRow[] {
  const [k, d] = x0.shape;
  const x = tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(x0, 1), [1, n, 1]), [k * n, d]));
  const frames = forwardChain(schedule, x, rng, { keep: steps });
  x.dispose();
  const start = x0.arraySync();
  const rows: ForwardCheckRow[] = [];
  for (const t of steps) {
    const z = frames.get(t)!;
    const { mean, variance } = tf.tidy(() => {
      const m = tf.moments(tf.reshape(z, [k, n, d]), 1);
      return { mean: m.mean.arraySync() as number[][], variance: m.variance.arraySync() as number[][] };
    });
    const a = schedule.alpha[t]!;
    for (let p = 0; p < k; p++) {
      const closedMean = start[p]!.map((v) => Math.sqrt(a) * v);
      const closedVar = 1 - a;
      const se = Math.sqrt(closedVar / n);
      const seVar = closedVar * Math.sqrt(2 / n);
      rows.push({
        point: p,
        t,
        chainMean: mean[p]!,
        closedMean,
        chainVar: variance[p]!,
        closedVar,
        meanZ: Math.max(...mean[p]!.map((m, j) => Math.abs(m - closedMean[j]!) / se)),
        varZ: Math.max(...variance[p]!.map((v) => Math.abs(v - closedVar) / seVar)),
      });
    }
  }
  frames.forEach((f) => f.dispose());
  return rows;
}
