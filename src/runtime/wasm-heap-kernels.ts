/**
 * Kernels for the `wasm` backend that work on its linear memory directly from JavaScript, where the
 * stock kernel is a scalar C loop or a chain of generic kernels that costs 10-100x the memory traffic.
 * Profiled on the bench's new workloads (test/bench/profile.ts), per training step:
 *
 * - `Unpack` (the gradient of `tf.stack`, `tf.unstack`): the stock kernel makes one strided `Slice`
 *   per output; unstacking [32, 14, 2, 28, 32] along axis 2 took 830 ms. Here: one block copy per
 *   (outer index, output), a few milliseconds.
 * - `UnsortedSegmentSum` (the gradient of `tf.gather`, i.e. of every embedding lookup): wasm has none,
 *   and the cpu backend's kernel, bridged before, builds one mask and reduction per segment: 1.1 s for
 *   2048 rows of 64 into 64 segments. Here: one pass adding rows, in float32 (each `+=` is rounded to
 *   float32, as a float32 kernel adds).
 * - `Conv2DBackpropInput` (the input gradient of every convolution but the first): the stock kernel is
 *   a direct 7-deep loop (5 GFLOP/s at best, 255 ms for a 3x3 48->16 convolution on 32 28x28 images).
 *   Here, the transposed convolution as a matrix product and a scatter (col2im):
 *     cols[(n, oh, ow), (kh, kw, ci)] = Σ_co dy[n, oh, ow, co] · W[kh, kw, ci, co]     (XNNPACK, dy·Wᵀ)
 *     dx[n, oh·s_h - pad_top + kh, ow·s_w - pad_left + kw, ci] += cols[(n, oh, ow), (kh, kw, ci)]
 *   (Dumoulin & Visin 2016, "A guide to convolution arithmetic", §4: the transposed convolution is the
 *   adjoint of the im2col product.) The sums run in another order than the stock loop's, so results
 *   agree to float32 rounding, not bit for bit.
 *
 * - `Conv2DBackpropFilter` (the filter gradient; wasm has none): the im2col product
 *     dW[(kh, kw, ci), co] = Σ_{n, oh, ow} x[n, oh·s_h - pad_top + kh, ow·s_w - pad_left + kw, ci] · dy[(n, oh, ow), co]
 *   with the patches written transposed, colsᵀ [(kh, kw, ci), (n, oh, ow)], in JavaScript (zeros where the
 *   window leaves the image) and one plain XNNPACK product colsᵀ · dy. Before, it ran as a dilated
 *   convolution of the transposed input with dy as the filter (wasm-kernels.ts), which repacked a filter
 *   as large as the image on every call.
 * - `Transpose` of rank 3 and more (splitting and merging attention heads, [B, L, 3, H, d] ->
 *   [3, B, H, L, d]): the stock kernel ran 40 ms for 400k floats. Here: adjacent axes that stay together
 *   are merged, then one strided copy with an odometer over the output. Rank 2 keeps the stock kernel.
 *
 * - `Concat` and `SplitV` along the last axis (a U-Net's skip connections join channels, the gradient splits
 *   them again; attention splits q, k, v): the stock kernels copy one pixel's channels per `TypedArray.set`
 *   call, 3.4 ms for two [32, 28, 28, 16] maps. Here: one call to the SIMD module's `copy_rows` per input
 *   (or output), rows of channels four at a time.
 *
 * Each falls back to the stock kernel (or the caller's path) for dtypes and layouts it does not handle.
 */
import * as tf from '@tensorflow/tfjs';
import { simdConv2DBackpropInput } from './simd-conv';
import { simdKernelsFor } from './simd-kernels';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** 4-byte views of the whole wasm memory; take them after the last `makeOutput` (memory may grow). */
export function heapViews(backend: WasmBackendInternals): { f32: Float32Array; i32: Int32Array } {
  const h = backend.wasm.HEAPU8;
  return { f32: new Float32Array(h.buffer, h.byteOffset, h.byteLength >> 2), i32: new Int32Array(h.buffer, h.byteOffset, h.byteLength >> 2) };
}

/** Index of a tensor's first element in the 4-byte views. */
export function wordOffset(backend: WasmBackendInternals, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset >> 2;
}

const size = (s: readonly number[]): number => s.reduce((p, q) => p * q, 1);
const FOUR_BYTES: ReadonlySet<tf.DataType> = new Set<tf.DataType>(['float32', 'int32']);

