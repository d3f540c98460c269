/**
 * Autoencoders and variational autoencoders (the `vae` namespace): dense encoder/decoder builders,
 * plain, sparse and denoising autoencoders, the VAE and conditional VAE with a β knob, closed-form
 * Gaussian KL, stable likelihoods, ELBO and importance-weighted bounds, and PCA with principal angles.
 */
// The dense network (nn.MLP, nn.Activation) and the maths (math.*) are shared: use them from there.
export { denseEncoder, denseDecoder } from './dense';
export { bernoulliLogLikelihood, gaussianLogLikelihood, stableSoftplus } from './likelihoods';
export { gaussianKl, gaussianKlStandard } from './kl';
export { corrupt, validateCorruption, type Corruption } from './corruption';
export { Autoencoder, type AutoencoderConfig, type ReconstructionLoss } from './autoencoder';
export { DenoisingAutoencoder, type DenoisingAutoencoderConfig } from './denoising';
export { VAE, type VAEConfig, type VAELikelihood, type Posterior, type ElboTerms } from './vae';
export { ConditionalVAE, type ConditionalVAEConfig } from './cvae';
export { elbo, importanceWeightedBound, type BoundOptions, type ElboOptions, type ImportanceWeightedOptions } from './bounds';
export { PCA, type PCAConfig } from './pca';
export { priorGrid, interpolate } from './latent';
export { principalAngles, rowCosines } from './subspaces';
