/**
 * Faster backpropagation on the `wasm` backend.
 *
 * The wasm backend's BatchMatMul kernel handles `transposeA`/`transposeB` with a strided inner loop that
 * runs 8-13x slower than the plain product (measured here for 128x784x512: 66 ms vs 5 ms), and the
 * gradients of every dense layer use exactly those transposed variants (dW = xᵀ·g, dx = g·Wᵀ). Making
 * the transpose explicit (one contiguous copy) and calling the plain kernel costs 6-9 ms for the same
 * shapes. We wrap the registered kernels through TensorFlow.js's kernel registry, so every model and
 * every gradient benefits without changing a line of model code.
 *
 * The stock kernel also sends every product with a batch dimension (e.g. a Bayesian layer's K weight
 * samples, [K, B, in]·[K, in, out]) to the same scalar loop: we split those into XNNPACK 2-D products
 * (see `batchedViaXnn`).
 */
import * as tf from '@tensorflow/tfjs';
import { simdMatMulDisabled, simdMatMulFor, type WasmMemory } from './simd-kernels';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Backend = Parameters<KernelFunc>[0]['backend'];
type TensorInfo = tf.TensorInfo;

interface DisposableBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

const WRAPPED = Symbol.for('genlab-ts.wasm-matmul');
/** The kernels this module wraps. */
const WRAPPED_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** The stock kernel functions we replaced, so that `uninstallFastWasmMatMul` can put them back. */
const originals = new Map<string, tf.KernelConfig>();

function isWrapped(config: tf.KernelConfig | undefined): boolean {
  return config !== undefined && Boolean((config.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]);
}

function transposeLastTwo(x: TensorInfo, transpose: KernelFunc, backend: Backend): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * Packed blocks for single products of at least TILED_MIN_WORK multiply-adds: TILE_K rows by TILE_N columns of B
 * (64 KB, in the L2 cache with the packed A block). Measured at 16-128 columns and 128-256 rows: within noise.
 */
const TILED_MIN_WORK = 1 << 16;
const TILE_K = 256;
const TILE_N = 64;

/** Batched products go through one XNNPACK call per batch only when each is big enough to pay for it. */
const MAX_SPLIT_BATCH = 256;
const MIN_SPLIT_WORK = 65536; // m·k·n of one batch (below it the per-call overhead, ~0.1 ms, eats the gain)

/**
 * A batched product a [.., m, k] · b [.., k, n] (no transposes) as XNNPACK 2-D products: the stock
 * kernel sends every product with a batch dimension to its scalar loop (1-3 GFLOP/s). Shared weights
 * (b without a batch) become one [batch·m, k]·[k, n] product; otherwise one product per batch, sliced
 * out and concatenated. Returns null where this does not apply (the caller uses the stock kernel).
 */
