/**
 * The GAN losses on discriminator logits l = D(x) (so d(x) = sigma(l)), written with softplus so that
 * they stay finite for any logit (log sigma(l) = -softplus(-l), log(1 - sigma(l)) = -softplus(l)).
 *
 * The game (Goodfellow et al. 2014, eq. 1; the lecture's v(g, d)):
 *   v(G, D) = E_data[log d(x)] + E_z[log(1 - d(G(z)))],   G* = arg min_G max_D v(G, D).
 *
 * - `discriminatorLoss` = -v on a batch: the binary cross-entropy of "real" vs "generated". The
 *   discriminator minimises it; at the optimal d* its expectation is log 4 - 2 JSD(p_data || p_g).
 * - `generatorLoss('minimax')` = E_z[log(1 - d(G(z)))]: the generator's side of the same game. Its gradient
 *   with respect to the logit is -sigma(l) = -d, which vanishes when the discriminator confidently rejects
 *   the samples (d -> 0), which is exactly the situation early in training (Goodfellow et al. 2014, Sec. 3).
 * - `generatorLoss('nonSaturating')` = -E_z[log d(G(z))]: the same fixed point, but gradient -(1 - d),
 *   which tends to -1 as d -> 0 (the "-log D trick" of the same paper).
 * - `criticLoss`, `generatorLoss('wasserstein')`: the Wasserstein GAN (Arjovsky et al. 2017), where the
 *   critic's raw output f(x) estimates W_1 = sup_{||f||_L <= 1} E_data f - E_g f; the critic minimises
 *   E_g f - E_data f, the generator -E_g f. The Lipschitz constraint comes from a gradient penalty.
 */
import * as tf from '@tensorflow/tfjs';

/** How the generator is trained: the lecture's minimax loss, the non-saturating loss, or WGAN's. */
export type GeneratorLossKind = 'minimax' | 'nonSaturating' | 'wasserstein';

export const GENERATOR_LOSSES: readonly GeneratorLossKind[] = ['minimax', 'nonSaturating', 'wasserstein'];

function meanOf(t: tf.Tensor): tf.Scalar {
  return tf.mean(t) as tf.Scalar;
}

/** -v(G, D) on a batch: mean softplus(-l_real) + mean softplus(l_fake) (binary cross-entropy, nats). */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(meanOf(tf.softplus(tf.neg(realLogits))), meanOf(tf.softplus(fakeLogits))) as tf.Scalar);
}

/** WGAN critic loss: mean f(fake) - mean f(real). */
export function criticLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sub(meanOf(fakeScores), meanOf(realScores)) as tf.Scalar);
}

/**
 * The generator's loss on the discriminator's logits (critic scores for 'wasserstein') of generated samples:
 *   minimax:       mean log(1 - sigma(l)) = -mean softplus(l)
 *   nonSaturating: -mean log sigma(l)     =  mean softplus(-l)
 *   wasserstein:   -mean f
 */
export function generatorLoss(fakeLogits: tf.Tensor, kind: GeneratorLossKind): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'minimax':
        return tf.neg(meanOf(tf.softplus(fakeLogits))) as tf.Scalar;
      case 'nonSaturating':
        return meanOf(tf.softplus(tf.neg(fakeLogits)));
      case 'wasserstein':
        return tf.neg(meanOf(fakeLogits)) as tf.Scalar;
      default:
        throw new Error(`generatorLoss: unknown kind "${String(kind)}"; use one of ${GENERATOR_LOSSES.join(', ')}`);
    }
  });
}
