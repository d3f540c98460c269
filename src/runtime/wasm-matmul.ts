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
    if (!transposeA && !transposeB && !batched) return inner({ inputs, backend, attrs });
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
