/**
 * Training kernels the `wasm` backend lacks, registered through TensorFlow.js's kernel registry.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (so no convolutional model trains there: the
 * gradient of `tf.conv2d` w.r.t. its filter throws), no depthwise-convolution gradients, no
 * `UnsortedSegmentSum` (the gradient of `tf.gather`, e.g. an embedding lookup) and no `Einsum`.
 *
 * - `Conv2DBackpropFilter` (NHWC) runs on wasm's own XNNPACK convolution, by the classic identity that
 *   the filter gradient is itself a convolution: with x padded, batch and channels swapped,
 *     dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s_h + kh, ow·s_w + kw, ci] · dy[b, oh, ow, co]
 *   is a `valid` conv2d of x' = xᵀ[ci, h, w, b] (ci as the batch, b as the input channels) with the
 *   filter dy' = dy[oh, ow, b, co], stride 1 and dilation = the forward stride; its output
 *   [ci, kh, kw, co] (cropped to the filter size) is transposed back to [kh, kw, ci, co].
 * - `UnsortedSegmentSum` runs on wasm memory (wasm-heap-kernels.ts).
 * - The others (and NCHW) are bridged to the `cpu` backend's kernels: inputs are copied out of wasm
 *   memory, the cpu kernel runs, outputs are copied back. Correct by construction, and fast enough for
 *   the small models they serve.
 *
 * Stock kernels replaced for speed: `Identity` and same-dtype `Cast` share the input's buffer instead of copying it, `Unpack`, `Conv2DBackpropInput`, and `Concat`/`SplitV` along the last axis (wasm-heap-kernels.ts), and `GatherV2` along axis 0 (how the Trainer cuts every minibatch
 * out of the training set) walks its C loop element by element, about 3 ms for 128 MNIST rows; copying
 * whole rows inside wasm memory takes a few microseconds. Other axes, batch dims and dtypes go to the
 * stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { fastConv2D, simdConv2DBackpropFilter } from './simd-conv';
import { simdBinary, simdExp, simdReduce } from './simd-elementwise';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, GROUP_NORM_KERNELS } from './group-norm-kernel';
import { conv2DBackpropFilterIm2col, fastConcat, fastConv2DBackpropInput, fastSplitV, fastTranspose, fastUnpack, unsortedSegmentSum } from './wasm-heap-kernels';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend;
type Attrs = Record<string, unknown>;

/** Kernels bridged to the cpu backend's implementation. */
export const BRIDGED_KERNELS = [
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Einsum',
] as const;

/** Every kernel this module can add to `wasm` (UnsortedSegmentSum: wasm-heap-kernels.ts; group norm: group-norm-kernel.ts). */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter', 'UnsortedSegmentSum', GROUP_NORM_KERNEL, GROUP_NORM_GRAD_KERNEL, ...BRIDGED_KERNELS] as const;

