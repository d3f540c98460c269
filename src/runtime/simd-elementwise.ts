/**
 * Reductions over leading axes and broadcasting arithmetic in WebAssembly SIMD on the `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 reduces over any axis but the last by transposing first, and runs broadcasting
 * Add/Sub/Multiply/RealDiv in a generic loop: measured here, the bias gradient Σ over rows of a [1024, 64]
 * matrix took 1.9 ms (65k additions), a bias add on [128, 14, 14, 16] 1.3 ms, a group norm's
 * [32, 28, 28, 4, 4]·[32, 1, 1, 4, 1] 2.0 ms. Models make dozens of these per step (every bias gradient,
 * every batch- and group-norm statistic and its gradient). Here:
 * - `Sum` and `Mean` whose reduced axes form one block that is not innermost are one pass of column sums
 *   (x viewed as [A, R, C], summed over R down 16 columns at a time); with a second block that ends at the
 *   last axis (a group norm's [N, H, W, G, C/G] over H, W and C/G) the column sums come first, then the
 *   stock kernel sums the small remainder. Sums are float32 in row order, as the stock kernel's.
 * - `Add`, `Sub`, `Multiply`, `RealDiv` of float32 operands of different shapes: the output's axes are
 *   collapsed where both operands are contiguous or both broadcast, and at most four axes remain; the
 *   innermost run is SIMD (both contiguous, or one broadcast as a splat). Same shapes, other dtypes, or
 *   more than four collapsed axes go to the stock kernel (XNNPACK's same-shape ops are fast).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset as ptr, simdKernelsFor, type SimdBackend } from './simd-kernels';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type TensorInfo = tf.TensorInfo;

interface Disposer {
  disposeData(dataId: object): boolean;
}

const prod = (xs: readonly number[]): number => xs.reduce((p, q) => p * q, 1);

/** Contiguous runs of sorted axes, e.g. [1, 2, 4] → [[1, 2], [4, 4]]. */
function runs(axes: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const a of axes) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === a - 1) last[1] = a;
    else out.push([a, a]);
  }
  return out;
}

/** `Sum` (mean = false) or `Mean` (mean = true) over leading-axis blocks; else the stock kernel. */
export function simdReduce(stock: KernelFunc, mean: boolean): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    if (x === undefined || x.dtype !== 'float32' || x.shape.length < 2 || prod(x.shape) === 0) return stock(args);
    const simd = simdKernelsFor(args.backend);
    if (simd === null) return stock(args);
    const rank = x.shape.length;
    const axes = [...new Set(tf.util.parseAxisParam(args.attrs?.['axis'] as number | number[], x.shape))].sort((p, q) => p - q);
    const keepDims = Boolean(args.attrs?.['keepDims']);
    const blocks = runs(axes);
    const first = blocks[0];
    // The first block must not reach the last axis; a second (and last) block must end at the last axis.
    if (first === undefined || first[1] === rank - 1 || blocks.length > 2 || (blocks.length === 2 && blocks[1]![1] !== rank - 1)) return stock(args);
    const hb = args.backend as unknown as SimdBackend;
    const disposer = args.backend as unknown as Disposer;
    const [p, q] = first;
    const A = prod(x.shape.slice(0, p));
    const R = prod(x.shape.slice(p, q + 1));
    const C = prod(x.shape.slice(q + 1));
    const count = prod(axes.map((a) => x.shape[a]!));
    const midShape = [...x.shape.slice(0, p), ...x.shape.slice(q + 1)];
    const finalShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const mid = hb.makeOutput(blocks.length === 1 ? finalShape : midShape, 'float32');
    simd.colsum(ptr(hb, x), ptr(hb, mid), A, R, C, mean ? 1 / count : 1);
    if (blocks.length === 1) return mid;
    // The rest (innermost block): the registered Sum over the shifted axes, keeping dims, then reshaped.
    const removed = q - p + 1;
    const restAxes: number[] = [];
    for (let a = blocks[1]![0]; a <= blocks[1]![1]; a++) restAxes.push(a - removed);
    const sumK = tf.getKernel('Sum', 'wasm')!.kernelFunc;
    const reshapeK = tf.getKernel('Reshape', 'wasm')!.kernelFunc;
    const summed = sumK({ inputs: { x: mid }, backend: args.backend, attrs: { axis: restAxes, keepDims: false } }) as TensorInfo;
    try {
      return reshapeK({ inputs: { x: summed }, backend: args.backend, attrs: { shape: finalShape } }) as TensorInfo;
    } finally {
      disposer.disposeData(mid.dataId);
      disposer.disposeData(summed.dataId);
    }
  };
}

