/**
 * Batched matrix products and convolution passes in WebAssembly SIMD, run in place on the `wasm` backend's
 * memory (the products: below; the convolutions: simd-conv.ts).
 *
 * Attention's products are many small matrices ([B, H, N, N]·[B, H, N, d], e.g. 128 products of
 * 64x64·64x16 per call in the bench's decoder). The stock BatchMatMul sends them to a scalar C loop, one
 * XNNPACK call per batch costs ~0.1 ms of set-up each, and our JavaScript loop ran them at about
 * 0.5 GMAC/s (16 ms per call, 60% of the decoder's step). This module is a 1 kB hand-written wasm module
 * (simd/kernels.wat) that imports the backend's own `WebAssembly.Memory`, so it reads the operands and
 * writes the result where tfjs keeps them, with no copies, four float32 lanes at a time:
 * - `mm_nn`: C = op(A)·B for plain or transposed A (the transposed A is read with strides),
 * - `mm_nt`: C = A·Bᵀ, each Bᵀ first copied into a small scratch buffer (the backend's malloc).
 * Sums are float32 (as XNNPACK's), in a different order than the cpu backend's, so results agree to
 * float32 rounding. The module is only used when the backend's memory is not shared (the threaded build
 * has a SharedArrayBuffer memory, which needs a module declared `shared`; there we keep the JS loop).
 */
import type * as tf from '@tensorflow/tfjs';
import { KERNELS_WASM_BASE64 } from './simd-kernels-module';

export interface SimdMatMul {
  /** C[t] = op(A[t])·B[t] for t < batch; pointers and strides in bytes; A(i, p) at a + i·ars + p·acs. */
  mmNN(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, sc: number, ars: number, acs: number): void;
  /**
   * One product C = op(A)·op(B) (as mmNN, batch 1; btr 1: B stored [n, k] and transposed, as mmNT) in packed blocks of
   * kc rows and nc columns of op(B) (k >= 1); scratch holds 4·kc·nc bytes, plus 4·m·kc when A is read with a stride
   * along k (acs != 4). See simd/kernels.wat.
   */
  mmTiled(a: number, b: number, c: number, m: number, k: number, n: number, ars: number, acs: number, kc: number, nc: number, scratch: number, btr: number): void;
  /** C[t] = A[t]·B[t]ᵀ with A [m, k] and B [n, k] row-major; pointers and strides in bytes; scratch holds 4·k·n bytes. */
  mmNT(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, sc: number, scratch: number): void;
  /** One filter tap of a convolution pass, added into its output (see simd/kernels.wat and simd-conv.ts). */
  convFilterTap: ConvTap;
  convInputTap: ConvTap;
  convForwardTap: ConvTap;
  /** out[a, c] = scale·Σ_r x[a, r, c] for x [A, R, C] (pointers in bytes). */
  colsum(x: number, out: number, A: number, R: number, C: number, scale: number): void;
  /** A broadcasting binary op (0 add, 1 sub, 2 mul, 3 div) over a collapsed rank-4 shape; strides in elements. */
  binop(op: number, a: number, b: number, out: number, n0: number, n1: number, n2: number, n3: number,
    sa0: number, sa1: number, sa2: number, sa3: number, sb0: number, sb1: number, sb2: number, sb3: number): void;
  /** One Adam update (mode 0 'tfjs', 1 'folded'); see simd/kernels.wat and adam-kernel.ts. */
  adam(mode: number, x: number, m: number, v: number, g: number, ox: number, om: number, ov: number, n: number,
    b1: number, ob1: number, b2: number, ob2: number, eps: number, rate: number, c1: number, c2: number): void;
  /** Copy rows runs of cols 4-byte values from src + r·sstride to dst + r·dstride (pointers and strides in bytes). */
  copyRows(src: number, sstride: number, dst: number, dstride: number, rows: number, cols: number): void;
  /** out[i] = exp(x[i]) for i < n (pointers in bytes); see simd/kernels.wat for its accuracy and range. */
  exp(x: number, out: number, n: number): void;
  /** Group norm of x [B, S, C] (C % 4 == 0): y, xhat and rstd [B, C]; scratch 8·C bytes (group-norm-kernel.ts). */
  gnForward(x: number, gamma: number, beta: number, y: number, xhat: number, rstd: number, B: number, S: number, C: number, G: number, eps: number, scratch: number): void;
  /** Its gradient: dx [B, S, C], dgamma and dbeta [C]; scratch 16·C bytes. */
  gnBackward(dy: number, xhat: number, rstd: number, gamma: number, dx: number, dgamma: number, dbeta: number, B: number, S: number, C: number, G: number, scratch: number): void;
}

