/**
 * Exact linear regions of a ReLU network with one or two inputs.
 *
 * A ReLU network is piecewise linear: on each set of inputs where every hidden unit keeps the same
 * on/off state (the same *activation pattern*), it is one affine function. We find these sets exactly,
 * layer by layer (Prince, Understanding Deep Learning, 2023, §3.1 and §4.5; Serra et al., 2018):
 * start from the input box with the identity map; inside a region every pre-activation of the next
 * layer is affine in x, so its zero set is a point (1-D) or a line (2-D); cut the region there, record
 * which side is on, and pass the cut pieces to the next layer with the units that are off zeroed.
 * The count is exact up to floating-point ties: cuts closer than `tol` (relative to the box) to a
 * region's boundary are ignored, so a unit whose joint falls exactly on an existing joint (as in the
 * folding constructions) does not create slivers.
 */
import { type DenseArrays, denseWidths } from '../nn/dense-arrays';

/** An affine map of the input, x ↦ x A + c, with A `[inputs][units]`. */
interface Affine {
  A: number[][];
  c: number[];
}

/** One region in 1-D: an interval, its activation pattern and the network's slope there. */
export interface Interval1d {
  lo: number;
  hi: number;
  /** '0'/'1' per hidden unit, layer by layer. */
  pattern: string;
  /** df/dx on the interval (first output). */
  slope: number;
  /** f at the interval's left end (first output). */
  value: number;
}

export interface Regions1d {
  /** The regions from left to right. */
  intervals: Interval1d[];
  /** Number of regions with a constant activation pattern. */
  count: number;
  /** Interior joints: the points between regions where the slope really changes. */
  joints: number[];
  /** Number of linear pieces of f itself: regions merged where the slope does not change (≤ count). */
  pieces: number;
}

export interface Polygon2d {
  /** Vertices in order (convex). */
  vertices: [number, number][];
  pattern: string;
}

export interface Regions2d {
  polygons: Polygon2d[];
  count: number;
}

/** Options of the region counters. */
export interface RegionOptions {
  /** Cuts within `tol` × (box size) of a region's ends are ignored. @default 1e-9 */
  tol?: number;
  /** Slopes closer than this (relative) count as equal when merging into pieces. @default 1e-9 */
  slopeTol?: number;
}

function nextAffine(prev: Affine, w: number[][], b: number[]): Affine {
  const inputs = prev.A.length;
  const units = b.length;
  const A = Array.from({ length: inputs }, () => new Array<number>(units).fill(0));
  const c = [...b];
  for (let i = 0; i < prev.c.length; i++) {
    const row = w[i]!;
    for (let o = 0; o < units; o++) {
      c[o]! += prev.c[i]! * row[o]!;
      for (let d = 0; d < inputs; d++) A[d]![o]! += prev.A[d]![i]! * row[o]!;
    }
  }
  return { A, c };
}

function relued(aff: Affine, on: boolean[]): Affine {
  return { A: aff.A.map((row) => row.map((v, o) => (on[o] ? v : 0))), c: aff.c.map((v, o) => (on[o] ? v : 0)) };
}

function requireInputs(net: DenseArrays, n: number, who: string): number[] {
  const widths = denseWidths(net, who);
  if (widths[0] !== n) throw new Error(`${who}: the network must take ${n} input${n > 1 ? 's' : ''}, it takes ${widths[0]}`);
  return widths;
}

