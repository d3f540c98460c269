import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gameValue, gaussian1d, jsDivergence, optimalDiscriminator, optimalGameValue, simpson } from '../../src/models/gan';

const LOG4 = Math.log(4);

test('Simpson integrates a Gaussian density to 1 and x^2 against it to sigma^2 + mu^2', () => {
  const g = gaussian1d(0.7, 1.3);
  assert.ok(Math.abs(simpson((x) => Math.exp(g.logPdf(x)), ...g.support) - 1) < 1e-10);
  assert.ok(Math.abs(simpson((x) => x * x * Math.exp(g.logPdf(x)), ...g.support) - (1.3 ** 2 + 0.7 ** 2)) < 1e-9);
});

test('d*(x) = p_data / (p_data + p_g): 1/2 where the densities cross and for equal densities', () => {
  const p = gaussian1d(0, 1);
  const q = gaussian1d(2, 1);
  // Equal variances cross at the midpoint.
  assert.ok(Math.abs(optimalDiscriminator(p, q, 1) - 0.5) < 1e-12);
  for (const x of [-3, -0.5, 0.2, 4]) {
    const a = Math.exp(p.logPdf(x));
    const b = Math.exp(q.logPdf(x));
    assert.ok(Math.abs(optimalDiscriminator(p, q, x) - a / (a + b)) < 1e-12);
    assert.ok(Math.abs(optimalDiscriminator(p, p, x) - 0.5) < 1e-12);
  }
  // Stable far in the tails, where both densities underflow to 0.
  assert.ok(optimalDiscriminator(p, q, -60) > 0.999999);
});

test('v(G, d*) = -log 4 + 2 JSD(p_data || p_g), two independent integrals, for several pairs of Gaussians', () => {
  for (const [m1, s1, m2, s2] of [[0, 1, 0, 1], [0, 1, 1, 1], [0, 1, 3, 0.5], [-1, 2, 1.5, 0.3], [0, 0.2, 6, 0.2]] as const) {
    const p = gaussian1d(m1, s1);
    const q = gaussian1d(m2, s2);
    const v = optimalGameValue(p, q);
    const jsd = jsDivergence(p, q);
    assert.ok(Math.abs(v - (-LOG4 + 2 * jsd)) < 1e-8, `${[m1, s1, m2, s2]}: v ${v}, -log4 + 2 JSD ${-LOG4 + 2 * jsd}`);
    assert.ok(jsd >= -1e-12 && jsd <= Math.LN2 + 1e-9);
    // The value through the generic integrator, with d = d* as a function, agrees too (where d* does not
    // round to exactly 0 or 1 on the grid, which a function returning probabilities cannot avoid).
    if (jsd < 0.2) assert.ok(Math.abs(gameValue(p, q, (x) => optimalDiscriminator(p, q, x)) - v) < 1e-8);
  }
  // Known ends: equal densities give JSD 0 (value -log 4); far-apart ones JSD -> log 2 (value -> 0).
  assert.ok(Math.abs(jsDivergence(gaussian1d(0, 1), gaussian1d(0, 1))) < 1e-12);
  assert.ok(Math.abs(jsDivergence(gaussian1d(0, 0.2), gaussian1d(6, 0.2)) - Math.LN2) < 1e-9);
});

test('JSD of two unit Gaussians one apart matches a direct closed-form-free Monte Carlo check within 3 standard errors', () => {
  const p = gaussian1d(0, 1);
  const q = gaussian1d(1, 1);
  // Monte Carlo: JSD = 1/2 E_p[log(2p/(p+q))] + 1/2 E_q[log(2q/(p+q))], with a fixed simple generator.
  let s = 12345;
  const uniform = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const n = 200000;
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = normal();
    const y = 1 + normal();
    const f = (t: number, own: typeof p) => Math.log(2) + own.logPdf(t) - Math.log(Math.exp(p.logPdf(t)) + Math.exp(q.logPdf(t)));
    vals.push(0.5 * f(x, p) + 0.5 * f(y, q));
  }
  const mean = vals.reduce((a, b) => a + b, 0) / n;
  const se = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
  assert.ok(Math.abs(mean - jsDivergence(p, q)) < 3 * se, `MC ${mean} ± ${se}, integral ${jsDivergence(p, q)}`);
});

test('d* maximises v(G, d): any perturbed discriminator scores lower', () => {
  const p = gaussian1d(0, 1);
  const q = gaussian1d(1.5, 0.7);
  const best = optimalGameValue(p, q);
  for (const eps of [0.05, -0.05, 0.2]) {
    const d = (x: number) => Math.min(1 - 1e-12, Math.max(1e-12, optimalDiscriminator(p, q, x) + eps * Math.sin(x)));
    assert.ok(gameValue(p, q, d) < best, `eps ${eps}`);
  }
  assert.ok(gameValue(p, q, () => 0.5) < best);
  assert.ok(Math.abs(gameValue(p, q, () => 0.5) + Math.log(4)) < 1e-9);
});
