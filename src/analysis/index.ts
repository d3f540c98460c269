/**
 * Tools for looking inside networks, from the deep-learning foundations lecture: exact linear regions
 * of ReLU networks (1-D and 2-D inputs) and their bounds, the folding construction, the bias-variance
 * decomposition, a shallow ReLU regression fitted in closed form, and signal propagation at
 * initialisation.
 */
export {
  linearRegions1d, linearRegions2d, regionIdGrid, activationPattern, shallowRegionBound, deepRegionBound1d, zigzagNetwork,
  type Regions1d, type Regions2d, type Interval1d, type Polygon2d, type RegionOptions,
} from './regions';
export { biasVarianceDecomposition, meanSquaredError, type BiasVariance } from './bias-variance';
export { ReluFeatureRegression, leastSquares, type FitOptions as LeastSquaresOptions, type FeatureInput } from './relu-features';
export { signalPropagation, type SignalPropagation, type SignalPropagationConfig } from './signal-propagation';
export { kMeans, nearestCentroid, oneHotCode, type KMeansConfig, type KMeansResult } from './kmeans';
export { receptiveFieldSize, measuredReceptiveField, type ReceptiveLayer, type MeasuredReceptiveField } from './receptive-field';
export { gradientCorrelationAlongLines, type GradientCorrelation, type GradientCorrelationOptions } from './shattered-gradients';
export { residualVarianceGrowth, type BranchVarianceConfig } from './branch-variance';
export { linearMapMatrix } from './linear-map';
export { shiftImages } from './shift';
