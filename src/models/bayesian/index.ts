/**
 * Bayesian neural networks by variational inference (the `bnn` namespace).
 *
 * - `VariationalDense`: mean-field Gaussian weights, reparameterised sampling, KL to the prior.
 * - `Dense`: a deterministic layer on the same [S, B, in] layout, with an optional Gaussian prior (MAP / L2).
 * - `GaussianPrior`, `ScaleMixturePrior`: priors p(w).
 * - `BayesianMLP`: layers each 'bayes' or 'dense', a gaussian / mse / categorical head, the ELBO loss.
 * - `BNNMixture`: a posterior that is a mixture of mean-field components, one per mode.
 * - predictive summaries: mean, total / aleatoric / epistemic std, intervals, calibration, entropy and
 *   mutual information.
 */
export { VariationalDense, type VariationalDenseConfig, type VariationalForward, type GaussianPosterior, type KlMode, type VariationalMode } from './variational-dense';
export { Dense, type DenseConfig } from './dense';
export { GaussianPrior, ScaleMixturePrior, splitPrior, type Prior, type LayerPrior, type GaussianPriorConfig, type ScaleMixturePriorConfig } from './priors';
export { Head, type HeadKind, type HeadConfig } from './heads';
export { BayesianMLP, type BayesianMLPConfig, type LayerKind } from './mlp';
export { SampledNetworks, type PredictOptions, type RegressionEvaluation } from './sampled';
export { BNNMixture, type BNNMixtureConfig } from './mixture';
export {
  regressionPredictive,
  classificationPredictive,
  mixtureNll,
  predictiveInterval,
  intervalCoverage,
  calibrationCurve,
  rmse,
  type RegressionPredictive,
  type ClassPredictive,
} from './predictive';
export { softplus, inverseSoftplus } from './math';
