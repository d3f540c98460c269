import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random numbers in [-0.5, 0.5) (a fixed LCG), the same on every backend. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Run `f` on `backend` and read its outputs as float32 arrays (disposing the tensors). */
export async function onBackend(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const arrays = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return arrays;
}

/** The largest |actual − expected| / (1 + |expected|); the lengths must agree. */
export function maxRelErr(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  return worst;
}

/**
 * A conv2d case for kernel tests: returns a closure computing [y, dx, dW] of Σ conv2d(x, W)·r for fixed
 * pseudo-random x, W and r (seeds seed, seed + 1, seed + 2), to run on each backend.
 */
export function convWithGrads(
  xShape: [number, number, number, number], fShape: [number, number, number, number],
  strides: number | [number, number], pad: 'same' | 'valid' | number, seed: number,
): () => tf.Tensor[] {
  const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  const xv = values(size(xShape), seed);
  const fv = values(size(fShape), seed + 1);
  return () => {
    const x = tf.tensor4d(xv, xShape);
    const w = tf.tensor4d(fv, fShape);
    const y = tf.conv2d(x, w, strides, pad);
    const r = tf.tensor(values(size(y.shape), seed + 2), y.shape);
    const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, strides, pad).mul(r).sum())([x, w]);
    return [y, dx!, dw!];
  };
}
