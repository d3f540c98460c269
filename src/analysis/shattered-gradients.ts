/**
 * Shattered gradients (Balduzzi et al., 2017, "The shattered gradients problem: if resnets are the
 * answer, then what is the question?"; lecture, "Shattered Gradients Problem"): in a deep plain network
 * the gradient of the output with respect to the input changes almost at random between nearby inputs,
 * like white noise, while in a residual network it stays correlated. Measured here along straight lines
 * between pairs of test images:
 *
 *   x_t = a + (t / (T - 1)) (b - a),   t = 0..T-1,     g_t = ∂ f_c(x_t) / ∂x
 *   ρ(k) = mean over lines and t of corr(g_t, g_{t+k})         (Pearson correlation over the pixels)
 *
 * where f_c is the output (logit) of class c, one class per line (e.g. the label of a). ρ(1) near 1:
 * the gradient at a point predicts the gradient a small step away, so a gradient step means something;
 * near 0: it does not. `f` must treat examples independently (batch norm in inference mode).
 */
import * as tf from '@tensorflow/tfjs';

export interface GradientCorrelationOptions {
  /** Points T per line (lag 1 = a step of 1 / (T - 1) of the way from a to b). @default 32 */
  points?: number;
  /** Largest lag k reported. @default 8 */
  maxLag?: number;
}

/** What `gradientCorrelationAlongLines` returns. */
export interface GradientCorrelation {
  /** 0..maxLag. */
  lags: number[];
  /** ρ(k), mean over lines and positions (ρ(0) = 1). */
  correlation: number[];
  /** ρ(1) of each line, to see the spread. */
  lag1PerLine: number[];
}

/** Pearson correlation of two vectors. */
function pearson(u: Float32Array, v: Float32Array, offU: number, offV: number, n: number): number {
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mu += u[offU + i]!;
    mv += v[offV + i]!;
  }
  mu /= n;
  mv /= n;
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < n; i++) {
    const a = u[offU + i]! - mu;
    const b = v[offV + i]! - mv;
    suv += a * b;
    suu += a * a;
    svv += b * b;
  }
  return suu === 0 || svv === 0 ? 0 : suv / Math.sqrt(suu * svv);
}

/**
 * ρ(k) for lines from `a[i]` to `b[i]` (NHWC, same shape), of the gradient of output `classes[i]` of
 * `f` (images -> [n, outputs]).
 */
export function gradientCorrelationAlongLines(
  f: (x: tf.Tensor4D) => tf.Tensor2D,
  a: tf.Tensor4D,
  b: tf.Tensor4D,
  classes: ArrayLike<number>,
  options: GradientCorrelationOptions = {},
): GradientCorrelation {
  const T = options.points ?? 32;
  const maxLag = options.maxLag ?? 8;
  if (!Number.isInteger(T) || T < 2) throw new Error(`gradientCorrelationAlongLines: points must be an integer >= 2, got ${T}`);
  if (!Number.isInteger(maxLag) || maxLag < 1 || maxLag >= T) throw new Error(`gradientCorrelationAlongLines: maxLag must be an integer in 1..points-1 (${T - 1}), got ${maxLag}`);
  if (a.shape.join() !== b.shape.join()) throw new Error(`gradientCorrelationAlongLines: a [${a.shape.join(', ')}] and b [${b.shape.join(', ')}] must have the same shape`);
  const lines = a.shape[0];
  if (classes.length !== lines) throw new Error(`gradientCorrelationAlongLines: classes has ${classes.length} entries for ${lines} lines`);
  const [, h, w, c] = a.shape;
  const d = h * w * c;
  const sums = new Array<number>(maxLag + 1).fill(0);
  const counts = new Array<number>(maxLag + 1).fill(0);
  const lag1PerLine: number[] = [];
  for (let i = 0; i < lines; i++) {
    const g = tf.tidy(() => {
      const ai = tf.slice(a, [i, 0, 0, 0], [1, -1, -1, -1]);
      const bi = tf.slice(b, [i, 0, 0, 0], [1, -1, -1, -1]);
      const t = tf.reshape(tf.linspace(0, 1, T), [T, 1, 1, 1]);
      const x = tf.add(ai, tf.mul(t, tf.sub(bi, ai))) as tf.Tensor4D;
      // The examples are independent, so the gradient of the sum is each point's own gradient.
      return tf.grad((xin: tf.Tensor) => tf.sum(tf.slice(f(xin as tf.Tensor4D), [0, classes[i]!], [T, 1])))(x);
    });
    const data = g.dataSync() as Float32Array;
    g.dispose();
    let line1 = 0;
    for (let k = 0; k <= maxLag; k++) {
      for (let t = 0; t + k < T; t++) {
        const r = pearson(data, data, t * d, (t + k) * d, d);
        sums[k]! += r;
        counts[k]! += 1;
        if (k === 1) line1 += r / (T - 1);
      }
    }
    lag1PerLine.push(line1);
  }
  return { lags: sums.map((_v, k) => k), correlation: sums.map((s, k) => s / counts[k]!), lag1PerLine };
}
