/**
 * Momentum in the lecture's form, an exponentially weighted average of past gradients:
 *
 *   m_{t+1} = β m_t + (1 - β) ∂L/∂θ[θ_t],    θ_{t+1} = θ_t - α m_{t+1},    m_0 = 0.
 *
 * (tfjs's `momentum` omits the (1 - β): the same path with α scaled by 1/(1 - β).)
 */
import { type ArrayOptimizer, type GradientFn, requireBeta, requireRate } from './optimizer';

export class Momentum implements ArrayOptimizer {
  readonly name: string;
  private m: Float64Array | null = null;

  constructor(readonly alpha: number, readonly beta = 0.9, name?: string) {
    requireRate(alpha, 'Momentum');
    requireBeta(beta, 'β', 'Momentum');
    this.name = name ?? `momentum (β = ${beta})`;
  }

  step(theta: Float64Array, grad: GradientFn, t: number): void {
    const m = (this.m ??= new Float64Array(theta.length));
    const g = grad(theta, t);
    for (let i = 0; i < theta.length; i++) {
      m[i] = this.beta * m[i]! + (1 - this.beta) * g[i]!;
      theta[i]! -= this.alpha * m[i]!;
    }
  }

  reset(): void {
    this.m = null;
  }
}