/**
 * (in1, in2, out, N, H, W, CI, OH, OW, CO, SH, SW, ihOff, iwOff, ow0, ow1): pointers in bytes, the image
 * and output sizes, strides, the tap's offsets (kh - top, kw - left) and its valid output columns.
 */
export type ConvTap = (
  in1: number, in2: number, out: number, N: number, H: number, W: number, CI: number, OH: number, OW: number, CO: number,
  SH: number, SW: number, ihOff: number, iwOff: number, ow0: number, ow1: number,
) => void;

/** The parts of the WebAssembly API we use (the project's TypeScript lib has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const instances = new WeakMap<WasmMemory, SimdMatMul | null>();

function decode(b64: string): Uint8Array {
  return Uint8Array.from(Buffer.from(b64, 'base64'));
}

/**
 * The SIMD products bound to a wasm backend's memory, or null where they cannot run (a shared memory,
 * or an engine without wasm SIMD: then the caller keeps its JavaScript loop). Instantiated once per memory.
 */
export function simdMatMulFor(memory: WasmMemory | undefined): SimdMatMul | null {
  if (memory === undefined || !(memory instanceof WA.Memory)) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let made: SimdMatMul | null = null;
  if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) {
    try {
      const module = new WA.Module(decode(KERNELS_WASM_BASE64));
      const inst = new WA.Instance(module, { env: { memory } });
      const ex = inst.exports as unknown as {
        mm_nn: SimdMatMul['mmNN']; mm_tiled: SimdMatMul['mmTiled']; mm_nt: SimdMatMul['mmNT']; conv_filter_tap: ConvTap; conv_input_tap: ConvTap; conv_forward_tap: ConvTap;
        colsum: SimdMatMul['colsum']; copy_rows: SimdMatMul['copyRows']; binop: SimdMatMul['binop']; adam: SimdMatMul['adam']; exp: SimdMatMul['exp'];
        gn_forward: SimdMatMul['gnForward']; gn_backward: SimdMatMul['gnBackward'];
      };
      made = {
        mmNN: ex.mm_nn, mmTiled: ex.mm_tiled, mmNT: ex.mm_nt, convFilterTap: ex.conv_filter_tap, convInputTap: ex.conv_input_tap, convForwardTap: ex.conv_forward_tap,
        colsum: ex.colsum, copyRows: ex.copy_rows, binop: ex.binop, adam: ex.adam, exp: ex.exp, gnForward: ex.gn_forward, gnBackward: ex.gn_backward,
      };
    } catch {
      made = null; // no wasm SIMD in this engine
    }
  }
  instances.set(memory, made);
  return made;
}

/** Whether the SIMD kernels are disabled by the environment (GENLAB_SIMD_MATMUL=0), for A/B measurements. */
export function simdMatMulDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['GENLAB_SIMD_MATMUL'] === '0';
}

/** The wasm backend internals the SIMD kernels need. */
export interface SimdBackend {
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: WasmMemory; malloc?: (bytes: number) => number; free?: (ptr: number) => void } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
}

/** The SIMD kernels for this backend's memory, or null (disabled by the environment, shared memory, no wasm SIMD). */
export function simdKernelsFor(backend: unknown): SimdMatMul | null {
  const b = backend as Partial<SimdBackend>;
  return simdMatMulDisabled() ? null : simdMatMulFor(b.wasm?.asm?.memory);
}

/**
 * The SIMD kernels and the backend's internals for a kernel that also needs scratch memory, or null where they
 * do not run (see simdKernelsFor) or a given tensor is not float32.
 */
export function simdReady(backend: unknown, ...ts: (tf.TensorInfo | undefined)[]): { simd: SimdMatMul; hb: SimdBackend } | null {
  if (ts.some((t) => t === undefined || t.dtype !== 'float32')) return null;
  const simd = simdKernelsFor(backend);
  const hb = backend as SimdBackend;
  if (simd === null || hb.wasm.asm?.malloc === undefined || hb.wasm.asm.free === undefined) return null;
  return { simd, hb };
}

/** Where a tensor's data starts in the backend's memory (bytes). */
export function heapOffset(hb: SimdBackend, t: tf.TensorInfo): number {
  return hb.dataIdMap.get(t.dataId).memoryOffset;
}

/** Run `f` with `bytes` of the backend's memory (its malloc) as scratch, freed afterwards. */
export function withScratch<T>(hb: SimdBackend, bytes: number, f: (scratch: number) => T): T {
  const scratch = hb.wasm.asm!.malloc!(bytes);
  try {
    return f(scratch);
  } finally {
    hb.wasm.asm!.free!(scratch);
  }
}
