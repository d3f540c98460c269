/**
 * The general Boltzmann machine (Ackley, Hinton & Sejnowski 1985), the model both Boltzmann-machine
 * lectures start from before restricting it: binary units y = (v, h), symmetric weights with no
 * self-connections, and
 *
 *   E(y) = -1/2 y^T W y - b^T y,     p(y) = exp(-E(y)) / Z.
 *
 * Every unit may connect to every other, so no layer's units are independent given the rest: sampling
 * updates one unit at a time from p(y_i = 1 | y_-i) = sigmoid(sum_j W_ij y_j + b_i), and the
 * log-likelihood gradient
 *
 *   d log p(v) / d W_ij = <y_i y_j>_data - <y_i y_j>_model,   d log p(v) / d b_i = <y_i>_data - <y_i>_model
 *
 * has a "data" term with the visibles clamped (hiddens from p(h | v)) and a "model" term with all units
 * free. This implementation is for machines small enough to enumerate (at most MAX_BM_UNITS units):
 * both terms exactly, and by Gibbs sampling to compare. It works in float64 on plain arrays, since
 * exactness is its purpose. A connection mask restricts it: the RBM (no visible-visible or
 * hidden-hidden weights) and the deep Boltzmann machine (layers, each joined only to its neighbours)
 * are Boltzmann machines with particular masks (`layeredMask`).
 */
import { Rng } from '../../runtime/rng';

/** Largest machine enumerated: 2^20 states, about a million energies per pass. */
export const MAX_BM_UNITS = 20;

export interface BoltzmannMachineConfig {
  /** Visible units (the data). */
  nVisible: number;
  /** Hidden units. @default 0 (a fully visible machine) */
  nHidden?: number;
  /** Seeds the initial weights. */
  rng: Rng;
  /** Standard deviation of the initial weights (biases start at 0). @default 0.1 */
  initStd?: number;
  /**
   * Which pairs of units may be connected (units 0..nVisible-1 are visible, then the hiddens). A
   * weight outside the mask is always 0. @default every pair (the general machine)
   */
  connected?: (i: number, j: number) => boolean;
}

/** Second moments <y_i y_j> (the diagonal holds <y_i>, the bias statistics), n x n row-major. */
export interface PairStatistics {
  n: number;
  moments: Float64Array;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function logSumExp(a: Float64Array): number {
  let m = -Infinity;
  for (const v of a) if (v > m) m = v;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of a) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** Mask of a layered machine (sizes[0] visibles, then hidden layers): only neighbouring layers connect. */
export function layeredMask(sizes: readonly number[]): (i: number, j: number) => boolean {
  const layerOf: number[] = [];
  sizes.forEach((s, l) => {
    for (let k = 0; k < s; k++) layerOf.push(l);
  });
  return (i, j) => Math.abs(layerOf[i]! - layerOf[j]!) === 1;
}

export class BoltzmannMachine {
  readonly nVisible: number;
  readonly nHidden: number;
  /** Total units n = nVisible + nHidden. */
  readonly n: number;
  /** Symmetric n x n weights, row-major, zero diagonal and zero outside the mask. */
  readonly W: Float64Array;
  /** Biases, one per unit. */
  readonly b: Float64Array;
  private readonly mask: Uint8Array;