function batchedViaXnn(a: TensorInfo, b: TensorInfo, inner: KernelFunc, backend: Backend, attrs: tf.NamedAttrMap): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);
  const bA = size(outerA);
  const bB = size(outerB);
  if (bA * bB <= 1) return null; // already the XNNPACK path
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== k) return null; // let the stock kernel report the mismatch
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batch = size(outer);
  const reshapeK = tf.getKernel('Reshape', 'wasm')!.kernelFunc;
  const reshape = (x: TensorInfo, shape: number[]): TensorInfo => reshapeK({ inputs: { x }, backend, attrs: { shape } }) as TensorInfo;
  const run = (x: TensorInfo, y: TensorInfo): TensorInfo =>
    inner({ inputs: { a: x, b: y }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    temps.push(t);
    return t;
  };
  try {
    if (batch !== Math.max(bA, bB) || !(bA === 1 || bB === 1 || bA === bB)) {
      // Batch dims that broadcast both ways ([2, 1] with [1, 3]): the stock kernel sizes its output as
      // max(batchA, batchB) and gets these wrong, so materialise both to the full batch first.
      const tileK = tf.getKernel('Tile', 'wasm')!.kernelFunc;
      const expand = (x: TensorInfo, xOuter: number[], rows: number, cols: number): TensorInfo => {
        const padded = [...new Array<number>(outer.length - xOuter.length).fill(1), ...xOuter];
        const r = keep(reshape(x, [...padded, rows, cols]));
        const reps = [...outer.map((d, i) => d / padded[i]!), 1, 1];
        return keep(tileK({ inputs: { x: r }, backend, attrs: { reps } }) as TensorInfo);
      };
      const aFull = expand(a, outerA, m, k);
      const bFull = expand(b, outerB, k, n);
      const out = batchedViaXnn(aFull, bFull, inner, backend, attrs);
      return out ?? run(aFull, bFull);
    }
    if (bB === 1) {
      const prod = keep(run(keep(reshape(a, [1, bA * m, k])), keep(reshape(b, [1, k, n]))));
      return reshape(prod, [...outer, m, n]);
    }
    if (batch > MAX_SPLIT_BATCH || m * k * n < MIN_SPLIT_WORK) return null;
    const sliceK = tf.getKernel('Slice', 'wasm')!.kernelFunc;
    const concatK = tf.getKernel('Concat', 'wasm')!.kernelFunc;
    const a3 = keep(reshape(a, [bA, m, k]));
    const b3 = keep(reshape(b, [bB, k, n]));
    const pick = (x: TensorInfo, i: number, rows: number, cols: number): TensorInfo =>
      keep(sliceK({ inputs: { x }, backend, attrs: { begin: [i, 0, 0], size: [1, rows, cols] } }) as TensorInfo);
    const parts: TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      parts.push(keep(run(bA === 1 ? a3 : pick(a3, i, m, k), pick(b3, i, k, n))));
    }
    const all = keep(concatK({ inputs: parts as unknown as tf.NamedTensorInfoMap, backend, attrs: { axis: 0 } }) as TensorInfo);
    return reshape(all, [...outer, m, n]);
  } finally {
    for (const t of temps) (backend as unknown as DisposableBackend).disposeData(t.dataId);
  }
}

/**
 * Up to this m·k·n per product (where the XNNPACK split does not pay: MIN_SPLIT_WORK), a batched product
 * runs in JavaScript on wasm memory (see `smallBatched`). Larger ones (the Bayesian MLP's K samples) keep
 * the split: measured in one bench run, sending 256x11x32 products to JavaScript made that model 2x slower.
 */
export const JS_MAX_WORK = 65536;

interface HeapBackend {
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: WasmMemory; malloc?: (bytes: number) => number; free?: (ptr: number) => void } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
}

/**
 * Many small products (attention scores and values: [B, H, L, d]·[B, H, d, L] with L·L·d <= 65536) in
 * JavaScript on wasm memory. The stock kernel's scalar loop runs these at 0.3 GFLOP/s, and splitting
 * them into one XNNPACK call per batch costs ~0.1 ms of overhead per call; a plain i-k-j loop with a
 * float64 accumulator row runs at 1-2 GFLOP/s with no per-batch overhead. Transposes are read in place
 * (a transposed operand is copied once per batch into a small contiguous scratch).
 * Handles float32 with batch dims equal on both sides or absent (size 1) on one; returns null otherwise.
 * Sums are accumulated in float64 and rounded once, so they are at least as accurate as float32 sums.
 */
