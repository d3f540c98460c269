/**
 * Nesterov accelerated momentum in the lecture's form: the gradient is taken at the point the momentum
 * is about to carry θ to (the "look-ahead"), not at θ_t:
 *
 *   m_{t+1} = β m_t + (1 - β) ∂L/∂θ[θ_t - α β m_t],    θ_{t+1} = θ_t - α m_{t+1},    m_0 = 0.
 */
import { type ArrayOptimizer, type GradientFn, requireBeta, requireRate } from './optimizer';

export class Nesterov implements ArrayOptimizer {
  readonly name: string;
  private m: Float64Array | null = null;

  constructor(readonly alpha: number, readonly beta = 0.9, name?: string) {
    requireRate(alpha, 'Nesterov');
    requireBeta(beta, 'β', 'Nesterov');
    this.name = name ?? `Nesterov (β = ${beta})`;
  }

  step(theta: Float64Array, grad: GradientFn, t: number): void {
    const m = (this.m ??= new Float64Array(theta.length));
    const ahead = theta.map((v, i) => v - this.alpha * this.beta * m[i]!);
    const g = grad(ahead, t);
    for (let i = 0; i < theta.length; i++) {
      m[i] = this.beta * m[i]! + (1 - this.beta) * g[i]!;
      theta[i]! -= this.alpha * m[i]!;
    }
  }

  reset(): void {
    this.m = null;
  }
}
