/**
 * A flow is a density: it integrates to 1, and its samples follow it.
 *
 * Oracles: midpoint-rule quadrature on a fine 2-D grid (independent of sampling), Monte Carlo
 * averages over samples drawn through the inverse (independent of the forward density), and the
 * closed-form Gaussian for an affine flow. Tolerances are stated at each assertion.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import * as flows from '../../src/models/flows';
import { standardNormalLogDensity } from '../../src/math';
import { useKitBackend } from './helpers';

before(useKitBackend);

/** Non-trivial flows of every kind (random, non-zero output layers) to check as densities. */
const makers: [string, () => flows.Flow][] = [
  ['RealNVP', () => new flows.RealNVP({ dim: 2, rng: seed('dens/rnvp'), numCouplings: 4, hidden: [16], activation: 'tanh', zeroInit: false })],
  ['PlanarFlow', () => new flows.PlanarFlow({ dim: 2, rng: seed('dens/planar'), numLayers: 4, initStd: 1 })],
  ['MAF', () => new flows.MAF({ dim: 2, rng: seed('dens/maf'), numLayers: 2, hidden: [16], activation: 'tanh', zeroInit: false })],
];

for (const [name, make] of makers) {
  test(`${name}: the density integrates to 1 and samples agree with it`, () => {
    const flow = make();
    // Grid: 300 x 300 cells over [-9, 9]² (cell 0.06). The midpoint rule's error for a smooth density of
    // unit-ish scale is ~1e-4 here and the mass outside the box is < 1e-6, so |mass − 1| < 5e-3 is a safe
    // tolerance; a missing log-det term would give a mass off by tens of percent (checked below).
    const grid = flows.densityGrid((x) => flow.logProbRaw(x), { xRange: [-9, 9], yRange: [-9, 9], steps: 300 });
    assert.ok(Math.abs(grid.mass - 1) < 5e-3, `${name}: ∫p = ${grid.mass}`);
    // The same density without the Jacobian term must not integrate to 1 (the test can fail).
    const noJac = flows.densityGrid((x) => standardNormalLogDensity(flow.forwardAndLogDet(x).y), { xRange: [-10, 10], yRange: [-10, 10], steps: 200 });
    assert.ok(Math.abs(noJac.mass - 1) > 0.05, `${name}: the flow is too close to volume-preserving to test anything (mass without Jacobian ${noJac.mass})`);

    // Quadrature of E_p[log p], E_p[x1], E_p[x2²] from the grid.
    let eLogP = 0;
    let eX1 = 0;
    let eX2sq = 0;
    grid.ys.forEach((y, j) =>
      grid.xs.forEach((x, i) => {
        const p = grid.density[j]![i]! * grid.cellArea;
        eLogP += p * grid.logDensity[j]![i]!;
        eX1 += p * x;
        eX2sq += p * y * y;
      }),
    );

    // Monte Carlo over 20,000 samples drawn through the inverse, with their log-density from the same pass.
    const n = 20000;
    const { x, logProb } = flow.sampleWithLogProb(n, seed(`dens/sample/${name}`));
    const lpSample = logProb.dataSync();
    const lpForward = flow.logProb(x).dataSync(); // the forward-direction density at the same points
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(lpSample[i]! - lpForward[i]!));
    // float32 round trip through the layers: agreement to 1e-3 nats
    assert.ok(maxDiff < 1e-3, `${name}: log q(x) from sampling and logProb(x) differ by ${maxDiff}`);

    const xs = x.arraySync();
    const stats = (vals: number[]): { mean: number; se: number } => {
      const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
      const v = vals.reduce((s, u) => s + (u - mean) ** 2, 0) / (vals.length - 1);
      return { mean, se: Math.sqrt(v / vals.length) };
    };
    // Each Monte Carlo mean must be within 4 standard errors (+ 0.01 for the quadrature) of the grid value.
    const checks: [string, { mean: number; se: number }, number][] = [
      ['E[log p(x)]', stats(Array.from(lpForward)), eLogP],
      ['E[x1]', stats(xs.map((r) => r[0]!)), eX1],
      ['E[x2²]', stats(xs.map((r) => r[1]! * r[1]!)), eX2sq],
    ];
    for (const [what, s, exact] of checks) {
      assert.ok(Math.abs(s.mean - exact) < 4 * s.se + 0.01, `${name}: ${what} by sampling ${s.mean.toFixed(4)} ± ${s.se.toFixed(4)}, by quadrature ${exact.toFixed(4)}`);
    }
    tf.dispose([x, logProb]);
    flow.dispose();
  });
}

test('an affine flow is the Gaussian N(mu, diag sigma²) (closed form)', () => {
  const flow = new flows.Flow([new flows.ElementwiseAffine({ dim: 2, mu: [1, -2], sigma: [0.5, 3] })]);
  const pts = [[0, 0], [1, -2], [2.5, 1]];
  const x = tf.tensor2d(pts);
  const lp = flow.logProb(x as tf.Tensor2D).dataSync();
  pts.forEach(([a, b], i) => {
    const exact = -0.5 * (((a! - 1) / 0.5) ** 2 + ((b! + 2) / 3) ** 2) - Math.log(2 * Math.PI) - Math.log(0.5) - Math.log(3);
    assert.ok(Math.abs(lp[i]! - exact) < 1e-5, `log p(${a}, ${b}) = ${lp[i]}, expected ${exact}`);
  });
  x.dispose();
  flow.dispose();
});

