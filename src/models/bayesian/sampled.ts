/**
 * Prediction for any model that answers with K sampled networks: a `BayesianMLP` (K draws from its
 * mean-field posterior) or a `BNNMixture` (K draws shared among its components). Subclasses supply the
 * raw head outputs [K, B, k]; the predictive summaries are the same for both.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../runtime/rng';
import type { Head } from './heads';
import { type ClassPredictive, classificationPredictive, intervalCoverage, mixtureNll, type RegressionPredictive, regressionPredictive, rmse } from './predictive';

/** Options of the prediction methods. */
export interface PredictOptions {
  /** Weight samples K of the ensemble average. @default 100 (1 when the model has no Bayesian layer) */
  samples?: number;
  /** Seeds the weight draws. */
  rng: Rng;
  /** 'sample' draws weights; 'mean' uses the posterior means (a single point-estimate network). @default 'sample' */
  mode?: 'sample' | 'mean';
  /** Inputs per chunk, to bound memory for large K. @default 4096 */
  chunk?: number;
}

/** Test metrics of a regression model from one predictive draw. */
export interface RegressionEvaluation {
  /** RMSE of the predictive mean. */
  rmse: number;
  /** Mean negative log predictive density, nats per example (NaN for an `mse` head). */
  nll: number;
  /** Fraction of targets inside the central 95% interval. */
  coverage95: number;
  /** The per-example predictive it was computed from. */
  predictive: RegressionPredictive;
}

export abstract class SampledNetworks {
  /** The likelihood that turns raw outputs into Gaussian parameters or class probabilities. */
  abstract readonly head: Head;

  /** Raw head outputs of K sampled networks, [K, B, k]. */
  abstract sampleOutputs(x: tf.Tensor2D, options: PredictOptions): tf.Tensor3D;

  /** Regression predictive from K weight samples: mean, total std, aleatoric and epistemic std. */
  predictRegression(x: tf.Tensor2D, options: PredictOptions): RegressionPredictive {
    const out = this.sampleOutputs(x, options);
    const { mu, sigma } = this.head.gaussianParams(out);
    const p = regressionPredictive(mu, sigma);
    tf.dispose([out, mu, sigma ?? []]);
    return p;
  }

  /** RMSE of the predictive mean, predictive NLL and 95% coverage on (x, y), from one draw of K networks. */
  evaluateRegression(x: tf.Tensor2D, y: tf.Tensor, options: PredictOptions): RegressionEvaluation {
    const out = this.sampleOutputs(x, options);
    const { mu, sigma } = this.head.gaussianParams(out);
    const predictive = regressionPredictive(mu, sigma);
    const nll = sigma === null ? NaN : mixtureNll(mu, sigma, y);
    tf.dispose([out, mu, sigma ?? []]);
    const yv = y.dataSync();
    return { rmse: rmse(yv, predictive.mean), nll, coverage95: intervalCoverage(yv, predictive.mean, predictive.std, 0.95), predictive };
  }

  /** Classification predictive: probabilities, entropy, expected entropy and mutual information. */
  predictClasses(x: tf.Tensor2D, options: PredictOptions): ClassPredictive {
    const out = this.sampleOutputs(x, options);
    const probs = this.head.probabilities(out);
    const p = classificationPredictive(probs);
    tf.dispose([out, probs]);
    return p;
  }
}
