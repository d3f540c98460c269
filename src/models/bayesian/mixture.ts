/**
 * A variational posterior that is a mixture of M mean-field Gaussians,
 *
 *   q(w) = (1/M) sum_m q_m(w),   q_m(w) = prod_i N(w_i | mu_mi, sigma_mi^2).
 *
 * Why: a neural network's posterior has many modes (hidden units can be permuted, and genuinely
 * different functions fit the data), while KL(q || p) makes one mean-field Gaussian settle in one of
 * them. Components started from different random weights settle in different modes, and the predictive
 * averages over all of them (Wilson & Izmailov, 2020, "Bayesian deep learning and a probabilistic
 * perspective of generalization").
 *
 * Training: each component maximises its own ELBO. Their mean is a lower bound on the mixture's ELBO,
 * and a tight one: the mixture's entropy lies between the components' mean entropy and that plus log M,
 *
 *   (1/M) sum_m ELBO(q_m)  <=  ELBO(q)  <=  (1/M) sum_m ELBO(q_m) + log M,
 *
 * so per example the gap is at most (log M) / N. The loss is therefore the mean of the components'
 * per-example `nll` and `kl` terms (their parameters are disjoint, so each gets its own gradient).
 *
 * Prediction shares the K weight samples equally among the components. With deterministic layers only,
 * each component is one network and the mixture is a deep ensemble (Lakshminarayanan et al., 2017).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossTerms, StepContext, Trainable } from '../../train/types';
import type { Head } from './heads';
import { BayesianMLP, type BayesianMLPConfig } from './mlp';
import { type PredictOptions, SampledNetworks } from './sampled';

export interface BNNMixtureConfig extends BayesianMLPConfig {
  /** Number of mixture components M (each a `BayesianMLP` of this config, seeded by `rng`). */
  components: number;
}

export class BNNMixture extends SampledNetworks implements Trainable {
  readonly config: Readonly<BNNMixtureConfig>;
  readonly components: readonly BayesianMLP[];
  readonly head: Head;

  constructor(config: BNNMixtureConfig) {
    super();
    const M = config.components;
    if (!Number.isInteger(M) || M < 1) throw new Error(`BNNMixture: components must be a positive integer, got ${M}`);
    this.config = { ...config };
    const { components: _m, ...member } = config;
    this.components = Array.from({ length: M }, (_, m) => new BayesianMLP({ ...member, rng: config.rng.fork(`component${m}`) }));
    this.head = this.components[0]!.head;
  }

  /** Whether the components have Bayesian layers (otherwise the mixture is a deep ensemble). */
  get isBayesian(): boolean {
    return this.components[0]!.isBayesian;
  }

  /** Number of learned scalars over all components. */
  get numParameters(): number {
    return this.components.reduce((n, c) => n + c.numParameters, 0);
  }

  variables(): tf.Variable[] {
    return this.components.flatMap((c) => c.variables());
  }

  /** Mean over components of their per-example -ELBO terms (`nll`, `kl`, ...): a bound on the mixture's. */
  loss(batch: Batch, ctx: StepContext): LossTerms {
    const M = this.components.length;
    const sums: Record<string, tf.Scalar> = {};
    this.components.forEach((c, m) => {
      const terms = c.loss(batch, { ...ctx, rng: ctx.rng.fork(`component${m}`) });
      for (const [name, value] of Object.entries(terms)) sums[name] = sums[name] === undefined ? value : tf.add(sums[name]!, value);
    });
    const mean: LossTerms = {};
    for (const [name, value] of Object.entries(sums)) mean[name] = tf.div(value, M);
    return mean;
  }

  /** Raw head outputs [K, B, k]: K/M networks from each component (one each for point-estimate components). */
  sampleOutputs(x: tf.Tensor2D, options: PredictOptions): tf.Tensor3D {
    const M = this.components.length;
    let perComponent = 1;
    if (this.isBayesian) {
      const K = options.samples ?? M * Math.ceil(100 / M);
      if (!Number.isInteger(K) || K < M || K % M !== 0) {
        throw new Error(`BNNMixture: samples must be a positive multiple of the ${M} components, so each gets an equal share; got ${K}`);
      }
      perComponent = K / M;
    }
    const parts = this.components.map((c, m) => c.sampleOutputs(x, { ...options, samples: perComponent, rng: options.rng.fork(`component${m}`) }));
    const out = tf.concat(parts, 0) as tf.Tensor3D;
    tf.dispose(parts);
    return out;
  }

  dispose(): void {
    this.components.forEach((c) => c.dispose());
  }
}
