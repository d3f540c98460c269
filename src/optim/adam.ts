/**
 * Adam (Kingma & Ba, 2015, Algorithm 1; lecture notation β for the first moment, γ for the second):
 *
 *   m_{t+1} = β m_t + (1 - β) g,   v_{t+1} = γ v_t + (1 - γ) g²,
 *   m̃ = m_{t+1} / (1 - β^{t+1}),   ṽ = v_{t+1} / (1 - γ^{t+1}),   θ_{t+1} = θ_t - α m̃ / (√ṽ + ε).
 *
 * Both moments start at 0, so early on they are biased towards 0 (m_1 = (1 - β) g); the division by
 * 1 - β^{t+1} undoes exactly that. `biasCorrection: false` drops it, to show what it is for: the first
 * step is then α (1 - β)/√(1 - γ) ≈ 3.16 α per coordinate with the default β, γ instead of α.
 */
import { type ArrayOptimizer, type GradientFn, requireBeta, requireRate } from './optimizer';

export interface AdamOptions {
  /** First-moment decay β. @default 0.9 */
  beta?: number;
  /** Second-moment decay γ. @default 0.999 */
  gamma?: number;
  /** Added to √ṽ to avoid division by zero. @default 1e-8 */
  epsilon?: number;
  /** Divide the moments by 1 - β^{t+1}, 1 - γ^{t+1}. @default true */
  biasCorrection?: boolean;
  /** Legend name. @default 'Adam' (or 'Adam, no bias correction') */
  name?: string;
}

export class Adam implements ArrayOptimizer {
  readonly name: string;
  readonly beta: number;
  readonly gamma: number;
  readonly epsilon: number;
  readonly biasCorrection: boolean;
  private m: Float64Array | null = null;
  private v: Float64Array | null = null;

  constructor(readonly alpha: number, options: AdamOptions = {}) {
    requireRate(alpha, 'Adam');
    this.beta = options.beta ?? 0.9;
    this.gamma = options.gamma ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.biasCorrection = options.biasCorrection ?? true;
    requireBeta(this.beta, 'β', 'Adam');
    requireBeta(this.gamma, 'γ', 'Adam');
    if (!(this.epsilon >= 0)) throw new Error(`Adam: ε must be >= 0, got ${this.epsilon}`);
    this.name = options.name ?? (this.biasCorrection ? 'Adam' : 'Adam, no bias correction');
  }

  step(theta: Float64Array, grad: GradientFn, t: number): void {
    const m = (this.m ??= new Float64Array(theta.length));
    const v = (this.v ??= new Float64Array(theta.length));
    const g = grad(theta, t);
    const cm = this.biasCorrection ? 1 - this.beta ** (t + 1) : 1;
    const cv = this.biasCorrection ? 1 - this.gamma ** (t + 1) : 1;
    for (let i = 0; i < theta.length; i++) {
      m[i] = this.beta * m[i]! + (1 - this.beta) * g[i]!;
      v[i] = this.gamma * v[i]! + (1 - this.gamma) * g[i]! * g[i]!;
      theta[i]! -= (this.alpha * (m[i]! / cm)) / (Math.sqrt(v[i]! / cv) + this.epsilon);
    }
  }

  reset(): void {
    this.m = null;
    this.v = null;
  }
}