/** The linear regions of a ReLU network with one input on the interval [lo, hi]. */
export function linearRegions1d(net: DenseArrays, range: readonly [number, number], options: RegionOptions = {}): Regions1d {
  requireInputs(net, 1, 'linearRegions1d');
  const [lo, hi] = range;
  if (!(hi > lo)) throw new Error(`linearRegions1d: the range must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const eps = (options.tol ?? 1e-9) * (hi - lo);
  type Piece = { lo: number; hi: number; aff: Affine; pattern: string };
  let pieces: Piece[] = [{ lo, hi, aff: { A: [[1]], c: [0] }, pattern: '' }];
  const K = net.weights.length - 1;
  for (let k = 0; k < K; k++) {
    const next: Piece[] = [];
    for (const p of pieces) {
      const pre = nextAffine(p.aff, net.weights[k]!, net.biases[k]!);
      const slope = pre.A[0]!;
      // Cut points of this layer's units inside the piece.
      const cuts: number[] = [];
      slope.forEach((a, o) => {
        if (a === 0) return;
        const t = -pre.c[o]! / a;
        if (t > p.lo + eps && t < p.hi - eps) cuts.push(t);
      });
      cuts.sort((u, v) => u - v);
      const ends = [p.lo, ...cuts.filter((t, i) => i === 0 || t - cuts[i - 1]! > eps), p.hi];
      for (let s = 0; s + 1 < ends.length; s++) {
        const mid = 0.5 * (ends[s]! + ends[s + 1]!);
        const on = slope.map((a, o) => a * mid + pre.c[o]! > 0);
        next.push({ lo: ends[s]!, hi: ends[s + 1]!, aff: relued(pre, on), pattern: p.pattern + on.map((b) => (b ? '1' : '0')).join('') });
      }
    }
    pieces = next;
  }
  const intervals = pieces.map((p): Interval1d => {
    const out = nextAffine(p.aff, net.weights[K]!, net.biases[K]!);
    return { lo: p.lo, hi: p.hi, pattern: p.pattern, slope: out.A[0]![0]!, value: out.A[0]![0]! * p.lo + out.c[0]! };
  });
  const slopeTol = options.slopeTol ?? 1e-9;
  const scale = Math.max(1e-300, ...intervals.map((r) => Math.abs(r.slope)));
  const joints: number[] = [];
  for (let i = 1; i < intervals.length; i++) {
    if (Math.abs(intervals[i]!.slope - intervals[i - 1]!.slope) > slopeTol * scale) joints.push(intervals[i]!.lo);
  }
  return { intervals, count: intervals.length, joints, pieces: joints.length + 1 };
}

/** Clip a convex polygon to the half-plane s·(a x + b y + c) ≥ 0. */
function clip(poly: [number, number][], a: number, b: number, c: number, s: 1 | -1): [number, number][] {
  const out: [number, number][] = [];
  const n = poly.length;
  for (let i = 0; i < n; i++) {
    const P = poly[i]!;
    const Q = poly[(i + 1) % n]!;
    const fp = s * (a * P[0] + b * P[1] + c);
    const fq = s * (a * Q[0] + b * Q[1] + c);
    if (fp >= 0) out.push(P);
    if ((fp > 0 && fq < 0) || (fp < 0 && fq > 0)) {
      const t = fp / (fp - fq);
      out.push([P[0] + t * (Q[0] - P[0]), P[1] + t * (Q[1] - P[1])]);
    }
  }
  return out;
}

function area(poly: readonly [number, number][]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const P = poly[i]!;
    const Q = poly[(i + 1) % poly.length]!;
    s += P[0] * Q[1] - Q[0] * P[1];
  }
  return Math.abs(s) / 2;
}

function centroid(poly: readonly [number, number][]): [number, number] {
  let x = 0;
  let y = 0;
  for (const [px, py] of poly) {
    x += px;
    y += py;
  }
  return [x / poly.length, y / poly.length];
}

/**
 * The linear regions of a ReLU network with two inputs inside the box xRange × yRange, as convex
 * polygons. Pieces thinner than `tol` (area below tol² × box area, or all vertices within tol × box
 * size of the cut) are not split off.
 */
export function linearRegions2d(net: DenseArrays, xRange: readonly [number, number], yRange: readonly [number, number], options: RegionOptions = {}): Regions2d {
  requireInputs(net, 2, 'linearRegions2d');
  const [x0, x1] = xRange;
  const [y0, y1] = yRange;
  if (!(x1 > x0 && y1 > y0)) throw new Error(`linearRegions2d: ranges must be [lo, hi] with lo < hi, got [${x0}, ${x1}] × [${y0}, ${y1}]`);
  const size = Math.max(x1 - x0, y1 - y0);
  const tol = options.tol ?? 1e-9;
  const minArea = tol * tol * (x1 - x0) * (y1 - y0);
  type Piece = { poly: [number, number][]; aff: Affine; pattern: string };
  let pieces: Piece[] = [{ poly: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], aff: { A: [[1, 0], [0, 1]], c: [0, 0] }, pattern: '' }];
  const K = net.weights.length - 1;
  for (let k = 0; k < K; k++) {
    const next: Piece[] = [];
    for (const p of pieces) {
      const pre = nextAffine(p.aff, net.weights[k]!, net.biases[k]!);
      let parts: [number, number][][] = [p.poly];
      const units = pre.c.length;
      for (let o = 0; o < units; o++) {
        const a = pre.A[0]![o]!;
        const b = pre.A[1]![o]!;
        const c = pre.c[o]!;
        const norm = Math.hypot(a, b);
        if (norm === 0) continue;
        const split: [number, number][][] = [];
        for (const poly of parts) {
          // Signed distances of the vertices to the line; cut only when both sides are really present.
          const d = poly.map(([x, y]) => (a * x + b * y + c) / norm);
          if (Math.max(...d) <= tol * size || Math.min(...d) >= -tol * size) {
            split.push(poly);
            continue;
          }
          const pos = clip(poly, a, b, c, 1);
          const neg = clip(poly, a, b, c, -1);
          if (area(pos) <= minArea || area(neg) <= minArea) split.push(poly);
          else split.push(pos, neg);
        }
        parts = split;
      }
      for (const poly of parts) {
        const [cx, cy] = centroid(poly);
        const on = pre.c.map((c, o) => pre.A[0]![o]! * cx + pre.A[1]![o]! * cy + c > 0);
        next.push({ poly, aff: relued(pre, on), pattern: p.pattern + on.map((v) => (v ? '1' : '0')).join('') });
      }
    }
    pieces = next;
  }
  const polygons = pieces.map((p) => ({ vertices: p.poly, pattern: p.pattern }));
  return { polygons, count: polygons.length };
}

/** The activation pattern at one input, '0'/'1' per hidden unit, layer by layer. */
export function activationPattern(net: DenseArrays, x: readonly number[]): string {
  let h: readonly number[] = x;
  let pattern = '';
  for (let k = 0; k + 1 < net.weights.length; k++) {
    const w = net.weights[k]!;
    const j = net.biases[k]!.map((b, o) => h.reduce((s, hi, i) => s + hi * w[i]![o]!, b));
    pattern += j.map((v) => (v > 0 ? '1' : '0')).join('');
    h = j.map((v) => (v > 0 ? v : 0));
  }
  return pattern;
}

/**
 * For plots: a `steps × steps` grid over the box (row = y, column = x) holding, at each point, the
 * index of its activation pattern (0, 1, 2, ... in order of first appearance), scrambled so that
 * neighbouring regions get distant colours.
 */
export function regionIdGrid(net: DenseArrays, xRange: readonly [number, number], yRange: readonly [number, number], steps = 200): number[][] {
  requireInputs(net, 2, 'regionIdGrid');
  const ids = new Map<string, number>();
  const grid: number[][] = [];
  for (let r = 0; r < steps; r++) {
    const y = yRange[0] + ((r + 0.5) / steps) * (yRange[1] - yRange[0]);
    const row: number[] = [];
    for (let q = 0; q < steps; q++) {
      const x = xRange[0] + ((q + 0.5) / steps) * (xRange[1] - xRange[0]);
      const key = activationPattern(net, [x, y]);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      row.push(id);
    }
    grid.push(row);
  }
  // Golden-ratio scrambling: consecutive ids land far apart on [0, 1); 3 decimals are plenty for a
  // colour and keep a plotted grid small.
  return grid.map((row) => row.map((id) => Math.round(((id * 0.6180339887498949) % 1) * 1000) / 1000));
}

/** Binomial coefficient C(n, k) as a float. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * Most regions a shallow ReLU network with D hidden units can make on D_in inputs: D hyperplanes cut
 * R^{D_in} into at most Σ_{j=0}^{D_in} C(D, j) pieces (Zaslavsky, 1975); D + 1 for one input.
 */
export function shallowRegionBound(D: number, inputs = 1): number {
  let s = 0;
  for (let j = 0; j <= inputs; j++) s += choose(D, j);
  return s;
}

/** The lecture's bound for one input: K hidden layers of D units make at most (D + 1)^K regions. */
export function deepRegionBound1d(D: number, K: number): number {
  return (D + 1) ** K;
}

/**
 * The folding construction (Montúfar et al., 2014; Telgarsky, 2016): each hidden layer of D ReLU units
 * computes the zigzag g(x) = Σ_d c_d ReLU(x - t_d) that maps [0, 1] onto [0, 1] D times (joints
 * t_d = (d - 1)/D, slopes alternating ±D), and each layer reads the previous one's zigzag, so K layers
 * fold [0, 1] D^K times: exactly D^K linear regions on [0, 1] from 3D + 1 + (K - 1) D (D + 1)
 * parameters. The output is the last zigzag.
 */
export function zigzagNetwork(D: number, K: number): DenseArrays {
  if (!Number.isInteger(D) || D < 2 || !Number.isInteger(K) || K < 1) throw new Error(`zigzagNetwork: need integers D >= 2 and K >= 1, got D = ${D}, K = ${K}`);
  const t = Array.from({ length: D }, (_v, d) => d / D);
  // Slope on piece p is (-1)^p D; c_d is the change of slope at joint t_d (c_0 = the first slope).
  const c = Array.from({ length: D }, (_v, d) => (d === 0 ? D : 2 * D * (d % 2 === 1 ? -1 : 1)));
  const weights: number[][][] = [[t.map(() => 1)]];
  const bs: number[][] = [t.map((v) => -v)];
  for (let k = 1; k < K; k++) {
    weights.push(c.map((cd) => t.map(() => cd)));
    bs.push(t.map((v) => -v));
  }
  weights.push(c.map((cd) => [cd]));
  bs.push([0]);
  return { weights, biases: bs };
}
