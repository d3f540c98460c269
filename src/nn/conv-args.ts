/**
 * Argument checks shared by the convolution-family layers beside `Conv2d` (pooling, transposed and 1-D
 * convolution): a size given as `n` or `[h, w]`, a padding mode, the input's channels, each failing with
 * a message that names the layer and the field; and their kernel initialisation (the rule `Conv2d` uses).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';
import type { ConvInit, Padding } from './conv2d';
import { requirePositiveInt } from './validate';

/** A 2-D size, `n` for `[n, n]` or `[h, w]`, checked to be positive integers. */
export function pair(value: number | readonly [number, number], field: string, owner: string): [number, number] {
  if (typeof value === 'number') {
    requirePositiveInt(value, field, owner);
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new Error(`${owner}: ${field} must be a positive integer or a pair [h, w], got ${JSON.stringify(value)}`);
  }
  requirePositiveInt(value[0], `${field}[0]`, owner);
  requirePositiveInt(value[1], `${field}[1]`, owner);
  return [value[0], value[1]];
}


export function requirePadding(value: unknown, owner: string): Padding {
  if (value === 'same' || value === 'valid') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new Error(`${owner}: padding must be 'same', 'valid' or a non-negative integer, got ${JSON.stringify(value)}`);
}

/**
 * A numeric padding p as explicit zeros on both sides of every spatial axis of an NWC or NHWC batch, for a
 * 'valid' convolution after it: the same result as padding p, in the one form every backend takes
 * (`tf.conv1d` has no numeric padding, and tfjs-node's Conv2D rejects it where cpu and wasm accept it).
 */
export function padSpatial<T extends tf.Tensor>(x: T, p: number): T {
  return tf.pad(x, x.shape.map((_, axis): [number, number] => (axis === 0 || axis === x.rank - 1 ? [0, 0] : [p, p]))) as T;
}

/** Check a layer input's rank and channel count; the message says what was passed and what is expected. */
export function requireChannels(shape: readonly number[], rank: number, channels: number, owner: string, layout: string): void {
  if (shape.length !== rank) {
    throw new Error(`${owner}: expected a rank-${rank} ${layout} input, got shape [${shape.join(', ')}]`);
  }
  if (shape[rank - 1] !== channels) {
    throw new Error(`${owner}: the input has ${shape[rank - 1]} channels but inChannels is ${channels} (shape [${shape.join(', ')}], ${layout})`);
  }
}


/**
 * A kernel of `shape` drawn by `init` with one `rng.randn` call. Fan-in and fan-out count the window:
 * fan_in = (kernel volume) x in-channels, fan_out = (kernel volume) x out-channels (He et al., 2015, eq. 10;
 * Glorot & Bengio, 2010, eq. 12).
 */
export function convKernel(shape: number[], fanIn: number, fanOut: number, init: ConvInit, rng: Rng, owner: string): tf.Tensor {
  return tf.tidy(() => {
    switch (init) {
      case 'zero':
        return tf.zeros(shape);
      case 'he':
        return tf.mul(rng.randn(shape), Math.sqrt(2 / fanIn));
      case 'glorot':
        return tf.mul(rng.randn(shape), Math.sqrt(2 / (fanIn + fanOut)));
      default:
        throw new Error(`${owner}: init must be 'he', 'glorot' or 'zero', got ${JSON.stringify(init)}`);
    }
  });
}
