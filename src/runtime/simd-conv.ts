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
import { heapOffset as ptr, simdReady as ready, withScratch, type ConvTap, type SimdBackend } from './simd-kernels';
import { MAX_CALLS, SecondCore, type WorkerFunction } from './second-core';

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

/**
 * Passes of at least this many multiply-adds are split into two halves of the images (the second core's
 * hand-over, ~30 µs, and copies, ~0.1 ms per MB, then cost under a tenth of the pass: ~0.2 ms at 20 GMAC/s).
 */
export const SPLIT_MACS = 1 << 22;

/** Where a pass splits its images (the first half's size), or 0 to run it whole. Depends only on the shape. */
export function splitAt(g: Pick<Geometry, 'N' | 'OH' | 'OW' | 'CO' | 'CI' | 'KH' | 'KW'>): number {
  return g.N >= 2 && g.N * g.OH * g.OW * g.CO * g.CI * g.KH * g.KW >= SPLIT_MACS ? Math.ceil(g.N / 2) : 0;
}

/**
 * One pass as tap calls: in1 is split by images (in1Image bytes each), in2 is split too when in2Image > 0
 * or else read whole (in2Bytes), and the output is split by images (outImage > 0) or a sum over all
 * images (outBytes, the filter gradient). in2At/outAt give a tap's offset from in2/out. The output is
 * not yet zeroed (runPass zeroes only what this thread adds into).
 */
interface PassLayout {
  fn: WorkerFunction; tap: ConvTap;
  in1: number; in1Image: number;
  in2: number; in2Image: number; in2Bytes: number; in2At: (kh: number, kw: number) => number;
  out: number; outImage: number; outBytes: number; outAt: (kh: number, kw: number) => number;
}

/**
 * Run a pass, large ones in two halves of the images: the second half on the second core where there is
 * one (second-core.ts), copied into its memory and back. Per-image outputs come out bitwise the same
 * either way. A summed output (the filter gradient) is always the first half's sum plus the second's,
 * on one thread or two, so its rounding does not depend on the machine's core count either.
 */
function runPass(hb: SimdBackend, g: Geometry, L: PassLayout): void {
  const run = (N: number, tap: ConvTap, in1: number, in2: number, out: number): void =>
    eachTap({ ...g, N }, tap, () => in1, (kh, kw) => in2 + L.in2At(kh, kw), (kh, kw) => out + L.outAt(kh, kw));
  const N1 = splitAt(g);
  const summed = L.outImage === 0;
  const whole = (): void => {
    zeroBytes(hb, L.out, summed ? L.outBytes : g.N * L.outImage);
    run(g.N, L.tap, L.in1, L.in2, L.out);
  };
  if (N1 === 0) return whole();
  const N2 = g.N - N1;
  const in1B = L.in1 + N1 * L.in1Image;
  const in2B = L.in2 + N1 * L.in2Image;
  const core = g.KH * g.KW <= MAX_CALLS ? SecondCore.get() : null;
  if (core === null) {
    if (!summed) return whole();
    zeroBytes(hb, L.out, L.outBytes);
    run(N1, L.tap, L.in1, L.in2, L.out);
    withScratch(hb, L.outBytes, (scratch) => {
      zeroBytes(hb, scratch, L.outBytes);
      run(N2, L.tap, in1B, in2B, scratch);
      const h = f32(hb.wasm.HEAPU8);
      addInto(h, L.out, h, scratch, L.outBytes);
    });
    return;
  }
  core.begin();
  const heap = hb.wasm.HEAPU8;
  const s1 = core.copyIn(heap, in1B, N2 * L.in1Image);
  const s2 = L.in2Image > 0 ? core.copyIn(heap, in2B, N2 * L.in2Image) : core.copyIn(heap, L.in2, L.in2Bytes);
  const so = core.zeroed(summed ? L.outBytes : N2 * L.outImage);
  run(N2, (...args: number[]) => core.call(L.fn, args), s1, s2, so);
  core.start();
  try {
    zeroBytes(hb, L.out, summed ? L.outBytes : N1 * L.outImage);
    run(N1, L.tap, L.in1, L.in2, L.out);
  } finally {
    core.wait();
  }
  const h = f32(hb.wasm.HEAPU8);
  const s = f32(core.bytes());
  if (summed) addInto(h, L.out, s, so, L.outBytes);
  else h.set(s.subarray(so >> 2, (so + N2 * L.outImage) >> 2), (L.out + N1 * L.outImage) >> 2);
}

/** dst[i] = dst[i] + src[i] over `bytes` of float32 at byte offsets `at` and `from`: the second half's sum added to the first's. */
function addInto(dst: Float32Array, at: number, src: Float32Array, from: number, bytes: number): void {
  const [o, w] = [at >> 2, from >> 2];
  for (let i = 0; i < bytes >> 2; i++) dst[o + i] = dst[o + i]! + src[w + i]!;
}

function f32(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

function zeroBytes(hb: SimdBackend, at: number, bytes: number): void {
  f32(hb.wasm.HEAPU8).fill(0, at >> 2, (at + bytes) >> 2);
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
  const dwSize = filterShape.reduce((p, q) => p * q, 1);
  const tapBytes = 4 * g.CI * g.CO;
  runPass(hb, g, {
    fn: 'conv_filter_tap', tap: simd.convFilterTap,
    in1: ptr(hb, x!), in1Image: 4 * g.H * g.W * g.CI,
    in2: ptr(hb, dy!), in2Image: 4 * g.OH * g.OW * g.CO, in2Bytes: 0, in2At: () => 0,
    out: ptr(hb, dw), outImage: 0, outBytes: 4 * dwSize, outAt: (kh, kw) => (kh * g.KW + kw) * tapBytes,
  });
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
  // W[kh, kw] ([CI, CO]) transposed to [CO, CI] per tap, in a scratch buffer.
  const taps = g.KH * g.KW;
  const tapSize = g.CI * g.CO;
  withScratch(hb, 4 * taps * tapSize, (scratch) => {
    const h = f32(hb.wasm.HEAPU8);
    const w0 = ptr(hb, filter!) >> 2;
    const s0 = scratch >> 2;
    for (let t = 0; t < taps; t++) {
      const base = t * tapSize;
      for (let ci = 0; ci < g.CI; ci++) for (let co = 0; co < g.CO; co++) h[s0 + base + co * g.CI + ci] = h[w0 + base + ci * g.CO + co]!;
    }
    runPass(hb, g, {
      fn: 'conv_input_tap', tap: simd.convInputTap,
      in1: ptr(hb, dy!), in1Image: 4 * g.OH * g.OW * g.CO,
      in2: scratch, in2Image: 0, in2Bytes: 4 * taps * tapSize, in2At: (kh, kw) => (kh * g.KW + kw) * 4 * tapSize,
      out: ptr(hb, dx), outImage: 4 * g.H * g.W * g.CI, outBytes: 0, outAt: () => 0,
    });
  });
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
  const tapBytes = 4 * g.CI * g.CO;
  runPass(hb, g, {
    fn: 'conv_forward_tap', tap: simd.convForwardTap,
    in1: ptr(hb, x!), in1Image: 4 * g.H * g.W * g.CI,
    in2: ptr(hb, filter!), in2Image: 0, in2Bytes: tapBytes * g.KH * g.KW, in2At: (kh, kw) => (kh * g.KW + kw) * tapBytes,
    out: ptr(hb, y), outImage: 4 * g.OH * g.OW * g.CO, outBytes: 0, outAt: () => 0,
  });
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
