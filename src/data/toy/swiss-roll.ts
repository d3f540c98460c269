/**
 * The 2-D swiss roll used in diffusion tutorials: sklearn's `make_swiss_roll` in 3-D, then (x, z) / 10.
 *
 * sklearn: t = 1.5 pi (1 + 2u), u ~ U(0, 1); x = t cos t, y = 21 u', z = t sin t; Gaussian noise of std
 * `noise` on each coordinate. The height y is dropped here, so it is not drawn; x and z get their noise
 * before the division by 10, so the noise std in the returned units is `noise / 10`.
 */
import * as tf from '@tensorflow/tfjs';
import { ToyData, ToyOptions, toyResult, toyStart } from './common';

export interface SwissRollOptions extends ToyOptions {
  /** Std of the Gaussian noise in the 3-D roll's units (before the division by 10). @default 0.5 */
  noise?: number;
}

/** A swiss roll sample plus each point's position along the roll. */
export interface SwissRollData extends ToyData {
  /** t in [1.5 pi, 4.5 pi] per point, float32 `[n]` (handy as a colour). */
  t: tf.Tensor1D;
}

/** Swiss roll: `x` `[n, 2]` = (x, z) / 10 of the 3-D roll; points lie within about 1.42 (+ noise) of 0. */
export function makeSwissRoll(n: number, options: SwissRollOptions): SwissRollData {
  const noise = options.noise ?? 0.5;
  const rng = toyStart('makeSwissRoll', n, noise, options);
  const xy = new Float64Array(2 * n);
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ti = 1.5 * Math.PI * (1 + 2 * rng.random());
    t[i] = ti;
    xy[2 * i] = (ti * Math.cos(ti) + noise * rng.normal()) / 10;
    xy[2 * i + 1] = (ti * Math.sin(ti) + noise * rng.normal()) / 10;
  }
  const base = toyResult(xy, undefined, options);
  const tt = tf.tensor1d(t, 'float32');
  return { ...base, t: tt, dispose: () => tf.dispose([base.x, tt]) };
}
