/**
 * One kernel for a whole Adam update of one variable (Kingma & Ba 2015, Algorithm 1), registered for the
 * `wasm` and `cpu` backends as `GenlabAdamUpdate`.
 *
 * Why: tfjs's AdamOptimizer spends 14 kernels per variable (mul, add, square, div, sqrt, ...), each a full
 * pass over the parameters with its own allocation and dispatch; for the bench's MLP that is 84 kernel
 * calls per step. This kernel reads θ, m, v, g once and writes θ', m', v' once.
 *
 * Numerics: bit for bit those of the op chains it replaces. Every step below is one float32 operation
 * rounded with `Math.fround` in the same order as the ops (a float64 result of +, -, ×, ÷ or √ on float32
 * operands, rounded once to float32, is the correctly rounded float32 result), and the scalars are the
 * float32 values the ops would have made of the same JavaScript numbers. Two orders:
 *
 * - `tfjs` (tf.train.adam, the Trainer's default):
 *     m' = m·β1 + g·(1-β1);  v' = v·β2 + g²·(1-β2);  θ' = (m'/c1) / (√(v'/c2) + ε) · (-α) + θ
 *   with c1 = 1 - β1^t and c2 = 1 - β2^t given as float32 scalar tensors (the optimiser's own).
 * - `folded` (src/models/gan/adam.ts, bias corrections folded into the step):
 *     m', v' as above;  θ' = θ - s · (m' / (√v' + ε̂)),  s = α √c2 / c1,  ε̂ = ε √c2.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor } from './simd-kernels';

export const ADAM_KERNEL = 'GenlabAdamUpdate';

export interface AdamKernelAttrs {
  mode: 'tfjs' | 'folded';
  beta1: number;
  beta2: number;
  /** tfjs: ε; folded: ε̂. */
  epsilon: number;
  /** tfjs: α; folded: s. */
  rate: number;
}

type KernelFunc = tf.KernelConfig['kernelFunc'];
type TensorInfo = tf.TensorInfo;
const f = Math.fround;

/** The update on flat float32 arrays; `out*` may be views of wasm memory. */
function update(
  x: Float32Array, xi: number, m: Float32Array, mi: number, v: Float32Array, vi: number, g: Float32Array, gi: number,
  ox: Float32Array, oxi: number, om: Float32Array, omi: number, ov: Float32Array, ovi: number,
  n: number, a: AdamKernelAttrs, c1: number, c2: number,
): void {
  const b1 = f(a.beta1);
  const ob1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const ob2 = f(1 - a.beta2);
  const eps = f(a.epsilon);
  if (a.mode === 'tfjs') {
    const nlr = f(-a.rate);
    for (let i = 0; i < n; i++) {
      const gv = g[gi + i]!;
      const mNew = f(f(m[mi + i]! * b1) + f(gv * ob1));
      const vNew = f(f(v[vi + i]! * b2) + f(f(gv * gv) * ob2));
      const mHat = f(mNew / c1);
      const vHat = f(vNew / c2);
      const stepDir = f(mHat / f(f(Math.sqrt(vHat)) + eps));
      ox[oxi + i] = f(f(stepDir * nlr) + x[xi + i]!);
      om[omi + i] = mNew;
      ov[ovi + i] = vNew;
    }
  } else {
    const s = f(a.rate);
    for (let i = 0; i < n; i++) {
      const gv = g[gi + i]!;
      const mNew = f(f(m[mi + i]! * b1) + f(gv * ob1));
      const vNew = f(f(v[vi + i]! * b2) + f(f(gv * gv) * ob2));
      ox[oxi + i] = f(x[xi + i]! - f(s * f(mNew / f(f(Math.sqrt(vNew)) + eps))));
      om[omi + i] = mNew;
      ov[ovi + i] = vNew;
    }
  }
}

function check(inputs: tf.NamedTensorInfoMap): [TensorInfo, TensorInfo, TensorInfo, TensorInfo] {
  const { x, m, v, g } = inputs;
  if (x === undefined || m === undefined || v === undefined || g === undefined) throw new Error(`${ADAM_KERNEL}: inputs x, m, v, g are required.`);
  const n = tf.util.sizeFromShape(x.shape);
  for (const [name, t] of [['m', m], ['v', v], ['g', g]] as const) {
    if (tf.util.sizeFromShape(t.shape) !== n) throw new Error(`${ADAM_KERNEL}: ${name} has shape [${t.shape}], the variable [${x.shape}].`);
  }
  for (const t of [x, m, v, g]) if (t.dtype !== 'float32') throw new Error(`${ADAM_KERNEL}: float32 tensors only, got ${t.dtype}.`);
  return [x, m, v, g];
}

