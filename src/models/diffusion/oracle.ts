/**
 * Closed-form optimal noise predictors: the g_t that minimises E||g_t(z_t) - eps||^2 is the posterior
 * mean E[eps | z_t] (a conditional expectation minimises squared error). For two data distributions it
 * has a closed form, which makes these oracles for tests and for notebook experiments without training.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoisePredictor } from './network';
import type { NoiseSchedule } from './schedule';
import { type Step, checkRows, coefAt } from './steps';

/**
 * Data x ~ N(m, diag(s^2)). Then z_t = sqrt(alpha_t) x + sqrt(1 - alpha_t) eps is jointly Gaussian with eps,
 * Cov(eps, z_t) = sqrt(1 - alpha_t), Var(z_t) = alpha_t s^2 + 1 - alpha_t, so per coordinate
 *
 *   E[eps | z_t] = sqrt(1 - alpha_t) (z_t - sqrt(alpha_t) m) / (alpha_t s^2 + 1 - alpha_t).
 */
export class GaussianOracle implements NoisePredictor {
  constructor(
    readonly schedule: NoiseSchedule,
    readonly mean: number[],
    readonly std: number[],
  ) {
    if (mean.length !== std.length || mean.length === 0) {
      throw new Error(`GaussianOracle: mean (${mean.length}) and std (${std.length}) need the same, non-zero length`);
    }
    if (std.some((s) => !(s > 0))) throw new Error('GaussianOracle: every std must be > 0');
  }

  predict(z: tf.Tensor, t: Step): tf.Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.mean.length) {
      throw new Error(`GaussianOracle.predict: expected z of shape [n, ${this.mean.length}], got [${z.shape.join(', ')}]`);
    }
    checkRows(z, t, 'GaussianOracle.predict');
    return tf.tidy(() => {
      const a = coefAt(this.schedule.alpha, t, 2, this.schedule.T, 'GaussianOracle.predict');
      const m = tf.tensor2d(this.mean, [1, this.mean.length]);
      const s2 = tf.tensor2d(this.std.map((s) => s * s), [1, this.std.length]);
      const num = tf.mul(tf.sqrt(tf.sub(1, a)), tf.sub(z, tf.mul(tf.sqrt(a), m)));
      return tf.div(num, tf.add(tf.mul(a, s2), tf.sub(1, a)));
    });
  }
}

/**
 * Data = a finite set of points x_1..x_N with equal weights (the training set itself). Then
 * q(x_i | z_t) ∝ exp(-||z_t - sqrt(alpha_t) x_i||^2 / (2 (1 - alpha_t))) (a softmax over the points), and
 *
 *   E[eps | z_t] = (z_t - sqrt(alpha_t) E[x | z_t]) / sqrt(1 - alpha_t).
 *
 * A sampler driven by it can only reproduce the training points (perfect memorisation): the ideal of
 * the training loss is not the ideal of generalisation. Cost per call: an [n, N] distance matrix.
 */
export class EmpiricalOracle implements NoisePredictor {
  private readonly points: tf.Tensor2D;
  private readonly sqNorms: tf.Tensor2D;

  constructor(
    readonly schedule: NoiseSchedule,
    points: tf.Tensor2D,
  ) {
    if (points.rank !== 2) throw new Error(`EmpiricalOracle: expected points of shape [N, D], got [${points.shape.join(', ')}]`);
    this.points = tf.clone(points);
    this.sqNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(points), 1), [1, points.shape[0]]));
  }

  predict(z: tf.Tensor, t: Step): tf.Tensor {
    if (z.rank !== 2 || z.shape[1] !== this.points.shape[1]) {
      throw new Error(`EmpiricalOracle.predict: expected z of shape [n, ${this.points.shape[1]}], got [${z.shape.join(', ')}]`);
    }
    checkRows(z, t, 'EmpiricalOracle.predict');
    return tf.tidy(() => {
      const a = coefAt(this.schedule.alpha, t, 2, this.schedule.T, 'EmpiricalOracle.predict');
      const sa = tf.sqrt(a);
      const var_ = tf.sub(1, a);
      const z2 = tf.sum(tf.square(z), 1, true);
      const cross = tf.matMul(z as tf.Tensor2D, this.points, false, true);
      // ||z - sqrt(a) x_i||^2 = ||z||^2 - 2 sqrt(a) z.x_i + a ||x_i||^2
      const d2 = tf.add(tf.sub(z2, tf.mul(tf.mul(2, sa), cross)), tf.mul(a, this.sqNorms));
      const w = tf.softmax(tf.div(tf.neg(d2), tf.mul(2, var_)));
      const xHat = tf.matMul(w, this.points);
      return tf.div(tf.sub(z, tf.mul(sa, xHat)), tf.sqrt(var_));
    });
  }

  dispose(): void {
    this.points.dispose();
    this.sqNorms.dispose();
  }
}
