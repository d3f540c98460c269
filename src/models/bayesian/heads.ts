/**
 * Output heads: how the network's last activations become a likelihood p(y | x, w).
 *
 * - `gaussian`: heteroscedastic regression, y ~ N(mu(x), sigma(x)^2) with the network giving mu and a
 *   raw scale, sigma = minScale + softplus(raw) > 0 (Nix & Weigend, 1994; Kendall & Gal, 2017). The
 *   learned sigma(x) is the aleatoric (data) noise; the spread of mu over weight samples is the
 *   epistemic (model) uncertainty. With `noiseStd` fixed, the network gives mu only (homoscedastic).
 * - `mse`: a point regressor trained on the mean squared error (the deterministic baseline).
 * - `categorical`: classification, p(y = c | x, w) = softmax(logits)_c.
 *
 * Every head works on [S, B, k] outputs (S weight samples) and averages its loss over samples and
 * examples: the Monte Carlo estimate of E_q[-log p(y | x, w)] per example.
 */
import * as tf from '@tensorflow/tfjs';
import { HALF_LOG_2PI } from '../../math';

export type HeadKind = 'gaussian' | 'mse' | 'categorical';

export interface HeadConfig {
  kind: HeadKind;
  /** Classes for `categorical`. */
  numClasses?: number;
  /** A fixed noise std for `gaussian`, in the target's units (the network then outputs mu only). @default undefined (learned) */
  noiseStd?: number;
  /** Floor added to the learned sigma, for numerical safety. @default 1e-3 */
  minScale?: number;
  /**
   * Regression targets' location and scale: the network works in standardised units and the head
   * returns mu = mean + std * mu_net, sigma = std * sigma_net, so predictions come out in the
   * target's own units (e.g. quality points) while training stays well conditioned.
   * @default { mean: 0, std: 1 }
   */
  targetScale?: { mean: number; std: number };
}

export class Head {
  readonly kind: HeadKind;
  /** How many network outputs the head reads. */
  readonly outputs: number;
  readonly noiseStd: number | undefined;
  readonly minScale: number;
  readonly targetScale: { mean: number; std: number };

  constructor(config: HeadConfig) {
    this.kind = config.kind;
    this.targetScale = config.targetScale ?? { mean: 0, std: 1 };
    if (!(this.targetScale.std > 0) || !Number.isFinite(this.targetScale.mean)) {
      throw new Error(`Head: targetScale needs a finite mean and std > 0, got ${JSON.stringify(this.targetScale)}`);
    }
    this.noiseStd = config.noiseStd;
    this.minScale = config.minScale ?? 1e-3;
    if (config.noiseStd !== undefined && !(config.noiseStd > 0)) throw new Error(`Head: noiseStd must be > 0, got ${config.noiseStd}`);
    switch (config.kind) {
      case 'gaussian':
        this.outputs = config.noiseStd === undefined ? 2 : 1;
        break;
      case 'mse':
        this.outputs = 1;
        break;
      case 'categorical': {
        const c = config.numClasses;
        if (c === undefined || !Number.isInteger(c) || c < 2) {
          throw new Error(`Head: a categorical head needs numClasses >= 2 (an integer), got ${c}`);
        }
        this.outputs = c;
        break;
      }
      default:
        throw new Error(`Head: unknown kind "${String(config.kind)}"; use 'gaussian', 'mse' or 'categorical'`);
    }
  }

  /** Mean and std of a regression head, each [S, B]. For `mse`, sigma is undefined. */
  gaussianParams(out: tf.Tensor3D): { mu: tf.Tensor2D; sigma: tf.Tensor2D | null } {
    if (this.kind === 'categorical') throw new Error('Head: gaussianParams needs a regression head (gaussian or mse), this one is categorical');
    const [S, B] = [out.shape[0]!, out.shape[1]!];
    const { mean, std } = this.targetScale;
    const mu = tf.tidy(() => {
      const muNet = tf.reshape(tf.slice(out, [0, 0, 0], [S, B, 1]), [S, B]);
      return (mean === 0 && std === 1 ? muNet : tf.add(tf.mul(muNet, std), mean)) as tf.Tensor2D;
    });
    if (this.kind === 'mse') return { mu, sigma: null };
    const noise = this.noiseStd;
    if (noise !== undefined) return { mu, sigma: tf.fill([S, B], noise) as tf.Tensor2D };
    const sigma = tf.tidy(() => {
      const raw = tf.reshape(tf.slice(out, [0, 0, 1], [S, B, 1]), [S, B]);
      return tf.mul(tf.add(tf.softplus(raw), this.minScale), std) as tf.Tensor2D;
    });
    return { mu, sigma };
  }

  /** Class probabilities [S, B, C] of a categorical head. */
  probabilities(out: tf.Tensor3D): tf.Tensor3D {
    if (this.kind !== 'categorical') throw new Error(`Head: probabilities needs a categorical head, this one is ${this.kind}`);
    return tf.softmax(out) as tf.Tensor3D;
  }

  /**
   * The data term, averaged over samples and examples. Returns its name (`nll` or `mse`) and value.
   * `y`: [B] or [B, 1] targets (class indices for `categorical`).
   */
  dataTerm(out: tf.Tensor3D, y: tf.Tensor): { name: 'nll' | 'mse'; value: tf.Scalar } {
    return tf.tidy(() => {
      const B = out.shape[1]!;
      if (y.shape[0] !== B || y.size !== B) {
        throw new Error(`Head: targets must be [B] or [B, 1] with B = ${B}, got [${y.shape}]`);
      }
      const yFlat = tf.reshape(y, [1, B]);
      if (this.kind === 'categorical') {
        // -log softmax(logits)_y, averaged over S samples and B examples.
        const C = this.outputs;
        const labels = tf.oneHot(tf.cast(tf.reshape(y, [B]), 'int32'), C);
        const logp = tf.logSoftmax(out);
        const ll = tf.sum(tf.mul(logp, labels.expandDims(0)), -1);
        return { name: 'nll' as const, value: tf.neg(tf.mean(ll)) as tf.Scalar };
      }
      const { mu, sigma } = this.gaussianParams(out);
      if (sigma === null) return { name: 'mse' as const, value: tf.mean(tf.square(tf.sub(yFlat, mu))) as tf.Scalar };
      // -log N(y | mu, sigma^2) = (y - mu)^2 / (2 sigma^2) + log sigma + log(2 pi) / 2: the negative of
      // math.gaussianLogDensity, summed in the order this loss has always trained with (a reordering
      // would move every trained number in its last bits).
      const z = tf.div(tf.sub(yFlat, mu), sigma);
      const nll = tf.add(tf.add(tf.mul(0.5, tf.square(z)), tf.log(sigma)), HALF_LOG_2PI);
      return { name: 'nll' as const, value: tf.mean(nll) as tf.Scalar };
    });
  }
}
