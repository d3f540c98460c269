/**
 * The evidence lower bound of a diffusion model, in nats per example (DDPM, Ho et al. 2020, eq. 5):
 *
 *   -log p(x) <= L = L_T + sum_{t=2..T} L_{t-1} + L_0,
 *     L_T     = KL(q(z_T | x) || N(0, I))                                  (prior; no parameters)
 *     L_{t-1} = E_q KL(q(z_{t-1} | z_t, x) || p(z_{t-1} | z_t))            (denoising terms)
 *     L_0     = -E_q log p(x | z_1),  p(x | z_1) = N(mu_1(z_1), sigma_1^2 I) (decoder; a density on R^D)
 *
 * With the eps-parameterised mean, mu~_t - mu_t = c_t (g_t(z_t) - eps) where
 * c_t = beta_t / (sqrt(1 - beta_t) sqrt(1 - alpha_t)), so for isotropic Gaussians
 *
 *   L_{t-1} = 1/2 [ D (log(sigma_t^2 / beta~_t) + beta~_t / sigma_t^2 - 1) + c_t^2 ||g_t - eps||^2 / sigma_t^2 ]
 *   L_0     = D/2 log(2 pi sigma_1^2) + c_1^2 ||g_1 - eps||^2 / (2 sigma_1^2).
 *
 * We sum over every t (one z_t draw per example and step, no sampling of t), so the estimate's only
 * noise is the draw of eps. Being a density bound for continuous x, it is comparable with a flow's exact
 * negative log-likelihood on the same data (lower is better, and the bound sits above the true NLL).
 * Cost: T network evaluations on the batch x; meant for low-dimensional data.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { NoisePredictor } from './network';
import { type SigmaChoice, reverseSigma } from './sampler';
import type { NoiseSchedule } from './schedule';

export interface ElboOptions {
  /** Seeds the draws of eps. */
  rng: Rng;
  /** The decoder's sigma_t (as in sampling; sigma_1^2 = beta_1 either way). @default 'beta' */
  sigma?: SigmaChoice;
  /** Let the event loop run every this many steps. @default 100 */
  yieldEvery?: number;
}

export interface ElboResult {
  /** -ELBO averaged over the examples, nats: an upper bound on the mean -log p(x). */
  nats: number;
  /** Mean L_T (prior matching). */
  prior: number;
  /** Mean sum_{t=2..T} L_{t-1} (denoising KLs). */
  diffusion: number;
  /** Mean L_0 (decoder). */
  reconstruction: number;
  /** perStep[t - 1] = mean L_{t-1} for t = 1..T (perStep[0] is L_0). */
  perStep: number[];
  /** -ELBO of each example. */
  perExample: Float32Array;
}

/** -ELBO of each row of x ([n, D]) under the model with noise predictor `model`. */
export async function elbo(model: NoisePredictor, schedule: NoiseSchedule, x: tf.Tensor2D, options: ElboOptions): Promise<ElboResult> {
  if (x.rank !== 2) throw new Error(`elbo: expected x of shape [n, D], got [${x.shape.join(', ')}]`);
  const [n, D] = x.shape;
  const T = schedule.T;
  const choice = options.sigma ?? 'beta';
  const yieldEvery = options.yieldEvery ?? 100;
  const aT = schedule.alpha[T]!;
  // L_T per example: KL(N(sqrt(aT) x, (1 - aT) I) || N(0, I)).
  let total = tf.tidy(() => tf.mul(0.5, tf.add(tf.sum(tf.mul(tf.square(x), aT), 1), D * (1 - aT - 1 - Math.log(1 - aT)))));
  const prior = tf.mean(total);
  const perStep: tf.Scalar[] = [];
  try {
    for (let t = 1; t <= T; t++) {
      const a = schedule.alpha[t]!;
      const b = schedule.beta[t]!;
      const s2 = reverseSigma(schedule, t, choice) ** 2;
      const c2 = (b * b) / ((1 - b) * (1 - a));
      const { next, stepMean } = tf.tidy(() => {
        const eps = options.rng.randn([n, D]);
        const zt = tf.add(tf.mul(x, Math.sqrt(a)), tf.mul(eps, Math.sqrt(1 - a)));
        const sq = tf.sum(tf.square(tf.sub(model.predict(zt, t), eps)), 1);
        let term: tf.Tensor;
        if (t === 1) {
          term = tf.add(tf.mul(sq, c2 / (2 * s2)), 0.5 * D * Math.log(2 * Math.PI * s2));
        } else {
          const bt = schedule.posteriorVariance(t);
          term = tf.add(tf.mul(sq, c2 / (2 * s2)), 0.5 * D * (Math.log(s2 / bt) + bt / s2 - 1));
        }
        return { next: tf.add(total, term), stepMean: tf.mean(term) as tf.Scalar };
      });
      total.dispose();
      total = next;
      perStep.push(stepMean);
      if (yieldEvery > 0 && t % yieldEvery === 0) await tf.nextFrame();
    }
    const all = tf.tidy(() => tf.concat([tf.stack([prior, tf.mean(total)]), tf.stack(perStep)]));
    const values = all.dataSync();
    const perExample = total.dataSync() as Float32Array;
    all.dispose();
    const perStepArr = Array.from(values.subarray(2));
    const reconstruction = perStepArr[0]!;
    const diffusion = perStepArr.slice(1).reduce((s, v) => s + v, 0);
    return { nats: values[1]!, prior: values[0]!, diffusion, reconstruction, perStep: perStepArr, perExample: Float32Array.from(perExample) };
  } finally {
    total.dispose();
    prior.dispose();
    perStep.forEach((s) => s.dispose());
  }
}
