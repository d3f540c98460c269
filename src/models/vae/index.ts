/**
 * Autoencoders and variational autoencoders (the `vae` namespace): dense encoder/decoder builders,
 * plain, sparse and denoising autoencoders, the VAE and conditional VAE with a β knob, closed-form
 * Gaussian KL, stable likelihoods, ELBO and importance-weighted bounds, and PCA with principal angles.
 */
// The dense network and the maths are shared (src/nn, src/math); re-exported under this lecture's names.
export { MLP as DenseNet, activate, ACTIVATIONS, type Activation, type MLPConfig as DenseNetConfig } from '../../nn';
export { denseEncoder, denseDecoder } from './dense';
export {
  bernoulliLogLikelihood,
  gaussianLogLikelihood,
  diagGaussianLogDensity,
  standardNormalLogDensity,
  stableSoftplus,
  LOG_2PI,
} from './likelihoods';
export { gaussianKl, gaussianKlStandard } from './kl';
export { corrupt, validateCorruption, type Corruption } from './corruption';
export { Autoencoder, type AutoencoderConfig, type ReconstructionLoss } from './autoencoder';
export { DenoisingAutoencoder, type DenoisingAutoencoderConfig } from './denoising';
export { VAE, type VAEConfig, type VAELikelihood, type Posterior, type ElboTerms } from './vae';
export { ConditionalVAE, type ConditionalVAEConfig } from './cvae';
export { elbo, importanceWeightedBound, type BoundOptions, type ElboOptions, type ImportanceWeightedOptions } from './bounds';
export { PCA, type PCAConfig } from './pca';
export { priorGrid, interpolate } from './latent';
export { normalQuantile, normalCdf } from '../../math';
export { principalAngles, rowCosines } from './subspaces';
export { symmetricEigen, orthonormalize, matmul, matmulTN, transpose, mat, fromTensor, type Mat, type Eigen } from '../../math';
