/**
 * The general Boltzmann machine against its own definitions: energy by formula, the single-unit
 * conditional against ratios of enumerated probabilities, the learning rule's exact terms against a
 * finite-difference gradient of the exact log-likelihood, the Gibbs estimates against the exact terms,
 * training that raises the exact likelihood, and the layered (DBM) mask.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seed } from '../../src/runtime/rng';
import { BoltzmannMachine, layeredMask, MAX_BM_UNITS } from '../../src/models/rbm/boltzmann';

function machine(nv: number, nh: number, tag: string, std = 1): BoltzmannMachine {
  const bm = new BoltzmannMachine({ nVisible: nv, nHidden: nh, rng: seed(tag), initStd: std });
  const r = seed(`${tag}/b`);
  for (let i = 0; i < bm.n; i++) bm.b[i] = 0.5 * r.normal();
  return bm;
}

const DATA = [
  [1, 1, 0, 0],
  [1, 1, 0, 0],
  [0, 0, 1, 1],
  [1, 0, 1, 0],
  [0, 1, 1, 1],
];

test('energy is -1/2 y^T W y - b^T y, and W is symmetric with a zero diagonal', () => {
  const bm = machine(3, 2, 'energy');
  const y = [1, 0, 1, 1, 0];
  let quad = 0;
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) quad += y[i]! * bm.W[i * 5 + j]! * y[j]!;
  const lin = y.reduce((s, v, i) => s + v * bm.b[i]!, 0);
  assert.ok(Math.abs(bm.energy(y) - (-0.5 * quad - lin)) < 1e-12);
  for (let i = 0; i < 5; i++) {
    assert.equal(bm.W[i * 5 + i], 0);
    for (let j = 0; j < 5; j++) assert.equal(bm.W[i * 5 + j], bm.W[j * 5 + i]);
  }
});

test('p(y_i = 1 | rest) equals the ratio of the two enumerated joint probabilities', () => {
  const bm = machine(3, 2, 'cond');
  const p = bm.jointDistribution();
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'the joint sums to one');
  for (const s of [0, 5, 13, 30]) {
    for (let i = 0; i < 5; i++) {
      const on = s | (1 << i);
      const off = s & ~(1 << i);
      const expected = p[on]! / (p[on]! + p[off]!);
      assert.ok(Math.abs(bm.conditional(BoltzmannMachine.state(s, 5), i) - expected) < 1e-12, `state ${s}, unit ${i}`);
    }
  }
});

test('the learning rule <y_i y_j>_data - <y_i y_j>_model is the gradient of the exact mean log-likelihood', () => {
  const bm = machine(4, 2, 'grad', 0.8);
  const { data, model } = bm.exactStatistics(DATA);
  const n = bm.n;
  const h = 1e-5;
  for (const [i, j] of [[0, 1], [2, 3], [0, 4], [3, 5], [4, 5]] as const) {
    const w = bm.W[i * n + j]!;
    bm.setWeight(i, j, w + h);
    const up = bm.logLikelihood(DATA);
    bm.setWeight(i, j, w - h);
    const down = bm.logLikelihood(DATA);
    bm.setWeight(i, j, w);
    const fd = (up - down) / (2 * h);
    const rule = data.moments[i * n + j]! - model.moments[i * n + j]!;
    assert.ok(Math.abs(fd - rule) < 1e-6, `W_${i}${j}: finite difference ${fd}, rule ${rule}`);
  }
  for (const i of [0, 5]) {
    const b = bm.b[i]!;
    bm.b[i] = b + h;
    const up = bm.logLikelihood(DATA);
    bm.b[i] = b - h;
    const down = bm.logLikelihood(DATA);
    bm.b[i] = b;
    const rule = data.moments[i * n + i]! - model.moments[i * n + i]!;
    assert.ok(Math.abs((up - down) / (2 * h) - rule) < 1e-6, `b_${i}`);
  }
});

test('Gibbs sampling estimates both terms of the rule within Monte Carlo error', () => {
  const bm = machine(4, 2, 'gibbs', 0.8);
  const exact = bm.exactStatistics(DATA);
  const est = bm.gibbsStatistics(DATA, { rng: seed('gibbs-run'), chains: 50, burnIn: 50, sweeps: 800 });
  let worstModel = 0;
  let worstData = 0;
  for (let k = 0; k < bm.n * bm.n; k++) {
    worstModel = Math.max(worstModel, Math.abs(est.model.moments[k]! - exact.model.moments[k]!));
    worstData = Math.max(worstData, Math.abs(est.data.moments[k]! - exact.data.moments[k]!));
  }
  // 40,000 correlated samples per model moment, 4,000 per data row: a few 0.01 at most.
  assert.ok(worstModel < 0.03, `model term off by ${worstModel}`);
  assert.ok(worstData < 0.04, `data term off by ${worstData}`);
  assert.ok(worstModel > 0, 'the estimate is an estimate, not the exact value');
});

test('training with the exact rule raises the exact log-likelihood at every step (small rate)', () => {
  const bm = machine(4, 2, 'train', 0.1);
  const lls = [bm.logLikelihood(DATA)];
  for (let t = 0; t < 30; t++) {
    bm.applyRule(bm.exactStatistics(DATA), 0.2);
    lls.push(bm.logLikelihood(DATA));
  }
  for (let t = 1; t < lls.length; t++) assert.ok(lls[t]! > lls[t - 1]! - 1e-12, `step ${t}: ${lls[t - 1]} -> ${lls[t]}`);
  assert.ok(lls.at(-1)! > lls[0]! + 0.5, `learned too little: ${lls[0]} -> ${lls.at(-1)}`);
});

test('a layered mask makes a deep Boltzmann machine: only neighbouring layers connect', () => {
  const sizes = [3, 2, 2];
  const dbm = new BoltzmannMachine({ nVisible: 3, nHidden: 4, rng: seed('dbm'), initStd: 1, connected: layeredMask(sizes) });
  // v = 0..2, h1 = 3..4, h2 = 5..6
  assert.ok(dbm.isConnected(0, 3) && dbm.isConnected(4, 6));
  assert.ok(!dbm.isConnected(0, 1) && !dbm.isConnected(3, 4) && !dbm.isConnected(0, 5));
  assert.equal(dbm.W[0 * 7 + 5], 0);
  assert.throws(() => dbm.setWeight(0, 5, 1), /units 0 and 5 are not connected/);
  // The conditional of an h1 unit depends on v and on h2 (both neighbours), not on the other h1 unit.
  const base = [1, 0, 1, 0, 0, 1, 0];
  const p = dbm.conditional(base, 3);
  assert.equal(dbm.conditional([1, 0, 1, 0, 1, 1, 0], 3), p, 'the other h1 unit does not matter');
  assert.notEqual(dbm.conditional([1, 0, 1, 0, 0, 0, 0], 3), p, 'h2 does');
  // Exact p(h | v) marginals agree with the enumerated joint.
  const joint = dbm.jointDistribution();
  const v = [1, 0, 1];
  const marg = dbm.hiddenMarginals(v);
  let pv = 0;
  const on = new Float64Array(4);
  for (let s = 0; s < joint.length; s++) {
    const y = BoltzmannMachine.state(s, 7);
    if (y[0] !== 1 || y[1] !== 0 || y[2] !== 1) continue;
    pv += joint[s]!;
    for (let k = 0; k < 4; k++) if (y[3 + k]) on[k]! += joint[s]!;
  }
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(marg[k]! - on[k]! / pv) < 1e-12);
});

test('clear errors for bad configurations and inputs', () => {
  assert.throws(() => new BoltzmannMachine({ nVisible: 0, rng: seed('x') }), /nVisible must be a positive integer, got 0/);
  assert.throws(() => new BoltzmannMachine({ nVisible: 3, nHidden: -1, rng: seed('x') }), /nHidden must be a non-negative integer/);
  assert.throws(() => new BoltzmannMachine({ nVisible: MAX_BM_UNITS, nHidden: 1, rng: seed('x') }), /enumerates 2\^n states and takes at most 20/);
  const bm = machine(4, 1, 'err');
  assert.throws(() => bm.energy([1, 0]), /expected 5 unit values, got 2/);
  assert.throws(() => bm.logLikelihood([]), /the data set is empty/);
  assert.throws(() => bm.exactStatistics([[1, 0, 1]]), /expected 4 unit values, got 3/);
});
