/**
 * Noise schedules of a denoising diffusion model (Ho, Jain & Abbeel 2020, "DDPM", sec. 2 and 4).
 *
 * The encoder adds noise in T prescribed steps, z_t = sqrt(1 - beta_t) z_{t-1} + sqrt(beta_t) eps_t,
 * with z_0 = x. Composing the steps gives the diffusion kernel q(z_t | x) = N(sqrt(alpha_t) x, (1 - alpha_t) I)
 * with the cumulative product
 *
 *     alpha_t = prod_{s=1..t} (1 - beta_s).
 *
 * (The lecture notes print this product garbled; it is the product above, DDPM's "alpha-bar".) We follow
 * the lecture and call the product `alpha`; the single-step factor is `1 - beta`.
 *
 * Everything here is plain float64 numbers, indexed by t = 0..T with the convention beta_0 = 0,
 * alpha_0 = 1 (z_0 = x), so `beta[t]` and `alpha[t]` read like the maths. Models turn them into tensors.
 */

/** Which family of beta_t to build. */
export type ScheduleKind = 'linear' | 'cosine' | 'custom';

export interface LinearScheduleConfig {
  /** Number of diffusion steps T. @default 1000 */
  T?: number;
  /** beta_1. @default 1e-4 (DDPM) */
  betaStart?: number;
  /** beta_T. @default 0.02 (DDPM) */
  betaEnd?: number;
}

export interface CosineScheduleConfig {
  /** Number of diffusion steps T. @default 1000 */
  T?: number;
  /** Offset s keeping beta_1 away from 0. @default 0.008 (Nichol & Dhariwal 2021) */
  s?: number;
  /** Upper clip on beta_t, avoiding the singularity at t = T. @default 0.999 */
  maxBeta?: number;
}

export class NoiseSchedule {
  /** Number of steps T. */
  readonly T: number;
  /** beta[t] for t = 0..T (beta[0] = 0). */
  readonly beta: Float64Array;
  /** alpha[t] = prod_{s<=t} (1 - beta_s), t = 0..T (alpha[0] = 1). */
  readonly alpha: Float64Array;

  constructor(
    betas: ArrayLike<number>,
    readonly kind: ScheduleKind = 'custom',
  ) {
    const T = betas.length;
    if (T < 1) throw new Error('NoiseSchedule: need at least one beta (T >= 1)');
    this.T = T;
    this.beta = new Float64Array(T + 1);
    this.alpha = new Float64Array(T + 1);
    this.alpha[0] = 1;
    for (let t = 1; t <= T; t++) {
      const b = betas[t - 1]!;
      if (!(b > 0 && b < 1)) {
        throw new Error(`NoiseSchedule: beta_${t} = ${b}; every beta_t must lie in (0, 1)`);
      }
      this.beta[t] = b;
      this.alpha[t] = this.alpha[t - 1]! * (1 - b);
    }
  }

  /** DDPM's linear schedule: beta_t evenly spaced from betaStart (t = 1) to betaEnd (t = T). */
  static linear(config: LinearScheduleConfig = {}): NoiseSchedule {
    const T = config.T ?? 1000;
    const lo = config.betaStart ?? 1e-4;
    const hi = config.betaEnd ?? 0.02;
    checkT(T, 'NoiseSchedule.linear');
    const betas = Array.from({ length: T }, (_, i) => (T === 1 ? hi : lo + ((hi - lo) * i) / (T - 1)));
    return new NoiseSchedule(betas, 'linear');
  }

  /**
   * The cosine schedule of Nichol & Dhariwal (2021, eq. 17): alpha_t = f(t)/f(0) with
   * f(t) = cos^2(((t/T) + s)/(1 + s) * pi/2), so alpha_t falls slowly at both ends; beta_t is recovered as
   * 1 - alpha_t/alpha_{t-1} and clipped at maxBeta.
   */
  static cosine(config: CosineScheduleConfig = {}): NoiseSchedule {
    const T = config.T ?? 1000;
    const s = config.s ?? 0.008;
    const maxBeta = config.maxBeta ?? 0.999;
    checkT(T, 'NoiseSchedule.cosine');
    const f = (t: number): number => Math.cos((((t / T) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    const betas = Array.from({ length: T }, (_, i) => Math.min(1 - f(i + 1) / f(i), maxBeta));
    return new NoiseSchedule(betas, 'cosine');
  }

  /** sqrt(alpha_t): the signal scale of q(z_t | x). */
  signalScale(t: number): number {
    return Math.sqrt(this.at(this.alpha, t));
  }

  /** sqrt(1 - alpha_t): the noise scale of q(z_t | x). */
  noiseScale(t: number): number {
    return Math.sqrt(1 - this.at(this.alpha, t));
  }

  /** Signal-to-noise ratio of q(z_t | x): SNR(t) = alpha_t / (1 - alpha_t) (Kingma et al. 2021). */
  snr(t: number): number {
    const a = this.at(this.alpha, t);
    return a / (1 - a);
  }

  /**
   * Variance of the posterior q(z_{t-1} | z_t, x) (see posterior.ts):
   * beta~_t = (1 - alpha_{t-1}) / (1 - alpha_t) * beta_t, for t = 1..T (0 at t = 1).
   */
  posteriorVariance(t: number): number {
    if (t < 1) throw new Error(`posteriorVariance: t must be in 1..${this.T}, got ${t}`);
    return ((1 - this.at(this.alpha, t - 1)) / (1 - this.at(this.alpha, t))) * this.at(this.beta, t);
  }

  /** Per-step arrays over t = 1..T (for plots): beta, alpha, SNR. */
  series(): { t: number[]; beta: number[]; alpha: number[]; snr: number[] } {
    const t = Array.from({ length: this.T }, (_, i) => i + 1);
    return { t, beta: t.map((s) => this.beta[s]!), alpha: t.map((s) => this.alpha[s]!), snr: t.map((s) => this.snr(s)) };
  }

  private at(arr: Float64Array, t: number): number {
    if (!Number.isInteger(t) || t < 0 || t > this.T) {
      throw new Error(`NoiseSchedule: step t must be an integer in 0..${this.T}, got ${t}`);
    }
    return arr[t]!;
  }
}

function checkT(T: number, where: string): void {
  if (!Number.isInteger(T) || T < 1) throw new Error(`${where}: T must be a positive integer, got ${T}`);
}
