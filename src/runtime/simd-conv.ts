/**
 * 2-D convolution passes (NHWC, float32) in WebAssembly SIMD on the `wasm` backend's memory.
 *
 * Profiles of the residual CNN and the diffusion U-Net put 60-75% of a step in the convolution gradients
 * (both went through a JavaScript im2col/col2im with strided scalar copies around one XNNPACK product).
 * Here each pass is a sum over the filter taps (kh, kw) of small products over row segments, computed by
 * the 16-column SIMD panel of simd/kernels.wat, with no unrolled copies:
 *   filter gradient  dW[kh, kw] = Σ_{n, oh} X_segᵀ · DY_seg          ([CI, CO])
 *   input gradient   DX_seg   += DY_seg · W[kh, kw]ᵀ                 (rows of dx, SW·CI apart)
 *   forward          Y_seg    += X_seg · W[kh, kw]                   (rows of x, SW·CI apart)
 * where for one image n and output row oh, with ih = oh·SH + kh − top inside the image, X_seg holds the
 * input pixels ow·SW + kw − left for the output columns ow whose input column is inside the image.
 * Out-of-image taps contribute nothing, which is zero padding. Dilation other than 1 returns null (the
 * caller's path runs). Sums are float32 in a different order than the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor, type ConvTap, type SimdBackend, type SimdMatMul } from './simd-kernels';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;

interface Geometry {
  N: number; H: number; W: number; CI: number; OH: number; OW: number; CO: number;
  KH: number; KW: number; SH: number; SW: number; top: number; left: number;
}

function geometry(xShape: number[], filterShape: number[], a: Attrs): Geometry | null {
  const dil = a['dilations'] as number | [number, number] | undefined;
  if (dil !== undefined && (Array.isArray(dil) ? dil.some((d) => d !== 1) : dil !== 1)) return null;
  if (((a['dataFormat'] as string | undefined) ?? 'NHWC') !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a['strides'] as number | [number, number],
    1,
    a['pad'] as Parameters<typeof tf.backend_util.computeConv2DInfo>[4],
    a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  const [N, H, W, CI] = xShape as [number, number, number, number];
  return {
    N, H, W, CI, OH: info.outHeight, OW: info.outWidth, CO: filterShape[3]!, KH: info.filterHeight, KW: info.filterWidth,
    SH: info.strideHeight, SW: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left,
  };
}

/** Run `tap` for every filter tap with its valid output columns; `inner` picks the tap's own pointers. */
function eachTap(g: Geometry, tap: ConvTap, in1: (kh: number, kw: number) => number, in2: (kh: number, kw: number) => number, out: (kh: number, kw: number) => number): void {
  for (let kh = 0; kh < g.KH; kh++) {
    for (let kw = 0; kw < g.KW; kw++) {
      const iwOff = kw - g.left;
      // ow·SW + iwOff in [0, W)
      const ow0 = Math.max(0, Math.ceil(-iwOff / g.SW));
      const ow1 = Math.min(g.OW, Math.floor((g.W - 1 - iwOff) / g.SW) + 1);
      if (ow1 <= ow0) continue;
      tap(in1(kh, kw), in2(kh, kw), out(kh, kw), g.N, g.H, g.W, g.CI, g.OH, g.OW, g.CO, g.SH, g.SW, kh - g.top, iwOff, ow0, ow1);
    }
  }
}

function ready(backend: unknown, ...ts: (TensorInfo | undefined)[]): { simd: SimdMatMul; hb: SimdBackend } | null {
  if (ts.some((t) => t === undefined || t.dtype !== 'float32')) return null;
  const simd = simdKernelsFor(backend);
  const hb = backend as SimdBackend;
  if (simd === null || hb.wasm.asm?.malloc === undefined || hb.wasm.asm.free === undefined) return null;
  return { simd, hb };
}

const ptr = (hb: SimdBackend, t: TensorInfo): number => hb.dataIdMap.get(t.dataId).memoryOffset;

function zero(hb: SimdBackend, t: TensorInfo, count: number): void {
  const p = ptr(hb, t) >> 2;
  const h = hb.wasm.HEAPU8;
  new Float32Array(h.buffer, h.byteOffset, h.byteLength >> 2).fill(0, p, p + count);
}