/** `Unpack` of a 4-byte tensor as block copies; other dtypes go to the stock kernel. */
export function fastUnpack(stock: KernelFunc): KernelFunc {
  return (args) => {
    const value = args.inputs['value'];
    if (value === undefined || !FOUR_BYTES.has(value.dtype) || value.shape.length === 0) return stock(args);
    const backend = args.backend as unknown as WasmBackendInternals;
    const rank = value.shape.length;
    let axis = (args.attrs as Attrs)['axis'] as number;
    if (axis < 0) axis += rank;
    const n = value.shape[axis]!;
    const outer = size(value.shape.slice(0, axis));
    const inner = size(value.shape.slice(axis + 1));
    const outShape = value.shape.filter((_, i) => i !== axis);
    const outs: TensorInfo[] = [];
    for (let i = 0; i < n; i++) outs.push(backend.makeOutput(outShape, value.dtype));
    if (inner === 0 || outer === 0) return outs;
    const { i32 } = heapViews(backend);
    const src = wordOffset(backend, value);
    for (let i = 0; i < n; i++) {
      const dst = wordOffset(backend, outs[i]!);
      for (let o = 0; o < outer; o++) {
        const from = src + (o * n + i) * inner;
        const to = dst + o * inner;
        if (inner >= 32) i32.copyWithin(to, from, from + inner);
        else for (let j = 0; j < inner; j++) i32[to + j] = i32[from + j]!;
      }
    }
    return outs;
  };
}

/** Whether a kernel's `axis` attribute names the last axis of a rank >= 2 shape. */
function isLastAxis(axis: unknown, shape: readonly number[]): boolean {
  const rank = shape.length;
  const a = Array.isArray(axis) ? (axis[0] as number) : (axis as number);
  return rank >= 2 && (a === rank - 1 || a === -1);
}

/** `Concat` along the last axis of float32/int32 tensors: each input's rows copied into its columns of the output. */
export function fastConcat(stock: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const first = inputs[0];
    if (first === undefined || inputs.length < 2 || !isLastAxis((args.attrs as Attrs)['axis'], first.shape)) return stock(args);
    const dtype = first.dtype;
    const lead = first.shape.slice(0, -1);
    const fits = inputs.every((t) => t.dtype === dtype && t.shape.length === first.shape.length && t.shape.slice(0, -1).every((d, i) => d === lead[i]));
    const simd = simdKernelsFor(args.backend);
    if (!FOUR_BYTES.has(dtype) || !fits || simd === null) return stock(args); // the stock kernel reports mismatches
    const backend = args.backend as unknown as WasmBackendInternals;
    const widths = inputs.map((t) => t.shape[t.shape.length - 1]!);
    const C = widths.reduce((a, b) => a + b, 0);
    const out = backend.makeOutput([...lead, C], dtype);
    const rows = size(lead);
    if (rows === 0 || C === 0) return out;
    const dst = 4 * wordOffset(backend, out);
    let col = 0;
    inputs.forEach((t, i) => {
      const w = widths[i]!;
      if (w > 0) simd.copyRows(4 * wordOffset(backend, t), 4 * w, dst + 4 * col, 4 * C, rows, w);
      col += w;
    });
    return out;
  };
}

/** `SplitV` along the last axis of a float32/int32 tensor: each output's columns copied out as rows. */
export function fastSplitV(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    const attrs = args.attrs as Attrs;
    const simd = simdKernelsFor(args.backend);
    if (x === undefined || !FOUR_BYTES.has(x.dtype) || simd === null || !isLastAxis(attrs['axis'], x.shape)) return stock(args);
    const rank = x.shape.length;
    const C = x.shape[rank - 1]!;
    const widths = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs['numOrSizeSplits'] as number | number[], rank - 1);
    if (widths.reduce((a, b) => a + b, 0) !== C || widths.some((w) => w < 0)) return stock(args); // the stock kernel reports it
    const backend = args.backend as unknown as WasmBackendInternals;
    const lead = x.shape.slice(0, -1);
    const outs = widths.map((w) => backend.makeOutput([...lead, w], x.dtype));
    const rows = size(lead);
    const src = 4 * wordOffset(backend, x);
    let col = 0;
    outs.forEach((o, i) => {
      const w = widths[i]!;
      if (w > 0 && rows > 0) simd.copyRows(src + 4 * col, 4 * C, 4 * wordOffset(backend, o), 4 * w, rows, w);
      col += w;
    });
    return outs;
  };
}

