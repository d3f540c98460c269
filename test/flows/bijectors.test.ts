/**
 * Every bijector: inverse(forward(x)) = x, forward(inverse(z)) = z, and both log-dets against the
 * log |det| of a central-difference Jacobian, for 2-D and 3-D inputs. Tolerances: see helpers.ts.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seed } from '../../src/runtime/rng';
import * as flows from '../../src/models/flows';
import { LOGDET_TOL, maxAbsDiff, numericLogDet, useKitBackend } from './helpers';

before(useKitBackend);

const ROUNDTRIP_TOL = 1e-4;

type Make = (dim: number) => flows.Bijector;

const cases: [string, Make][] = [
  ['ElementwiseAffine', (d) => new flows.ElementwiseAffine({ dim: d, mu: Array.from({ length: d }, (_, i) => 0.3 * i - 0.2), sigma: Array.from({ length: d }, (_, i) => 0.5 + 0.7 * i) })],
  ['Planar', (d) => new flows.Planar({ dim: d, rng: seed(`planar${d}`), initStd: 1, b: 0.3 })],
  // A planar layer whose raw wᵀu = −1.45 < −1 would not be invertible; the constraint makes wᵀû = m(−1.45) ≈ −0.79.
  ['Planar (constrained)', (d) => new flows.Planar({ dim: d, u: Array.from({ length: d }, (_, i) => (i === 0 ? -1.5 : 0.5)), w: Array.from({ length: d }, (_, i) => (i === 0 ? 1 : 0.1)), b: -0.2 })],
  ['Permute', (d) => flows.Permute.random(d, seed(`perm${d}`))],
  ['AffineCoupling', (d) => new flows.AffineCoupling({ mask: flows.halfMask(d), rng: seed(`coupling${d}`), hidden: [16, 16], activation: 'tanh', zeroInit: false })],
  ['AffineCoupling (flipped mask)', (d) => new flows.AffineCoupling({ mask: flows.halfMask(d, true), rng: seed(`couplingB${d}`), hidden: [16], activation: 'elu', zeroInit: false })],
  ['MAFLayer', (d) => new flows.MAFLayer({ dim: d, rng: seed(`maf${d}`), hidden: [16, 16], activation: 'tanh', zeroInit: false, order: [...Array(d).keys()].reverse() })],
  ['RealNVP (reverse permutations)', (d) => new flows.RealNVP({ dim: d, rng: seed(`rnvp${d}`), numCouplings: 3, hidden: [16], activation: 'tanh', permutation: 'reverse', zeroInit: false })],
  ['PlanarFlow', (d) => new flows.PlanarFlow({ dim: d, rng: seed(`pf${d}`), numLayers: 3, initStd: 0.8 })],
  ['MAF', (d) => new flows.MAF({ dim: d, rng: seed(`mafflow${d}`), numLayers: 2, hidden: [16], activation: 'tanh', zeroInit: false })],
];

for (const dim of [2, 3]) {
  for (const [name, make] of cases) {
    test(`${name}, D=${dim}: round trips and log-dets match finite differences`, () => {
      const start = tf.memory().numTensors;
      const b = make(dim);
      const rng = seed(`data/${name}/${dim}`);
      const x = tf.tidy(() => tf.mul(rng.randn([20, dim]), 1.5) as tf.Tensor2D);
      const before = tf.memory().numTensors;

      // inverse(forward(x)) = x and forward(inverse(z)) = z
      const z = b.forward(x);
      const xBack = b.inverse(z);
      const errX = maxAbsDiff(xBack.dataSync(), x.dataSync());
      assert.ok(errX < ROUNDTRIP_TOL, `${name}: max |x - f⁻¹(f(x))| = ${errX}`);
      const zLatent = x; // the same points, read as latent ones
      const errZ = tf.tidy(() => tf.max(tf.abs(tf.sub(b.forward(b.inverse(zLatent)), zLatent))).dataSync()[0]!);
      assert.ok(errZ < ROUNDTRIP_TOL, `${name}: max |z - f(f⁻¹(z))| = ${errZ}`);

      // forward log-det vs numerical Jacobian of forward
      const ld = tf.tidy(() => b.logDetJacobian(x).dataSync());
      const num = numericLogDet((t) => b.forward(t), x);
      const errLd = maxAbsDiff(ld, num);
      assert.ok(errLd < LOGDET_TOL, `${name}: forward log-det off by ${errLd} (analytic ${ld[0]}, numeric ${num[0]})`);

      // inverse log-det vs numerical Jacobian of inverse
      const ldi = tf.tidy(() => b.inverseLogDetJacobian(x).dataSync());
      const numi = numericLogDet((t) => b.inverse(t), x);
      const errLdi = maxAbsDiff(ldi, numi);
      assert.ok(errLdi < LOGDET_TOL, `${name}: inverse log-det off by ${errLdi}`);

      // log |det ∂f⁻¹/∂z| at z = f(x) is −log |det ∂f/∂x|
      const ldiAtZ = tf.tidy(() => b.inverseLogDetJacobian(z).dataSync());
      assert.ok(maxAbsDiff(ldiAtZ, Array.from(ld, (v) => -v)) < 1e-3, `${name}: inverse log-det at f(x) is not −forward log-det`);

      // the log-dets are not trivially zero (the test could not fail otherwise), except for permutations
      if (!name.startsWith('Permute')) assert.ok(Math.max(...Array.from(ld, Math.abs)) > 0.05, `${name}: log-det is ~0, the test map is too trivial`);

      for (const t of [z, xBack]) t.dispose();
      // the bijector's methods leave nothing behind besides what they return
      assert.equal(tf.memory().numTensors, before, `${name}: tensors leaked`);
      x.dispose();
      b.dispose();
      // construction + dispose leaves nothing behind (no stray initial values, masks or variables)
      assert.equal(tf.memory().numTensors, start, `${name}: construct + dispose leaked tensors`);
    });
  }
}

test('Planar: the invertibility constraint keeps wᵀû > −1 for any u, w', () => {
  for (const [u, w] of [[[-5, 0], [1, 0]], [[-1, -1], [3, 3]], [[10, 0.1], [-0.2, 4]]] as [number[], number[]][]) {
    const p = new flows.Planar({ dim: 2, u, w });
    const wu = tf.tidy(() => tf.sum(tf.mul(p.uHat(), p.w)).dataSync()[0]!);
    assert.ok(wu > -1, `wᵀû = ${wu} for u=[${u}], w=[${w}]`);
    // m(a) = −1 + softplus(a) for a = wᵀu
    const a = u[0]! * w[0]! + u[1]! * w[1]!;
    assert.ok(Math.abs(wu - (-1 + Math.log1p(Math.exp(a)))) < 1e-4, `wᵀû = ${wu}, expected m(${a})`);
    p.dispose();
  }
});

test('AffineCoupling: pass-through features are unchanged and |s| stays under the bound', () => {
  const c = new flows.AffineCoupling({ mask: [1, 0, 1], rng: seed('bound'), hidden: [8], zeroInit: false, scaleBound: 0.5 });
  const x = tf.tidy(() => tf.mul(seed('x').randn([50, 3]), 10) as tf.Tensor2D);
  const z = c.forward(x);
  const xs = x.arraySync();
  const zs = z.arraySync();
  for (let i = 0; i < 50; i++) {
    assert.equal(zs[i]![0], xs[i]![0]);
    assert.equal(zs[i]![2], xs[i]![2]);
  }
  const ld = tf.tidy(() => c.logDetJacobian(x).dataSync());
  assert.ok(Math.max(...Array.from(ld, Math.abs)) < 0.5 + 1e-6, 'log-det exceeds the scale bound');
  tf.dispose([x, z]);
  c.dispose();
});

test('zero-initialised RealNVP starts as the identity', () => {
  const f = new flows.RealNVP({ dim: 2, rng: seed(1), numCouplings: 4, hidden: [8] });
  const x = seed(2).randn([10, 2]) as tf.Tensor2D;
  const z = f.forward(x);
  assert.equal(maxAbsDiff(z.dataSync(), x.dataSync()), 0);
  tf.dispose([x, z]);
  f.dispose();
});

test('MADE masks make each mu_i, alpha_i depend only on features earlier in the ordering', () => {
  // order [2, 0, 1]: feature 1 comes first, then feature 2, then feature 0.
  const layer = new flows.MAFLayer({ dim: 3, rng: seed('made'), hidden: [12, 12], zeroInit: false, order: [2, 0, 1] });
  const x = seed('mx').randn([5, 3]) as tf.Tensor2D;
  const cond = (t: tf.Tensor2D): number[][] =>
    tf.tidy(() => {
      const { mu, alpha } = layer.conditioner(t);
      return tf.concat([mu, alpha], 1).arraySync();
    });
  const base = cond(x);
  const moved = (feature: number): number[][] => {
    const shift = [0, 0, 0];
    shift[feature] = 3;
    const x2 = tf.tidy(() => tf.add(x, tf.tensor2d([shift])) as tf.Tensor2D);
    const out = cond(x2);
    x2.dispose();
    return out;
  };
  const changed = (a: number[][], col: number): boolean => a.some((row, i) => row[col] !== base[i]![col]);
  // Moving the last feature (0) changes nothing: no feature comes after it.
  const m0 = moved(0);
  for (const col of [0, 1, 2, 3, 4, 5]) assert.ok(!changed(m0, col), `output ${col} depends on the last feature`);
  // Moving the first feature (1) leaves its own mu/alpha (cols 1, 4) alone and moves the others.
  const m1 = moved(1);
  assert.ok(!changed(m1, 1) && !changed(m1, 4), 'the first feature conditions itself');
  for (const col of [0, 2, 3, 5]) assert.ok(changed(m1, col), `output ${col} ignores the first feature`);
  // Moving the second feature (2) moves only feature 0's outputs (cols 0, 3).
  const m2 = moved(2);
  assert.ok(!changed(m2, 1) && !changed(m2, 2) && !changed(m2, 4) && !changed(m2, 5), 'an earlier feature depends on a later one');
  assert.ok(changed(m2, 0) && changed(m2, 3), 'the last feature ignores the second');
  x.dispose();
  layer.dispose();
});

test('bijectors reject wrongly shaped inputs with a clear message', () => {
  const c = new flows.AffineCoupling({ mask: [1, 0], rng: seed(0) });
  const bad = tf.zeros([4, 3]) as tf.Tensor2D;
  assert.throws(() => c.forward(bad), /expected a tensor of shape \[n, 2\].*got \[4,3\]/);
  const vec = tf.zeros([2]) as unknown as tf.Tensor2D;
  assert.throws(() => c.forward(vec), /reshape a single point/);
  assert.throws(() => new flows.AffineCoupling({ mask: [1, 1], rng: seed(0) }), /at least one of each/);
  assert.throws(() => new flows.Permute([0, 0, 1]), /not a permutation/);
  tf.dispose([bad, vec]);
  c.dispose();
});