function smallBatched(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, backend: Backend, simdOnly = false): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);
  const bA = size(outerA);
  const bB = size(outerB);
  const same = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!(same || bA === 1 || bB === 1)) return null;
  const outer = bA === 1 && !same ? outerB : outerA;
  const batch = Math.max(bA, bB);
  const hb = backend as unknown as HeapBackend;
  const asm = hb.wasm.asm;
  const simd = (transposeA && transposeB) || asm?.malloc === undefined || asm.free === undefined ? null : simdMatMul(hb);
  // Single products and larger batches take this path only with SIMD (simdOnly); the JS loop is for small batches.
  if (simd === null && (simdOnly || batch <= 1)) return null;
  const out = hb.makeOutput([...outer, m, n], 'float32');
  if (simd !== null) {
    // In place on wasm memory (simd-kernels.ts); offsets read after makeOutput, which may grow the memory.
    const pa = hb.dataIdMap.get(a.dataId).memoryOffset;
    const pb = hb.dataIdMap.get(b.dataId).memoryOffset;
    const pc = hb.dataIdMap.get(out.dataId).memoryOffset;
    const sa = bA === 1 ? 0 : 4 * m * k;
    const sb = bB === 1 ? 0 : 4 * k * n;
    if (batch === 1 && m * k * n >= TILED_MIN_WORK && !(transposeA && n < 16)) {
      // One product in packed blocks (simd/kernels.wat, mm_tiled; the work bound also gives its k >= 1), B read
      // transposed where it is stored so. A transposed A is packed too (m·k copies), which pays from 16 output
      // columns on.
      // The packed blocks start on a cache line (malloc gives 8-byte alignment): 3-6% faster on two of four
      // measured shapes (1024x768x64, 128x784x512), the same on the others.
      const block = asm!.malloc!(4 * TILE_K * TILE_N + (transposeA ? 4 * m * TILE_K : 0) + 64);
      const scratch = (block + 63) & ~63;
      try {
        if (transposeA) simd.mmTiled(pa, pb, pc, m, k, n, 4, 4 * m, TILE_K, TILE_N, scratch, 0);
        else simd.mmTiled(pa, pb, pc, m, k, n, 4 * k, 4, TILE_K, TILE_N, scratch, transposeB ? 1 : 0);
      } finally {
        asm!.free!(block);
      }
    }
    else if (transposeB) {
      const scratch = asm!.malloc!(4 * k * n);
      try {
        simd.mmNT(pa, pb, pc, batch, m, k, n, sa, sb, 4 * m * n, scratch);
      } finally {
        asm!.free!(scratch);
      }
    }
    else if (transposeA) simd.mmNN(pa, pb, pc, batch, m, k, n, sa, sb, 4 * m * n, 4, 4 * m);
    else simd.mmNN(pa, pb, pc, batch, m, k, n, sa, sb, 4 * m * n, 4 * k, 4);
    return out;
  }
  const heap = hb.wasm.HEAPU8;
  const f32 = new Float32Array(heap.buffer, heap.byteOffset, heap.byteLength >> 2);
  const a0 = hb.dataIdMap.get(a.dataId).memoryOffset >> 2;
  const b0 = hb.dataIdMap.get(b.dataId).memoryOffset >> 2;
  const o0 = hb.dataIdMap.get(out.dataId).memoryOffset >> 2;
  const aT = transposeA ? new Float32Array(m * k) : null;
  const bT = transposeB ? new Float32Array(k * n) : null;
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    let ai = a0 + (bA === 1 ? 0 : t) * m * k;
    let bi = b0 + (bB === 1 ? 0 : t) * k * n;
    let A: Float32Array = f32;
    let B: Float32Array = f32;
    if (aT !== null) {
      // a holds [k, m]: make it [m, k]
      for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) aT[i * k + p] = f32[ai + p * m + i]!;
      A = aT;
      ai = 0;
    }
    if (bT !== null) {
      // b holds [n, k]: make it [k, n]
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bT[p * n + j] = f32[bi + j * k + p]!;
      B = bT;
      bi = 0;
    }
    const o = o0 + t * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      const arow = ai + i * k;
      for (let p = 0; p < k; p++) {
        const av = A[arow + p]!;
        const brow = bi + p * n;
        for (let j = 0; j < n; j++) acc[j] += av * B[brow + j]!;
      }
      const orow = o + i * n;
      for (let j = 0; j < n; j++) f32[orow + j] = acc[j]!;
    }
  }
  return out;
}

/** The SIMD products for this backend's memory, or null (disabled, shared memory, no wasm SIMD). */
function simdMatMul(hb: HeapBackend): ReturnType<typeof simdMatMulFor> {
  return simdMatMulDisabled() ? null : simdMatMulFor(hb.wasm.asm?.memory);
}

