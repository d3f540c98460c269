import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, GradientDescent, Momentum, Nesterov, integrateFlow, minibatchGradient, modifiedGradient, optimize } from '../../src/optim';
import { seed } from '../../src/runtime/rng';

/** x_t of the recurrence x_{t+1} = tr x_t - det x_{t-1}, from x_0 and x_1, in closed form (roots real or complex). */
function secondOrder(tr: number, det: number, x0: number, x1: number, t: number): number {
  const disc = tr * tr - 4 * det;
  if (disc > 0) {
    const r1 = (tr + Math.sqrt(disc)) / 2;
    const r2 = (tr - Math.sqrt(disc)) / 2;
    const c1 = (x1 - r2 * x0) / (r1 - r2);
    return c1 * r1 ** t + (x0 - c1) * r2 ** t;
  }
  // r = ρ e^{±iω}: x_t = ρ^t (A cos ωt + B sin ωt).
  const rho = Math.sqrt(det);
  const omega = Math.atan2(Math.sqrt(-disc) / 2, tr / 2);
  const B = (x1 / rho - x0 * Math.cos(omega)) / Math.sin(omega);
  return rho ** t * (x0 * Math.cos(omega * t) + B * Math.sin(omega * t));
}

// L(θ) = ½ Σ λ_i θ_i², separable, so each coordinate follows its own closed form.
const lambdas = [0.2, 10];
const grad = (th: Float64Array): Float64Array => th.map((v, i) => lambdas[i]! * v);
const theta0 = [1.5, -0.8];

test('gradient descent on a quadratic: θ_t = (1 - αλ)^t θ_0', () => {
  const path = optimize(new GradientDescent(0.05), theta0, grad, 40);
  path.forEach((th, t) => lambdas.forEach((l, i) => assert.ok(Math.abs(th[i]! - (1 - 0.05 * l) ** t * theta0[i]!) < 1e-12)));
});

test('momentum and Nesterov on a quadratic follow their second-order linear recurrences (real and complex roots)', () => {
  const alpha = 0.1;
  const beta = 0.9;
  for (const [Opt, tr, det] of [
    // Momentum: (θ, m) ↦ M(θ, m) with trace 1 - a + β and determinant β, a = α(1 - β)λ.
    [Momentum, (a: number) => 1 - a + beta, () => beta],
    // Nesterov: trace (1 + β)(1 - a), determinant β(1 - a).
    [Nesterov, (a: number) => (1 + beta) * (1 - a), (a: number) => beta * (1 - a)],
  ] as const) {
    const path = optimize(new Opt(alpha, beta), theta0, grad, 60);
    lambdas.forEach((l, i) => {
      const a = alpha * (1 - beta) * l;
      const x1 = (1 - a) * theta0[i]!; // m_0 = 0, so the first step is a plain GD step of size α(1 - β)
      for (let t = 0; t <= 60; t++) {
        const want = secondOrder(tr(a), det(a), theta0[i]!, x1, t);
        assert.ok(Math.abs(path[t]![i]! - want) < 1e-10, `${Opt.name}, λ = ${l}, t = ${t}: ${path[t]![i]} vs ${want}`);
      }
    });
  }
  // For momentum λ = 0.2 gives real roots (overdamped), λ = 10 complex ones (oscillation): both branches are used.
  assert.ok((1 - 0.1 * 0.1 * 10 + 0.9) ** 2 - 4 * 0.9 < 0 && (1 - 0.1 * 0.1 * 0.2 + 0.9) ** 2 - 4 * 0.9 > 0);
});

