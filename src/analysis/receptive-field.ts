/**
 * The receptive field of a unit: the part of the input that can change it (lecture, "Receptive
 * fields"). By formula, for a stack of convolutions and poolings with kernel k_l, stride s_l and
 * dilation d_l (Araujo, Norris & Sim, 2019, "Computing receptive fields of CNNs", eq. 2):
 *
 *   r_L = 1 + Σ_{l=1}^{L} (d_l (k_l - 1)) Π_{i<l} s_i
 *
 * Each layer widens the field by its kernel's extent minus one, measured in input pixels: a stride
 * multiplies the step of every later layer. Measured: the support of ∂y_unit/∂x, the input gradient of
 * one output unit (summed over its channels), which is non-zero exactly where the input can move it.
 * With ReLUs, a unit that happens to be off for the probe input cuts paths, so the measured field can
 * only be smaller than the formula's; with random weights and a random input it rarely is.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../runtime/rng';

/** One layer of a stack, as the formula sees it. */
export interface ReceptiveLayer {
  kernelSize: number;
  /** @default 1 */
  stride?: number;
  /** @default 1 */
  dilation?: number;
}

/** The formula: the receptive field's width after each layer (r_1, ..., r_L), and the final one. */
export function receptiveFieldSize(layers: readonly ReceptiveLayer[]): { size: number; perLayer: number[] } {
  let r = 1;
  let jump = 1;
  const perLayer: number[] = [];
  layers.forEach((l, i) => {
    const k = l.kernelSize;
    const s = l.stride ?? 1;
    const d = l.dilation ?? 1;
    for (const [v, name] of [[k, 'kernelSize'], [s, 'stride'], [d, 'dilation']] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`receptiveFieldSize: layers[${i}].${name} must be a positive integer, got ${String(v)}`);
    }
    r += d * (k - 1) * jump;
    jump *= s;
    perLayer.push(r);
  });
  return { size: r, perLayer };
}

/** What `measuredReceptiveField` returns. */
export interface MeasuredReceptiveField {
  /** Rows and columns of the support, inclusive: [first, last]. */
  rows: [number, number];
  cols: [number, number];
  /** Its height and width in input pixels. */
  height: number;
  width: number;
  /** |∂y_unit/∂x| summed over input channels, [h][w], for a picture. */
  gradient: number[][];
}

/**
 * The support of the input gradient of one output unit of `f` (NHWC in, NHWC out), at a standard
 * normal input of shape [1, ...inputShape] drawn from `rng`. `unit` = [row, col] of the output map,
 * default its centre.
 */
export function measuredReceptiveField(
  f: (x: tf.Tensor4D) => tf.Tensor4D,
  inputShape: [number, number, number],
  rng: Rng,
  unit?: [number, number],
): MeasuredReceptiveField {
  const g = tf.tidy(() => {
    const x = rng.randn([1, ...inputShape]) as tf.Tensor4D;
    const [, oh, ow] = f(x).shape;
    const [i, j] = unit ?? [Math.floor(oh / 2), Math.floor(ow / 2)];
    if (i < 0 || i >= oh || j < 0 || j >= ow) throw new Error(`measuredReceptiveField: unit [${i}, ${j}] is outside the ${oh} x ${ow} output map`);
    const grad = tf.grad((xin: tf.Tensor) => tf.sum(tf.slice(f(xin as tf.Tensor4D), [0, i, j, 0], [1, 1, 1, -1])))(x);
    return tf.sum(tf.abs(grad), [0, 3]);
  });
  const gradient = g.arraySync() as number[][];
  g.dispose();
  const rows: number[] = [];
  const cols: number[] = [];
  gradient.forEach((row, r) => row.forEach((v, c) => {
    if (v > 0) {
      rows.push(r);
      cols.push(c);
    }
  }));
  if (rows.length === 0) throw new Error('measuredReceptiveField: the unit does not depend on the input at all (zero gradient everywhere); try another rng or unit');
  const span = (v: number[]): [number, number] => [Math.min(...v), Math.max(...v)];
  const [rs, cs] = [span(rows), span(cols)];
  return { rows: rs, cols: cs, height: rs[1] - rs[0] + 1, width: cs[1] - cs[0] + 1, gradient };
}