function wrap(kernelName: string, transpose: KernelFunc): boolean {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) return false;
  if (isWrapped(original)) return true; // already done (re-run)
  originals.set(kernelName, original);
  const inner = original.kernelFunc;
  const batchable = kernelName === 'BatchMatMul'; // _FusedMatMul's bias and activation stay with the stock kernel
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const a = inputs['a'];
    const b = inputs['b'];
    const transposeA = Boolean(attrs?.['transposeA']);
    const transposeB = Boolean(attrs?.['transposeB']);
    if (a === undefined || b === undefined) return inner({ inputs, backend, attrs });
    const batched = batchable && (a.shape.length > 2 || b.shape.length > 2);
    // With the SIMD panel (simd-kernels.ts) every BatchMatMul runs in place on wasm memory: measured in CPU
    // time it matches or beats XNNPACK on the models' shapes (which in training also re-packs the changing
    // weights on every call) and needs no explicit transposes. Single products large enough go through packed
    // blocks (mm_tiled), so a transposed A (dW = xᵀ·dy) no longer needs an explicit transpose and XNNPACK
    // (CPU time, GMAC/s before -> after: 64x1024x256 xᵀ·dy 13.6 -> 22.6, 768x1024x64 xᵀ·dy 15.4 -> 21.8, 784x64x512 21 -> 25, 64x784x512 13.5 -> 21;
    // dy·Wᵀ 64x256x512 9.3 -> 18.5, its Bᵀ gathered block by block instead of transposed whole).
    if (batchable && !(transposeA && transposeB)) {
      const out = smallBatched(a, b, transposeA, transposeB, backend, true);
      if (out !== null) return out;
    }
    if (!transposeA && !transposeB && !batched) return inner({ inputs, backend, attrs });
    if (batched) {
      // Without SIMD: small batched products in the JavaScript loop.
      const ra = a.shape.length;
      const rb = b.shape.length;
      const work = a.shape[ra - 1]! * a.shape[ra - 2]! * (transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!);
      const batch = Math.max(a.shape.slice(0, -2).reduce((p, q) => p * q, 1), b.shape.slice(0, -2).reduce((p, q) => p * q, 1));
      const sharedB = b.shape.slice(0, -2).every((d) => d === 1); // one big XNNPACK product is faster then
      if (!sharedB && (work <= JS_MAX_WORK || batch > MAX_SPLIT_BATCH)) {
        const out = smallBatched(a, b, transposeA, transposeB, backend);
        if (out !== null) return out;
      }
    }
    const temps: TensorInfo[] = [];
    const a2 = transposeA ? transposeLastTwo(a, transpose, backend) : a;
    const b2 = transposeB ? transposeLastTwo(b, transpose, backend) : b;
    if (transposeA) temps.push(a2);
    if (transposeB) temps.push(b2);
    try {
      const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
      if (batched) {
        const out = batchedViaXnn(a2, b2, inner, backend, plainAttrs);
        if (out !== null) return out;
      }
      return inner({ inputs: { ...inputs, a: a2, b: b2 }, backend, attrs: plainAttrs });
    } finally {
      for (const t of temps) (backend as unknown as DisposableBackend).disposeData(t.dataId);
    }
  };
  (kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  return true;
}

/**
 * Replace the wasm BatchMatMul and _FusedMatMul kernels by versions that transpose explicitly.
 * Idempotent: safe to call again when a notebook cell is re-run.
 * @returns the kernel names that are now wrapped.
 */
export function installFastWasmMatMul(): string[] {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose === undefined) return [];
  return WRAPPED_KERNELS.filter((name) => wrap(name, transpose.kernelFunc));
}

/**
 * Put the stock wasm BatchMatMul and _FusedMatMul kernels back (the benchmark measures "before" and
 * "after" in one process with this). Idempotent.
 * @returns the kernel names that were restored.
 */
export function uninstallFastWasmMatMul(): string[] {
  const restored: string[] = [];
  for (const name of WRAPPED_KERNELS) {
    const original = originals.get(name);
    if (original === undefined || !isWrapped(tf.getKernel(name, 'wasm'))) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
    restored.push(name);
  }
  return restored;
}

/** Whether the fast (explicit-transpose) wasm matrix products are installed now. */
export function fastWasmMatMulInstalled(): boolean {
  return WRAPPED_KERNELS.every((name) => isWrapped(tf.getKernel(name, 'wasm')));
}
