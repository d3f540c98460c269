/**
 * The interface every array optimiser of the lecture implements, and the loop that records a
 * trajectory. Parameters are one float64 vector θ; the gradient is a function, because Nesterov
 * momentum evaluates it somewhere other than θ_t, and SGD asks for a different minibatch each step.
 */

/** ∂L/∂θ at θ on step t (t = 0, 1, ...): a minibatch gradient for SGD, the full gradient for GD. */
export type GradientFn = (theta: Float64Array, t: number) => Float64Array;

export interface ArrayOptimizer {
  /** Short name for legends, e.g. 'momentum (β = 0.9)'. */
  readonly name: string;
  /** One update of θ in place, as step t (counted from 0). */
  step(theta: Float64Array, grad: GradientFn, t: number): void;
  /** Forget any state (momentum, moment estimates) before a new run. */
  reset(): void;
}

/** Run `steps` updates from θ_0 (copied) and return the trajectory θ_0, θ_1, ..., θ_steps. */
export function optimize(opt: ArrayOptimizer, theta0: ArrayLike<number>, grad: GradientFn, steps: number): Float64Array[] {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`optimize: steps must be a non-negative integer, got ${steps}`);
  opt.reset();
  const theta = Float64Array.from(theta0);
  const path = [Float64Array.from(theta)];
  for (let t = 0; t < steps; t++) {
    opt.step(theta, grad, t);
    if (!theta.every(Number.isFinite)) throw new Error(`optimize (${opt.name}): θ is no longer finite after step ${t + 1}; lower the learning rate`);
    path.push(Float64Array.from(theta));
  }
  return path;
}

export function requireRate(alpha: number, who: string): void {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`${who}: the learning rate α must be a positive number, got ${alpha}`);
}

export function requireBeta(beta: number, name: string, who: string): void {
  if (!(beta >= 0 && beta < 1)) throw new Error(`${who}: ${name} must lie in [0, 1), got ${beta}`);
}