/** Stock wasm kernels replaced by faster ones (see wasm-heap-kernels.ts and `rowGather`). */
export const REPLACED_KERNELS = ['GatherV2', 'Unpack', 'Conv2DBackpropInput', 'Transpose', 'Sum', 'Mean', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Exp', 'Conv2D', 'Identity', 'Cast', 'Concat', 'SplitV'] as const;
const REPLACEMENT: Record<(typeof REPLACED_KERNELS)[number], (stock: KernelFunc) => KernelFunc> = {
  GatherV2: (stock) => rowGather(stock),
  Unpack: fastUnpack,
  Conv2DBackpropInput: fastConv2DBackpropInput,
  Transpose: fastTranspose,
  // SIMD reductions over leading axes and broadcasting arithmetic (simd-elementwise.ts)
  Sum: (stock) => simdReduce(stock, false),
  Mean: (stock) => simdReduce(stock, true),
  Add: (stock) => simdBinary(stock, 'Add'),
  Sub: (stock) => simdBinary(stock, 'Sub'),
  Multiply: (stock) => simdBinary(stock, 'Multiply'),
  RealDiv: (stock) => simdBinary(stock, 'RealDiv'),
  Exp: simdExp,
  Conv2D: fastConv2D, // SIMD forward for >= 8 channels in and out (simd-conv.ts)
  Identity: sharedIdentity,
  Cast: sharedCast,
  Concat: fastConcat, // along the last axis (wasm-heap-kernels.ts)
  SplitV: fastSplitV,
};
const OWN: Partial<Record<(typeof WASM_TRAINING_KERNELS)[number], KernelFunc>> = {
  UnsortedSegmentSum: unsortedSegmentSum,
  ...GROUP_NORM_KERNELS,
};

function kernel(name: string, backendName: string): KernelFunc {
  const k = tf.getKernel(name, backendName);
  if (k === undefined) throw new Error(`wasm-kernels: kernel ${name} is not registered for ${backendName}.`);
  return k.kernelFunc;
}

function run(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
  return kernel(name, 'wasm')({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

function cpuBackend(): Backend {
  const engine = tf.engine() as unknown as { findBackend(name: string): Backend | null };
  const cpu = engine.findBackend('cpu');
  if (cpu === null) throw new Error('wasm-kernels: the cpu backend is not available to run a bridged kernel.');
  return cpu;
}

/** Run the cpu backend's kernel on copies of wasm tensors and copy its outputs back into wasm memory. */
function bridged(name: string): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as Backend;
    const cpu = cpuBackend();
    const impl = kernel(name, 'cpu');
    const cpuInputs: Record<string, TensorInfo> = {};
    const temps: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const values = backend.readSync(t.dataId) as tf.backend_util.BackendValues;
      const info = { dataId: cpu.write(values, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      temps.push(info);
      return info;
    };
    for (const [key, value] of Object.entries(inputs)) {
      if (value !== undefined) cpuInputs[key] = toCpu(value);
    }
    // Einsum takes a list of tensors as `inputs` (an array-like record with numeric keys): preserve it.
    const passInputs = Array.isArray(inputs) ? (Object.values(cpuInputs) as unknown as tf.NamedTensorInfoMap) : cpuInputs;
    const out = impl({ inputs: passInputs, backend: cpu, attrs });
    const outs = Array.isArray(out) ? out : [out];
    try {
      const back = outs.map((o) => {
        const values = cpu.readSync(o.dataId) as tf.backend_util.BackendValues;
        return { dataId: backend.write(values, o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? back : back[0]!;
    } finally {
      for (const t of [...temps, ...outs]) cpu.disposeData(t.dataId, true);
    }
  };
}

/** dW for a NHWC conv2d, as a convolution on wasm (see the file comment). */
const conv2DBackpropFilter: KernelFunc = (args) => {
  const { inputs, attrs } = args;
  const backend = args.backend as Backend;
  const x = inputs['x'];
  const dy = inputs['dy'];
  const a = attrs as Attrs;
  const dataFormat = (a['dataFormat'] as string | undefined) ?? 'NHWC';
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter: inputs x and dy are required.');
  if (dataFormat !== 'NHWC') return bridged('Conv2DBackpropFilter')(args);
  const simd = simdConv2DBackpropFilter(args); // float32, SIMD taps (simd-conv.ts)
  if (simd !== null) return simd;
  const im2col = conv2DBackpropFilterIm2col(args); // float32: colsᵀ · dy (wasm-heap-kernels.ts)
  if (im2col !== null) return im2col;

  const filterShape = a['filterShape'] as [number, number, number, number];
  const strides = a['strides'] as number | [number, number];
  const pad = a['pad'] as Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  const dimRoundingMode = a['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  const temps: TensorInfo[] = [];
  const keepTemp = (t: TensorInfo): TensorInfo => {
    temps.push(t);
    return t;
  };
  try {
    let xp = x;
    if (top !== 0 || bottom !== 0 || left !== 0 || right !== 0) {
      xp = keepTemp(run('PadV2', backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }));
    }
    const xt = keepTemp(run('Transpose', backend, { x: xp }, { perm: [3, 1, 2, 0] })); // [ci, h, w, b]
    const dyt = keepTemp(run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] })); // [oh, ow, b, co]
    const conv = keepTemp(
      run('Conv2D', backend, { x: xt, filter: dyt }, {
        strides: [1, 1],
        pad: 'valid',
        dataFormat: 'NHWC',
        dilations: [info.strideHeight, info.strideWidth],
        dimRoundingMode: undefined,
      }),
    ); // [ci, >= kh, >= kw, co]
    const [kh, kw, ci, co] = filterShape;
    let cropped = conv;
    if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
      cropped = keepTemp(run('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    }
    return run('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] }); // [kh, kw, ci, co]
  } finally {
    for (const t of temps) backend.disposeData(t.dataId, true);
  }
};

/** The parts of tfjs-backend-wasm's BackendWasm that the row gather uses. */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

const BYTES_PER_ELEMENT: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** GatherV2 on axis 0 without batch dims as one memory copy per gathered row; else the stock kernel. */
function rowGather(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const x = inputs['x'];
    const indices = inputs['indices'];
    const a = (attrs ?? {}) as Attrs;
    const bytes = x ? BYTES_PER_ELEMENT[x.dtype] : undefined;
    const rawAxis = a['axis'] as number | number[] | undefined;
    const axis = Array.isArray(rawAxis) ? rawAxis[0] : rawAxis;
    if (x === undefined || indices === undefined || bytes === undefined || x.shape.length === 0 ||
        (axis ?? 0) !== 0 || ((a['batchDims'] as number | undefined) ?? 0) !== 0) {
      return stock(args);
    }
    const backend = args.backend as unknown as WasmBackendInternals;
    const idx = backend.readSync(indices.dataId) as Int32Array | Float32Array;
    const rows = x.shape[0]!;
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      if (!(v >= 0 && v <= rows - 1)) throw new Error(`GatherV2: the index value ${v} is not in [0, ${rows - 1}]`);
    }
    const rowSize = x.shape.slice(1).reduce((p, q) => p * q, 1);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (rowSize === 0 || idx.length === 0) return out;
    const rowBytes = rowSize * bytes;
    const heap = backend.wasm.HEAPU8; // after makeOutput, which may have grown the memory
    const src = backend.dataIdMap.get(x.dataId).memoryOffset;
    const dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    if (bytes === 4 && rowSize < 64) {
      // Short rows (2-D points, labels): an element loop beats one copyWithin call per row.
      const words = new Int32Array(heap.buffer, heap.byteOffset, heap.byteLength >> 2);
      const s0 = src >> 2;
      const d0 = dst >> 2;
      for (let i = 0; i < idx.length; i++) {
        const from = s0 + idx[i]! * rowSize;
        const to = d0 + i * rowSize;
        for (let j = 0; j < rowSize; j++) words[to + j] = words[from + j]!;
      }
      return out;
    }
    for (let i = 0; i < idx.length; i++) {
      const from = src + idx[i]! * rowBytes;
      heap.copyWithin(dst + i * rowBytes, from, from + rowBytes);
    }
    return out;
  };
}

/** What sharing a buffer needs of the wasm backend: its `incRef`, as its own Reshape uses it. */
interface RefCounting {
  incRef(dataId: object): void;
}

/**
 * `Identity` as a second reference to the same buffer, as the cpu backend does and wasm's own `Reshape`
 * does, instead of the stock kernel's copy. Tensors are immutable (no kernel here writes into an input),
 * so sharing is safe; it matters because the engine clones every tensor an op saves for its gradient: a
 * U-Net training step made about 400 such copies of activation maps (15 ms of 206 at batch 32).
 */
function sharedIdentity(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    if (x === undefined || x.dtype === 'string') return stock(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** `Cast` to the dtype a tensor already has (every Multiply gradient casts its other operand to float32) shares the buffer as `Identity` does. */
function sharedCast(stock: KernelFunc): KernelFunc {
  const identity = sharedIdentity(stock);
  return (args) => {
    const x = args.inputs['x'];
    return x !== undefined && x.dtype === args.attrs?.['dtype'] ? identity(args) : stock(args);
  };
}

const MARK = Symbol.for('genlab-ts.wasm-kernels');
/** Stock kernels replaced by `installWasmTrainingKernels`, kept to put back. */
const replaced = new Map<string, tf.KernelConfig>();

function register(name: string, kernelFunc: KernelFunc): void {
  (kernelFunc as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
}

/**
 * Register the training kernels `wasm` lacks (those already registered are left alone) and the fast
 * row gather. Idempotent.
 * Needs the wasm kernels registered (i.e. `@tensorflow/tfjs-backend-wasm` imported).
 * @returns the kernels this call added.
 */
export function installWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const name of REPLACED_KERNELS) {
    const stock = tf.getKernel(name, 'wasm');
    if (stock === undefined || (stock.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) continue;
    replaced.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    const kernelFunc = REPLACEMENT[name](stock.kernelFunc);
    (kernelFunc as unknown as Record<symbol, boolean>)[MARK] = true;
    tf.registerKernel({ ...stock, kernelFunc });
    added.push(name);
  }
  for (const name of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(name, 'wasm') !== undefined) continue;
    const own = name === 'Conv2DBackpropFilter' ? conv2DBackpropFilter : OWN[name];
    if (own === undefined && tf.getKernel(name, 'cpu') === undefined) continue;
    register(name, own ?? bridged(name));
    added.push(name);
  }
  return added;
}

/** Remove the kernels `installWasmTrainingKernels` added (for the benchmark and tests). */
export function uninstallWasmTrainingKernels(): string[] {
  const removed: string[] = [];
  for (const name of WASM_TRAINING_KERNELS) {
    const k = tf.getKernel(name, 'wasm');
    if (k !== undefined && (k.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) {
      tf.unregisterKernel(name, 'wasm');
      removed.push(name);
    }
  }
  for (const name of REPLACED_KERNELS) {
    const stock = replaced.get(name);
    const now = tf.getKernel(name, 'wasm');
    if (stock !== undefined && now !== undefined && (now.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(stock);
      removed.push(name);
    }
  }
  return removed;
}