test('Adam: constant gradient gives steps of exactly α with bias correction, α(1-β^t)/√(1-γ^t) without', () => {
  const c = Float64Array.from([3, -0.01]); // a linear loss c·θ: the same gradient everywhere
  const g = (): Float64Array => c;
  const T = 30;
  const corrected = optimize(new Adam(0.1, { epsilon: 0 }), [0, 0], g, T);
  corrected.forEach((th, t) => c.forEach((ci, i) => assert.ok(Math.abs(th[i]! + t * 0.1 * Math.sign(ci)) < 1e-12)));
  const raw = optimize(new Adam(0.1, { epsilon: 0, biasCorrection: false }), [0, 0], g, T);
  let sum = 0;
  for (let t = 1; t <= T; t++) {
    sum += (0.1 * (1 - 0.9 ** t)) / Math.sqrt(1 - 0.999 ** t);
    c.forEach((ci, i) => assert.ok(Math.abs(raw[t]![i]! + sum * Math.sign(ci)) < 1e-12, `t = ${t}`));
  }
  // The first uncorrected step is (1 - β)/√(1 - γ) = 0.1/√0.001 ≈ 3.16 times α.
  assert.ok(Math.abs(-raw[1]![0]! / 0.1 - 0.1 / Math.sqrt(0.001)) < 1e-12);
  assert.throws(() => new Adam(0.1, { beta: 1 }), /β must lie in \[0, 1\)/);
  assert.throws(() => new GradientDescent(-1), /positive/);
});

test('SGD: every example once per epoch; on Σ ½(θ - c_i)² the path is the closed-form weighted sum of the visited c_i', () => {
  const c = [1, 2, 3, 4, 5, 6];
  const visited: number[] = [];
  const sgd = minibatchGradient(6, 2, seed('mb'), (th, idx) => {
    visited.push(...idx);
    return Float64Array.from([th[0]! - idx.reduce((s, i) => s + c[i]!, 0) / idx.length]);
  });
  const alpha = 0.3;
  const path = optimize(new GradientDescent(alpha, 'SGD'), [0], sgd, 9);
  for (let e = 0; e < 3; e++) assert.deepEqual([...visited.slice(6 * e, 6 * e + 6)].sort(), [0, 1, 2, 3, 4, 5]);
  // θ_{t+1} = (1 - α) θ_t + α c̄_{B_t}: θ_t = Σ_s α (1 - α)^{t-1-s} c̄_{B_s}.
  for (let t = 1; t <= 9; t++) {
    let want = 0;
    for (let s = 0; s < t; s++) want += alpha * (1 - alpha) ** (t - 1 - s) * ((c[visited[2 * s]!]! + c[visited[2 * s + 1]!]!) / 2);
    assert.ok(Math.abs(path[t]![0]! - want) < 1e-12);
  }
});

test('gradient flow on a quadratic is exp(-λt) θ_0; the flow of L_GD is exp(-(λ + αλ²/2)t) θ_0 and tracks GD far better', () => {
  const alpha = 0.02;
  const flow = integrateFlow(grad, theta0, alpha, 50);
  flow.forEach((th, k) => lambdas.forEach((l, i) => assert.ok(Math.abs(th[i]! - Math.exp(-l * k * alpha) * theta0[i]!) < 1e-9)));
  const mod = modifiedGradient(grad, alpha);
  // Hessian-vector products by central differences are exact for a quadratic (up to rounding).
  const gm = mod(Float64Array.from(theta0));
  lambdas.forEach((l, i) => assert.ok(Math.abs(gm[i]! - (l + (alpha * l * l) / 2) * theta0[i]!) < 1e-6));
  const modFlow = integrateFlow(mod, theta0, alpha, 50);
  const gd = optimize(new GradientDescent(alpha), theta0, grad, 50);
  let devL = 0;
  let devGD = 0;
  for (let k = 0; k <= 50; k++) {
    devL = Math.max(devL, Math.hypot(gd[k]![0]! - flow[k]![0]!, gd[k]![1]! - flow[k]![1]!));
    devGD = Math.max(devGD, Math.hypot(gd[k]![0]! - modFlow[k]![0]!, gd[k]![1]! - modFlow[k]![1]!));
  }
  // GD deviates from the flow of L at O(α), from the flow of L_GD at O(α²): here 5x closer at least.
  assert.ok(devGD < devL / 5, `max deviation from flow of L ${devL}, of L_GD ${devGD}`);
});