  constructor(config: BoltzmannMachineConfig) {
    const nv = config.nVisible;
    const nh = config.nHidden ?? 0;
    if (!Number.isInteger(nv) || nv < 1) throw new Error(`BoltzmannMachine: nVisible must be a positive integer, got ${nv}`);
    if (!Number.isInteger(nh) || nh < 0) throw new Error(`BoltzmannMachine: nHidden must be a non-negative integer, got ${nh}`);
    if (nv + nh > MAX_BM_UNITS) {
      throw new Error(`BoltzmannMachine: ${nv + nh} units; this exact implementation enumerates 2^n states and takes at most ${MAX_BM_UNITS} (use an RBM for larger models)`);
    }
    this.nVisible = nv;
    this.nHidden = nh;
    this.n = nv + nh;
    const n = this.n;
    this.W = new Float64Array(n * n);
    this.b = new Float64Array(n);
    this.mask = new Uint8Array(n * n);
    const std = config.initStd ?? 0.1;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (config.connected && !config.connected(i, j)) continue;
        this.mask[i * n + j] = this.mask[j * n + i] = 1;
        const w = std * config.rng.normal();
        this.W[i * n + j] = this.W[j * n + i] = w;
      }
    }
  }

  /** Whether units i and j may be connected. */
  isConnected(i: number, j: number): boolean {
    return this.mask[i * this.n + j] === 1;
  }

  /** Set a weight (both W_ij and W_ji); an error for a pair outside the mask or i = j. */
  setWeight(i: number, j: number, w: number): void {
    if (i === j || !this.isConnected(i, j)) throw new Error(`BoltzmannMachine.setWeight: units ${i} and ${j} are not connected in this machine`);
    this.W[i * this.n + j] = this.W[j * this.n + i] = w;
  }

  /** E(y) = -1/2 y^T W y - b^T y for one state (an array of 0/1 of length n). */
  energy(y: ArrayLike<number>): number {
    this.checkState(y, this.n, 'energy');
    let e = 0;
    for (let i = 0; i < this.n; i++) {
      if (!y[i]) continue;
      e -= this.b[i]!;
      for (let j = i + 1; j < this.n; j++) if (y[j]) e -= this.W[i * this.n + j]!;
    }
    return e;
  }

  /** p(y_i = 1 | all other units), the one conditional Gibbs sampling needs. */
  conditional(y: ArrayLike<number>, i: number): number {
    let a = this.b[i]!;
    for (let j = 0; j < this.n; j++) if (j !== i && y[j]) a += this.W[i * this.n + j]!;
    return sigmoid(a);
  }

  /** Unit values of state index s (bit k of s is unit k). */
  static state(s: number, n: number): Uint8Array {
    const y = new Uint8Array(n);
    for (let k = 0; k < n; k++) y[k] = (s >>> k) & 1;
    return y;
  }

  /** -E(y) of every one of the 2^n states, by index. */
  private negEnergies(): Float64Array {
    const count = 2 ** this.n;
    const out = new Float64Array(count);
    for (let s = 0; s < count; s++) out[s] = -this.energy(BoltzmannMachine.state(s, this.n));
    return out;
  }

  /** log Z by enumerating all 2^n states. */
  logZ(): number {
    return logSumExp(this.negEnergies());
  }

  /** p(y) of every state, by index. */
  jointDistribution(): Float64Array {
    const ne = this.negEnergies();
    const lz = logSumExp(ne);
    return ne.map((v) => Math.exp(v - lz));
  }

  /** log p(v) of one visible vector (hiddens summed out exactly). */
  logProbVisible(v: ArrayLike<number>, logZ = this.logZ()): number {
    this.checkState(v, this.nVisible, 'logProbVisible');
    const terms = new Float64Array(2 ** this.nHidden);
    const y = new Uint8Array(this.n);
    for (let i = 0; i < this.nVisible; i++) y[i] = v[i] ? 1 : 0;
    for (let s = 0; s < terms.length; s++) {
      for (let k = 0; k < this.nHidden; k++) y[this.nVisible + k] = (s >>> k) & 1;
      terms[s] = -this.energy(y);
    }
    return logSumExp(terms) - logZ;
  }

  /** p(h_k = 1 | v) for each hidden unit, exactly (summing over all hidden states). */
  hiddenMarginals(v: ArrayLike<number>): Float64Array {
    this.checkState(v, this.nVisible, 'hiddenMarginals');
    const nh = this.nHidden;
    const y = new Uint8Array(this.n);
    for (let i = 0; i < this.nVisible; i++) y[i] = v[i] ? 1 : 0;
    const w = new Float64Array(2 ** nh);
    for (let s = 0; s < w.length; s++) {
      for (let k = 0; k < nh; k++) y[this.nVisible + k] = (s >>> k) & 1;
      w[s] = -this.energy(y);
    }
    const lz = logSumExp(w);
    const out = new Float64Array(nh);
    for (let s = 0; s < w.length; s++) {
      const p = Math.exp(w[s]! - lz);
      for (let k = 0; k < nh; k++) if ((s >>> k) & 1) out[k]! += p;
    }
    return out;
  }

  /** Mean log p(v) over a data set (rows of 0/1). */
  logLikelihood(data: readonly ArrayLike<number>[]): number {
    if (data.length === 0) throw new Error('BoltzmannMachine.logLikelihood: the data set is empty');
    const lz = this.logZ();
    let s = 0;
    for (const v of data) s += this.logProbVisible(v, lz);
    return s / data.length;
  }

  /**
   * The two terms of the learning rule, exactly: `data` with the visibles clamped to each row (hiddens
   * weighted by p(h | v)), `model` under p(y).
   */
  exactStatistics(data: readonly ArrayLike<number>[]): { data: PairStatistics; model: PairStatistics } {
    if (data.length === 0) throw new Error('BoltzmannMachine.exactStatistics: the data set is empty');
    const n = this.n;
    const model = new Float64Array(n * n);
    const p = this.jointDistribution();
    for (let s = 0; s < p.length; s++) this.accumulate(model, BoltzmannMachine.state(s, n), p[s]!);
    const clamped = new Float64Array(n * n);
    const y = new Uint8Array(n);
    const nh = this.nHidden;
    const w = new Float64Array(2 ** nh);
    for (const v of data) {
      this.checkState(v, this.nVisible, 'exactStatistics');
      for (let i = 0; i < this.nVisible; i++) y[i] = v[i] ? 1 : 0;
      for (let s = 0; s < w.length; s++) {
        for (let k = 0; k < nh; k++) y[this.nVisible + k] = (s >>> k) & 1;
        w[s] = -this.energy(y);
      }
      const lz = logSumExp(w);
      for (let s = 0; s < w.length; s++) {
        for (let k = 0; k < nh; k++) y[this.nVisible + k] = (s >>> k) & 1;
        this.accumulate(clamped, y, Math.exp(w[s]! - lz) / data.length);
      }
    }
    return { data: { n, moments: clamped }, model: { n, moments: model } };
  }

  /**
   * The same two terms estimated by Gibbs sampling, one unit at a time in a fixed sweep order: `chains`
   * free-running chains for the model term, and for the data term one chain per data row with the
   * visibles clamped. Each chain runs `burnIn` sweeps, then averages over `sweeps` more.
   */
  gibbsStatistics(
    data: readonly ArrayLike<number>[],
    options: { rng: Rng; chains?: number; burnIn?: number; sweeps?: number },
  ): { data: PairStatistics; model: PairStatistics } {
    if (data.length === 0) throw new Error('BoltzmannMachine.gibbsStatistics: the data set is empty');
    const { rng } = options;
    const chains = options.chains ?? 100;
    const burnIn = options.burnIn ?? 100;
    const sweeps = options.sweeps ?? 1000;
    const n = this.n;
    const run = (start: Uint8Array, firstFree: number, into: Float64Array, weight: number): void => {
      const y = Uint8Array.from(start);
      for (let t = 0; t < burnIn + sweeps; t++) {
        for (let i = firstFree; i < n; i++) y[i] = rng.random() < this.conditional(y, i) ? 1 : 0;
        if (t >= burnIn) this.accumulate(into, y, weight / sweeps);
      }
    };
    const model = new Float64Array(n * n);
    for (let c = 0; c < chains; c++) {
      const start = new Uint8Array(n).map(() => (rng.random() < 0.5 ? 1 : 0));
      run(start, 0, model, 1 / chains);
    }
    const clamped = new Float64Array(n * n);
    for (const v of data) {
      this.checkState(v, this.nVisible, 'gibbsStatistics');
      const start = new Uint8Array(n).map((_, i) => (i < this.nVisible ? (v[i] ? 1 : 0) : rng.random() < 0.5 ? 1 : 0));
      // A fully visible machine has nothing to sample in the clamped phase: one sweep records the data.
      if (this.nHidden === 0) this.accumulate(clamped, start, 1 / data.length);
      else run(start, this.nVisible, clamped, 1 / data.length);
    }
    return { data: { n, moments: clamped }, model: { n, moments: model } };
  }

  /**
   * One step of gradient ascent on the mean log-likelihood with the learning rule
   * dW_ij = rate (<y_i y_j>_data - <y_i y_j>_model) on connected pairs, db_i = rate (<y_i>_data - <y_i>_model).
   */
  applyRule(stats: { data: PairStatistics; model: PairStatistics }, rate: number): void {
    const n = this.n;
    const d = stats.data.moments;
    const m = stats.model.moments;
    for (let i = 0; i < n; i++) {
      this.b[i]! += rate * (d[i * n + i]! - m[i * n + i]!);
      for (let j = i + 1; j < n; j++) {
        if (!this.mask[i * n + j]) continue;
        const w = this.W[i * n + j]! + rate * (d[i * n + j]! - m[i * n + j]!);
        this.W[i * n + j] = this.W[j * n + i] = w;
      }
    }
  }

  private accumulate(into: Float64Array, y: ArrayLike<number>, weight: number): void {
    const n = this.n;
    for (let i = 0; i < n; i++) {
      if (!y[i]) continue;
      for (let j = 0; j < n; j++) if (y[j]) into[i * n + j]! += weight;
    }
  }

  private checkState(y: ArrayLike<number>, length: number, where: string): void {
    if (y.length !== length) throw new Error(`BoltzmannMachine.${where}: expected ${length} unit values, got ${y.length}`);
  }
}
