/**
 * The bijector: one invertible, differentiable map and the log-volume change it causes.
 *
 * Direction convention (used by every file in this folder):
 *
 *   forward  f:    x (data)   -> z (latent)   the *normalising* direction, used for density evaluation
 *   inverse  f⁻¹:  z (latent) -> x (data)     the *generative* direction, used for sampling
 *
 *   logDetJacobian(x) = log |det ∂f(x)/∂x|     (per row, shape [n])
 *
 * so that, by the change of variables (lecture: ∫p_z(z)dz = ∫p_x(x)dx = 1),
 *
 *   log p_x(x) = log p_z(f(x)) + log |det ∂f(x)/∂x|.
 *
 * `inverseAndLogDet(z)` returns x = f⁻¹(z) with log |det ∂f⁻¹(z)/∂z| = −log |det ∂f(x)/∂x| at that x;
 * sampling with exact log-density uses it: log q(x) = log p_z(z) − log |det ∂f⁻¹(z)/∂z|.
 *
 * Inputs are always `[n, D]` float32 tensors: rows are examples, D is the bijector's `dim`.
 */
import * as tf from '@tensorflow/tfjs';

/** A mapped batch and its per-row log |det Jacobian| of the map that was applied. */
export interface MappedWithLogDet {
  /** The image of the input, `[n, D]`. */
  y: tf.Tensor2D;
  /** log |det ∂y/∂input| per row, `[n]`. */
  logDet: tf.Tensor1D;
}

/** Throw a clear error unless `x` is `[n, dim]`. */
export function checkRows(x: tf.Tensor, dim: number, who: string): tf.Tensor2D {
  if (!(x instanceof tf.Tensor)) throw new Error(`${who}: expected a tf.Tensor of shape [n, ${dim}]`);
  if (x.isDisposed) throw new Error(`${who}: the input tensor was disposed (made in an earlier run of a cell?)`);
  if (x.rank !== 2 || x.shape[1] !== dim) {
    throw new Error(
      `${who}: expected a tensor of shape [n, ${dim}] (rows = examples, ${dim} features), got [${x.shape}]` +
        (x.rank === 1 ? `; reshape a single point with x.reshape([1, ${dim}])` : ''),
    );
  }
  return x as tf.Tensor2D;
}

/**
 * Base class of every bijector. Subclasses implement the two `...AndLogDet` methods (raw ops, no tidy:
 * they also run under the trainer's gradient tape); the public one-result methods wrap them in `tf.tidy`.
 */
export abstract class Bijector {
  /** Short label for plots and step lists, e.g. `coupling[2]`. */
  abstract readonly name: string;
  /** Number of features D of the rows it maps. */
  abstract readonly dim: number;

  /** z = f(x) and log |det ∂f/∂x| (the normalising direction). Raw ops: call inside a tidy. */
  abstract forwardAndLogDet(x: tf.Tensor2D): MappedWithLogDet;

  /** x = f⁻¹(z) and log |det ∂f⁻¹/∂z| (the generative direction). Raw ops: call inside a tidy. */
  abstract inverseAndLogDet(z: tf.Tensor2D): MappedWithLogDet;

  /** z = f(x), data -> latent. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    const xx = checkRows(x, this.dim, `${this.name}.forward`);
    return tf.tidy(() => this.forwardAndLogDet(xx).y);
  }

  /** x = f⁻¹(z), latent -> data. */
  inverse(z: tf.Tensor2D): tf.Tensor2D {
    const zz = checkRows(z, this.dim, `${this.name}.inverse`);
    return tf.tidy(() => this.inverseAndLogDet(zz).y);
  }

  /** log |det ∂f(x)/∂x| per row (`[n]`), the term added to log p_z(f(x)) to get log p_x(x). */
  logDetJacobian(x: tf.Tensor2D): tf.Tensor1D {
    const xx = checkRows(x, this.dim, `${this.name}.logDetJacobian`);
    return tf.tidy(() => this.forwardAndLogDet(xx).logDet);
  }

  /** log |det ∂f⁻¹(z)/∂z| per row (`[n]`); equals −logDetJacobian(f⁻¹(z)). */
  inverseLogDetJacobian(z: tf.Tensor2D): tf.Tensor1D {
    const zz = checkRows(z, this.dim, `${this.name}.inverseLogDetJacobian`);
    return tf.tidy(() => this.inverseAndLogDet(zz).logDet);
  }

  /** The variables that parametrise the map (none for fixed maps). */
  variables(): tf.Variable[] {
    return [];
  }

  /** Free every tensor the bijector holds. Safe to call twice. */
  dispose(): void {
    for (const v of this.variables()) if (!v.isDisposed) v.dispose();
  }
}
