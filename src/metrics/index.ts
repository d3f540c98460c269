/**
 * Sample-quality metrics shared by the generative notebooks (the `metrics` namespace). Features in, numbers out:
 *
 * - `fitGaussian`, `fitFeatureGaussian`, `frechetDistance`: the Fréchet distance between Gaussian fits of two
 *   feature sets (FID's statistic, with any feature map).
 * - `classHistogram`, `classHistogramKl`, `klToUniform`, `meanTopConfidence`: class-based scores from p(y | x).
 * - `FeatureClassifier`: a small dense evaluator (probabilities and penultimate-layer features);
 *   `SampleEvaluator` is the interface any evaluator implements; `sampleScores` computes all scores at once.
 * - `IndependentPixelModel`: the per-pixel baseline that sets the "bad" end of the image scales.
 * - `ringCentres`, `modeMetrics`: modes covered, high-quality fraction and mode-histogram KL for 2-D mixtures.
 */
export { fitGaussian, fitFeatureGaussian, frechetDistance, type GaussianFit, type FeatureFn } from './frechet';
export { classHistogram, classHistogramKl, klToUniform, meanTopConfidence } from './classes';
export { FeatureClassifier, type FeatureClassifierConfig, type SampleEvaluator } from './classifier';
export { sampleScores, type SampleScores } from './scores';
export { IndependentPixelModel } from './baselines';
export { ringCentres, modeMetrics, type ModeMetrics, type ModeMetricOptions } from './modes';
export { activity, codeStatistics, disentanglement, type ActivityOptions, type CodeStatistics, type Disentanglement, type DisentanglementOptions } from './representation';
