/**
 * Group norm as two kernels on wasm (simd/kernels.wat): `GenlabGroupNorm` (x, γ, β → y, x̂ and the
 * per-channel r = 1/sqrt(σ² + ε) [B, C]) and `GenlabGroupNormGrad` (dy, x̂, r, γ → dx, dγ, dβ). As tfjs ops the
 * forward pass was about twelve kernels (two means, sub, square, rsqrt, the spreads, three full-size
 * products and sums) and took 1.7 ms on the U-Net's [32, 28, 28, 16] maps; here it is three passes over x
 * per image and one write, and the gradient two passes. Same formulas as src/nn/group-norm.ts's op chain
 * (two-pass variance), sums in another order. Other backends keep the op chain.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset as ptr, simdKernelsFor, simdReady, withScratch, type SimdBackend, type SimdMatMul } from './simd-kernels';

export const GROUP_NORM_KERNEL = 'GenlabGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'GenlabGroupNormGrad';

type KernelArgs = Parameters<tf.KernelConfig['kernelFunc']>[0];

function backendOf(args: KernelArgs): { simd: SimdMatMul; hb: SimdBackend } {
  const r = simdReady(args.backend);
  // GroupNorm only calls these kernels after groupNormKernelAvailable(), so this is a caller's bug, said plainly.
  if (r === null) throw new Error(`${GROUP_NORM_KERNEL}: the SIMD kernels are not available on this backend; GroupNorm.apply falls back to the op chain`);
  return r;
}

function forwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  const { groups, epsilon } = args.attrs as unknown as { groups: number; epsilon: number };
  const { simd, hb } = backendOf(args);
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const y = hb.makeOutput(x.shape, 'float32');
  const xhat = hb.makeOutput(x.shape, 'float32');
  const rstd = hb.makeOutput([B, C], 'float32');
  withScratch(hb, 8 * C, (scratch) =>
    simd.gnForward(ptr(hb, x), ptr(hb, gamma), ptr(hb, beta), ptr(hb, y), ptr(hb, xhat), ptr(hb, rstd), B, H * W, C, groups, epsilon, scratch));
  return [y, xhat, rstd];
}

function gradKernel(args: KernelArgs): tf.TensorInfo[] {
  const { dy, xhat, rstd, gamma } = args.inputs as Record<'dy' | 'xhat' | 'rstd' | 'gamma', tf.TensorInfo>;
  const { groups } = args.attrs as unknown as { groups: number };
  const { simd, hb } = backendOf(args);
  const [B, H, W, C] = dy.shape as [number, number, number, number];
  const dx = hb.makeOutput(dy.shape, 'float32');
  const dgamma = hb.makeOutput([C], 'float32');
  const dbeta = hb.makeOutput([C], 'float32');
  withScratch(hb, 16 * C, (scratch) =>
    simd.gnBackward(ptr(hb, dy), ptr(hb, xhat), ptr(hb, rstd), ptr(hb, gamma), ptr(hb, dx), ptr(hb, dgamma), ptr(hb, dbeta), B, H * W, C, groups, scratch));
  return [dx, dgamma, dbeta];
}

/** The two kernels for wasm, registered (and removed again) by wasm-kernels.ts with the kit's others. */
export const GROUP_NORM_KERNELS: Readonly<Record<string, tf.KernelConfig['kernelFunc']>> = {
  [GROUP_NORM_KERNEL]: forwardKernel as tf.KernelConfig['kernelFunc'],
  [GROUP_NORM_GRAD_KERNEL]: gradKernel as tf.KernelConfig['kernelFunc'],
};

/** Whether group norm of `channels` channels runs the fused kernels here: wasm with the SIMD module, C % 4 == 0. */
export function groupNormKernelAvailable(channels: number): boolean {
  return channels % 4 === 0 && tf.getBackend() === 'wasm' && tf.getKernel(GROUP_NORM_KERNEL, 'wasm') !== undefined && simdKernelsFor(tf.backend()) !== null;
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number>): tf.Tensor[] {
  const engine = tf.engine() as unknown as { runKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor[] };
  return engine.runKernel(name, inputs, attrs);
}

/** y, x̂ and r [B, C] for x [B, H, W, C] (float32; check groupNormKernelAvailable first). */
export function groupNormForward(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor2D] {
  return run(GROUP_NORM_KERNEL, { x, gamma, beta }, { groups, epsilon }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor2D];
}

/** dx, dγ and dβ from dy and the forward pass's x̂ and r. */
export function groupNormBackward(dy: tf.Tensor4D, xhat: tf.Tensor4D, rstd: tf.Tensor2D, gamma: tf.Tensor1D, groups: number): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  return run(GROUP_NORM_GRAD_KERNEL, { dy, xhat, rstd, gamma }, { groups }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
}