/** Conv2DBackpropFilter(x, dy) → dW [KH, KW, CI, CO], or null where it does not apply. */
export function simdConv2DBackpropFilter(args: Parameters<tf.KernelConfig['kernelFunc']>[0]): TensorInfo | null {
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  const r = ready(args.backend, x, dy);
  if (r === null) return null;
  const filterShape = (args.attrs as Attrs)['filterShape'] as [number, number, number, number];
  const g = geometry(x!.shape, filterShape, args.attrs as Attrs);
  if (g === null) return null;
  const { simd, hb } = r;
  const dw = hb.makeOutput(filterShape, 'float32');
  zero(hb, dw, filterShape.reduce((p, q) => p * q, 1));
  const [px, pdy, pdw] = [ptr(hb, x!), ptr(hb, dy!), ptr(hb, dw)];
  const tapBytes = 4 * g.CI * g.CO;
  eachTap(g, simd.convFilterTap, () => px, () => pdy, (kh, kw) => pdw + (kh * g.KW + kw) * tapBytes);
  return dw;
}

/** Conv2DBackpropInput(dy, filter) → dx [N, H, W, CI], or null where it does not apply. */
export function simdConv2DBackpropInput(args: Parameters<tf.KernelConfig['kernelFunc']>[0]): TensorInfo | null {
  const dy = args.inputs['dy'];
  const filter = args.inputs['filter'];
  const r = ready(args.backend, dy, filter);
  if (r === null) return null;
  const inputShape = (args.attrs as Attrs)['inputShape'] as [number, number, number, number];
  const g = geometry(inputShape, filter!.shape, args.attrs as Attrs);
  if (g === null) return null;
  const { simd, hb } = r;
  const dx = hb.makeOutput(inputShape, 'float32');
  zero(hb, dx, inputShape.reduce((p, q) => p * q, 1));
  // W[kh, kw] ([CI, CO]) transposed to [CO, CI] per tap, in a scratch buffer.
  const taps = g.KH * g.KW;
  const tapSize = g.CI * g.CO;
  const scratch = hb.wasm.asm!.malloc!(4 * taps * tapSize);
  try {
    const h = hb.wasm.HEAPU8;
    const f32 = new Float32Array(h.buffer, h.byteOffset, h.byteLength >> 2);
    const w0 = ptr(hb, filter!) >> 2;
    const s0 = scratch >> 2;
    for (let t = 0; t < taps; t++) {
      const base = t * tapSize;
      for (let ci = 0; ci < g.CI; ci++) for (let co = 0; co < g.CO; co++) f32[s0 + base + co * g.CI + ci] = f32[w0 + base + ci * g.CO + co]!;
    }
    const [pdy, pdx] = [ptr(hb, dy!), ptr(hb, dx)];
    eachTap(g, simd.convInputTap, () => pdy, (kh, kw) => scratch + (kh * g.KW + kw) * 4 * tapSize, () => pdx);
  } finally {
    hb.wasm.asm!.free!(scratch);
  }
  return dx;
}

/** Conv2D(x, filter) → y [N, OH, OW, CO], or null where it does not apply. */
export function simdConv2D(args: Parameters<tf.KernelConfig['kernelFunc']>[0]): TensorInfo | null {
  const x = args.inputs['x'];
  const filter = args.inputs['filter'];
  const r = ready(args.backend, x, filter);
  if (r === null) return null;
  const g = geometry(x!.shape, filter!.shape, args.attrs as Attrs);
  if (g === null) return null;
  const { simd, hb } = r;
  const y = hb.makeOutput([g.N, g.OH, g.OW, g.CO], 'float32');
  zero(hb, y, g.N * g.OH * g.OW * g.CO);
  const [px, pw, py] = [ptr(hb, x!), ptr(hb, filter!), ptr(hb, y)];
  const tapBytes = 4 * g.CI * g.CO;
  eachTap(g, simd.convForwardTap, () => px, (kh, kw) => pw + (kh * g.KW + kw) * tapBytes, () => py);
  return y;
}

/**
 * The registered `Conv2D` on wasm: the SIMD forward pass where it measured faster than XNNPACK's, else
 * the stock kernel. In training the filter changes every step, so XNNPACK re-creates its operator and
 * re-packs the weights on every call; measured in CPU time (load-independent) with a new filter per call:
 * [128,14,14,16]·3x3x16x16 3.61 -> 2.83 ms, [128,7,7,32]·3x3x32x32 3.12 -> 2.18, [32,28,28,32]·3x3x32x16
 * 5.86 -> 5.06; equal at stride 2; slower with one input or one output channel (a 1-lane panel), which
 * stay with XNNPACK.
 */
export function fastConv2D(stock: tf.KernelConfig['kernelFunc']): tf.KernelConfig['kernelFunc'] {
  return (args) => {
    const x = args.inputs['x'];
    const filter = args.inputs['filter'];
    if (x === undefined || filter === undefined || filter.shape.length !== 4 || filter.shape[2]! < 8 || filter.shape[3]! < 8) return stock(args);
    return simdConv2D(args) ?? stock(args);
  };
}
