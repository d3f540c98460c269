/**
 * Dense building blocks shared by the lecture models: named activations, initialisation schemes, the
 * `MLP`, unnamed variables, and config/shape checks.
 */
export { ACTIVATIONS, activate, isReluLike, type Activation } from './activation';
export { INIT_SCHEMES, initialWeights, type InitScheme } from './init';
export { MLP, type MLPConfig } from './mlp';
export { ownedVariable } from './variable';
export { requireMatrix, requirePositiveInt } from './validate';
export { type DenseArrays, composeDense, randomDense, denseArraysOf, denseWidths, evaluateDense, flattenDense, unflattenDense, parameterCount } from './dense-arrays';
export { forwardPass, backwardPass, squaredLoss, squaredLossGradient, squaredLossObjective, type SquaredLossObjective, finiteDifferenceGradient, autodiffSquaredLossGradient, type ForwardCache, type DenseGradients } from './backprop';
export { gaussianNLL, bernoulliNLL, categoricalNLL } from './losses';
export { LikelihoodNet, type LikelihoodNetConfig, type Likelihood } from './likelihood-net';
export { dropout, validateDropoutRate } from './dropout';
export { Conv2d, type Conv2dConfig, convOutputSize, type ConvAxisOptions, type Padding, type ConvInit, CONV_INITS } from './conv2d';
export { LayerNorm, type LayerNormConfig } from './layer-norm';
export { MaxPool2d, AvgPool2d, globalAvgPool, type Pool2dConfig } from './pooling';
export { MaxUnpool2d, type MaxUnpool2dConfig, type PooledWithSwitches } from './max-unpool';
export { ConvTranspose2d, type ConvTranspose2dConfig } from './conv-transpose2d';
export { Conv1d, type Conv1dConfig } from './conv1d';
export { BatchNorm, type BatchNormConfig, type NormMode } from './batch-norm';
export { ResidualBlock, type ResidualBlockConfig } from './residual-block';
export { upsample2d, interpolationMatrix, type UpsampleMode, UPSAMPLE_MODES } from './upsample';
export { GroupNorm, type GroupNormConfig, defaultGroups } from './group-norm';
