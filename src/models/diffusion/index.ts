/**
 * Denoising diffusion probabilistic models (Ho, Jain & Abbeel 2020), the `diffusion` namespace.
 *
 * schedule.ts  noise schedules beta_t (linear, cosine), alpha_t = prod (1 - beta_s), SNR
 * forward.ts   the forward chain and its closed-form kernel q(z_t | x)
 * posterior.ts q(z_{t-1} | z_t, x)
 * network.ts   the eps-prediction MLP with a sinusoidal time embedding (embedding.ts)
 * unet-predictor.ts  the eps-prediction U-Net for images (models/unet)
 * ddpm.ts      the model: the simple loss, plugged into the shared Trainer
 * sampler.ts   ancestral sampling, choice of sigma_t, trajectories
 * strided.ts   DDIM / DDPM on a subsequence of the steps (few network evaluations)
 * elbo.ts      the ELBO in nats
 * oracle.ts    closed-form optimal noise predictors (Gaussian data, a finite data set)
 * metrics.ts   KDE negative log-likelihood and MMD; baseline.ts the one-Gaussian floor
 * field.ts     the predictor as a 2-D vector field
 */
export { NoiseSchedule, type ScheduleKind, type LinearScheduleConfig, type CosineScheduleConfig } from './schedule';
export { type Step } from './steps';
export { diffuse, forwardMoments, forwardChain, forwardCheck, type ForwardChainOptions, type ForwardCheckRow } from './forward';
export { posterior, posteriorCoefficients } from './posterior';
export { timeEmbedding } from './embedding';
export { NoiseMLP, type NoiseMLPConfig, type NoisePredictor } from './network';
export { DDPM, type DDPMConfig, type NoiseNetwork, noiseLoss, drawStepAndNoise } from './ddpm';
export { NoiseUNet, type NoiseUNetConfig } from './unet-predictor';
export { sample, reverseSigma, reverseMean, type SigmaChoice, type SampleOptions, type SampleResult } from './sampler';
export { sampleStrided, stridedSteps, stridedCoefficients, type StridedSampleOptions } from './strided';
export { elbo, type ElboOptions, type ElboResult } from './elbo';
export { GaussianOracle, EmpiricalOracle } from './oracle';
export { kdeLogDensity, kdeNll, kdeFactor, mmd2, medianDistance, sampleQuality, type KdeOptions, type MmdOptions, type SampleQuality } from './metrics';
export { fitGaussian, sampleGaussian, type GaussianFit } from './baseline';
export { noiseField, type VectorField, type GridOptions } from './field';