test('forwardSteps / inverseSteps: one entry per layer, ends at z / x, and memory stays flat', () => {
  const start = tf.memory().numTensors;
  const flow = new flows.RealNVP({ dim: 2, rng: seed('steps'), numCouplings: 3, hidden: [8], zeroInit: false, permutation: 'reverse' });
  const x = seed('sx').randn([7, 2]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const fw = flow.forwardSteps(x);
  assert.equal(fw.length, flow.layers.length + 1);
  assert.equal(fw[0]!.name, 'x');
  const z = flow.forward(x);
  assert.equal(Math.max(...Array.from(tf.tidy(() => tf.abs(tf.sub(fw.at(-1)!.value, z)).dataSync()))), 0);
  const inv = flow.inverseSteps(z);
  assert.equal(inv.length, flow.layers.length + 1);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(inv.at(-1)!.value, x))).dataSync()[0]!) < 1e-5);
  tf.dispose([...fw.map((s) => s.value), ...inv.map((s) => s.value), z]);
  assert.equal(tf.memory().numTensors, before, 'step lists leaked');
  // reconstruction error helper
  assert.ok(flow.maxReconstructionError(x) < 1e-5);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  flow.dispose();
  assert.equal(tf.memory().numTensors, start, 'construct + dispose leaked tensors');
});

test('gaussianBaselineNll matches the closed form for a known Gaussian', () => {
  // Train = the four points (±1, ±2): mean 0, Sigma = diag(1, 4). Test = the origin.
  const train = [[1, 2], [1, -2], [-1, 2], [-1, -2]];
  const nll = flows.gaussianBaselineNll(train, [[0, 0]]);
  const exact = 0.5 * Math.log((2 * Math.PI) ** 2 * 4);
  assert.ok(Math.abs(nll - exact) < 1e-12, `${nll} vs ${exact}`);
  const nll2 = flows.gaussianBaselineNll(train, [[1, 2]]);
  assert.ok(Math.abs(nll2 - (exact + 0.5 * (1 + 1))) < 1e-12);
});

test('Rezende & Mohamed targets: values at hand-computed points', () => {
  const x = tf.tensor2d([[2, 0], [0, 1], [1, 0.5]]) as tf.Tensor2D;
  const u1 = tf.tidy(() => flows.targetLogDensity('U1')(x).dataSync());
  // at (2, 0): ‖x‖ = 2, so −U1 = log(e^0 + e^{−½(4/0.6)²})
  assert.ok(Math.abs(u1[0]! - Math.log(1 + Math.exp(-0.5 * (4 / 0.6) ** 2))) < 1e-5);
  const u2 = tf.tidy(() => flows.targetLogDensity('U2')(x).dataSync());
  // at (0, 1): w1 = sin(0) = 0, −U2 = −½(1/0.4)²
  assert.ok(Math.abs(u2[1]! - -0.5 * (1 / 0.4) ** 2) < 1e-5);
  const u3 = tf.tidy(() => flows.targetLogDensity('U3')(x).dataSync());
  // at (1, 0.5): w1 = 1, w2 = 3, d = −0.5: −U3 = log(e^{−½(0.5/0.35)²} + e^{−½(2.5/0.35)²})
  const e3 = Math.log(Math.exp(-0.5 * (0.5 / 0.35) ** 2) + Math.exp(-0.5 * (2.5 / 0.35) ** 2));
  assert.ok(Math.abs(u3[2]! - e3) < 1e-5, `${u3[2]} vs ${e3}`);
  const u4 = tf.tidy(() => flows.targetLogDensity('U4')(x).dataSync());
  // at (1, 0.5): w3 = 3σ(0) = 1.5, d = −0.5: −U4 = log(e^{−½(0.5/0.4)²} + e^{−½(1/0.35)²})
  const e4 = Math.log(Math.exp(-0.5 * (0.5 / 0.4) ** 2) + Math.exp(-0.5 * (1 / 0.35) ** 2));
  assert.ok(Math.abs(u4[2]! - e4) < 1e-5, `${u4[2]} vs ${e4}`);
  x.dispose();
});

test('1-D: the change-of-variables density integrates to 1 and matches sampled interval probabilities', () => {
  // x = 0.5 + 0.8 (z + 2 tanh(3z)): bimodal, as in the notebook's first section.
  const flow = new flows.Flow([
    new flows.ElementwiseAffine({ dim: 1, mu: 0.5, sigma: 0.8 }),
    new flows.Planar({ dim: 1, u: [2], w: [3], b: 0 }),
  ]);
  const line = flows.densityLine((x) => flow.logProbRaw(x), [-6, 7], 1300);
  assert.ok(Math.abs(line.mass - 1) < 2e-3, `∫p = ${line.mass}`);
  const n = 40000;
  const x = flow.sample(n, seed('1d'));
  const xs = x.dataSync();
  for (const [a, b] of [[-1, 0.5], [0.5, 2.5], [-0.2, 1.2]] as [number, number][]) {
    const frac = Array.from(xs).filter((v) => v >= a && v <= b).length / n;
    const exact = line.xs.reduce((s, v, i) => (v >= a && v <= b ? s + line.density[i]! * line.width : s), 0);
    const se = Math.sqrt((exact * (1 - exact)) / n);
    // 4 binomial standard errors, plus 5e-3 for cells cut by the interval ends (width 0.01, p ≤ ~0.5)
    assert.ok(Math.abs(frac - exact) < 4 * se + 5e-3, `P(${a} <= x <= ${b}): samples ${frac}, formula ${exact}`);
  }
  x.dispose();
  flow.dispose();
});
