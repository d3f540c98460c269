/**
 * Gradient flow and the implicit regularisation of gradient descent (lecture: "Implicit regularisation:
 * gradient descent"; Barrett & Dherin, 2021; Prince, Understanding Deep Learning, 2023, §9.2).
 *
 * With infinitesimal steps, dθ/dt = -∂L/∂θ. Gradient descent with a finite step α does not follow that
 * flow; backward error analysis finds the flow it does follow to second order in α: the gradient flow
 * of the modified loss
 *
 *   L_GD[θ] = L[θ] + (α/4) ||∂L/∂θ||²,   ∂L_GD/∂θ = ∂L/∂θ + (α/2) (∂²L/∂θ²) ∂L/∂θ.
 *
 * (The lecture notes print "L[θ] → (α/4)||∂L/∂θ||²" with an arrow where the plus belongs.) So GD
 * behaves as if it also penalised steep places. `integrateFlow` solves the flow ODE by classical
 * Runge-Kutta; `modifiedGradient` builds ∂L_GD/∂θ from ∂L/∂θ with a Hessian-vector product by central
 * differences of the gradient (exact for quadratics up to rounding).
 */

/** A gradient that does not depend on the step: ∂L/∂θ at θ. */
export type Gradient = (theta: Float64Array) => Float64Array;

/** ∂L_GD/∂θ = g + (α/2) H g, with H g ≈ (g(θ + h u) - g(θ - h u)) ‖g‖ / 2h along u = g/‖g‖. */
export function modifiedGradient(grad: Gradient, alpha: number, h = 1e-5): Gradient {
  if (!(alpha >= 0)) throw new Error(`modifiedGradient: α must be >= 0, got ${alpha}`);
  return (theta) => {
    const g = grad(theta);
    const norm = Math.hypot(...g);
    if (norm === 0 || alpha === 0) return g;
    const up = grad(theta.map((v, i) => v + (h * g[i]!) / norm));
    const down = grad(theta.map((v, i) => v - (h * g[i]!) / norm));
    return g.map((gi, i) => gi + (alpha / 2) * ((up[i]! - down[i]!) * norm) / (2 * h));
  };
}

/**
 * Integrate dθ/dt = -grad(θ) from θ_0 over [0, T] with `substeps` RK4 steps per unit of `dt`, and
 * return θ at times 0, dt, 2 dt, ..., n dt (n = `points`): sample it where gradient descent with step
 * α = dt lands, to compare the two.
 */
export function integrateFlow(grad: Gradient, theta0: ArrayLike<number>, dt: number, points: number, substeps = 20): Float64Array[] {
  if (!(dt > 0)) throw new Error(`integrateFlow: dt must be positive, got ${dt}`);
  if (!Number.isInteger(points) || points < 0 || !Number.isInteger(substeps) || substeps < 1) throw new Error('integrateFlow: points must be an integer >= 0 and substeps an integer >= 1');
  const h = dt / substeps;
  let theta = Float64Array.from(theta0);
  const out = [Float64Array.from(theta)];
  const axpy = (x: Float64Array, a: number, y: Float64Array): Float64Array => x.map((v, i) => v + a * y[i]!);
  for (let p = 0; p < points; p++) {
    for (let s = 0; s < substeps; s++) {
      const k1 = grad(theta);
      const k2 = grad(axpy(theta, -h / 2, k1));
      const k3 = grad(axpy(theta, -h / 2, k2));
      const k4 = grad(axpy(theta, -h, k3));
      theta = theta.map((v, i) => v - (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
    }
    out.push(Float64Array.from(theta));
  }
  return out;
}