interface WasmInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
}

const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, m, v, g] = check(inputs);
  const a = attrs as unknown as AdamKernelAttrs;
  const b = backend as unknown as WasmInternals;
  const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput(x.shape, 'float32'), b.makeOutput(x.shape, 'float32')];
  const heap = b.wasm.HEAPU8; // after the last makeOutput: memory may have grown
  const f32 = new Float32Array(heap.buffer, heap.byteOffset, heap.byteLength >> 2);
  const at = (t: TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset >> 2;
  const scalar = (name: string): number => (inputs[name] ? f32[at(inputs[name]!)]! : 1);
  const n = tf.util.sizeFromShape(x.shape);
  const simd = simdKernelsFor(backend);
  if (simd !== null) {
    // The same operations four lanes at a time (simd/kernels.wat); the scalars become the same float32s.
    const p = (t: TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset;
    simd.adam(a.mode === 'tfjs' ? 0 : 1, p(x), p(m), p(v), p(g), p(outs[0]!), p(outs[1]!), p(outs[2]!), n,
      f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2), f(a.epsilon), a.mode === 'tfjs' ? f(-a.rate) : f(a.rate), scalar('c1'), scalar('c2'));
    return outs;
  }
  update(f32, at(x), f32, at(m), f32, at(v), f32, at(g), f32, at(outs[0]!), f32, at(outs[1]!), f32, at(outs[2]!), n, a, scalar('c1'), scalar('c2'));
  return outs;
};

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, m, v, g] = check(inputs);
  const a = attrs as unknown as AdamKernelAttrs;
  const read = (t: TensorInfo): Float32Array => (backend as unknown as tf.KernelBackend).readSync(t.dataId) as Float32Array;
  const n = tf.util.sizeFromShape(x.shape);
  const [ox, om, ov] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const scalar = (name: string): number => (inputs[name] ? read(inputs[name]!)[0]! : 1);
  update(read(x), 0, read(m), 0, read(v), 0, read(g), 0, ox, 0, om, 0, ov, 0, n, a, scalar('c1'), scalar('c2'));
  const cpu = backend as unknown as { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo };
  return [cpu.makeTensorInfo(x.shape, 'float32', ox), cpu.makeTensorInfo(x.shape, 'float32', om), cpu.makeTensorInfo(x.shape, 'float32', ov)];
};

/** Register the kernel for wasm and cpu (idempotent). */
export function registerAdamKernel(): void {
  for (const [backendName, kernelFunc] of [['wasm', wasmKernel], ['cpu', cpuKernel]] as const) {
    if (tf.getKernel(ADAM_KERNEL, backendName) === undefined) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName, kernelFunc });
  }
}

let enabled = true;

/**
 * Without the SIMD kernels, variables larger than this take the op chain: in one interleaved bench run
 * (load average ~10), the JavaScript loop over a 784x512 matrix ran slower than tfjs's 14 XNNPACK kernels
 * (the MLP and VAE fell to 0.4-0.5x), while models made of small variables gained (the DDPM MLP 2x). The
 * SIMD update (simd/kernels.wat) takes every size on wasm. All paths give the same bits.
 */
export const FUSED_ADAM_MAX_ELEMENTS = 65536;

/** Whether a variable of `size` elements is updated by the fused kernel (see FUSED_ADAM_MAX_ELEMENTS). */
export function useFusedAdamFor(size: number): boolean {
  if (!adamKernelAvailable()) return false;
  return size <= FUSED_ADAM_MAX_ELEMENTS || (tf.getBackend() === 'wasm' && simdKernelsFor(tf.backend()) !== null);
}

/** Switch the fused update off (the op chains run instead) or on; for the benchmark's stock-tfjs variant. @default on */
export function setFusedAdamEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the active backend has the fused kernel (wasm and cpu do; native and webgl use the op chain). */
export function adamKernelAvailable(): boolean {
  if (!enabled) return false;
  registerAdamKernel();
  return tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * One fused update: returns [θ', m', v'] as new tensors. `c1`, `c2` (float32 scalars, mode 'tfjs') are
 * 1 - β1^t and 1 - β2^t.
 */
export function adamUpdate(x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, attrs: AdamKernelAttrs, c1?: tf.Scalar, c2?: tf.Scalar): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs: tf.NamedTensorMap = { x, m, v, g };
  if (c1 !== undefined) inputs['c1'] = c1;
  if (c2 !== undefined) inputs['c2'] = c2;
  const engine = tf.engine() as unknown as { runKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor[] };
  return engine.runKernel(ADAM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
