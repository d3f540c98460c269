/**
 * Penalties on the discriminator's input gradient, which keep it smooth where the game is played.
 *
 * - R1 (Mescheder, Geiger & Nowozin 2018, "Which training methods for GANs do actually converge?", eq. 9):
 *     R1 = gamma/2 E_data ||grad_x D(x)||^2.
 *   At the equilibrium p_g = p_data with D = const the gradient is zero, so the penalty does not move the
 *   fixed point, but it damps the rotation of the two players around it (they prove local convergence of
 *   simultaneous and alternating gradient descent with it; without it the plain GAN's Jacobian has purely
 *   imaginary eigenvalues on a Dirac example, and training oscillates).
 * - The WGAN-GP penalty (Gulrajani et al. 2017, eq. 3):
 *     GP = lambda E_xhat (||grad_xhat D(xhat)|| - 1)^2,   xhat = eps x + (1 - eps) G(z),  eps ~ U[0, 1]
 *   a soft version of the 1-Lipschitz constraint on the critic, on lines between real and generated points.
 *
 * Both need the gradient of a gradient: `inputGradient` is itself differentiable with respect to the
 * discriminator's weights (tfjs records the inner `tf.grad` on the outer tape).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Discriminator } from './discriminator';

/** Which input-gradient penalty the discriminator's loss adds, and its weight (gamma for R1, lambda for GP). */
export type PenaltyConfig = { kind: 'r1'; weight: number } | { kind: 'gp'; weight: number };

/** grad_x D(x) for each row of x, [n, dim] (rows are independent, so this is the gradient of sum D(x)). */
export function inputGradient(d: Discriminator, x: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((xx: tf.Tensor) => tf.sum(d.logits(xx)))(x) as tf.Tensor2D;
}

/** ||grad_x D(x)|| per row, [n]. */
export function inputGradientNorm(d: Discriminator, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(inputGradient(d, x)), 1)) as tf.Tensor1D);
}

/** R1 = gamma/2 mean ||grad_x D(x)||^2 on real data x. */
export function r1Penalty(d: Discriminator, xReal: tf.Tensor2D, gamma: number): tf.Scalar {
  return tf.tidy(() => tf.mul(gamma / 2, tf.mean(tf.sum(tf.square(inputGradient(d, xReal)), 1))) as tf.Scalar);
}

/**
 * The WGAN-GP penalty lambda mean (||grad D(xhat)|| - 1)^2 on random interpolates between real and generated
 * rows (paired row by row; the two batches must have the same shape). `eps` may be given (tests); else drawn.
 */
export function gradientPenalty(d: Discriminator, xReal: tf.Tensor2D, xFake: tf.Tensor2D, lambda: number, rng: Rng, eps?: tf.Tensor): tf.Scalar {
  if (xReal.shape[0] !== xFake.shape[0] || xReal.shape[1] !== xFake.shape[1]) {
    throw new Error(`gradientPenalty: real [${xReal.shape}] and generated [${xFake.shape}] batches must have the same shape`);
  }
  return tf.tidy(() => {
    const e = eps ?? rng.uniform([xReal.shape[0], 1]);
    const xhat = tf.add(tf.mul(e, xReal), tf.mul(tf.sub(1, e), xFake)) as tf.Tensor2D;
    // The small constant keeps the gradient of the norm finite where grad D = 0 exactly.
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(inputGradient(d, xhat)), 1), 1e-12));
    return tf.mul(lambda, tf.mean(tf.square(tf.sub(norm, 1)))) as tf.Scalar;
  });
}

/** The penalty named by `config` on a batch (fake rows are used by GP only). */
export function penaltyTerm(config: PenaltyConfig, d: Discriminator, xReal: tf.Tensor2D, xFake: tf.Tensor2D, rng: Rng): tf.Scalar {
  switch (config.kind) {
    case 'r1':
      return r1Penalty(d, xReal, config.weight);
    case 'gp':
      return gradientPenalty(d, xReal, xFake, config.weight, rng);
    default:
      throw new Error(`penalty: unknown kind "${String((config as { kind: unknown }).kind)}"; use 'r1' or 'gp'`);
  }
}
