/**
 * Gradient descent, θ_{t+1} = θ_t - α ∂L/∂θ (lecture: "Gradient descent"). Given a minibatch gradient
 * (minibatch.ts) the same update is stochastic gradient descent.
 */
import { type ArrayOptimizer, type GradientFn, requireRate } from './optimizer';

export class GradientDescent implements ArrayOptimizer {
  readonly name: string;
  constructor(readonly alpha: number, name = 'GD') {
    requireRate(alpha, 'GradientDescent');
    this.name = name;
  }

  step(theta: Float64Array, grad: GradientFn, t: number): void {
    const g = grad(theta, t);
    for (let i = 0; i < theta.length; i++) theta[i]! -= this.alpha * g[i]!;
  }

  reset(): void {}
}