/**
 * `UnsortedSegmentSum`: out[s] = Σ_{i: ids[i] = s} x[i] for float32 or int32 x and int32 ids.
 * Negative ids are dropped (TensorFlow's rule); an id >= numSegments is an error.
 */
export const unsortedSegmentSum: KernelFunc = (args) => {
  const x = args.inputs['x'];
  const ids = args.inputs['segmentIds'];
  const numSegments = (args.attrs as Attrs)['numSegments'] as number;
  if (x === undefined || ids === undefined) throw new Error('UnsortedSegmentSum: inputs x and segmentIds are required.');
  if (!FOUR_BYTES.has(x.dtype) || ids.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm: x must be float32 or int32 and segmentIds int32, got ${x.dtype} and ${ids.dtype}.`);
  }
  const backend = args.backend as unknown as WasmBackendInternals;
  const rows = size(ids.shape);
  const inner = size(x.shape.slice(ids.shape.length));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  const { f32, i32 } = heapViews(backend);
  const o = wordOffset(backend, out);
  const s = wordOffset(backend, x);
  const id = wordOffset(backend, ids);
  const view = x.dtype === 'float32' ? f32 : i32;
  view.fill(0, o, o + numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const seg = i32[id + r]!;
    if (seg < 0) continue;
    if (seg >= numSegments) {
      backend.disposeData(out.dataId, true);
      throw new Error(`UnsortedSegmentSum: segment id ${seg} at position ${r} is not below numSegments = ${numSegments}.`);
    }
    const to = o + seg * inner;
    const from = s + r * inner;
    if (x.dtype === 'float32') for (let j = 0; j < inner; j++) f32[to + j] += f32[from + j]!;
    else for (let j = 0; j < inner; j++) i32[to + j] = (i32[to + j]! + i32[from + j]!) | 0;
  }
  return out;
};

/** `Conv2DBackpropInput` (NHWC, float32) as dy·Wᵀ on XNNPACK and a col2im scatter; else the stock kernel. */
export function fastConv2DBackpropInput(stock: KernelFunc): KernelFunc {
  return (args) => {
    const simd = simdConv2DBackpropInput(args); // SIMD taps where the module runs (simd-conv.ts)
    if (simd !== null) return simd;
    const dy = args.inputs['dy'];
    const filter = args.inputs['filter'];
    const a = args.attrs as Attrs;
    const dataFormat = (a['dataFormat'] as string | undefined) ?? 'NHWC';
    if (dy === undefined || filter === undefined || dataFormat !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock(args);
    const backend = args.backend as unknown as WasmBackendInternals;
    const inputShape = a['inputShape'] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      a['strides'] as number | [number, number],
      1,
      a['pad'] as Parameters<typeof tf.backend_util.computeConv2DInfo>[4],
      a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
      false,
      'channelsLast',
    );
    const [N, H, W, CI] = inputShape;
    const { outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
    const CO = filter.shape[3]!;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const K = KH * KW * CI;
    const call = (name: string, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo =>
      tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, backend: args.backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
    const temps: TensorInfo[] = [];
    try {
      const dy3 = call('Reshape', { x: dy }, { shape: [1, N * OH * OW, CO] });
      temps.push(dy3);
      const w3 = call('Reshape', { x: filter }, { shape: [1, K, CO] });
      temps.push(w3);
      const cols = call('BatchMatMul', { a: dy3, b: w3 }, { transposeA: false, transposeB: true }); // [1, N·OH·OW, K]
      temps.push(cols);
      const dx = backend.makeOutput(inputShape, 'float32');
      const { f32 } = heapViews(backend);
      const d0 = wordOffset(backend, dx);
      const c0 = wordOffset(backend, cols);
      f32.fill(0, d0, d0 + N * H * W * CI);
      let row = c0;
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++, row += K) {
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - top + kh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - left + kw;
                if (iw < 0 || iw >= W) continue;
                const to = d0 + ((n * H + ih) * W + iw) * CI;
                const from = row + (kh * KW + kw) * CI;
                for (let c = 0; c < CI; c++) f32[to + c] += f32[from + c]!;
              }
            }
          }
        }
      }
      return dx;
    } finally {
      // Not forced: a reshape shares its input's memory and only drops a reference.
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** `Transpose` of a 4-byte tensor of rank >= 3 as one strided copy; rank <= 2 and other dtypes: stock. */
export function fastTranspose(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    const perm = (args.attrs as Attrs)['perm'] as number[];
    if (x === undefined || !FOUR_BYTES.has(x.dtype) || x.shape.length < 3 || perm.length !== x.shape.length) return stock(args);
    const backend = args.backend as unknown as WasmBackendInternals;
    const shape = x.shape;
    const out = backend.makeOutput(perm.map((p) => shape[p]!), x.dtype);
    const total = size(shape);
    if (total === 0) return out;
    // Merge runs of output axes whose input axes are consecutive (p, p + 1, ...): they stay contiguous.
    const groups: number[][] = [];
    for (const p of perm) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[last.length - 1]! + 1 === p) last.push(p);
      else groups.push([p]);
    }
    const inOrder = [...groups].sort((g, h) => g[0]! - h[0]!);
    const dim = new Map<number[], number>(groups.map((g) => [g, g.reduce((q, a) => q * shape[a]!, 1)]));
    const stride = new Map<number[], number>();
    let acc = 1;
    for (let i = inOrder.length - 1; i >= 0; i--) {
      stride.set(inOrder[i]!, acc);
      acc *= dim.get(inOrder[i]!)!;
    }
    const dims = groups.map((g) => dim.get(g)!);
    const strides = groups.map((g) => stride.get(g)!);
    const { i32 } = heapViews(backend);
    const src = wordOffset(backend, x);
    let dst = wordOffset(backend, out);
    const r = dims.length;
    const L = dims[r - 1]!;
    const sL = strides[r - 1]!;
    if (r === 1) {
      i32.copyWithin(dst, src, src + total);
      return out;
    }
    const idx = new Array<number>(r - 1).fill(0);
    let base = src;
    for (let done = 0; done < total; done += L) {
      if (sL === 1) {
        if (L >= 32) i32.copyWithin(dst, base, base + L);
        else for (let j = 0; j < L; j++) i32[dst + j] = i32[base + j]!;
      } else {
        for (let j = 0, from = base; j < L; j++, from += sL) i32[dst + j] = i32[from]!;
      }
      dst += L;
      // odometer over the outer output axes
      for (let d = r - 2; d >= 0; d--) {
        idx[d]!++;
        base += strides[d]!;
        if (idx[d]! < dims[d]!) break;
        base -= idx[d]! * strides[d]!;
        idx[d] = 0;
      }
    }
    return out;
  };
}

/**
 * `Conv2DBackpropFilter` (NHWC, float32, dilation 1) as colsᵀ · dy; returns null for what it does not
 * handle (the caller then uses its own path).
 */
export function conv2DBackpropFilterIm2col(args: Parameters<KernelFunc>[0]): TensorInfo | null {
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  const a = args.attrs as Attrs;
  const dataFormat = (a['dataFormat'] as string | undefined) ?? 'NHWC';
  if (x === undefined || dy === undefined || dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const filterShape = a['filterShape'] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    a['strides'] as number | [number, number],
    1,
    a['pad'] as Parameters<typeof tf.backend_util.computeConv2DInfo>[4],
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  const backend = args.backend as unknown as WasmBackendInternals;
  const [N, H, W, CI] = x.shape as [number, number, number, number];
  const { outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const CO = filterShape[3];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = KH * KW * CI;
  const R = N * OH * OW;
  const call = (name: string, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo =>
    tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, backend: args.backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
  const temps: TensorInfo[] = [];
  try {
    const colsT = backend.makeOutput([1, K, R], 'float32');
    temps.push(colsT);
    const { f32 } = heapViews(backend);
    const c0 = wordOffset(backend, colsT);
    const x0 = wordOffset(backend, x);
    f32.fill(0, c0, c0 + K * R);
    let r = 0;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, r++) {
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * SH - top + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * SW - left + kw;
              if (iw < 0 || iw >= W) continue;
              const from = x0 + ((n * H + ih) * W + iw) * CI;
              let to = c0 + (kh * KW + kw) * CI * R + r;
              for (let c = 0; c < CI; c++, to += R) f32[to] = f32[from + c]!;
            }
          }
        }
      }
    }
    const dy3 = call('Reshape', { x: dy }, { shape: [1, R, CO] });
    temps.push(dy3);
    const dw = call('BatchMatMul', { a: colsT, b: dy3 }, { transposeA: false, transposeB: false }); // [1, K, CO]
    temps.push(dw);
    return call('Reshape', { x: dw }, { shape: filterShape });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