/**
 * Collapse a broadcast to at most four axes: [n, sa, sb] per axis (element strides, 0 where broadcast),
 * size-1 output axes dropped, neighbours merged where both operands continue the same way. Null if more
 * than four axes remain.
 */
export function collapseBroadcast(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): { n: number[]; sa: number[]; sb: number[] } | null {
  const r = outShape.length;
  const strides = (shape: readonly number[]): number[] => {
    const padded = [...new Array<number>(r - shape.length).fill(1), ...shape];
    const s = new Array<number>(r).fill(0);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) {
      s[i] = padded[i] === 1 && outShape[i] !== 1 ? 0 : acc;
      acc *= padded[i]!;
    }
    return s;
  };
  const sA = strides(aShape);
  const sB = strides(bShape);
  const n: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = r - 1; i >= 0; i--) {
    if (outShape[i] === 1) continue;
    const k = n.length - 1;
    // merge axis i into the axis after it (already at k) when each operand either broadcasts on both or
    // continues contiguously from it
    const cont = (s: number[], t: number[]): boolean => (s[i] === 0 && t[k] === 0) || (t[k] !== 0 && s[i] === t[k]! * n[k]!);
    if (k >= 0 && cont(sA, sa) && cont(sB, sb)) {
      n[k] = n[k]! * outShape[i]!;
    } else {
      n.push(outShape[i]!);
      sa.push(sA[i]!);
      sb.push(sB[i]!);
    }
  }
  if (n.length > 4) return null;
  while (n.length < 4) {
    n.push(1);
    sa.push(0);
    sb.push(0);
  }
  return { n: n.reverse(), sa: sa.reverse(), sb: sb.reverse() };
}

const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** A broadcasting `Add`/`Sub`/`Multiply`/`RealDiv` of float32 operands of different shapes; else stock. */
export function simdBinary(stock: KernelFunc, name: keyof typeof OPS): KernelFunc {
  const op = OPS[name];
  return (args) => {
    const a = args.inputs['a'];
    const b = args.inputs['b'];
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return stock(args);
    let outShape: number[];
    try {
      outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return stock(args); // the stock kernel reports the mismatch
    }
    if (prod(outShape) < 64) return stock(args);
    const simd = simdKernelsFor(args.backend);
    const c = simd === null ? null : collapseBroadcast(a.shape, b.shape, outShape);
    if (simd === null || c === null) return stock(args);
    const hb = args.backend as unknown as SimdBackend;
    const out = hb.makeOutput(outShape, 'float32');
    const { n, sa, sb } = c;
    simd.binop(op, ptr(hb, a), ptr(hb, b), ptr(hb, out), n[0]!, n[1]!, n[2]!, n[3]!, sa[0]!, sa[1]!, sa[2]!, sa[3]!, sb[0]!, sb[1]!, sb[2]!, sb[3]!);
    return out;
  };
}

/**
 * `Exp` of float32 in SIMD (Cephes' expf polynomial, about 1 ulp; simd/kernels.wat): the stock kernel
 * calls libm's scalar expf, ~10 ns per element here, and a log-softmax over a [32, 32, 768] vocabulary
 * makes two of them per step (forward and gradient). Outside [−87.34, 88.72] the result is 0 or +inf.
 */
export function simdExp(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    if (x === undefined || x.dtype !== 'float32') return stock(args);
    const simd = simdKernelsFor(args.backend);
    if (simd === null) return stock(args);
    const hb = args.backend as unknown as SimdBackend;
    const out = hb.makeOutput(x.shape, 'float32');
    simd.exp(ptr(hb, x), ptr(hb, out), prod(x.shape));
    return out;
  };
}
