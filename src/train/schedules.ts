/**
 * Learning-rate schedules: functions of the global step (counted across resumed `fit` calls).
 */

/** Learning rate as a function of the global step (0-based). */
export type LrSchedule = (globalStep: number) => number;

/** The same rate at every step. */
export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

/** Multiply the rate by `gamma` every `every` steps. */
export function stepDecay(opts: { lr: number; every: number; gamma: number }): LrSchedule {
  if (opts.every <= 0) throw new Error(`stepDecay: every must be > 0, got ${opts.every}`);
  return (s) => opts.lr * Math.pow(opts.gamma, Math.floor(s / opts.every));
}

/** Cosine decay from `lr` to `minLr` over `totalSteps` (Loshchilov & Hutter, SGDR), then flat. */
export function cosineDecay(opts: { lr: number; totalSteps: number; minLr?: number }): LrSchedule {
  const min = opts.minLr ?? 0;
  if (opts.totalSteps <= 0) throw new Error(`cosineDecay: totalSteps must be > 0, got ${opts.totalSteps}`);
  return (s) => {
    const p = Math.min(s / opts.totalSteps, 1);
    return min + 0.5 * (opts.lr - min) * (1 + Math.cos(Math.PI * p));
  };
}

/** Linear warm-up from 0 over `steps`, then `after` (shifted so it starts at its own step 0). */
export function warmup(steps: number, after: LrSchedule): LrSchedule {
  return (s) => (s < steps ? (after(0) * (s + 1)) / steps : after(s - steps));
}
