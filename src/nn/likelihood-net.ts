/**
 * The lecture's recipe as one trainable model: an `MLP` predicts the parameters of a distribution over
 * y, and the loss is the mean negative log-likelihood (losses.ts), optionally plus a Gaussian prior on
 * the weights (L2 regularisation = maximum a posteriori; lecture: "Probabilistic interpretation").
 *
 * | likelihood        | network outputs            | loss per example                       |
 * | 'gaussian'        | μ (one per target)         | -log N(y; μ, σ²), σ fixed: least squares |
 * | 'heteroscedastic' | μ and s; σ² = softplus(s)²  | -log N(y; μ, σ²(x))                     |
 * | 'bernoulli'       | logit z; λ = sig[z]         | binary cross-entropy                   |
 * | 'categorical'     | K logits; softmax           | cross-entropy                          |
 *
 * The lecture makes σ² = f₂² positive by squaring; we square a softplus of the output (σ = softplus(s)),
 * because with the bare square the NLL is unbounded below where f₂ crosses 0 and training can dive there.
 *
 * With `priorStd` = σ_p the loss is the negative log posterior per example,
 *   (1/N) [ -Σ_i log Pr(y_i | x_i, φ) + ||Ω||² / 2σ_p² ]  (+ const),
 * the weights Ω (not the biases, as usual) under the prior N(0, σ_p² I); N is the training-set size.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossTerms, StepContext, Trainable } from '../train/types';
import { bernoulliNLL, categoricalNLL, gaussianNLL } from './losses';
import { MLP, type MLPConfig } from './mlp';

export type Likelihood = 'gaussian' | 'heteroscedastic' | 'bernoulli' | 'categorical';

export interface LikelihoodNetConfig extends MLPConfig {
  /** The distribution over y whose parameters the network predicts. */
  likelihood: Likelihood;
  /** σ of the fixed Gaussian noise for 'gaussian'. @default 1 */
  sigma?: number;
  /** σ_p of a Gaussian prior N(0, σ_p²) on every weight (MAP = L2 with λ = 1/(2σ_p²)). @default none (maximum likelihood) */
  priorStd?: number;
}

export class LikelihoodNet implements Trainable {
  readonly net: MLP;
  readonly likelihood: Likelihood;
  readonly sigma: number;
  readonly priorStd: number | undefined;

  constructor(config: LikelihoodNetConfig) {
    const { likelihood } = config;
    if (!['gaussian', 'heteroscedastic', 'bernoulli', 'categorical'].includes(likelihood)) {
      throw new Error(`LikelihoodNet: unknown likelihood "${String(likelihood)}"; use gaussian, heteroscedastic, bernoulli or categorical`);
    }
    const out = config.sizes[config.sizes.length - 1];
    if (likelihood === 'heteroscedastic' && out !== 2) throw new Error(`LikelihoodNet: 'heteroscedastic' needs 2 outputs (μ and s), sizes end in ${out}`);
    if (likelihood === 'bernoulli' && out !== 1) throw new Error(`LikelihoodNet: 'bernoulli' needs 1 output (the logit), sizes end in ${out}`);
    if (likelihood === 'categorical' && !(out !== undefined && out >= 2)) throw new Error(`LikelihoodNet: 'categorical' needs one output per class (>= 2), sizes end in ${out}`);
    if (config.priorStd !== undefined && !(config.priorStd > 0)) throw new Error(`LikelihoodNet: priorStd must be positive, got ${config.priorStd}`);
    if (config.sigma !== undefined && !(config.sigma > 0)) throw new Error(`LikelihoodNet: sigma must be positive, got ${config.sigma}`);
    this.likelihood = likelihood;
    this.sigma = config.sigma ?? 1;
    this.priorStd = config.priorStd;
    this.net = new MLP({ ...config, outputActivation: 'linear' });
  }

  /** The predicted distribution's parameters: `{ mu }`, `{ mu, sigma }`, `{ p }` (probability of y = 1) or `{ probs }`. */
  predict(x: tf.Tensor2D): Record<string, tf.Tensor> {
    return tf.tidy((): Record<string, tf.Tensor> => {
      const f = this.net.apply(x) as tf.Tensor2D;
      switch (this.likelihood) {
        case 'gaussian':
          return { mu: f };
        case 'heteroscedastic': {
          const [mu, s] = tf.split(f, 2, 1);
          return { mu: mu!, sigma: tf.softplus(s!) };
        }
        case 'bernoulli':
          return { p: tf.sigmoid(f) };
        default:
          return { probs: tf.softmax(f) };
      }
    });
  }

  /** Mean NLL per example of a batch `{ x, y }` (labels as integers for 'categorical'). */
  nll(x: tf.Tensor2D, y: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const f = this.net.apply(x) as tf.Tensor2D;
      switch (this.likelihood) {
        case 'gaussian':
          return tf.mean(gaussianNLL(y, f, this.sigma ** 2));
        case 'heteroscedastic': {
          const [mu, s] = tf.split(f, 2, 1);
          // A floor on σ keeps log σ² finite if softplus underflows.
          const sigma = tf.add(tf.softplus(s!), 1e-6);
          return tf.mean(gaussianNLL(y, mu!, tf.square(sigma)));
        }
        case 'bernoulli':
          return tf.mean(bernoulliNLL(y, f));
        default:
          return tf.mean(categoricalNLL(y.reshape([-1]) as tf.Tensor1D, f));
      }
    }) as tf.Scalar;
  }

  /** ||Ω||² / 2σ_p² (0 without a prior): the negative log prior up to its constant. */
  negLogPrior(): tf.Scalar {
    return tf.tidy(() => {
      if (this.priorStd === undefined) return tf.scalar(0);
      const sq = this.net.weights.map((w) => tf.sum(tf.square(w)));
      return tf.div(tf.addN(sq), 2 * this.priorStd ** 2) as tf.Scalar;
    });
  }

  loss(batch: Batch, ctx: StepContext): LossTerms {
    const x = batch['x'];
    const y = batch['y'];
    if (!x || !y) throw new Error('LikelihoodNet: the dataset needs tensors named "x" and "y"');
    const nll = this.nll(x as tf.Tensor2D, y);
    if (this.priorStd === undefined) return { nll };
    return { nll, prior: tf.div(this.negLogPrior(), ctx.datasetSize) as tf.Scalar };
  }

  variables(): tf.Variable[] {
    return this.net.variables();
  }

  dispose(): void {
    this.net.dispose();
  }
}
